//! ACC-1 for browsers (issue 19): the refresh token in an `HttpOnly`, `SameSite=Strict` cookie
//! scoped to `/api/v1/auth`, read only from this site's own pages, cleared on sign-out.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::{bearer, Resp, TestApp, PASSWORD};

const HOST: &str = "app.test:8080";
const ORIGIN: &str = "http://app.test:8080";
const REFRESH_DAYS_IN_SECONDS: &str = "2592000";

/// A POST as the companion app's page sends it: to its own host, from its own origin.
fn from_app(path: &str, body: Value) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Host", HOST))
        .insert_header(("Origin", ORIGIN))
        .insert_header(("Sec-Fetch-Site", "same-origin"))
        .set_json(body)
}

/// The same, carrying the refresh cookie.
fn with_cookie(path: &str, cookie: &str) -> TestRequest {
    from_app(path, json!({})).insert_header(("Cookie", format!("supervision_refresh={cookie}")))
}

/// The `supervision_refresh` cookie the answer sets: its value and its attributes.
fn set_cookie(resp: &Resp) -> (String, Vec<String>) {
    let header = resp.header("set-cookie").expect("a Set-Cookie header");
    let mut parts = header.split("; ");
    let value = parts
        .next()
        .unwrap()
        .strip_prefix("supervision_refresh=")
        .unwrap_or_else(|| panic!("{header}"))
        .to_string();
    (value, parts.map(str::to_string).collect())
}

async fn sign_in(app: &TestApp, email: &str) -> (Value, String) {
    let resp = app
        .call(from_app(
            "/api/v1/auth/login",
            json!({"email": email, "password": PASSWORD, "refresh_token_delivery": "cookie"}),
        ))
        .await;
    let body = resp.ok(200);
    (body, set_cookie(&resp).0)
}

async fn audited(app: &TestApp, admin: &str, action: &str) -> u64 {
    let auditor = app
        .person(admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await
        .1;
    let found = app
        .get(&format!("/api/v1/audit?action={action}"), &auditor)
        .await
        .ok(200);
    found["total"].as_u64().unwrap()
}

async fn acc1_browser_sign_in_sets_an_http_only_strict_cookie_and_leaves_the_body_without_it(
    app: TestApp,
) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let resp = app
        .call(from_app(
            "/api/v1/auth/login",
            json!({"email": "ann@test.example", "password": PASSWORD, "refresh_token_delivery": "cookie"}),
        ))
        .await;
    let body = resp.ok(200);
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(body["refresh_expires_in"], 2592000);
    let (token, attributes) = set_cookie(&resp);
    assert!(token.len() >= 40);
    assert_eq!(
        attributes,
        [
            "Path=/api/v1/auth",
            &format!("Max-Age={REFRESH_DAYS_IN_SECONDS}"),
            "HttpOnly",
            "SameSite=Strict"
        ],
        "not Secure over plain HTTP, where a browser would drop it"
    );
    app.get("/api/v1/me", body["access_token"].as_str().unwrap())
        .await
        .ok(200);

    // A page served over HTTPS (behind a proxy that ends TLS) gets a Secure cookie.
    let https = app
        .call(
            TestRequest::post()
                .uri("/api/v1/auth/login")
                .insert_header(("Host", "supervision.council.example"))
                .insert_header(("Origin", "https://supervision.council.example"))
                .set_json(json!({"email": "ann@test.example", "password": PASSWORD, "refresh_token_delivery": "cookie"})),
        )
        .await;
    https.ok(200);
    assert!(set_cookie(&https).1.contains(&"Secure".to_string()));

    // API clients that ask for nothing are answered as before: the token in the body only.
    let resp = app.login_as("ann@test.example", PASSWORD).await;
    assert!(resp.ok(200)["refresh_token"].as_str().unwrap().len() >= 40);
    assert_eq!(resp.header("set-cookie"), None);
    let body = app
        .call(
            TestRequest::post()
                .uri("/api/v1/auth/login")
                .set_json(json!({"email": "ann@test.example", "password": PASSWORD, "refresh_token_delivery": "pigeon"})),
        )
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "refresh_token_delivery");
}

