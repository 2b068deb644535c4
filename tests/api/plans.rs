//! Plans keep the policy from the first session to the last (SES-2, FREQ-2, FREQ-3, FREQ-4):
//! the first session by the status's due_by, an ASYE's phases, a student's placement end,
//! a yearly minimum.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::practice::asye_worker;
use crate::sessions::{past_session, post_if, team, today, Team};
use crate::support::TestApp;
use supervision::domain::calendar::{Calendar, Region};
use supervision::domain::sessions::SessionStatus;
use supervision::jobs::reminders::tick;
use supervision::store::schema::reminders;
use supervision::store::sessions as store_sessions;

fn body(supervisee: &str, kind: &str, frequency: Value, starts_on: NaiveDate) -> Value {
    json!({
        "supervisee_id": supervisee, "kind": kind, "frequency": frequency,
        "session_minutes": 90, "usual_weekday": "wednesday", "usual_time": "10:00",
        "place": "Room 2", "agenda": "Cases, wellbeing, learning", "starts_on": starts_on,
    })
}

/// An agreement the manager proposes with `body` and both sign; returns its id.
async fn signed(app: &TestApp, t: &Team, supervisee_token: &str, body: Value) -> String {
    let created = app.post("/api/v1/agreements", &t.manager.1, body).await;
    let id = created.ok(201)["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/agreements/{id}/sign");
    let etag = created.header("etag").unwrap();
    let signed = post_if(app, &path, supervisee_token, &etag, json!({})).await;
    let etag = signed.header("etag").unwrap();
    signed.ok(200);
    post_if(app, &path, &t.manager.1, &etag, json!({}))
        .await
        .ok(200);
    id
}

