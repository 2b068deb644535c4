//! Health, readiness, metrics, request ids and the docs page.

use actix_web::test::TestRequest;

use crate::support::TestApp;

async fn health_readiness_and_metrics_answer(app: TestApp) {
    assert_eq!(
        app.call(TestRequest::get().uri("/healthz")).await.ok(200)["status"],
        "ok"
    );
    assert_eq!(
        app.call(TestRequest::get().uri("/readyz")).await.ok(200)["status"],
        "ready"
    );
    let metrics = app.call(TestRequest::get().uri("/metrics")).await;
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8(metrics.body.to_vec()).unwrap();
    assert!(
        text.contains("http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1"),
        "{text}"
    );
}

async fn request_ids_are_echoed_or_made(app: TestApp) {
    let echoed = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("x-request-id", "phone-abc-123")),
        )
        .await;
    assert_eq!(
        echoed.header("x-request-id").as_deref(),
        Some("phone-abc-123")
    );
    let made = app
        .call(
            TestRequest::get()
                .uri("/healthz")
                .insert_header(("x-request-id", "bad id with spaces")),
        )
        .await;
    let id = made.header("x-request-id").unwrap();
    assert_ne!(id, "bad id with spaces");
    assert!(uuid::Uuid::parse_str(&id).is_ok());
}

async fn api2_the_document_and_docs_page_are_served_offline(app: TestApp) {
    let document = app
        .call(TestRequest::get().uri("/api/v1/openapi.json"))
        .await
        .ok(200);
    assert_eq!(document["openapi"], "3.1.0");
    let page = app.call(TestRequest::get().uri("/docs/")).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    assert!(html.contains("swagger-ui"));
    assert!(
        !html.contains("cdn"),
        "docs assets are served by us, not a CDN"
    );
    let script = app
        .call(TestRequest::get().uri("/docs/swagger-ui-bundle.js"))
        .await;
    assert_eq!(script.status, 200);
}

crate::on_both_backends!(
    health_readiness_and_metrics_answer,
    request_ids_are_echoed_or_made,
    api2_the_document_and_docs_page_are_served_offline,
);
