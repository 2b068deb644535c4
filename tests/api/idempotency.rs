//! API-4: a retried POST with the same Idempotency-Key returns the first response and creates
//! nothing twice.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::{bearer, TestApp};

fn create_team(token: &str, key: &str, body: Value) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/teams")
        .insert_header(bearer(token))
        .insert_header(("Idempotency-Key", key.to_string()))
        .set_json(body)
}

async fn api4_a_retry_returns_the_first_response_and_creates_once(app: TestApp) {
    let admin = app.admin().await;
    let first = app
        .call(create_team(
            &admin,
            "phone-retry-1",
            json!({"name": "North"}),
        ))
        .await;
    let created = first.ok(201);
    assert!(first.header("idempotent-replayed").is_none());
    let again = app
        .call(create_team(
            &admin,
            "phone-retry-1",
            json!({"name": "North"}),
        ))
        .await;
    assert_eq!(again.ok(201), created);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let teams = app.get("/api/v1/teams", &admin).await.ok(200);
    assert_eq!(teams["total"], 1);
    // Without the key, the same body is a new request (and here a duplicate name).
    app.post("/api/v1/teams", &admin, json!({"name": "North"}))
        .await
        .problem(409, "conflict");
}

async fn api4_the_same_key_with_another_body_is_422(app: TestApp) {
    let admin = app.admin().await;
    app.call(create_team(&admin, "k-1", json!({"name": "North"})))
        .await
        .ok(201);
    app.call(create_team(&admin, "k-1", json!({"name": "South"})))
        .await
        .problem(422, "idempotency-key-reused");
    let teams = app.get("/api/v1/teams", &admin).await.ok(200);
    assert_eq!(teams["total"], 1);
}

async fn api4_client_errors_are_replayed_too_but_keys_belong_to_one_person(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    // Ann is not an administrator: her 403 is stored under her key...
    app.call(create_team(&ann, "shared-key", json!({"name": "North"})))
        .await
        .problem(403, "forbidden");
    let replay = app
        .call(create_team(&ann, "shared-key", json!({"name": "North"})))
        .await;
    replay.problem(403, "forbidden");
    assert_eq!(
        replay.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    // ...and the administrator's same key is a different key.
    app.call(create_team(&admin, "shared-key", json!({"name": "North"})))
        .await
        .ok(201);
}

async fn api4_bad_keys_are_400(app: TestApp) {
    let admin = app.admin().await;
    let long = "k".repeat(256);
    let body = app
        .call(create_team(&admin, &long, json!({"name": "North"})))
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
}

crate::on_both_backends!(
    api4_a_retry_returns_the_first_response_and_creates_once,
    api4_the_same_key_with_another_body_is_422,
    api4_client_errors_are_replayed_too_but_keys_belong_to_one_person,
    api4_bad_keys_are_400,
);