async fn acc1_the_proxy_says_https_only_when_it_is_trusted(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    // No Origin (not a browser page), only the proxy's header.
    let login = || {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("X-Forwarded-Proto", "https"))
            .set_json(json!({"email": "ann@test.example", "password": PASSWORD, "refresh_token_delivery": "cookie"}))
    };
    let untrusted = app.call(login()).await;
    untrusted.ok(200);
    assert!(!set_cookie(&untrusted).1.contains(&"Secure".to_string()));
    let app = app.with_settings(|s| s.trust_forwarded_for = true);
    let trusted = app.call(login()).await;
    trusted.ok(200);
    assert!(set_cookie(&trusted).1.contains(&"Secure".to_string()));
}

async fn acc1_refresh_by_cookie_rotates_it_and_a_replayed_cookie_revokes_the_sign_in(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let (_, first) = sign_in(&app, "ann@test.example").await;
    let resp = app.call(with_cookie("/api/v1/auth/refresh", &first)).await;
    let body = resp.ok(200);
    assert!(body.get("refresh_token").is_none(), "{body}");
    let (second, attributes) = set_cookie(&resp);
    assert_ne!(second, first);
    assert!(attributes.contains(&"HttpOnly".to_string()));
    app.get("/api/v1/me", body["access_token"].as_str().unwrap())
        .await
        .ok(200);

    // The spent cookie comes back (copied from the device): the whole sign-in ends.
    app.call(with_cookie("/api/v1/auth/refresh", &first))
        .await
        .problem(401, "unauthenticated");
    app.call(with_cookie("/api/v1/auth/refresh", &second))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(audited(&app, &admin, "auth.refresh_reuse").await, 1);

    // Neither a token in the body nor a cookie: nothing to refresh.
    app.call(from_app("/api/v1/auth/refresh", json!({})))
        .await
        .problem(401, "unauthenticated");
    // A token in the body is the API client's way and wins over any cookie; no cookie is set.
    let tokens = app.login_as("ann@test.example", PASSWORD).await.ok(200);
    let resp = app
        .call(
            from_app(
                "/api/v1/auth/refresh",
                json!({"refresh_token": tokens["refresh_token"]}),
            )
            .insert_header(("Cookie", "supervision_refresh=stale")),
        )
        .await;
    assert!(resp.ok(200)["refresh_token"].is_string());
    assert_eq!(resp.header("set-cookie"), None);
}

async fn acc1_browser_sign_out_revokes_and_clears_the_cookie(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let (_, cookie) = sign_in(&app, "ann@test.example").await;
    let resp = app.call(with_cookie("/api/v1/auth/logout", &cookie)).await;
    resp.ok(204);
    let (value, attributes) = set_cookie(&resp);
    assert_eq!(value, "");
    assert!(attributes.contains(&"Max-Age=0".to_string()));
    assert!(attributes.contains(&"Path=/api/v1/auth".to_string()));
    app.call(with_cookie("/api/v1/auth/refresh", &cookie))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(audited(&app, &admin, "auth.logout").await, 1);

    // Signing out with nothing to sign out is still 204, and sets no cookie.
    let resp = app.call(from_app("/api/v1/auth/logout", json!({}))).await;
    resp.ok(204);
    assert_eq!(resp.header("set-cookie"), None);

    // Signing out everywhere clears the cookie of the browser that asks.
    let (_, cookie) = sign_in(&app, "ann@test.example").await;
    let resp = app
        .call(with_cookie("/api/v1/auth/logout-everywhere", &cookie).insert_header(bearer(&ann)))
        .await;
    resp.ok(204);
    assert!(set_cookie(&resp).1.contains(&"Max-Age=0".to_string()));
    app.call(with_cookie("/api/v1/auth/refresh", &cookie))
        .await
        .problem(401, "unauthenticated");
}

