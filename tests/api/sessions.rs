//! Agreements (AGR), the year plan (SES-2), moving and cancelling sessions (SES-3, SES-4),
//! concurrency (SES-5) and the frequency status (FREQ-4), through the API.

use actix_web::test::TestRequest;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use serde_json::{json, Value};

use crate::support::{bearer, TestApp};
use supervision::domain::calendar::{Calendar, Region};
use supervision::domain::sessions::SessionKind;
use supervision::store::sessions::{self as store_sessions, NewSession};

/// A POST with If-Match.
pub(crate) async fn post_if(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: Value,
) -> crate::support::Resp {
    app.call(
        TestRequest::post()
            .uri(path)
            .insert_header(bearer(token))
            .insert_header(("If-Match", etag.to_string()))
            .set_json(body),
    )
    .await
}

/// A social-work team: head of service above a team manager above a social worker.
pub(crate) struct Team {
    pub admin: String,
    pub head: (String, String),
    pub manager: (String, String),
    pub worker: (String, String),
}

pub(crate) async fn team(app: &TestApp) -> Team {
    let admin = app.admin().await;
    let head = app.worker(&admin, "head").await;
    let manager = app.worker(&admin, "manager").await;
    let worker = app
        .person(
            &admin,
            json!({"email": "worker@test.example", "display_name": "worker", "staff_category": "social_worker", "employment_start": "2020-01-06"}),
        )
        .await;
    app.manage(&admin, &manager.0, &head.0).await;
    app.manage(&admin, &worker.0, &manager.0).await;
    Team {
        admin,
        head,
        manager,
        worker,
    }
}

pub(crate) fn agreement_body(supervisee: &str, starts_on: NaiveDate) -> Value {
    json!({
        "supervisee_id": supervisee,
        "kind": "line_management",
        "frequency": {"every_months": 1},
        "session_minutes": 90,
        "usual_weekday": "thursday",
        "usual_time": "10:00",
        "place": "Room 2",
        "agenda": "Cases, wellbeing, learning",
        "starts_on": starts_on,
    })
}

pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// An agreement the manager made and both signed; returns its id.
pub(crate) async fn signed_agreement(app: &TestApp, t: &Team, starts_on: NaiveDate) -> String {
    signed_agreement_between(app, &t.manager, &t.worker, starts_on).await
}

/// A line-management agreement between two people (id, token), signed by both.
pub(crate) async fn signed_agreement_between(
    app: &TestApp,
    manager: &(String, String),
    worker: &(String, String),
    starts_on: NaiveDate,
) -> String {
    signed_agreement_of(app, manager, worker, agreement_body(&worker.0, starts_on)).await
}

/// An agreement with these terms, made by the manager and signed by both; returns its id.
pub(crate) async fn signed_agreement_of(
    app: &TestApp,
    manager: &(String, String),
    worker: &(String, String),
    body: Value,
) -> String {
    let created = app.post("/api/v1/agreements", &manager.1, body).await;
    let id = created.ok(201)["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/agreements/{id}");
    let etag = created.header("etag").unwrap();
    let signed = post_if(app, &format!("{path}/sign"), &worker.1, &etag, json!({})).await;
    let etag = signed.header("etag").unwrap();
    signed.ok(200);
    post_if(app, &format!("{path}/sign"), &manager.1, &etag, json!({}))
        .await
        .ok(200);
    id
}

/// A past session recorded straight into the store (the API only books future ones).
pub(crate) async fn past_session(
    app: &TestApp,
    agreement: &str,
    t: &Team,
    days_ago: i64,
) -> String {
    let (agreement, supervisor, supervisee) = (
        agreement.to_string(),
        t.manager.0.clone(),
        t.worker.0.clone(),
    );
    app.db
        .write(move |conn| {
            store_sessions::insert(
                conn,
                NewSession {
                    agreement_id: Some(agreement),
                    team_id: None,
                    kind: SessionKind::OneToOne,
                    supervisor_id: supervisor.clone(),
                    supervisee_id: Some(supervisee),
                    starts_at: (Utc::now() - Duration::days(days_ago)).naive_utc(),
                    duration_minutes: 90,
                    place: "Room 2".into(),
                    replaces_id: None,
                    created_by: supervisor,
                },
            )
        })
        .await
        .unwrap()
        .id
}

pub(crate) async fn book(
    app: &TestApp,
    t: &Team,
    agreement: &str,
    days_ahead: i64,
) -> (String, String) {
    let at = Utc::now() + Duration::days(days_ahead);
    let booked = app
        .post(
            &format!("/api/v1/agreements/{agreement}/sessions"),
            &t.manager.1,
            json!({"starts_at": at.to_rfc3339()}),
        )
        .await;
    let id = booked.ok(201)["id"].as_str().unwrap().to_string();
    (id, booked.header("etag").unwrap())
}

