//! ACC-4: the audit log records writes, logins and permission changes, is readable by auditors
//! only, and cannot be altered.

use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::support::TestApp;

async fn acc4_writes_logins_and_permission_changes_are_logged_for_auditors(app: TestApp) {
    let admin = app.admin().await;
    let (ann, ann_token) = app.worker(&admin, "ann").await;
    let (_, qa) = app
        .person(&admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    app.login_as("ann@test.example", "wrong password!")
        .await
        .problem(401, "unauthenticated");
    let etag = app
        .get(&format!("/api/v1/people/{ann}"), &admin)
        .await
        .header("etag")
        .unwrap();
    app.patch(
        &format!("/api/v1/people/{ann}"),
        &admin,
        &etag,
        json!({"is_auditor": true}),
    )
    .await
    .ok(200);

    // ACC-1: a role granted bites on the next request of a token issued before it.
    app.get("/api/v1/audit", &ann_token).await.ok(200);
    app.get("/api/v1/audit", &admin)
        .await
        .problem(403, "forbidden");

    let created = app
        .get(
            &format!("/api/v1/audit?action=person.created&subject_id={ann}"),
            &qa,
        )
        .await
        .ok(200);
    assert_eq!(created["total"], 1);
    assert_eq!(created["items"][0]["detail"]["email"], "ann@test.example");
    assert_eq!(created["items"][0]["client_address"], "127.0.0.1");

    let failed = app
        .get("/api/v1/audit?action=auth.login_failed", &qa)
        .await
        .ok(200);
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["detail"]["email"], "ann@test.example");

    let logins = app
        .get(
            &format!("/api/v1/audit?action=auth.login&actor_id={ann}"),
            &qa,
        )
        .await
        .ok(200);
    assert!(logins["total"].as_i64().unwrap() >= 1);

    let changed = app
        .get(
            &format!("/api/v1/audit?action=person.permissions_changed&subject_id={ann}"),
            &qa,
        )
        .await
        .ok(200);
    assert_eq!(changed["total"], 1);
    assert_eq!(changed["items"][0]["detail"]["before"]["is_auditor"], false);
    assert_eq!(changed["items"][0]["detail"]["after"]["is_auditor"], true);

    // Newest first, and time filters bound the range.
    let all = app.get("/api/v1/audit?limit=200", &qa).await.ok(200);
    let times: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    let none = app
        .get("/api/v1/audit?to=2000-01-01T00:00:00Z", &qa)
        .await
        .ok(200);
    assert_eq!(none["total"], 0);
    app.get(
        "/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
        &qa,
    )
    .await
    .problem(422, "validation-failed");
}

async fn acc4_the_audit_log_cannot_be_changed_even_in_sql(app: TestApp) {
    app.admin().await;
    let outcome = app
        .db
        .write(|conn| {
            let update = conn.batch_execute("UPDATE audit_events SET action = 'nothing'");
            let delete = conn.batch_execute("DELETE FROM audit_events");
            Ok((update.is_err(), delete.is_err()))
        })
        .await;
    // On PostgreSQL the failed UPDATE aborts the transaction, so the DELETE fails too.
    assert!(matches!(outcome, Ok((true, true))), "{outcome:?}");
}

crate::on_both_backends!(
    acc4_writes_logins_and_permission_changes_are_logged_for_auditors,
    acc4_the_audit_log_cannot_be_changed_even_in_sql,
);