async fn acc1_other_sites_cannot_use_or_set_the_refresh_cookie(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    let (_, cookie) = sign_in(&app, "ann@test.example").await;
    let refused = |resp: Resp| {
        let body = resp.problem(403, "forbidden");
        assert_eq!(body["code"], "cross-site-request", "{body}");
        assert_eq!(resp.header("set-cookie"), None);
    };
    for path in ["/api/v1/auth/refresh", "/api/v1/auth/logout"] {
        refused(
            app.call(with_cookie(path, &cookie).insert_header(("Origin", "https://evil.example")))
                .await,
        );
        refused(
            app.call(with_cookie(path, &cookie).insert_header(("Sec-Fetch-Site", "cross-site")))
                .await,
        );
        refused(
            app.call(with_cookie(path, &cookie).insert_header(("Sec-Fetch-Site", "same-site")))
                .await,
        );
        refused(
            app.call(with_cookie(path, &cookie).insert_header(("Origin", "null")))
                .await,
        );
        // A plain form post cannot carry JSON, so it never reaches the cookie.
        app.call(
            TestRequest::post()
                .uri(path)
                .insert_header(("Host", HOST))
                .insert_header(("Cookie", format!("supervision_refresh={cookie}")))
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload("refresh_token_delivery=cookie"),
        )
        .await
        .problem(415, "unsupported-media-type");
    }
    // Nor can another site's page sign someone in with a cookie.
    refused(
        app.call(
            from_app(
                "/api/v1/auth/login",
                json!({"email": "ann@test.example", "password": PASSWORD, "refresh_token_delivery": "cookie"}),
            )
            .insert_header(("Origin", "https://evil.example")),
        )
        .await,
    );
    // None of that spent or revoked the cookie: the app's own page still refreshes with it.
    app.call(with_cookie("/api/v1/auth/refresh", &cookie))
        .await
        .ok(200);
}

async fn acc1_a_password_change_can_renew_the_cookie(app: TestApp) {
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"email": "ann@test.example", "display_name": "Ann", "staff_category": "social_worker"}),
        )
        .await
        .ok(201);
    let one_time = created["one_time_password"].as_str().unwrap().to_string();
    let resp = app
        .call(from_app(
            "/api/v1/auth/login",
            json!({"email": "ann@test.example", "password": one_time, "refresh_token_delivery": "cookie"}),
        ))
        .await;
    let first = resp.ok(200);
    assert_eq!(first["must_change_password"], true);
    let (old_cookie, _) = set_cookie(&resp);
    let resp = app
        .call(
            from_app(
                "/api/v1/me/password",
                json!({"current_password": one_time, "new_password": PASSWORD, "refresh_token_delivery": "cookie"}),
            )
            .insert_header(bearer(first["access_token"].as_str().unwrap())),
        )
        .await;
    let changed = resp.ok(200);
    assert!(changed.get("refresh_token").is_none(), "{changed}");
    let (new_cookie, attributes) = set_cookie(&resp);
    assert!(attributes.contains(&"SameSite=Strict".to_string()));
    // The sign-in from before the change is over; the renewed cookie goes on.
    app.call(with_cookie("/api/v1/auth/refresh", &old_cookie))
        .await
        .problem(401, "unauthenticated");
    let refreshed = app
        .call(with_cookie("/api/v1/auth/refresh", &new_cookie))
        .await
        .ok(200);
    assert_eq!(refreshed["must_change_password"], false);
}

crate::on_both_backends!(
    acc1_browser_sign_in_sets_an_http_only_strict_cookie_and_leaves_the_body_without_it,
    acc1_the_proxy_says_https_only_when_it_is_trusted,
    acc1_refresh_by_cookie_rotates_it_and_a_replayed_cookie_revokes_the_sign_in,
    acc1_browser_sign_out_revokes_and_clears_the_cookie,
    acc1_other_sites_cannot_use_or_set_the_refresh_cookie,
    acc1_a_password_change_can_renew_the_cookie,
);
