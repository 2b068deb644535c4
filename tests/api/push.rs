//! Web Push (REM-1, REM-6) against a local push endpoint: a server on 127.0.0.1 standing in
//! for the push service, which decrypts each payload with the subscription's private key and
//! verifies the VAPID signature.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

use diesel::prelude::*;
use supervision::domain::push::Subscription;
use supervision::jobs::reminders::dispatch;
use supervision::store::{devices, now, schema};

use crate::support::{Resp, TestApp};

/// What the receiver saw of one push.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub path: String,
    pub payload: Value,
    ttl: Option<String>,
    urgency: Option<String>,
    topic: Option<String>,
    encoding: Option<String>,
    /// The VAPID token's claims, once its signature checked out against `k`.
    claims: Value,
    vapid_key: String,
}

/// Statuses to answer with, and a Retry-After for each, in order.
type Answers = Arc<Mutex<VecDeque<(u16, Option<&'static str>)>>>;

/// A push service on a free loopback port. It answers with the statuses queued (201 once
/// they run out), after a delay if asked, and keeps what it received (on arrival).
pub(crate) struct Receiver {
    pub port: u16,
    p256dh: String,
    auth: String,
    received: Arc<Mutex<Vec<Received>>>,
    answers: Answers,
}

struct Shared {
    components: ece::EcKeyComponents,
    auth: Vec<u8>,
    received: Arc<Mutex<Vec<Received>>>,
    answers: Answers,
    delay: std::time::Duration,
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Checks `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292) and returns the claims.
fn verify_vapid(req: &HttpRequest, port: u16) -> (Value, String) {
    let value = header(req, "authorization").expect("a VAPID Authorization header");
    let rest = value.strip_prefix("vapid ").expect("the vapid scheme");
    let mut token = "";
    let mut key = "";
    for part in rest.split(',').map(str::trim) {
        if let Some(t) = part.strip_prefix("t=") {
            token = t;
        } else if let Some(k) = part.strip_prefix("k=") {
            key = k;
        }
    }
    let point = URL_SAFE_NO_PAD.decode(key).expect("k is base64url");
    assert_eq!(point.len(), 65);
    let decoding = DecodingKey::from_ec_components(
        &URL_SAFE_NO_PAD.encode(&point[1..33]),
        &URL_SAFE_NO_PAD.encode(&point[33..65]),
    )
    .unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[format!("http://127.0.0.1:{port}")]);
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    let claims = decode::<Value>(token, &decoding, &validation)
        .expect("the VAPID signature verifies")
        .claims;
    (claims, key.to_string())
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let port = req.app_config().local_addr().port();
    let (claims, vapid_key) = verify_vapid(&req, port);
    let plain =
        ece::decrypt(&shared.components, &shared.auth, &body).expect("the payload decrypts");
    shared.received.lock().unwrap().push(Received {
        path: req.path().to_string(),
        payload: serde_json::from_slice(&plain).expect("the payload is JSON"),
        ttl: header(&req, "ttl"),
        urgency: header(&req, "urgency"),
        topic: header(&req, "topic"),
        encoding: header(&req, "content-encoding"),
        claims,
        vapid_key,
    });
    let (status, retry_after) = shared
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((201, None));
    actix_web::rt::time::sleep(shared.delay).await;
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(after) = retry_after {
        response.insert_header(("Retry-After", after));
    }
    if (300..400).contains(&status) {
        response.insert_header(("Location", "/push/elsewhere"));
    }
    response.finish()
}

impl Receiver {
    pub(crate) fn start() -> Receiver {
        Receiver::answering_in(std::time::Duration::ZERO)
    }

    /// A push service that takes `delay` to answer each push.
    pub(crate) fn answering_in(delay: std::time::Duration) -> Receiver {
        let (keys, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let components = keys.raw_components().unwrap();
        let p256dh = URL_SAFE_NO_PAD.encode(components.public_key());
        let received = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let shared = web::Data::new(Shared {
            components,
            auth: auth.to_vec(),
            received: received.clone(),
            answers: answers.clone(),
            delay,
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("a free port");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.disable_signals().run());
        Receiver {
            port,
            p256dh,
            auth: URL_SAFE_NO_PAD.encode(auth),
            received,
            answers,
        }
    }

    pub(crate) fn subscription(&self, device: &str) -> Value {
        json!({
            "endpoint": format!("http://127.0.0.1:{}/push/{device}", self.port),
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
            "expirationTime": null,
            "label": "Test phone",
        })
    }

    /// The subscription's keys at another endpoint.
    pub(crate) fn subscription_at(&self, endpoint: &str) -> Value {
        let mut subscription = self.subscription("elsewhere");
        subscription["endpoint"] = json!(endpoint);
        subscription
    }

    pub(crate) fn answer(&self, status: u16, retry_after: Option<&'static str>) {
        self.answers
            .lock()
            .unwrap()
            .push_back((status, retry_after));
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn rem1_a_test_push_arrives_encrypted_and_signed(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    let key = app
        .get_public("/api/v1/push/vapid-public-key")
        .await
        .ok(200);
    let key = key["public_key"].as_str().unwrap().to_string();
    assert_eq!(URL_SAFE_NO_PAD.decode(&key).unwrap().len(), 65);

    let created = app
        .post("/api/v1/me/devices", &token, receiver.subscription("phone"))
        .await
        .ok(201);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        created["endpoint_origin"],
        format!("http://127.0.0.1:{}", receiver.port)
    );
    // Subscribing the same endpoint again updates it rather than adding a device.
    let again = app
        .post("/api/v1/me/devices", &token, receiver.subscription("phone"))
        .await
        .ok(200);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(
        app.get("/api/v1/me/devices", &token)
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let sent = app
        .post(&format!("/api/v1/me/devices/{id}/test"), &token, json!({}))
        .await
        .ok(200);
    assert_eq!(sent, json!({"outcome": "delivered"}));
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let push = &got[0];
    assert_eq!(push.path, "/push/phone");
    assert_eq!(push.encoding.as_deref(), Some("aes128gcm"));
    assert_eq!(push.ttl.as_deref(), Some("60"));
    assert_eq!(push.urgency.as_deref(), Some("normal"));
    assert_eq!(push.topic.as_ref().map(String::len), Some(32));
    assert_eq!(push.vapid_key, key, "signed with the key the API serves");
    assert_eq!(push.claims["sub"], "mailto:admin@supervision.local");
    assert!(push.claims["exp"].as_i64().unwrap() > Utc::now().timestamp());
    // REM-6: a title, a short body, a link and a tag, nothing else.
    let fields: Vec<&String> = push.payload.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["body", "link", "tag", "title"]);
    assert_eq!(push.payload["title"], "Test notification");
    let devices = app.get("/api/v1/me/devices", &token).await.ok(200);
    assert!(devices[0]["last_success_at"].is_string());
}

async fn register(app: &TestApp, token: &str, subscription: Value) -> String {
    app.post("/api/v1/me/devices", token, subscription)
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn device_count(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/me/devices", token)
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .len()
}

/// Asserts a 422 naming only `endpoint`, and returns its message.
#[track_caller]
fn endpoint_refused(resp: &Resp) -> String {
    let problem = resp.problem(422, "validation-failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "endpoint");
    problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// REM-1: the caller learns only whether a test push was delivered, never what the server
/// at the endpoint answered (that would map what listens where).
async fn rem1_test_push_outcome_is_not_echoed(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let (_, other) = app.worker(&admin, "other").await;
    let receiver = Receiver::start();
    let id = register(&app, &token, receiver.subscription("phone")).await;
    let test = format!("/api/v1/me/devices/{id}/test");
    // Someone else's device is not found.
    app.post(&test, &other, json!({}))
        .await
        .problem(404, "not-found");
    for (status, retry_after) in [(429, Some("120")), (500, None), (408, None), (413, None)] {
        receiver.answer(status, retry_after);
        let sent = app.post(&test, &token, json!({})).await.ok(200);
        assert_eq!(sent, json!({"outcome": "not_delivered"}), "{status}");
    }
    // None of those removes the device: busy, down, or our payload's fault.
    assert_eq!(device_count(&app, &token).await, 1);
    assert_eq!(receiver.received().len(), 4);
}

/// REM-1: any 4xx but 408, 413 and 429 removes the subscription.
async fn rem1_a_device_answering_403_is_removed(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    for (status, device) in [(403, "a"), (400, "b"), (415, "c"), (410, "d")] {
        let id = register(&app, &token, receiver.subscription(device)).await;
        receiver.answer(status, None);
        let test = format!("/api/v1/me/devices/{id}/test");
        let sent = app.post(&test, &token, json!({})).await.ok(200);
        assert_eq!(sent, json!({"outcome": "not_delivered"}));
        assert_eq!(device_count(&app, &token).await, 0, "{status}");
        app.post(&test, &token, json!({}))
            .await
            .problem(404, "not-found");
    }
}

/// REM-1: a redirect is not followed: the push goes to the push service or nowhere.
async fn rem1_redirects_are_not_followed(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    let id = register(&app, &token, receiver.subscription("phone")).await;
    receiver.answer(307, None);
    let sent = app
        .post(&format!("/api/v1/me/devices/{id}/test"), &token, json!({}))
        .await
        .ok(200);
    assert_eq!(sent, json!({"outcome": "not_delivered"}));
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/push/phone");
}

/// REM-1: only push services on the allow-list.
async fn rem1_endpoint_outside_allow_list_is_refused(app: TestApp) {
    let app = app.with_settings(|s| s.push_allow_loopback = false);
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    for endpoint in [
        "https://push.example.org/x",
        "https://fcm.googleapis.com.push.example.org/x",
        "https://169.254.169.254/latest/meta-data",
        "http://fcm.googleapis.com/fcm/send/x",
    ] {
        let refused = app
            .post(
                "/api/v1/me/devices",
                &token,
                receiver.subscription_at(endpoint),
            )
            .await;
        endpoint_refused(&refused);
    }
    assert_eq!(device_count(&app, &token).await, 0);
}

/// REM-1: `http://127.0.0.1:PORT@host/` once passed as loopback by a prefix match.
async fn rem1_userinfo_trick_is_refused(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    for endpoint in [
        format!("http://127.0.0.1:{}@push.example.org/x", receiver.port),
        format!("https://127.0.0.1:{}@fcm.googleapis.com/x", receiver.port),
        format!("http://user@127.0.0.1:{}/push/x", receiver.port),
    ] {
        let refused = app
            .post(
                "/api/v1/me/devices",
                &token,
                receiver.subscription_at(&endpoint),
            )
            .await;
        assert_eq!(
            endpoint_refused(&refused),
            "must not carry a user name or password"
        );
    }
    assert_eq!(device_count(&app, &token).await, 0);
}

/// REM-1: a receiver on this machine only under the explicit test setting.
async fn rem1_loopback_is_refused_without_the_test_setting(app: TestApp) {
    let app = app.with_settings(|s| s.push_allow_loopback = false);
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    for endpoint in [
        format!("http://127.0.0.1:{}/push/x", receiver.port),
        format!("http://localhost:{}/push/x", receiver.port),
        format!("https://[::1]:{}/push/x", receiver.port),
    ] {
        let refused = app
            .post(
                "/api/v1/me/devices",
                &token,
                receiver.subscription_at(&endpoint),
            )
            .await;
        endpoint_refused(&refused);
    }
    assert_eq!(device_count(&app, &token).await, 0);
}

/// REM-1: a name on the allow-list that resolves to 127.0.0.1 is refused when registering,
/// and, since DNS can change after that, when sending.
async fn rem1_host_resolving_to_loopback_is_refused(app: TestApp) {
    let app = app.with_settings(|s| {
        s.push_allow_loopback = false;
        s.push_allowed_hosts = "localhost".into();
    });
    let admin = app.admin().await;
    let (worker, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    let endpoint = "https://localhost/push/x";
    let refused = app
        .post(
            "/api/v1/me/devices",
            &token,
            receiver.subscription_at(endpoint),
        )
        .await;
    assert_eq!(
        endpoint_refused(&refused),
        "must not lead to a private or loopback address"
    );
    // As if the name had pointed elsewhere when the device registered.
    let keys = receiver.subscription_at(endpoint)["keys"].clone();
    let id = app
        .db
        .write(move |conn| {
            let subscription = Subscription {
                endpoint: endpoint.into(),
                p256dh: keys["p256dh"].as_str().unwrap().into(),
                auth: keys["auth"].as_str().unwrap().into(),
            };
            match devices::register(conn, &worker, &subscription, "Phone")? {
                devices::Registered::Added(device) => Ok(device.id),
                other => panic!("{other:?}"),
            }
        })
        .await
        .unwrap();
    let sent = app
        .post(&format!("/api/v1/me/devices/{id}/test"), &token, json!({}))
        .await
        .ok(200);
    assert_eq!(sent, json!({"outcome": "not_delivered"}));
    // Refused before connecting, and removed; a connection that failed would be retried
    // and the device kept.
    assert_eq!(device_count(&app, &token).await, 0);
}

/// REM-1: a subscription belongs to whoever registered it first; a copied one is refused.
async fn rem1_endpoint_is_owned_by_its_first_registrant(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let (_, other) = app.worker(&admin, "other").await;
    let receiver = Receiver::start();
    let id = register(&app, &token, receiver.subscription("phone")).await;
    let taken = app
        .post("/api/v1/me/devices", &other, receiver.subscription("phone"))
        .await
        .problem(409, "subscription-taken");
    assert!(taken["detail"]
        .as_str()
        .unwrap()
        .contains("subscribe afresh"));
    assert_eq!(device_count(&app, &other).await, 0);
    let mine = app.get("/api/v1/me/devices", &token).await.ok(200);
    assert_eq!(mine[0]["id"], id.as_str());
    let sent = app
        .post(&format!("/api/v1/me/devices/{id}/test"), &token, json!({}))
        .await
        .ok(200);
    assert_eq!(sent["outcome"], "delivered");
}

/// Moves a device's last registration back by `days`.
async fn age(app: &TestApp, id: &str, days: i64) {
    let id = id.to_string();
    app.db
        .write(move |conn| {
            diesel::update(schema::devices::table.find(&id))
                .set(schema::devices::refreshed_at.eq(now() - chrono::Duration::days(days)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// REM-1: a subscription not refreshed for 60 days is dropped, after one warning push at
/// 55 days; registering it again restarts its life. Only live devices count to the cap.
async fn rem1_an_aged_out_device_is_dropped(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let receiver = Receiver::start();
    let id = register(&app, &token, receiver.subscription("phone")).await;
    let sweep = || dispatch(&app.db, &app.state.push, "test", now());

    age(&app, &id, 56).await;
    sweep().await.unwrap();
    sweep().await.unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 1, "one warning");
    assert_eq!(
        got[0].payload["title"],
        "Reminders on this device are ending"
    );
    // Registering again refreshes it (and a later warning is due again).
    app.post("/api/v1/me/devices", &token, receiver.subscription("phone"))
        .await
        .ok(200);
    sweep().await.unwrap();
    assert_eq!(receiver.received().len(), 1);
    age(&app, &id, 56).await;
    sweep().await.unwrap();
    assert_eq!(receiver.received().len(), 2);

    age(&app, &id, 61).await;
    sweep().await.unwrap();
    assert_eq!(device_count(&app, &token).await, 0);
    assert_eq!(receiver.received().len(), 2, "no push once expired");

    // The cap of 20 counts live devices: an expired one not yet swept leaves room.
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(register(&app, &token, receiver.subscription(&format!("d{n}"))).await);
    }
    app.post(
        "/api/v1/me/devices",
        &token,
        receiver.subscription("one-more"),
    )
    .await
    .problem(409, "conflict");
    age(&app, &ids[0], 61).await;
    register(&app, &token, receiver.subscription("one-more")).await;
}

async fn rem1_subscriptions_are_validated_and_removable(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let bad = app
        .post(
            "/api/v1/me/devices",
            &token,
            json!({"endpoint": "http://push.example/x", "keys": {"p256dh": "AAAA", "auth": "c2hvcnQ"}}),
        )
        .await
        .problem(422, "validation-failed");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["endpoint", "keys.p256dh", "keys.auth"]);
    app.post(
        "/api/v1/me/devices",
        &token,
        json!({"endpoint": "https://push.example/x"}),
    )
    .await
    .problem(400, "malformed-request");
    let receiver = Receiver::start();
    let id = app
        .post(
            "/api/v1/me/devices",
            &token,
            receiver.subscription("tablet"),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.delete(&format!("/api/v1/me/devices/{id}"), &token)
        .await
        .ok(204);
    app.delete(&format!("/api/v1/me/devices/{id}"), &token)
        .await
        .problem(404, "not-found");
}

crate::on_both_backends!(
    rem1_a_test_push_arrives_encrypted_and_signed,
    rem1_test_push_outcome_is_not_echoed,
    rem1_a_device_answering_403_is_removed,
    rem1_redirects_are_not_followed,
    rem1_endpoint_outside_allow_list_is_refused,
    rem1_userinfo_trick_is_refused,
    rem1_loopback_is_refused_without_the_test_setting,
    rem1_host_resolving_to_loopback_is_refused,
    rem1_endpoint_is_owned_by_its_first_registrant,
    rem1_an_aged_out_device_is_dropped,
    rem1_subscriptions_are_validated_and_removable,
);