pub(crate) async fn etag_of(app: &TestApp, token: &str, session: &str) -> String {
    app.get(&format!("/api/v1/sessions/{session}"), token)
        .await
        .header("etag")
        .unwrap()
}

async fn agr1_both_sign_before_any_session(app: TestApp) {
    let t = team(&app).await;
    let created = app
        .post(
            "/api/v1/agreements",
            &t.manager.1,
            agreement_body(&t.worker.0, today()),
        )
        .await;
    let agreement = created.ok(201);
    assert_eq!(agreement["status"], "awaiting_signatures");
    let id = agreement["id"].as_str().unwrap();
    let path = format!("/api/v1/agreements/{id}");
    let at = (Utc::now() + Duration::days(3)).to_rfc3339();
    app.post(
        &format!("{path}/sessions"),
        &t.manager.1,
        json!({"starts_at": at}),
    )
    .await
    .problem(409, "conflict");

    let etag = created.header("etag").unwrap();
    app.call(
        TestRequest::post()
            .uri(&format!("{path}/sign"))
            .insert_header(bearer(&t.worker.1)),
    )
    .await
    .problem(428, "if-match-required");
    let one = post_if(&app, &format!("{path}/sign"), &t.worker.1, &etag, json!({})).await;
    assert_eq!(one.ok(200)["status"], "awaiting_signatures");
    // Signing twice, or with the version from before, is refused.
    post_if(
        &app,
        &format!("{path}/sign"),
        &t.worker.1,
        &one.header("etag").unwrap(),
        json!({}),
    )
    .await
    .problem(409, "conflict");
    post_if(
        &app,
        &format!("{path}/sign"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .problem(412, "stale-version");
    // The head of service sees it (above the supervisee) but is not a party.
    post_if(
        &app,
        &format!("{path}/sign"),
        &t.head.1,
        &one.header("etag").unwrap(),
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    let both = post_if(
        &app,
        &format!("{path}/sign"),
        &t.manager.1,
        &one.header("etag").unwrap(),
        json!({}),
    )
    .await;
    let body = both.ok(200);
    assert_eq!(body["status"], "active");
    assert!(body["supervisor_signed_at"].is_string() && body["supervisee_signed_at"].is_string());
    app.post(
        &format!("{path}/sessions"),
        &t.manager.1,
        json!({"starts_at": at}),
    )
    .await
    .ok(201);

    // A colleague outside the line sees nothing.
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.get(&path, &stranger).await.problem(404, "not-found");
    let listed = app
        .get(
            &format!("/api/v1/people/{}/agreements", t.worker.0),
            &t.worker.1,
        )
        .await
        .ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn agr1_the_agreement_cannot_ask_for_less_than_the_policy(app: TestApp) {
    let t = team(&app).await;
    let mut body = agreement_body(&t.worker.0, today());
    body["frequency"] = json!({"every_months": 2});
    let problem = app
        .post("/api/v1/agreements", &t.manager.1, body)
        .await
        .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "frequency");
    let mut body = agreement_body(&t.worker.0, today());
    body["usual_time"] = json!("25:99");
    body["usual_weekday"] = json!("saturday");
    let problem = app
        .post("/api/v1/agreements", &t.manager.1, body)
        .await
        .problem(400, "malformed-request");
    assert_eq!(problem["errors"][0]["field"], "usual_weekday");
    // The worker cannot make themselves a line-management agreement with a stranger.
    let (stranger, _) = app.worker(&t.admin, "stranger").await;
    let mut body = agreement_body(&stranger, today());
    body["supervisor_id"] = json!(t.worker.0);
    app.post("/api/v1/agreements", &t.worker.1, body)
        .await
        .problem(404, "not-found");

    // FREQ-2: a student's sessions last at least 90 minutes.
    let (student, _) = app
        .person(&t.admin, json!({"email": "s@test.example", "display_name": "s", "staff_category": "student", "placement_start": "2026-09-01", "placement_end": "2027-04-30"}))
        .await;
    app.manage(&t.admin, &student, &t.manager.0).await;
    let mut body = agreement_body(&student, today());
    body["kind"] = json!("placement_supervisor");
    body["frequency"] = json!({"max_calendar_days": 7});
    body["session_minutes"] = json!(60);
    let problem = app
        .post("/api/v1/agreements", &t.manager.1, body)
        .await
        .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "session_minutes");
}

async fn agr2_a_new_line_manager_agreement_ends_the_old_one(app: TestApp) {
    let t = team(&app).await;
    let old = signed_agreement(&app, &t, today() - Duration::days(100)).await;
    let new = app
        .post("/api/v1/agreements", &t.head.1, {
            let mut body = agreement_body(&t.worker.0, today());
            body["supervisor_id"] = json!(t.head.0);
            body
        })
        .await;
    let new_id = new.ok(201)["id"].as_str().unwrap().to_string();
    let etag = new.header("etag").unwrap();
    let signed = post_if(
        &app,
        &format!("/api/v1/agreements/{new_id}/sign"),
        &t.worker.1,
        &etag,
        json!({}),
    )
    .await;
    post_if(
        &app,
        &format!("/api/v1/agreements/{new_id}/sign"),
        &t.head.1,
        &signed.header("etag").unwrap(),
        json!({}),
    )
    .await
    .ok(200);
    let old = app
        .get(&format!("/api/v1/agreements/{old}"), &t.worker.1)
        .await
        .ok(200);
    assert_eq!(old["status"], "ended");
    assert_eq!(old["ends_on"], json!(today()));
}

fn calendar() -> Calendar {
    Calendar::new(Region::EnglandAndWales, &[])
}

async fn ses2_the_plan_is_previewed_then_saved_and_keeps_the_limit(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today()).await;
    let path = format!("/api/v1/agreements/{agreement}/plan");
    let preview = app
        .post(&format!("{path}/preview"), &t.manager.1, json!({}))
        .await
        .ok(200);
    assert_eq!(preview["policy"], json!({"max_working_days": 25}));
    let sessions = preview["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 12, "{preview}");
    let cal = calendar();
    let mut previous: Option<NaiveDate> = None;
    for s in sessions {
        let date: NaiveDate = s["date"].as_str().unwrap().parse().unwrap();
        assert!(
            cal.is_working_day(date).unwrap(),
            "{date} is not a working day"
        );
        if let Some(prev) = previous {
            assert!(
                cal.working_days_between(prev, date).unwrap() <= 25,
                "{prev} -> {date}"
            );
            assert!(
                (date - prev).num_days() <= 31,
                "monthly cadence: {prev} -> {date}"
            );
        }
        // 10:00 in London: 10:00 UTC in winter, 09:00 UTC in summer (CAL-4).
        let starts_at: chrono::DateTime<Utc> = s["starts_at"].as_str().unwrap().parse().unwrap();
        let london = starts_at.with_timezone(&chrono_tz::Europe::London);
        assert_eq!(london.format("%H:%M").to_string(), "10:00", "{starts_at}");
        assert_eq!(london.date_naive(), date);
        previous = Some(date);
    }
    // On the usual weekday, except around the odd holiday.
    let off_day = sessions
        .iter()
        .filter(|s| {
            s["date"]
                .as_str()
                .unwrap()
                .parse::<NaiveDate>()
                .unwrap()
                .weekday()
                != Weekday::Thu
        })
        .count();
    assert!(off_day <= 2, "{off_day} sessions off Thursday: {preview}");
    // Nothing is saved by a preview.
    assert_eq!(
        app.get("/api/v1/me/sessions", &t.worker.1).await.ok(200)["total"],
        0
    );

    let saved = app.post(&path, &t.manager.1, json!({})).await.ok(201);
    assert_eq!(saved["sessions"].as_array().unwrap().len(), sessions.len());
    let mine = app
        .get("/api/v1/me/sessions?limit=200", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(mine["total"].as_u64().unwrap() as usize, sessions.len());
    assert_eq!(mine["items"][0]["status"], "scheduled");
    // Only the supervisor plans.
    app.post(&format!("{path}/preview"), &t.worker.1, json!({}))
        .await
        .problem(403, "forbidden");
    app.post(
        &format!("{path}/preview"),
        &t.manager.1,
        json!({"months": 13}),
    )
    .await
    .problem(422, "validation-failed");
}

async fn ses2_a_students_plan_alternates_supervisors_weekly(app: TestApp) {
    let t = team(&app).await;
    let placement_start = today() - Duration::days(7);
    let placement_end = today() + Duration::days(120);
    let (student, student_token) = app
        .person(&t.admin, json!({"email": "st@test.example", "display_name": "st", "staff_category": "student", "placement_start": placement_start, "placement_end": placement_end}))
        .await;
    app.manage(&t.admin, &student, &t.manager.0).await;
    let (educator, educator_token) = app.worker(&t.admin, "educator").await;
    let make = |kind: &str, supervisor: &str| {
        json!({"supervisee_id": student, "supervisor_id": supervisor, "kind": kind, "frequency": {"max_calendar_days": 7},
               "session_minutes": 90, "usual_weekday": "tuesday", "usual_time": "14:00", "place": "Office", "agenda": "Placement", "starts_on": today()})
    };
    let mut ids = Vec::new();
    for (kind, supervisor, token) in [
        ("placement_supervisor", &t.manager.0, &t.manager.1),
        ("practice_educator", &educator, &educator_token),
    ] {
        let created = app
            .post("/api/v1/agreements", &t.manager.1, make(kind, supervisor))
            .await;
        let id = created.ok(201)["id"].as_str().unwrap().to_string();
        let signed = post_if(
            &app,
            &format!("/api/v1/agreements/{id}/sign"),
            &student_token,
            &created.header("etag").unwrap(),
            json!({}),
        )
        .await;
        post_if(
            &app,
            &format!("/api/v1/agreements/{id}/sign"),
            token,
            &signed.header("etag").unwrap(),
            json!({}),
        )
        .await
        .ok(200);
        ids.push(id);
    }
    let plan = app
        .post(
            &format!("/api/v1/agreements/{}/plan/preview", ids[0]),
            &t.manager.1,
            json!({"alternate_with": ids[1]}),
        )
        .await
        .ok(200);
    let sessions = plan["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 15, "{plan}");
    let cal = calendar();
    let dates: Vec<NaiveDate> = sessions
        .iter()
        .map(|s| s["date"].as_str().unwrap().parse().unwrap())
        .collect();
    for pair in dates.windows(2) {
        assert!((pair[1] - pair[0]).num_days() <= 7, "weekly: {pair:?}");
        assert!(cal.is_working_day(pair[1]).unwrap());
    }
    assert!(
        dates.last().unwrap() < &placement_end,
        "the plan ends with the placement"
    );
    for (i, s) in sessions.iter().enumerate() {
        assert_eq!(
            s["supervisor_id"],
            if i % 2 == 0 {
                t.manager.0.as_str()
            } else {
                educator.as_str()
            }
        );
        assert_eq!(s["duration_minutes"], 90);
    }
}

async fn ses3_the_supervisees_proposal_waits_for_the_supervisor(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    past_session(&app, &agreement, &t, 5).await;
    let (session, etag) = book(&app, &t, &agreement, 10).await;
    let path = format!("/api/v1/sessions/{session}");
    let to = (Utc::now() + Duration::days(12)).to_rfc3339();
    let proposed = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.worker.1,
        &etag,
        json!({"starts_at": to, "reason": "annual_leave"}),
    )
    .await;
    let body = proposed.ok(200);
    assert_eq!(body["status"], "reschedule_pending");
    assert_eq!(body["pending_change"]["needs_manager"], false);
    assert_eq!(body["pending_change"]["reason"], "annual_leave");
    let etag = proposed.header("etag").unwrap();
    // It waits on the supervisor's list of decisions, not the proposer's nor the head's.
    assert_eq!(
        pending_decisions(&app, &t.manager.1).await,
        std::slice::from_ref(&session)
    );
    assert!(pending_decisions(&app, &t.worker.1).await.is_empty());
    assert!(pending_decisions(&app, &t.head.1).await.is_empty());
    // The proposer cannot confirm their own proposal; the supervisor can.
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.worker.1,
        &etag,
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    let confirmed = post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    assert_eq!(confirmed["status"], "scheduled");
    let moved: chrono::DateTime<Utc> = confirmed["starts_at"].as_str().unwrap().parse().unwrap();
    let wanted: chrono::DateTime<Utc> = to.parse().unwrap();
    assert!((moved - wanted).num_seconds().abs() < 1);
    let history = app
        .get(&format!("{path}/history"), &t.worker.1)
        .await
        .ok(200);
    let actions: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["action"].as_str().unwrap(), c["state"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("booked", "done"), ("proposed", "confirmed")]);
    assert_eq!(history[1]["decided_by"], t.manager.0.as_str());
    assert!(pending_decisions(&app, &t.manager.1).await.is_empty());
}

/// The sessions on `GET /me/pending-decisions` for this token: each with its pending move.
async fn pending_decisions(app: &TestApp, token: &str) -> Vec<String> {
    let list = app.get("/api/v1/me/pending-decisions", token).await.ok(200);
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["status"], "reschedule_pending");
            assert!(s["pending_change"].is_object());
            s["id"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn ses3_the_supervisors_own_move_takes_effect_and_rejection_keeps_the_time(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    past_session(&app, &agreement, &t, 5).await;
    let (session, etag) = book(&app, &t, &agreement, 10).await;
    let path = format!("/api/v1/sessions/{session}");
    let to = (Utc::now() + Duration::days(11)).to_rfc3339();
    let moved = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.manager.1,
        &etag,
        json!({"starts_at": to, "reason": "urgent_work"}),
    )
    .await;
    let body = moved.ok(200);
    assert_eq!(body["status"], "scheduled");
    assert!(body["pending_change"].is_null());
    // A reason of `other` needs its text.
    let problem = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.worker.1,
        &moved.header("etag").unwrap(),
        json!({"starts_at": to, "reason": "other"}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "reason_text");
    let proposed = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.worker.1,
        &moved.header("etag").unwrap(),
        json!({"starts_at": (Utc::now() + Duration::days(13)).to_rfc3339(), "reason": "personal"}),
    )
    .await;
    let etag = proposed.header("etag").unwrap();
    proposed.ok(200);
    let rejected = post_if(
        &app,
        &format!("{path}/proposal/reject"),
        &t.manager.1,
        &etag,
        json!({"comment": "Keep it please"}),
    )
    .await
    .ok(200);
    assert_eq!(rejected["status"], "scheduled");
    assert_eq!(rejected["starts_at"], body["starts_at"]);
    post_if(
        &app,
        &format!("{path}/proposal/reject"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .problem(409, "conflict");
    // A proposer may withdraw their own proposal; nobody outside the session may decide it.
    let etag = etag_of(&app, &t.worker.1, &session).await;
    let later = (Utc::now() + Duration::days(14)).to_rfc3339();
    let proposed = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.worker.1,
        &etag,
        json!({"starts_at": later, "reason": "personal"}),
    )
    .await;
    let etag = proposed.header("etag").unwrap();
    post_if(
        &app,
        &format!("{path}/proposal/reject"),
        &t.head.1,
        &etag,
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    let withdrawn = post_if(
        &app,
        &format!("{path}/proposal/reject"),
        &t.worker.1,
        &etag,
        json!({"comment": "Sorted my leave"}),
    )
    .await
    .ok(200);
    assert_eq!(withdrawn["status"], "scheduled");
}

async fn ses3_a_move_beyond_due_by_needs_a_manager_above_with_justification_and_is_a_breach(
    app: TestApp,
) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    past_session(&app, &agreement, &t, 10).await;
    let (session, etag) = book(&app, &t, &agreement, 5).await;
    let path = format!("/api/v1/sessions/{session}");
    let far = (Utc::now() + Duration::days(60)).to_rfc3339();
    let proposed = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.manager.1,
        &etag,
        json!({"starts_at": far, "reason": "sickness"}),
    )
    .await;
    let body = proposed.ok(200);
    assert_eq!(
        body["status"], "reschedule_pending",
        "even the supervisor's own move waits"
    );
    assert_eq!(body["pending_change"]["needs_manager"], true);
    assert!(body["pending_change"]["due_by"].is_string());
    let etag = proposed.header("etag").unwrap();
    // SES-3: past due_by it waits for the supervisor's line manager, not the supervisor.
    assert_eq!(
        pending_decisions(&app, &t.head.1).await,
        std::slice::from_ref(&session)
    );
    assert!(pending_decisions(&app, &t.manager.1).await.is_empty());
    // The supervisor cannot confirm it; the head of service (above the supervisor) must, in writing.
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.manager.1,
        &etag,
        json!({"justification": "x"}),
    )
    .await
    .problem(403, "forbidden");
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.worker.1,
        &etag,
        json!({"justification": "x"}),
    )
    .await
    .problem(403, "forbidden");
    let problem = post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.head.1,
        &etag,
        json!({}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "justification");
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.head.1,
        &etag,
        json!({"justification": "Long-term sickness; reviewed with HR"}),
    )
    .await
    .ok(200);
    assert!(pending_decisions(&app, &t.head.1).await.is_empty());
    let history = app.get(&format!("{path}/history"), &t.head.1).await.ok(200);
    let decision = &history[1];
    assert_eq!(decision["breach"], true);
    assert_eq!(decision["decided_by"], t.head.0.as_str());
    assert_eq!(
        decision["justification"],
        "Long-term sickness; reviewed with HR"
    );
}

