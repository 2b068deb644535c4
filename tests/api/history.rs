//! History from before the service (SES-6): sessions already held, recorded after the fact,
//! count for the status (FREQ-4) and the reports, are audited and remind nobody.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde_json::json;

use crate::sessions::{signed_agreement, team, today};
use crate::support::TestApp;
use supervision::domain::calendar::{Calendar, Region};
use supervision::store::schema::reminders;

fn held_sessions(agreement: &str) -> String {
    format!("/api/v1/agreements/{agreement}/held-sessions")
}

async fn ses6_freq4_a_past_session_recorded_after_the_fact_sets_the_baseline(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    let status = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(status["status"], "no_baseline", "{status}");

    let held_on = today() - Duration::days(5);
    let recorded = app
        .post(
            &held_sessions(&agreement),
            &t.manager.1,
            json!({"held_on": held_on, "time": "09:30"}),
        )
        .await;
    assert!(recorded.header("etag").is_some());
    let session = recorded.ok(201);
    assert_eq!(session["status"], "held");
    assert_eq!(session["kind"], "one_to_one");
    assert_eq!(session["recorded_after_the_fact"], true);
    assert_eq!(session["duration_minutes"], 90);
    let id = session["id"].as_str().unwrap();
    let fetched = app
        .get(&format!("/api/v1/sessions/{id}"), &t.worker.1)
        .await
        .ok(200);
    assert_eq!(fetched["recorded_after_the_fact"], true);

    // FREQ-4: the limit now counts from the day it was held.
    let status = app
        .get("/api/v1/me/supervision-status", &t.worker.1)
        .await
        .ok(200);
    assert!(
        status["status"] == "on_track" || status["status"] == "at_risk",
        "{status}"
    );
    let last: NaiveDate = status["last_held"].as_str().unwrap().parse().unwrap();
    let due: NaiveDate = status["due_by"].as_str().unwrap().parse().unwrap();
    assert_eq!(last, held_on);
    assert_eq!(
        Calendar::new(Region::EnglandAndWales, &[])
            .working_days_between(last, due)
            .unwrap(),
        25
    );
    // What the app says in words: the working days left, in the organisation's calendar.
    assert_eq!(
        status["working_days_left"],
        Calendar::new(Region::EnglandAndWales, &[])
            .working_days_between(today(), due)
            .unwrap()
    );

    // RPT-1: the organisation's report shows it like any held session.
    let period = format!("from={}&to={}", today() - Duration::days(30), today());
    let report = app
        .get(&format!("/api/v1/reports/compliance?{period}"), &t.admin)
        .await
        .ok(200);
    let line = report["supervisees"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_id"] == t.worker.0.as_str())
        .unwrap_or_else(|| panic!("worker missing from {report}"))
        .clone();
    assert_eq!(line["last_held"], json!(held_on), "{line}");
    assert_ne!(line["status"], "no_baseline");

    // ACC-4: audited, with ids and times only.
    let (_, auditor) = app
        .person(&t.admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    let audit = app
        .get(
            &format!("/api/v1/audit?action=session.recorded_after_the_fact&subject_id={id}"),
            &auditor,
        )
        .await
        .ok(200);
    assert_eq!(audit["total"], 1, "{audit}");
    let event = &audit["items"][0];
    assert_eq!(event["actor_id"], t.manager.0.as_str());
    let detail = event["detail"].to_string();
    assert!(detail.contains(&agreement), "{detail}");
    assert!(!detail.contains("Room 2"), "{detail}");
}

async fn ses6_the_day_must_lie_within_the_agreement_and_have_come(app: TestApp) {
    let t = team(&app).await;
    let starts_on = today() - Duration::days(20);
    let agreement = signed_agreement(&app, &t, starts_on).await;
    let before = app
        .post(
            &held_sessions(&agreement),
            &t.manager.1,
            json!({"held_on": starts_on - Duration::days(1)}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(before["errors"][0]["field"], "held_on");
    assert!(before["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("before the agreement's start"));
    let future = app
        .post(
            &held_sessions(&agreement),
            &t.manager.1,
            json!({"held_on": today() + Duration::days(1)}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(future["errors"][0]["field"], "held_on");
    let group = app
        .post(
            &held_sessions(&agreement),
            &t.manager.1,
            json!({"held_on": starts_on, "kind": "group"}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(group["errors"][0]["field"], "kind");
    app.post(
        &held_sessions(&agreement),
        &t.manager.1,
        json!({"held_on": "2026-02-30"}),
    )
    .await
    .problem(400, "malformed-request");

    // The first day counts; the same session twice does not.
    app.post(
        &held_sessions(&agreement),
        &t.manager.1,
        json!({"held_on": starts_on}),
    )
    .await
    .ok(201);
    let twice = app
        .post(
            &held_sessions(&agreement),
            &t.admin,
            json!({"held_on": starts_on}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(twice["errors"][0]["field"], "held_on");
}

async fn ses6_only_the_supervisor_a_manager_above_or_an_administrator_records(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let day = |n: i64| json!({"held_on": today() - Duration::days(n)});
    app.post(&held_sessions(&agreement), &t.worker.1, day(3))
        .await
        .problem(403, "forbidden");
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.post(&held_sessions(&agreement), &stranger, day(3))
        .await
        .problem(404, "not-found");
    app.post(&held_sessions("no-such-agreement"), &t.manager.1, day(3))
        .await
        .problem(404, "not-found");
    // The head of service is above the supervisor.
    app.post(&held_sessions(&agreement), &t.head.1, day(4))
        .await
        .ok(201);
    app.post(&held_sessions(&agreement), &t.admin, day(5))
        .await
        .ok(201);

    // Not before both have signed.
    let unsigned = app
        .post(
            "/api/v1/agreements",
            &t.manager.1,
            json!({
                "supervisee_id": t.worker.0, "kind": "professional",
                "frequency": {"every_months": 1}, "session_minutes": 90,
                "usual_weekday": "monday", "usual_time": "10:00", "place": "Room 2",
                "agenda": "Practice", "starts_on": today() - Duration::days(30),
            }),
        )
        .await
        .ok(201);
    app.post(
        &held_sessions(unsigned["id"].as_str().unwrap()),
        &t.manager.1,
        day(3),
    )
    .await
    .problem(409, "conflict");
}

async fn ses6_a_session_recorded_after_the_fact_plans_no_reminder(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let id = app
        .post(
            &held_sessions(&agreement),
            &t.manager.1,
            json!({"held_on": today() - Duration::days(1)}),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    // No record is opened, so none is due to be written.
    app.get(&format!("/api/v1/sessions/{id}/record"), &t.manager.1)
        .await
        .problem(404, "not-found");
    let now = chrono::Utc::now().naive_utc();
    supervision::jobs::reminders::tick(&app.db, &app.state.calendars, &app.state.push, "test", now)
        .await
        .expect("a tick");
    let (session_id, manager) = (id.clone(), t.manager.0.clone());
    let (about_it, records_due) = app
        .db
        .read(move |conn| {
            let about_it: i64 = reminders::table
                .filter(reminders::subject_id.eq(&session_id))
                .count()
                .get_result(conn)?;
            let records_due: i64 = reminders::table
                .filter(reminders::person_id.eq(&manager))
                .filter(reminders::kind.eq("record_not_written"))
                .count()
                .get_result(conn)?;
            Ok((about_it, records_due))
        })
        .await
        .unwrap();
    assert_eq!((about_it, records_due), (0, 0));
}

crate::on_both_backends!(
    ses6_freq4_a_past_session_recorded_after_the_fact_sets_the_baseline,
    ses6_the_day_must_lie_within_the_agreement_and_have_come,
    ses6_only_the_supervisor_a_manager_above_or_an_administrator_records,
    ses6_a_session_recorded_after_the_fact_plans_no_reminder,
);
