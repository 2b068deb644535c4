//! The performance and development review (PDR-1) through the API: the cycle and its
//! milestones, the organisation moving them, pro-rata goals, SMART goals with If-Match, who
//! may see and change what, PDR sessions and their records, and PDR milestone reminders
//! (REM-2).

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::records::put_if;
use crate::sessions::{etag_of, post_if, signed_agreement, team, Team};
use crate::support::{Resp, TestApp};
use supervision::domain::sessions::SessionKind;
use supervision::jobs::reminders::tick;
use supervision::store::schema::reminders;
use supervision::store::sessions::{self as store_sessions, NewSession};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Today where the organisation is.
fn london_today() -> NaiveDate {
    Utc::now().with_timezone(&London).date_naive()
}

/// The first of `goals_month` on or before `date`: the start of its cycle.
fn cycle_start(date: NaiveDate, goals_month: u32) -> NaiveDate {
    let year = if date.month() >= goals_month {
        date.year()
    } else {
        date.year() - 1
    };
    d(year, goals_month, 1)
}

fn goal(due_on: NaiveDate) -> Value {
    json!({
        "title": "Lead the team's audit of CIN plans",
        "specific": "Audit ten CIN plans against the practice standards.",
        "measurable": "An audit report presented at the team meeting.",
        "relevant": "The service plan's priority on plan quality.",
        "due_on": due_on,
    })
}

async fn pdr_of(app: &TestApp, token: &str, person: &str, cycle: Option<NaiveDate>) -> Value {
    let query = cycle.map(|c| format!("?cycle={c}")).unwrap_or_default();
    app.get(&format!("/api/v1/people/{person}/pdr{query}"), token)
        .await
        .ok(200)
}

async fn add_goal(app: &TestApp, token: &str, person: &str, body: Value) -> Resp {
    app.post(&format!("/api/v1/people/{person}/pdr/goals"), token, body)
        .await
}

fn milestone_starts(view: &Value) -> Vec<String> {
    view["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"]["starts_on"].as_str().unwrap().to_string())
        .collect()
}

async fn patch_organisation(app: &TestApp, t: &Team, body: Value) -> Resp {
    let etag = app
        .get("/api/v1/organisation", &t.admin)
        .await
        .header("etag")
        .unwrap();
    app.patch("/api/v1/organisation", &t.admin, &etag, body)
        .await
}