async fn ses5_two_managers_deciding_the_same_move_cannot_both_win(app: TestApp) {
    let t = team(&app).await;
    // A second manager above the supervisor: the head's own manager.
    let (director, director_token) = app.worker(&t.admin, "director").await;
    app.manage(&t.admin, &t.head.0, &director).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    past_session(&app, &agreement, &t, 10).await;
    let (session, etag) = book(&app, &t, &agreement, 5).await;
    let path = format!("/api/v1/sessions/{session}");
    let proposed = post_if(
        &app,
        &format!("{path}/reschedule"),
        &t.worker.1,
        &etag,
        json!({"starts_at": (Utc::now() + Duration::days(70)).to_rfc3339(), "reason": "personal"}),
    )
    .await;
    let etag = proposed.header("etag").unwrap();
    let first = post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.head.1,
        &etag,
        json!({"justification": "agreed"}),
    )
    .await;
    first.ok(200);
    let second = post_if(
        &app,
        &format!("{path}/proposal/reject"),
        &director_token,
        &etag,
        json!({"comment": "no"}),
    )
    .await;
    assert!(
        second.status == 409 || second.status == 412,
        "{}",
        second.status
    );
    let history = app.get(&format!("{path}/history"), &t.head.1).await.ok(200);
    assert_eq!(history[1]["state"], "confirmed");
}

