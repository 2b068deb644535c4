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

use crate::support::TestApp;

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
    assert_eq!(sent["delivery"]["outcome"], "delivered");
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

async fn rem1_busy_and_gone_push_services_are_told_apart(app: TestApp) {
    let admin = app.admin().await;
    let (_, token) = app.worker(&admin, "worker").await;
    let (_, other) = app.worker(&admin, "other").await;
    let receiver = Receiver::start();
    let id = app
        .post("/api/v1/me/devices", &token, receiver.subscription("phone"))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let test = format!("/api/v1/me/devices/{id}/test");
    // Someone else's device is not found.
    app.post(&test, &other, json!({}))
        .await
        .problem(404, "not-found");

    receiver.answer(429, Some("120"));
    let before = Utc::now();
    let busy = app.post(&test, &token, json!({})).await.ok(200);
    assert_eq!(busy["delivery"]["outcome"], "retry");
    let at: chrono::DateTime<Utc> = busy["delivery"]["at"].as_str().unwrap().parse().unwrap();
    assert!(
        at >= before + chrono::Duration::seconds(119),
        "Retry-After is honoured"
    );
    receiver.answer(500, None);
    let down = app.post(&test, &token, json!({})).await.ok(200);
    assert_eq!(down["delivery"]["outcome"], "retry");
    receiver.answer(400, None);
    let refused = app.post(&test, &token, json!({})).await.ok(200);
    assert_eq!(
        refused["delivery"],
        json!({"outcome": "rejected", "status": 400})
    );
    assert_eq!(refused["device_removed"], false);

    receiver.answer(410, None);
    let gone = app.post(&test, &token, json!({})).await.ok(200);
    assert_eq!(gone["delivery"]["outcome"], "gone");
    assert_eq!(gone["device_removed"], true);
    assert_eq!(
        app.get("/api/v1/me/devices", &token).await.ok(200),
        json!([])
    );
    app.post(&test, &token, json!({}))
        .await
        .problem(404, "not-found");
    assert_eq!(receiver.received().len(), 4);
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
    rem1_busy_and_gone_push_services_are_told_apart,
    rem1_subscriptions_are_validated_and_removable,
);
