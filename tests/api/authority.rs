//! AGR-3, ACC-5: authority to supervise comes only from the organisation. Nobody appoints
//! themselves; an agreement grants nothing until both have signed and it has started; the
//! person named is told at once.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::sessions::{post_if, team, today, Team};
use crate::support::TestApp;
use supervision::jobs::reminders::tick;

fn proposal(supervisee: &str, supervisor: &str, kind: &str, starts_on: NaiveDate) -> Value {
    json!({
        "supervisee_id": supervisee,
        "supervisor_id": supervisor,
        "kind": kind,
        "frequency": {"every_months": 1},
        "session_minutes": 90,
        "usual_weekday": "tuesday",
        "usual_time": "14:00",
        "place": "Room 3",
        "agenda": "Practice and learning",
        "starts_on": starts_on,
    })
}

fn observation() -> Value {
    json!({"observed_on": today(), "setting": "home_visit", "feedback": "Clear plan agreed."})
}

/// What someone who supervises the worker can do, as the supervisor `token` tries it:
/// (reads observation status, records an observation).
async fn reach(app: &TestApp, t: &Team, token: &str) -> (u16, u16) {
    let status = app
        .get(
            &format!("/api/v1/people/{}/observation-status", t.worker.0),
            token,
        )
        .await
        .status
        .as_u16();
    let record = app
        .post(
            &format!("/api/v1/people/{}/observations", t.worker.0),
            token,
            observation(),
        )
        .await
        .status
        .as_u16();
    (status, record)
}

/// Signs an agreement at `etag` as `token`; returns the new ETag.
async fn sign(app: &TestApp, id: &str, etag: &str, token: &str) -> String {
    let signed = post_if(
        app,
        &format!("/api/v1/agreements/{id}/sign"),
        token,
        etag,
        json!({}),
    )
    .await;
    let etag = signed.header("etag").unwrap();
    signed.ok(200);
    etag
}

async fn agr3_nobody_appoints_themselves_supervisor(app: TestApp) {
    let t = team(&app).await;
    let (peer, peer_token) = app.worker(&t.admin, "peer").await;
    app.manage(&t.admin, &peer, &t.manager.0).await;
    let (student, student_token) = app
        .person(&t.admin, json!({"email": "st@test.example", "display_name": "st", "staff_category": "student", "placement_start": today() - Duration::days(7), "placement_end": today() + Duration::days(120)}))
        .await;
    app.manage(&t.admin, &student, &t.manager.0).await;
    let (_, auditor) = app
        .person(&t.admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    let worker = &t.worker.0;
    // A peer in the same team: they cannot see the worker, so the worker is not found.
    for kind in ["professional", "practice_educator", "line_management"] {
        app.post(
            "/api/v1/agreements",
            &peer_token,
            proposal(worker, &peer, kind, today()),
        )
        .await
        .problem(404, "not-found");
    }
    // A student naming herself her manager's supervisor: the manager is not hers to see.
    app.post(
        "/api/v1/agreements",
        &student_token,
        proposal(&t.manager.0, &student, "professional", today()),
    )
    .await
    .problem(404, "not-found");
    // An auditor sees everyone but supervises nobody.
    app.post(
        "/api/v1/agreements",
        &auditor,
        proposal(worker, &t.manager.0, "professional", today()),
    )
    .await
    .problem(403, "forbidden");
    // The supervisee cannot choose her own supervisor either.
    app.post(
        "/api/v1/agreements",
        &t.worker.1,
        proposal(worker, &peer, "professional", today()),
    )
    .await
    .problem(403, "forbidden");
    // None of it granted anything: the peer still cannot reach the worker.
    assert_eq!(reach(&app, &t, &peer_token).await, (404, 404));
    // The line manager, a manager above and an administrator may name a supervisor.
    for token in [&t.manager.1, &t.head.1, &t.admin] {
        app.post(
            "/api/v1/agreements",
            token,
            proposal(worker, &peer, "professional", today()),
        )
        .await
        .ok(201);
    }
}

async fn agr3_an_agreement_grants_nothing_until_signed_and_started(app: TestApp) {
    let t = team(&app).await;
    let (educator, educator_token) = app.worker(&t.admin, "educator").await;
    let create = |starts_on| {
        app.post(
            "/api/v1/agreements",
            &t.manager.1,
            proposal(&t.worker.0, &educator, "professional", starts_on),
        )
    };
    // Proposed, unsigned: nothing.
    let created = create(today()).await;
    let id = created.ok(201)["id"].as_str().unwrap().to_string();
    assert_eq!(reach(&app, &t, &educator_token).await, (404, 404));
    // Signed by the supervisor only: still nothing.
    let etag = sign(&app, &id, &created.header("etag").unwrap(), &educator_token).await;
    assert_eq!(reach(&app, &t, &educator_token).await, (404, 404));
    // Signed by both, starting next week: still nothing.
    let later = create(today() + Duration::days(7)).await;
    let later_id = later.ok(201)["id"].as_str().unwrap().to_string();
    let later_etag = sign(
        &app,
        &later_id,
        &later.header("etag").unwrap(),
        &educator_token,
    )
    .await;
    sign(&app, &later_id, &later_etag, &t.worker.1).await;
    assert_eq!(reach(&app, &t, &educator_token).await, (404, 404));
    // Both signed and started: the educator supervises the worker.
    sign(&app, &id, &etag, &t.worker.1).await;
    assert_eq!(reach(&app, &t, &educator_token).await, (200, 201));
    let supervisees = app
        .get("/api/v1/me/supervisees", &educator_token)
        .await
        .ok(200);
    assert_eq!(supervisees["total"], 1);
}

async fn agr3_the_people_named_are_told_at_once(app: TestApp) {
    let t = team(&app).await;
    let (educator, educator_token) = app.worker(&t.admin, "educator").await;
    let created = app
        .post(
            "/api/v1/agreements",
            &t.manager.1,
            proposal(&t.worker.0, &educator, "professional", today()),
        )
        .await
        .ok(201);
    tick(
        &app.db,
        &app.state.calendars,
        &app.state.push,
        "test",
        supervision::store::now(),
    )
    .await
    .expect("a tick");
    let link = format!("/agreements/{}", created["id"].as_str().unwrap());
    for token in [&t.worker.1, &educator_token] {
        let inbox = app.get("/api/v1/me/notifications", token).await.ok(200);
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["link"] == link.as_str() && n["kind"] == "agreement_unsigned"),
            "{inbox}"
        );
    }
    // The manager who proposed it is not told about their own proposal.
    let inbox = app
        .get("/api/v1/me/notifications", &t.manager.1)
        .await
        .ok(200);
    assert!(!inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["link"] == link.as_str()));
}

crate::on_both_backends!(
    agr3_nobody_appoints_themselves_supervisor,
    agr3_an_agreement_grants_nothing_until_signed_and_started,
    agr3_the_people_named_are_told_at_once,
);