async fn ses4_cancelling_needs_a_reason_and_a_new_date(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    // Held ten days ago: the new date below is well within the limit.
    past_session(&app, &agreement, &t, 10).await;
    let (session, etag) = book(&app, &t, &agreement, 5).await;
    let path = format!("/api/v1/sessions/{session}/cancel");
    let problem = post_if(
        &app,
        &path,
        &t.worker.1,
        &etag,
        json!({"reason": "sickness"}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "new_starts_at");
    post_if(
        &app,
        &path,
        &t.worker.1,
        &etag,
        json!({"new_starts_at": (Utc::now() + Duration::days(6)).to_rfc3339()}),
    )
    .await
    .problem(400, "malformed-request");
    let done = post_if(&app, &path, &t.manager.1, &etag, json!({"reason": "sickness", "new_starts_at": (Utc::now() + Duration::days(7)).to_rfc3339()})).await.ok(200);
    assert_eq!(done["cancelled"]["status"], "cancelled");
    assert_eq!(done["replacement"]["status"], "scheduled");
    assert_eq!(done["replacement"]["replaces_id"], session.as_str());
    post_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"reason": "sickness", "relationship_ended": true}),
    )
    .await
    .problem(409, "conflict");
    let history = app
        .get(&format!("/api/v1/sessions/{session}/history"), &t.worker.1)
        .await
        .ok(200);
    assert_eq!(history[1]["action"], "cancelled");
    assert_eq!(history[1]["reason"], "sickness");
    // When the relationship has ended, no new date is needed.
    let replacement = done["replacement"]["id"].as_str().unwrap();
    let etag = etag_of(&app, &t.manager.1, replacement).await;
    let ended = post_if(
        &app,
        &format!("/api/v1/sessions/{replacement}/cancel"),
        &t.manager.1,
        &etag,
        json!({"reason": "other", "reason_text": "Leaving the team", "relationship_ended": true}),
    )
    .await
    .ok(200);
    assert!(ended["replacement"].is_null());
}