/// A PDR session under the agreement at `starts_at` (UTC), straight into the store: the API
/// books only future sessions.
async fn pdr_session(app: &TestApp, agreement: &str, t: &Team, starts_at: NaiveDateTime) -> String {
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
                    kind: SessionKind::Pdr,
                    supervisor_id: supervisor.clone(),
                    supervisee_id: Some(supervisee),
                    starts_at,
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

async fn pdr1_the_cycle_and_milestones_follow_the_organisations_months(app: TestApp) {
    let t = team(&app).await;
    let settings = app.get("/api/v1/organisation", &t.worker.1).await.ok(200);
    assert_eq!(
        (
            &settings["pdr_goals_month"],
            &settings["pdr_midyear_month"],
            &settings["pdr_yearend_month"],
            &settings["pdr_goals_per_year"]
        ),
        (&json!(4), &json!(10), &json!(3), &json!(5))
    );

    // By default: April to March, goals in April, mid-year in October, year-end in March.
    let start = cycle_start(london_today(), 4);
    let view = app.get("/api/v1/me/pdr", &t.worker.1).await.ok(200);
    assert_eq!(view["person_id"], t.worker.0);
    assert_eq!(view["cycle"]["starts_on"], start.to_string());
    assert_eq!(
        view["cycle"]["ends_on"],
        d(start.year() + 1, 3, 31).to_string()
    );
    let kinds: Vec<&str> = view["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["goals", "mid_year", "year_end"]);
    assert_eq!(
        milestone_starts(&view),
        [
            start.to_string(),
            d(start.year(), 10, 1).to_string(),
            d(start.year() + 1, 3, 1).to_string()
        ]
    );
    assert_eq!(
        view["milestones"][2]["due_on"],
        view["milestones"][2]["month"]["starts_on"]
    );
    assert_eq!(
        view["milestones"][2]["month"]["ends_on"],
        view["cycle"]["ends_on"]
    );
    assert_eq!(
        view["goals_summary"]["expected"], 5,
        "in post since 2020: a full cycle"
    );
    assert_eq!(view["complete"], false);
    // A past cycle: nothing was held, so every milestone is overdue.
    let past = pdr_of(&app, &t.worker.1, &t.worker.0, Some(d(2024, 12, 25))).await;
    assert_eq!(past["cycle"]["starts_on"], "2024-04-01");
    assert!(past["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["state"] == "overdue" && m["session"].is_null()));

    // The organisation moves the cycle to the calendar year and asks for 4 goals.
    let moved = patch_organisation(
        &app,
        &t,
        json!({"pdr_goals_month": 1, "pdr_midyear_month": 7, "pdr_yearend_month": 12, "pdr_goals_per_year": 4}),
    )
    .await
    .ok(200);
    assert_eq!(
        (&moved["pdr_goals_month"], &moved["pdr_goals_per_year"]),
        (&json!(1), &json!(4))
    );
    let year = london_today().year();
    let view = pdr_of(&app, &t.manager.1, &t.worker.0, None).await;
    assert_eq!(view["cycle"]["starts_on"], d(year, 1, 1).to_string());
    assert_eq!(view["cycle"]["ends_on"], d(year, 12, 31).to_string());
    assert_eq!(
        milestone_starts(&view),
        [
            d(year, 1, 1).to_string(),
            d(year, 7, 1).to_string(),
            d(year, 12, 1).to_string()
        ]
    );
    assert_eq!(
        view["months"],
        json!({"goals_month": 1, "mid_year_month": 7, "year_end_month": 12})
    );
    assert_eq!(view["goals_summary"]["expected"], 4);
    // One month alone may move, checked against those kept.
    let one = patch_organisation(&app, &t, json!({"pdr_midyear_month": 6}))
        .await
        .ok(200);
    assert_eq!(
        (&one["pdr_goals_month"], &one["pdr_midyear_month"]),
        (&json!(1), &json!(6))
    );
}

async fn pdr1_organisation_months_are_validated_naming_the_field(app: TestApp) {
    let t = team(&app).await;
    for (body, field) in [
        (json!({"pdr_goals_month": 13}), "pdr_goals_month"),
        // Mid-year the same as the goals month.
        (json!({"pdr_midyear_month": 4}), "pdr_midyear_month"),
        // Year-end before mid-year, counting from April.
        (json!({"pdr_yearend_month": 9}), "pdr_yearend_month"),
        (json!({"pdr_goals_month": 10}), "pdr_midyear_month"),
        (json!({"pdr_goals_per_year": 0}), "pdr_goals_per_year"),
        (json!({"pdr_goals_per_year": 21}), "pdr_goals_per_year"),
    ] {
        let refused = patch_organisation(&app, &t, body.clone())
            .await
            .problem(422, "validation-failed");
        assert_eq!(refused["errors"][0]["field"], field, "{body}: {refused}");
    }
    patch_organisation(&app, &t, json!({"pdr_goals_month": "april"}))
        .await
        .problem(400, "malformed-request");
    // Only administrators change them, and a stale version is 412 whatever the body.
    let etag = app
        .get("/api/v1/organisation", &t.admin)
        .await
        .header("etag")
        .unwrap();
    app.patch(
        "/api/v1/organisation",
        &t.manager.1,
        &etag,
        json!({"pdr_goals_month": 5}),
    )
    .await
    .problem(403, "forbidden");
    patch_organisation(&app, &t, json!({"pdr_goals_per_year": 6}))
        .await
        .ok(200);
    let stale = app
        .patch(
            "/api/v1/organisation",
            &t.admin,
            &etag,
            json!({"pdr_goals_month": 10}),
        )
        .await
        .problem(412, "stale-version");
    assert_eq!(stale["current"]["pdr_goals_per_year"], 6);
    let settings = app.get("/api/v1/organisation", &t.admin).await.ok(200);
    assert_eq!(settings["pdr_goals_month"], 4);
}

async fn pdr1_a_mid_year_starter_agrees_a_pro_rata_number_of_goals(app: TestApp) {
    let t = team(&app).await;
    let mut starters = Vec::new();
    for (name, start) in [
        ("october", d(2025, 10, 1)),
        ("january", d(2026, 1, 15)),
        ("later", d(2026, 4, 1)),
    ] {
        let (id, _) = app
            .person(
                &t.admin,
                json!({"email": format!("{name}@test.example"), "display_name": name,
                       "staff_category": "social_worker", "employment_start": start}),
            )
            .await;
        app.manage(&t.admin, &id, &t.manager.0).await;
        starters.push(id);
    }
    let cycle = Some(d(2025, 6, 1));
    // Six months of twelve left: 2.5 of 5 goals, rounded up.
    let october = pdr_of(&app, &t.manager.1, &starters[0], cycle).await;
    assert_eq!(october["goals_summary"]["expected"], 3);
    assert_eq!(october["goals_summary"]["short"], 3);
    let states: Vec<&str> = october["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["not_applicable", "overdue", "overdue"],
        "April was over before they started"
    );
    // January to March: 3 months, 1.25 rounds up.
    let january = pdr_of(&app, &t.manager.1, &starters[1], cycle).await;
    assert_eq!(january["goals_summary"]["expected"], 2);
    let later = pdr_of(&app, &t.manager.1, &starters[2], cycle).await;
    assert_eq!(
        later["goals_summary"]["expected"], 0,
        "starts in the next cycle"
    );
    let next = pdr_of(&app, &t.manager.1, &starters[2], Some(d(2026, 6, 1))).await;
    assert_eq!(next["goals_summary"]["expected"], 5);
}

async fn pdr1_goals_are_recorded_and_edited_with_if_match(app: TestApp) {
    let t = team(&app).await;
    let start = cycle_start(london_today(), 4);
    let due = d(start.year() + 1, 3, 15);
    let created = add_goal(&app, &t.manager.1, &t.worker.0, goal(due)).await;
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let body = created.ok(201);
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(body["status"], "not_started");
    assert_eq!(body["person_id"], t.worker.0);
    assert_eq!(body["created_by"], t.manager.0);
    assert_eq!(
        (&body["achievable"], &body["progress"]),
        (&json!(""), &json!(""))
    );

    let view = app.get("/api/v1/me/pdr", &t.worker.1).await.ok(200);
    assert_eq!(view["goals"][0]["id"], id);
    assert_eq!(
        view["goals_summary"],
        json!({"expected": 5, "agreed": 1, "achieved": 0, "short": 4})
    );
    // A goal for next year's cycle goes there, not here.
    add_goal(
        &app,
        &t.manager.1,
        &t.worker.0,
        goal(d(start.year() + 1, 6, 1)),
    )
    .await
    .ok(201);
    let view = app.get("/api/v1/me/pdr", &t.worker.1).await.ok(200);
    assert_eq!(view["goals"].as_array().unwrap().len(), 1);

    let path = format!("/api/v1/pdr-goals/{id}");
    let mut edit = goal(due);
    edit["title"] = json!("Lead the audit of CIN and CP plans");
    app.put(&path, &t.manager.1, edit.clone())
        .await
        .problem(428, "if-match-required");
    let edited = put_if(&app, &path, &t.manager.1, "\"1\"", edit).await;
    assert_eq!(edited.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(
        edited.ok(200)["title"],
        "Lead the audit of CIN and CP plans"
    );
    // The same ETag again is stale: 412 with the goal as it is now.
    let stale = put_if(&app, &path, &t.manager.1, "\"1\"", goal(due))
        .await
        .problem(412, "stale-version");
    assert_eq!(
        stale["current"]["title"],
        "Lead the audit of CIN and CP plans"
    );
    assert_eq!(stale["current"]["version"], 2);

    // The person keeps the status and progress up to date; the text stays the manager's.
    let status_path = format!("{path}/status");
    let progressed = post_if(
        &app,
        &status_path,
        &t.worker.1,
        "\"2\"",
        json!({"status": "in_progress", "progress": "Six plans audited."}),
    )
    .await
    .ok(200);
    assert_eq!(
        (
            &progressed["status"],
            &progressed["progress"],
            &progressed["version"]
        ),
        (
            &json!("in_progress"),
            &json!("Six plans audited."),
            &json!(3)
        )
    );
    let stale = post_if(
        &app,
        &status_path,
        &t.worker.1,
        "\"2\"",
        json!({"status": "achieved"}),
    )
    .await
    .problem(412, "stale-version");
    assert_eq!(stale["current"]["status"], "in_progress");
    app.post(&status_path, &t.worker.1, json!({"status": "achieved"}))
        .await
        .problem(428, "if-match-required");
    put_if(&app, &path, &t.worker.1, "\"3\"", goal(due))
        .await
        .problem(403, "forbidden");
    add_goal(&app, &t.worker.1, &t.worker.0, goal(due))
        .await
        .problem(403, "forbidden");
    // The manager settles it; leaving progress out keeps the notes.
    let settled = post_if(
        &app,
        &status_path,
        &t.manager.1,
        "\"3\"",
        json!({"status": "achieved"}),
    )
    .await
    .ok(200);
    assert_eq!(
        (&settled["status"], &settled["progress"]),
        (&json!("achieved"), &json!("Six plans audited."))
    );
    let got = app.get(&path, &t.worker.1).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"4\""));
    let view = app.get("/api/v1/me/pdr", &t.worker.1).await.ok(200);
    assert_eq!(view["goals_summary"]["achieved"], 1);

    // Each write is in the audit log.
    let (_, auditor) = app
        .person(&t.admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    let log = app.get("/api/v1/audit?limit=200", &auditor).await.ok(200);
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject_id"] == id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["pdr_goal.created", "pdr_goal.edited", "pdr_goal.status_set"] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
}

async fn pdr1_goal_validation_names_the_fields(app: TestApp) {
    let t = team(&app).await;
    let start = cycle_start(london_today(), 4);
    let bad = add_goal(
        &app,
        &t.manager.1,
        &t.worker.0,
        json!({"title": "", "specific": " ", "measurable": "m".repeat(2_001),
               "due_on": d(start.year() + 2, 4, 1)}),
    )
    .await
    .problem(422, "validation-failed");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "specific", "measurable", "due_on"]);
    let before = d(start.year(), 3, 31);
    let early = add_goal(&app, &t.manager.1, &t.worker.0, goal(before))
        .await
        .problem(422, "validation-failed");
    assert_eq!(early["errors"][0]["field"], "due_on");

    let mut unknown = goal(d(start.year() + 1, 1, 1));
    unknown["owner"] = json!("me");
    let refused = add_goal(&app, &t.manager.1, &t.worker.0, unknown)
        .await
        .problem(400, "malformed-request");
    assert!(
        refused["detail"].as_str().unwrap().contains("owner"),
        "{refused}"
    );
    let mut status = goal(d(start.year() + 1, 1, 1));
    status["status"] = json!("done");
    let refused = add_goal(&app, &t.manager.1, &t.worker.0, status)
        .await
        .problem(400, "malformed-request");
    assert_eq!(refused["errors"][0]["field"], "status");

    // An edit keeps the goal in its own cycle.
    let created = add_goal(
        &app,
        &t.manager.1,
        &t.worker.0,
        goal(d(start.year() + 1, 1, 1)),
    )
    .await
    .ok(201);
    let path = format!("/api/v1/pdr-goals/{}", created["id"].as_str().unwrap());
    let moved = put_if(
        &app,
        &path,
        &t.manager.1,
        "\"1\"",
        goal(d(start.year() + 1, 4, 1)),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(moved["errors"][0]["field"], "due_on");
    let long = post_if(
        &app,
        &format!("{path}/status"),
        &t.worker.1,
        "\"1\"",
        json!({"status": "in_progress", "progress": "p".repeat(5_001)}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(long["errors"][0]["field"], "progress");
    let query = app
        .get("/api/v1/me/pdr?cycle=1900-01-01", &t.worker.1)
        .await
        .problem(422, "validation-failed");
    assert_eq!(query["errors"][0]["field"], "cycle");
    app.get("/api/v1/me/pdr?cycle=soon", &t.worker.1)
        .await
        .problem(400, "malformed-request");
}

async fn pdr1_the_person_their_managers_and_auditors_see_it_and_strangers_get_404(app: TestApp) {
    let t = team(&app).await;
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    let (_, auditor) = app
        .person(&t.admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    let due = d(cycle_start(london_today(), 4).year() + 1, 2, 1);
    // The head of service, above the manager, may record goals too, and so may administrators.
    let by_head = add_goal(&app, &t.head.1, &t.worker.0, goal(due))
        .await
        .ok(201);
    add_goal(&app, &t.admin, &t.worker.0, goal(due))
        .await
        .ok(201);
    let id = by_head["id"].as_str().unwrap();
    let path = format!("/api/v1/pdr-goals/{id}");

    for token in [&t.worker.1, &t.manager.1, &t.head.1, &t.admin, &auditor] {
        let view = pdr_of(&app, token, &t.worker.0, None).await;
        assert_eq!(view["goals"].as_array().unwrap().len(), 2);
        app.get(&path, token).await.ok(200);
    }
    // Auditors read only.
    add_goal(&app, &auditor, &t.worker.0, goal(due))
        .await
        .problem(403, "forbidden");
    post_if(
        &app,
        &format!("{path}/status"),
        &auditor,
        "\"1\"",
        json!({"status": "dropped"}),
    )
    .await
    .problem(403, "forbidden");
    // The worker sees nobody else's; anyone else's id is 404, whether or not it exists.
    app.get(&format!("/api/v1/people/{}/pdr", t.manager.0), &t.worker.1)
        .await
        .problem(404, "not-found");
    app.get(&format!("/api/v1/people/{}/pdr", t.worker.0), &stranger)
        .await
        .problem(404, "not-found");
    app.get(&path, &stranger).await.problem(404, "not-found");
    app.get(
        "/api/v1/pdr-goals/019ab7c1-0000-7000-8000-000000000000",
        &t.admin,
    )
    .await
    .problem(404, "not-found");
    put_if(&app, &path, &stranger, "\"1\"", goal(due))
        .await
        .problem(404, "not-found");
    post_if(
        &app,
        &format!("{path}/status"),
        &stranger,
        "\"1\"",
        json!({"status": "dropped"}),
    )
    .await
    .problem(404, "not-found");
    add_goal(&app, &stranger, &t.worker.0, goal(due))
        .await
        .problem(404, "not-found");
    app.get_public(&format!("/api/v1/people/{}/pdr", t.worker.0))
        .await
        .problem(401, "unauthenticated");
}

async fn pdr1_a_held_pdr_session_gets_a_record_against_its_milestone(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, london_today()).await;
    // Last cycle's mid-year review, held on 15 October 2025.
    let held = pdr_session(
        &app,
        &agreement,
        &t,
        d(2025, 10, 15).and_hms_opt(9, 0, 0).unwrap(),
    )
    .await;
    let etag = etag_of(&app, &t.manager.1, &held).await;
    let marked = post_if(
        &app,
        &format!("/api/v1/sessions/{held}/held"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    assert_eq!(
        (&marked["kind"], &marked["status"]),
        (&json!("pdr"), &json!("held"))
    );
    let records = app
        .get(
            &format!("/api/v1/people/{}/records", t.worker.0),
            &t.worker.1,
        )
        .await
        .ok(200);
    let record = records["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["session_id"] == held.as_str())
        .expect("the held PDR has its record")
        .clone();
    assert_eq!(record["status"], "draft");

    let last = pdr_of(&app, &t.worker.1, &t.worker.0, Some(d(2025, 10, 1))).await;
    let mid = &last["milestones"][1];
    assert_eq!(mid["kind"], "mid_year");
    assert_eq!(mid["state"], "held");
    assert_eq!(mid["session"]["id"], held);
    assert_eq!(mid["session"]["status"], "held");
    assert_eq!(mid["session"]["record_id"], record["id"]);
    assert_eq!(mid["session"]["record_status"], "draft");
    assert!(last["milestones"][0]["session"].is_null());

    // Next cycle's goals meeting, booked through the agreement.
    let start = cycle_start(london_today(), 4);
    let next_goals = d(start.year() + 1, 4, 15);
    let booked = app
        .post(
            &format!("/api/v1/agreements/{agreement}/sessions"),
            &t.manager.1,
            json!({"starts_at": Utc.from_utc_datetime(&next_goals.and_hms_opt(9, 0, 0).unwrap()).to_rfc3339(), "kind": "pdr"}),
        )
        .await
        .ok(201);
    assert_eq!(booked["kind"], "pdr");
    let next = pdr_of(&app, &t.manager.1, &t.worker.0, Some(next_goals)).await;
    assert_eq!(next["milestones"][0]["state"], "booked");
    assert_eq!(next["milestones"][0]["session"]["id"], booked["id"]);
    assert!(next["milestones"][0]["session"]["record_id"].is_null());
    assert!(next["milestones"][1]["session"].is_null());

    // A PDR is line management's: not under a professional supervision agreement.
    let professional = app
        .post(
            "/api/v1/agreements",
            &t.head.1,
            json!({"supervisee_id": t.worker.0, "kind": "professional", "frequency": {"every_months": 1},
                   "session_minutes": 60, "usual_weekday": "tuesday", "usual_time": "14:00",
                   "place": "Room 3", "agenda": "Practice", "starts_on": london_today()}),
        )
        .await
        .ok(201);
    let refused = app
        .post(
            &format!(
                "/api/v1/agreements/{}/sessions",
                professional["id"].as_str().unwrap()
            ),
            &t.head.1,
            json!({"starts_at": (Utc::now() + Duration::days(5)).to_rfc3339(), "kind": "pdr"}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(refused["errors"][0]["field"], "kind");
}

async fn pdr1_pdr_sessions_do_not_change_the_one_to_one_status(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, london_today() - Duration::days(90)).await;
    let before = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(before["status"], "overdue");

    let held = pdr_session(
        &app,
        &agreement,
        &t,
        (Utc::now() - Duration::days(3)).naive_utc(),
    )
    .await;
    let etag = etag_of(&app, &t.manager.1, &held).await;
    post_if(
        &app,
        &format!("/api/v1/sessions/{held}/held"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/api/v1/agreements/{agreement}/sessions"),
        &t.manager.1,
        json!({"starts_at": (Utc::now() + Duration::days(5)).to_rfc3339(), "kind": "pdr"}),
    )
    .await
    .ok(201);

    let after = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    for key in ["status", "last_held", "next_booked", "due_by"] {
        assert_eq!(after[key], before[key], "{key}: {after}");
    }
}

/// The next first of April, October or March after today.
fn next_milestone_day() -> NaiveDate {
    let today = london_today();
    (1..=12)
        .map(|n| d(today.year(), today.month(), 1) + Months::new(n))
        .find(|day| [4, 10, 3].contains(&day.month()))
        .unwrap()
}

async fn pdr_reminders(app: &TestApp, person: &str) -> Vec<(String, NaiveDateTime)> {
    let person = person.to_string();
    app.db
        .read(move |conn| {
            Ok(reminders::table
                .filter(reminders::person_id.eq(&person))
                .filter(reminders::kind.eq("pdr_milestone"))
                .select((reminders::subject_id, reminders::fire_at))
                .load(conn)?)
        })
        .await
        .unwrap()
}

async fn rem2_pdr_milestones_remind_the_person_and_their_line_manager(app: TestApp) {
    let t = team(&app).await;
    let day = next_milestone_day();
    // The sweep the day before plans the next morning's reminders at 09:00 London.
    let when = day.pred_opt().unwrap().and_hms_opt(12, 0, 0).unwrap();
    let run = |at: NaiveDateTime| tick(&app.db, &app.state.calendars, &app.state.push, "test", at);
    run(when).await.expect("a tick");
    let nine = London
        .from_local_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
        .unwrap()
        .naive_utc();
    assert_eq!(
        pdr_reminders(&app, &t.worker.0).await,
        [(t.worker.0.clone(), nine)]
    );
    let mut manager = pdr_reminders(&app, &t.manager.0).await;
    manager.sort();
    let mut expected = vec![(t.manager.0.clone(), nine), (t.worker.0.clone(), nine)];
    expected.sort();
    assert_eq!(manager, expected, "their own and their report's");
    assert_eq!(
        pdr_reminders(&app, &t.head.0).await,
        [(t.manager.0.clone(), nine)]
    );
    // The administrator has no line manager and manages nobody.
    let admin_id = app.get("/api/v1/me", &t.admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(pdr_reminders(&app, &admin_id).await.is_empty());

    // Moved off that month, the next planning drops them.
    let m = day.month();
    let month = |offset: u32| json!((m + offset - 1) % 12 + 1);
    patch_organisation(
        &app,
        &t,
        json!({"pdr_goals_month": month(1), "pdr_midyear_month": month(3), "pdr_yearend_month": month(6)}),
    )
    .await
    .ok(200);
    run(when + Duration::hours(7)).await.expect("a tick");
    assert!(pdr_reminders(&app, &t.worker.0).await.is_empty());
    assert!(pdr_reminders(&app, &t.manager.0).await.is_empty());
}

crate::on_both_backends!(
    pdr1_the_cycle_and_milestones_follow_the_organisations_months,
    pdr1_organisation_months_are_validated_naming_the_field,
    pdr1_a_mid_year_starter_agrees_a_pro_rata_number_of_goals,
    pdr1_goals_are_recorded_and_edited_with_if_match,
    pdr1_goal_validation_names_the_fields,
    pdr1_the_person_their_managers_and_auditors_see_it_and_strangers_get_404,
    pdr1_a_held_pdr_session_gets_a_record_against_its_milestone,
    pdr1_pdr_sessions_do_not_change_the_one_to_one_status,
    rem2_pdr_milestones_remind_the_person_and_their_line_manager,
);