async fn planned_dates(app: &TestApp, t: &Team, agreement: &str) -> Vec<NaiveDate> {
    let plan = app
        .post(
            &format!("/api/v1/agreements/{agreement}/plan/preview"),
            &t.manager.1,
            json!({}),
        )
        .await
        .ok(200);
    plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["date"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// A past session, held.
async fn held_session(app: &TestApp, agreement: &str, t: &Team, days_ago: i64) {
    let id = past_session(app, agreement, t, days_ago).await;
    app.db
        .write(move |conn| {
            let session = store_sessions::find(conn, &id)?;
            store_sessions::update(conn, &id, session.version, SessionStatus::Held, None)
        })
        .await
        .unwrap();
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().unwrap().parse().unwrap()
}

async fn freq4_with_nothing_held_the_plan_starts_by_the_status_due_by(app: TestApp) {
    let t = team(&app).await;
    // Started 34 days ago with nothing held: due within days. The usual weekday is today's,
    // so the first one in the window is a week away (Friday at a weekend, 5 or 6 days).
    let mut terms = body(
        &t.worker.0,
        "line_management",
        json!({"max_working_days": 25}),
        today() - Duration::days(34),
    );
    terms["usual_weekday"] = json!(match today().weekday() {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri | Weekday::Sat | Weekday::Sun => "friday",
    });
    let agreement = signed(&app, &t, &t.worker.1, terms).await;
    let status = app
        .get(
            &format!("/api/v1/people/{}/supervision-status", t.worker.0),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(status["status"], "no_baseline");
    let due_by = date(&status["due_by"]);
    let dates = planned_dates(&app, &t, &agreement).await;
    let calendar = Calendar::new(Region::EnglandAndWales, &[]);
    let first_working_day = (1..=10)
        .map(|days| today() + Duration::days(days))
        .find(|&day| calendar.is_working_day(day).unwrap())
        .unwrap();
    assert!(
        dates[0] <= due_by.max(first_working_day),
        "the first session {} is after the status's due_by {due_by}",
        dates[0]
    );
}

async fn freq2_an_asye_agreement_follows_the_profiles_phases(app: TestApp) {
    let t = team(&app).await;
    let (asye, asye_token) = asye_worker(&app, &t, 0).await;
    // Weeks 0-5 are weekly: a fortnightly agreement is less than the policy.
    let problem = app
        .post(
            "/api/v1/agreements",
            &t.manager.1,
            body(
                &asye,
                "line_management",
                json!({"max_calendar_days": 14}),
                today(),
            ),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "frequency");
    let weekly = signed(
        &app,
        &t,
        &asye_token,
        body(
            &asye,
            "line_management",
            json!({"max_calendar_days": 7}),
            today(),
        ),
    )
    .await;
    let dates = planned_dates(&app, &t, &weekly).await;
    // Weekly for 6 weeks, fortnightly for 6, then within 25 working days: about 19 a year.
    assert!(
        (14..=22).contains(&dates.len()),
        "{} sessions: {dates:?}",
        dates.len()
    );
    let week_12 = today() + Duration::days(84);
    for pair in dates.windows(2).filter(|pair| pair[0] >= week_12) {
        assert!((pair[1] - pair[0]).num_days() > 14, "{pair:?}");
    }
}

async fn freq2_a_fortnightly_agreement_in_the_asyes_weeks_7_to_12_is_accepted(app: TestApp) {
    let t = team(&app).await;
    let (asye, _) = asye_worker(&app, &t, 50).await;
    app.post(
        "/api/v1/agreements",
        &t.manager.1,
        body(
            &asye,
            "line_management",
            json!({"max_calendar_days": 14}),
            today(),
        ),
    )
    .await
    .ok(201);
}

async fn freq2_after_the_placement_a_student_is_ended_not_overdue(app: TestApp) {
    let t = team(&app).await;
    let (student, student_token) = app
        .person(&t.admin, json!({"email": "st@test.example", "display_name": "st", "staff_category": "student",
            "placement_start": today() - Duration::days(200), "placement_end": today() - Duration::days(10)}))
        .await;
    app.manage(&t.admin, &student, &t.manager.0).await;
    let agreement = signed(
        &app,
        &t,
        &student_token,
        body(
            &student,
            "placement_supervisor",
            json!({"max_calendar_days": 7}),
            today() - Duration::days(200),
        ),
    )
    .await;
    let as_student = Team {
        admin: t.admin.clone(),
        head: t.head.clone(),
        manager: t.manager.clone(),
        worker: (student.clone(), student_token.clone()),
    };
    held_session(&app, &agreement, &as_student, 30).await;
    let status = app
        .get(
            &format!("/api/v1/people/{student}/supervision-status"),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(status["status"], "ended", "{status}");
    let list = app
        .get("/api/v1/me/supervisees", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(list["counts"]["ended"], 1, "{list}");
    assert_eq!(list["counts"]["overdue"], 0, "{list}");
    let ended = app
        .get("/api/v1/me/supervisees?status=ended", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(ended["items"][0]["person_id"], student.as_str());
    // The reminder sweep plans no frequency reminders for a requirement that has ended.
    tick(
        &app.db,
        &app.state.calendars,
        &app.state.push,
        "test",
        Utc::now().naive_utc(),
    )
    .await
    .expect("a tick");
    let frequency_reminders: i64 = app
        .db
        .read(move |conn| {
            Ok(reminders::table
                .filter(reminders::kind.eq_any(["nothing_booked", "limit_breached"]))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(frequency_reminders, 0);
}

async fn freq3_the_status_counts_sessions_against_the_yearly_minimum(app: TestApp) {
    let t = team(&app).await;
    let default = app
        .get(
            &format!("/api/v1/people/{}/supervision-status", t.worker.0),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert!(default.get("min_per_year").is_none(), "{default}");
    app.patch(
        "/api/v1/organisation",
        &t.admin,
        "\"1\"",
        json!({"policy_profile": "cafcass"}),
    )
    .await
    .ok(200);
    let agreement = signed(
        &app,
        &t,
        &t.worker.1,
        body(
            &t.worker.0,
            "line_management",
            json!({"max_calendar_days": 42}),
            today() - Duration::days(400),
        ),
    )
    .await;
    for days_ago in [380, 300, 200, 100, 20] {
        held_session(&app, &agreement, &t, days_ago).await;
    }
    let status = app
        .get(
            &format!("/api/v1/people/{}/supervision-status", t.worker.0),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(status["min_per_year"], 8, "{status}");
    assert_eq!(status["held_this_year"], 4, "{status}");
    // The compliance report shows the same count against the minimum for a year's period.
    let from = today() - Duration::days(364);
    let report = app
        .get(
            &format!(
                "/api/v1/reports/compliance?supervisor_id={}&from={from}&to={}",
                t.manager.0,
                today()
            ),
            &t.manager.1,
        )
        .await
        .ok(200);
    let line = &report["supervisees"]["items"][0];
    assert_eq!(line["person_id"], t.worker.0.as_str(), "{report}");
    assert_eq!(line["held"], 4, "{line}");
    assert_eq!(line["min_per_year"], 8, "{line}");
    let dates = planned_dates(&app, &t, &agreement).await;
    assert!(dates.len() >= 8, "{dates:?}");
}

crate::on_both_backends!(
    freq4_with_nothing_held_the_plan_starts_by_the_status_due_by,
    freq2_an_asye_agreement_follows_the_profiles_phases,
    freq2_a_fortnightly_agreement_in_the_asyes_weeks_7_to_12_is_accepted,
    freq2_after_the_placement_a_student_is_ended_not_overdue,
    freq3_the_status_counts_sessions_against_the_yearly_minimum,
);
