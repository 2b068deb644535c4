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

/// API-4, ACC-1: who is asking is settled first: no or a revoked token is 401 whatever the
/// key, and a revoked token is never replayed the response stored for its key.
async fn api4_a_request_from_no_one_is_401_before_its_key_is_read(app: TestApp) {
    let admin = app.admin().await;
    let bad_key = &"k".repeat(256);
    app.call(create_team(
        "not-a-token",
        bad_key,
        json!({"name": "North"}),
    ))
    .await
    .problem(401, "unauthenticated");
    app.call(create_team(&admin, bad_key, json!({"name": "North"})))
        .await
        .problem(400, "malformed-request");

    let (_, ann) = app.worker(&admin, "ann").await;
    let feed = || {
        TestRequest::post()
            .uri("/api/v1/me/calendar-feed")
            .insert_header(bearer(&ann))
            .insert_header(("Idempotency-Key", "feed-1"))
            .set_json(json!({}))
    };
    app.call(feed()).await.ok(201);
    app.post("/api/v1/auth/logout-everywhere", &ann, json!({}))
        .await
        .ok(204);
    let replayed = app.call(feed()).await;
    replayed.problem(401, "unauthenticated");
    assert!(replayed.header("idempotent-replayed").is_none());
}

crate::on_both_backends!(
    api4_a_request_from_no_one_is_401_before_its_key_is_read,
    api4_a_retry_returns_the_first_response_and_creates_once,
    api4_the_same_key_with_another_body_is_422,
    api4_client_errors_are_replayed_too_but_keys_belong_to_one_person,
    api4_bad_keys_are_400,
);
