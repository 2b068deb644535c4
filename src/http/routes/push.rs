//! Web Push (REM-1): the server's VAPID public key, each person's devices, and a test push to
//! one of them.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use web_push::Urgency;

use crate::app::push::{self, Checked, Registered};
use crate::domain::push::{origin, Delivery};
use crate::domain::validation::Invalid;
use crate::http::extract::{Caller, Json};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::push::Message;
use crate::store::devices::Device;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(vapid_public_key)
        .service(register_device)
        .service(my_devices)
        .service(remove_device)
        .service(test_device);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"public_key": "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"}))]
pub struct VapidPublicKey {
    /// The `applicationServerKey` for `pushManager.subscribe`: an uncompressed P-256 point,
    /// base64url without padding.
    pub public_key: String,
}

/// The server's VAPID public key (RFC 8292), for subscribing a device to pushes.
#[utoipa::path(
    tag = "push",
    responses((status = 200, body = VapidPublicKey))
)]
#[get("/push/vapid-public-key")]
async fn vapid_public_key(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(VapidPublicKey {
        public_key: state.push.keys().public_key().to_string(),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"p256dh": "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8", "auth": "xS03Fi5ErfTNH_l9WHE9Ig"}))]
pub struct SubscriptionKeys {
    /// An uncompressed P-256 public key (65 bytes), base64url.
    #[schema(pattern = "^B[A-P][A-Za-z0-9_-]{84}[AEIMQUYcgkosw048]=?$")]
    pub p256dh: String,
    /// A 16-byte secret, base64url.
    #[schema(pattern = "^[A-Za-z0-9_-]{21}[AQgw](==)?$")]
    pub auth: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "endpoint": "https://fcm.googleapis.com/fcm/send/dX3p...",
    "keys": {"p256dh": "BLMbF9ffKBiWQLCKvTHb6LO8Nb6dcUh6TItC455vu2kElga6PQvUmaFyCdykxY2nOSSL3yKgfbmFLRTUaGv4yV8", "auth": "xS03Fi5ErfTNH_l9WHE9Ig"},
    "expirationTime": null,
    "label": "Work phone"
}))]
pub struct NewDevice {
    /// From `PushSubscription.toJSON()`: the push service's https URL, at a service the
    /// server allows (REM-1).
    #[schema(min_length = 1, max_length = 1000)]
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// From `PushSubscription.toJSON()`; ignored (the push service says when it is gone).
    #[serde(default, rename = "expirationTime")]
    #[schema(value_type = Option<i64>)]
    pub expiration_time: Option<serde_json::Value>,
    /// A name to tell devices apart (1 to 100 characters).
    #[schema(format = "one-line", min_length = 1, max_length = 100)]
    pub label: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d10", "label": "Work phone",
    "endpoint_origin": "https://fcm.googleapis.com",
    "created_at": "2026-11-25T10:00:00Z", "last_success_at": null, "last_failure_at": null
}))]
pub struct DeviceView {
    pub id: String,
    pub label: String,
    /// Where its pushes go (the push service), without the device's secret path.
    pub endpoint_origin: String,
    pub created_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
}

impl From<Device> for DeviceView {
    fn from(d: Device) -> DeviceView {
        DeviceView {
            endpoint_origin: origin(&d.endpoint),
            id: d.id,
            label: d.label,
            created_at: utc(d.created_at),
            last_success_at: d.last_success_at.map(utc),
            last_failure_at: d.last_failure_at.map(utc),
        }
    }
}

/// Register this device's push subscription (REM-1). Registering the same endpoint again
/// refreshes it (200) rather than adding another (201); the app should do so at each start,
/// since a subscription not refreshed for 60 days is dropped. Endpoints must be at a push
/// service on the server's allow-list and must not resolve to a private or loopback address.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    request_body = NewDevice,
    responses(
        (status = 201, body = DeviceView),
        (status = 200, description = "The endpoint was registered already; its keys are updated and its 60 days restart", body = DeviceView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many devices: remove one first (`conflict`, code `too-many-devices`); or someone else registered this endpoint first (`subscription-taken`, code `subscription-taken`): make a fresh subscription", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a usable subscription (endpoint: not at an allowed push service, or resolving to a private address; keys.p256dh, keys.auth) or a bad label", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/devices")]
async fn register_device(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewDevice>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let new = push::NewDevice {
        endpoint: &body.endpoint,
        p256dh: &body.keys.p256dh,
        auth: &body.keys.auth,
        label: body.label.as_deref(),
    };
    let device = push::check(new, state.push.policy())?;
    reachable(&state, &device).await?;
    let registered = state
        .db
        .transact(move |conn| push::register(conn, &caller, &device))
        .await?;
    Ok(match registered {
        Registered::Added(device) => HttpResponse::Created().json(DeviceView::from(device)),
        Registered::Refreshed(device) => HttpResponse::Ok().json(DeviceView::from(device)),
    })
}

/// A 422 for an endpoint that resolves to a private or loopback address. The address stays
/// in the log: it would tell the caller about our network.
async fn reachable(state: &AppState, device: &Checked) -> ApiResult<()> {
    let endpoint = &device.subscription.endpoint;
    let Err(address) = state.push.check_reachable(endpoint).await else {
        return Ok(());
    };
    tracing::warn!(%address, service = %origin(endpoint), "push endpoint refused: resolves to a forbidden address");
    Err(ApiError::Validation(Invalid::field(
        "endpoint",
        "must not lead to a private or loopback address",
    )))
}

/// Your registered devices.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<DeviceView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/devices")]
async fn my_devices(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let list = state
        .db
        .query(move |conn| push::devices(conn, &caller))
        .await?;
    let views: Vec<DeviceView> = list.into_iter().map(DeviceView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// Remove one of your devices: it gets no more pushes.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/devices/{id}")]
async fn remove_device(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .db
        .transact(move |conn| push::remove(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether a test push reached the push service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    Delivered,
    NotDelivered,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"outcome": "delivered"}))]
pub struct TestResult {
    /// `delivered`: the push service accepted it. `not_delivered`: it did not, for whatever
    /// reason (the details are logged on the server); the device list shows whether the
    /// device was removed.
    pub outcome: TestOutcome,
}

/// Send a test notification to one of your devices now, and say whether it was delivered.
/// A push service that says the subscription is dead gets the device removed.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Device id")),
    responses(
        (status = 200, body = TestResult),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such device of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/devices/{id}/test")]
async fn test_device(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let actor = caller.clone();
    let device = state
        .db
        .query(move |conn| push::device(conn, &actor, &id))
        .await?;
    let delivery = send_test(&state, &device).await;
    // What the foreign server said stays here: echoed, it would tell the caller what
    // listens at an address.
    tracing::info!(device = %device.id, ?delivery, "test push");
    state
        .db
        .transact(move |conn| push::record_test(conn, &caller, &device.id, &delivery))
        .await?;
    Ok(HttpResponse::Ok().json(TestResult {
        outcome: match delivery {
            Delivery::Delivered => TestOutcome::Delivered,
            _ => TestOutcome::NotDelivered,
        },
    }))
}

/// Sends the test notification to the device now.
async fn send_test(state: &AppState, device: &Device) -> Delivery {
    let test = push::test_push(device);
    let message = Message {
        payload: &test.payload,
        ttl: 60,
        urgency: Urgency::Normal,
        topic: Some(test.topic),
    };
    state.push.send(&device.subscription(), message, 0).await
}