/// SES-3, SES-4: a cancellation with a new date is a move and follows the move rules in
/// full; only the supervisor's side cancels without one.
async fn ses4_a_cancellation_with_a_new_date_is_a_move(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    past_session(&app, &agreement, &t, 10).await;
    let (session, etag) = book(&app, &t, &agreement, 5).await;
    let path = format!("/api/v1/sessions/{session}");
    let cancel_path = format!("{path}/cancel");
    // The supervisee cannot cancel without a new date, nor can a manager above move it.
    post_if(
        &app,
        &cancel_path,
        &t.worker.1,
        &etag,
        json!({"reason": "sickness", "relationship_ended": true}),
    )
    .await
    .problem(403, "forbidden");
    let near = (Utc::now() + Duration::days(7)).to_rfc3339();
    post_if(
        &app,
        &cancel_path,
        &t.head.1,
        &etag,
        json!({"reason": "sickness", "new_starts_at": near}),
    )
    .await
    .problem(403, "forbidden");

    // The supervisee's new date past due_by: nothing is booked; a manager above decides.
    let far = (Utc::now() + Duration::days(60)).to_rfc3339();
    let waiting = post_if(
        &app,
        &cancel_path,
        &t.worker.1,
        &etag,
        json!({"reason": "personal", "new_starts_at": far}),
    )
    .await;
    let body = waiting.ok(200);
    assert_eq!(body["cancelled"]["status"], "reschedule_pending");
    assert_eq!(body["cancelled"]["pending_change"]["needs_manager"], true);
    assert!(body["replacement"].is_null());
    let mine = app.get("/api/v1/me/sessions", &t.worker.1).await.ok(200);
    assert_eq!(mine["total"], 1, "no second session was booked: {mine}");
    let etag = etag_of(&app, &t.head.1, &session).await;
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.manager.1,
        &etag,
        json!({"justification": "x"}),
    )
    .await
    .problem(403, "forbidden");
    post_if(
        &app,
        &format!("{path}/proposal/confirm"),
        &t.head.1,
        &etag,
        json!({"justification": "Long-term sickness; reviewed with HR"}),
    )
    .await
    .ok(200);
    let history = app.get(&format!("{path}/history"), &t.head.1).await.ok(200);
    assert_eq!(history[1]["action"], "proposed");
    assert_eq!(history[1]["reason"], "personal");
    assert_eq!(history[1]["breach"], true);

    // The supervisee's new date within the limit waits for the supervisor.
    let (second, etag) = book(&app, &t, &agreement, 3).await;
    let within = post_if(
        &app,
        &format!("/api/v1/sessions/{second}/cancel"),
        &t.worker.1,
        &etag,
        json!({"reason": "annual_leave", "new_starts_at": (Utc::now() + Duration::days(4)).to_rfc3339()}),
    )
    .await
    .ok(200);
    assert_eq!(within["cancelled"]["status"], "reschedule_pending");
    assert_eq!(
        within["cancelled"]["pending_change"]["needs_manager"],
        false
    );

    // A manager above the supervisor may cancel without a new date when it ended.
    let etag = etag_of(&app, &t.head.1, &second).await;
    let ended = post_if(
        &app,
        &format!("/api/v1/sessions/{second}/cancel"),
        &t.head.1,
        &etag,
        json!({"reason": "other", "reason_text": "Left the service", "relationship_ended": true}),
    )
    .await
    .ok(200);
    assert_eq!(ended["cancelled"]["status"], "cancelled");
}

async fn freq4_held_sessions_and_bookings_drive_the_status(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(90)).await;
    // Nothing held for 90 days of the agreement: overdue.
    let status = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(status["status"], "overdue");
    assert!(status["last_held"].is_null());

    // A session that has happened is marked held by the supervisor, not before it starts.
    let past = past_session(&app, &agreement, &t, 3).await;
    let (future, future_etag) = book(&app, &t, &agreement, 10).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{future}/held"),
        &t.manager.1,
        &future_etag,
        json!({}),
    )
    .await
    .problem(409, "conflict");
    let etag = etag_of(&app, &t.manager.1, &past).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{past}/held"),
        &t.worker.1,
        &etag,
        json!({}),
    )
    .await
    .problem(403, "forbidden");
    post_if(
        &app,
        &format!("/api/v1/sessions/{past}/held"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);

    let status = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(status["status"], "on_track", "{status}");
    let held: NaiveDate = status["last_held"].as_str().unwrap().parse().unwrap();
    let due: NaiveDate = status["due_by"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        calendar().working_days_between(held, due).unwrap(),
        25,
        "FREQ-1"
    );
    assert!(status["next_booked"].is_string());
    assert_eq!(status["interval"], json!({"max_working_days": 25}));

    let supervisees = app
        .get("/api/v1/me/supervisees", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(supervisees["total"], 1);
    assert_eq!(supervisees["items"][0]["person_id"], t.worker.0.as_str());
    assert_eq!(supervisees["counts"]["on_track"], 1);
    app.get(
        &format!("/api/v1/people/{}/supervision-status", t.worker.0),
        &t.head.1,
    )
    .await
    .ok(200);
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.get(
        &format!("/api/v1/people/{}/supervision-status", t.worker.0),
        &stranger,
    )
    .await
    .problem(404, "not-found");
    app.get(&format!("/api/v1/sessions/{future}"), &stranger)
        .await
        .problem(404, "not-found");
}

async fn freq4_a_team_lists_every_members_status_worst_first(app: TestApp) {
    let t = team(&app).await;
    let team = app
        .post("/api/v1/teams", &t.admin, json!({"name": "North"}))
        .await
        .ok(201);
    let team_id = team["id"].as_str().unwrap();
    for id in [&t.worker.0, &t.manager.0] {
        let etag = app
            .get(&format!("/api/v1/people/{id}"), &t.admin)
            .await
            .header("etag")
            .unwrap();
        app.patch(
            &format!("/api/v1/people/{id}"),
            &t.admin,
            &etag,
            json!({"team_id": team_id, "employment_start": "2020-01-06"}),
        )
        .await
        .ok(200);
    }
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    let past = past_session(&app, &agreement, &t, 2).await;
    let etag = etag_of(&app, &t.manager.1, &past).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{past}/held"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    let list = app
        .get(
            &format!("/api/v1/teams/{team_id}/supervision-status"),
            &t.admin,
        )
        .await
        .ok(200);
    assert_eq!(list["total"], 2);
    // The manager has no agreement and was employed long ago: overdue, listed first.
    assert_eq!(list["items"][0]["person_id"], t.manager.0.as_str());
    assert_eq!(list["items"][0]["status"], "overdue");
    assert!(list["items"][0]["agreement_id"].is_null());
    assert_eq!(list["items"][1]["status"], "on_track");
    let only = app
        .get(
            &format!("/api/v1/teams/{team_id}/supervision-status?status=overdue"),
            &t.admin,
        )
        .await
        .ok(200);
    assert_eq!(only["total"], 1);
    // The manager sees only the members they manage.
    let mine = app
        .get(
            &format!("/api/v1/teams/{team_id}/supervision-status"),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(mine["total"], 1);
    app.get(
        &format!("/api/v1/teams/{team_id}/supervision-status?limit=10001"),
        &t.admin,
    )
    .await
    .problem(422, "validation-failed");
}

crate::on_both_backends!(
    agr1_both_sign_before_any_session,
    agr1_the_agreement_cannot_ask_for_less_than_the_policy,
    agr2_a_new_line_manager_agreement_ends_the_old_one,
    ses2_the_plan_is_previewed_then_saved_and_keeps_the_limit,
    ses2_a_students_plan_alternates_supervisors_weekly,
    ses3_the_supervisees_proposal_waits_for_the_supervisor,
    ses3_the_supervisors_own_move_takes_effect_and_rejection_keeps_the_time,
    ses3_a_move_beyond_due_by_needs_a_manager_above_with_justification_and_is_a_breach,
    ses5_two_managers_deciding_the_same_move_cannot_both_win,
    ses4_cancelling_needs_a_reason_and_a_new_date,
    ses4_a_cancellation_with_a_new_date_is_a_move,
    freq4_held_sessions_and_bookings_drive_the_status,
    freq4_a_team_lists_every_members_status_worst_first,
);

mod groups {
    //! GRP-1 / FREQ-2: group supervision, monthly per team.

    use super::*;

    async fn grp1_a_team_gets_monthly_group_supervision_on_working_days(app: TestApp) {
        let t = team(&app).await;
        let created = app
            .post("/api/v1/teams", &t.admin, json!({"name": "North"}))
            .await
            .ok(201);
        let team_id = created["id"].as_str().unwrap().to_string();
        let etag = app
            .get(&format!("/api/v1/people/{}", t.worker.0), &t.admin)
            .await
            .header("etag")
            .unwrap();
        app.patch(
            &format!("/api/v1/people/{}", t.worker.0),
            &t.admin,
            &etag,
            json!({"team_id": team_id}),
        )
        .await
        .ok(200);
        let body = json!({"usual_weekday": "wednesday", "usual_time": "13:30", "duration_minutes": 90, "place": "Training room"});
        let path = format!("/api/v1/teams/{team_id}/group-sessions/plan");
        // The worker is not a manager of the team.
        app.post(&format!("{path}/preview"), &t.worker.1, body.clone())
            .await
            .problem(403, "forbidden");
        let preview = app
            .post(&format!("{path}/preview"), &t.manager.1, body.clone())
            .await
            .ok(200);
        assert_eq!(preview["policy"], json!({"every_months": 1}));
        let starts: Vec<chrono::DateTime<Utc>> = preview["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().parse().unwrap())
            .collect();
        assert!(starts.len() >= 12, "{preview}");
        let cal = calendar();
        for pair in starts.windows(2) {
            let (a, b) = (
                pair[0].with_timezone(&chrono_tz::Europe::London),
                pair[1].with_timezone(&chrono_tz::Europe::London),
            );
            assert!(cal.is_working_day(b.date_naive()).unwrap());
            assert!(
                b.date_naive()
                    <= a.date_naive()
                        .checked_add_months(chrono::Months::new(1))
                        .unwrap(),
                "monthly: {a} -> {b}"
            );
            assert_eq!(b.format("%H:%M").to_string(), "13:30");
        }
        let saved = app.post(&path, &t.manager.1, body.clone()).await.ok(201);
        assert_eq!(saved.as_array().unwrap().len(), starts.len());
        assert_eq!(saved[0]["kind"], "group");
        assert_eq!(saved[0]["team_id"], team_id.as_str());
        // Members see their team's sessions; the group session does not count as their 1:1.
        let listed = app
            .get(
                &format!("/api/v1/teams/{team_id}/group-sessions"),
                &t.worker.1,
            )
            .await
            .ok(200);
        assert_eq!(listed["total"].as_u64().unwrap() as usize, starts.len());
        app.get(
            &format!("/api/v1/sessions/{}", saved[0]["id"].as_str().unwrap()),
            &t.worker.1,
        )
        .await
        .ok(200);
        let status = app
            .get("/api/v1/me/supervision-status", &t.worker.1)
            .await
            .ok(200);
        assert!(status["next_booked"].is_null());
        let (_, stranger) = app.worker(&t.admin, "stranger").await;
        app.get(
            &format!("/api/v1/teams/{team_id}/group-sessions"),
            &stranger,
        )
        .await
        .problem(404, "not-found");
        let mut bad = body;
        bad["duration_minutes"] = json!(5);
        let problem = app
            .post(&format!("{path}/preview"), &t.manager.1, bad)
            .await
            .problem(422, "validation-failed");
        assert_eq!(problem["errors"][0]["field"], "duration_minutes");
    }

    crate::on_both_backends!(grp1_a_team_gets_monthly_group_supervision_on_working_days);
}
