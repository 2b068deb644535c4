//! API-4: a POST with an `Idempotency-Key` header runs once per signed-in person and key. A
//! retry with the same key and body gets the first response again (with
//! `Idempotent-Replayed: true`); the same key with another body is a 422; keys expire after the
//! configured time (24 hours by default). Server errors release the key so a retry can run.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use super::extract::signed_in;
use super::problem::ApiError;
use super::AppState;
use crate::auth::tokens::hex;
use crate::store::idempotency::{self, Claim, StoredResponse};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED: &str = "idempotent-replayed";
pub const MAX_KEY_LEN: usize = 255;

fn problem(req: ServiceRequest, err: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(err.error_response())
}

pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let key = match req.headers().get(HEADER) {
        Some(value) if req.method() == Method::POST => value.to_str().ok().map(str::to_string),
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
    };
    // Keys belong to a person. A request from no one (sign-in), or with a token that is not
    // (or no longer) good, goes through unchanged: the handler answers 401 before anything
    // else, and a revoked token never has a stored response replayed to it.
    let (Some(state), Ok(caller)) = (
        req.app_data::<web::Data<AppState>>().cloned(),
        signed_in(req.request()).await,
    ) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(key) = key.filter(|k| {
        !k.is_empty() && k.len() <= MAX_KEY_LEN && k.chars().all(|c| c.is_ascii_graphic())
    }) else {
        return Ok(problem(
            req,
            ApiError::bad_field(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
            ),
        ));
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(_) => {
            let limit = state.max_body_bytes;
            return Ok(problem(req, ApiError::PayloadTooLarge { limit }));
        }
    };
    let fingerprint = {
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str().as_bytes());
        hasher.update(b" ");
        hasher.update(req.uri().to_string().as_bytes());
        hasher.update(b"\n");
        hasher.update(&body);
        hex(&hasher.finalize())
    };
    let person = caller.person_id;
    let now = crate::store::now();
    let expires_at = now + state.idempotency_ttl;
    let claimed = {
        let (person, key) = (person.clone(), key.clone());
        state
            .db
            .write(move |conn| {
                idempotency::claim(conn, &person, &key, &fingerprint, now, expires_at)
            })
            .await
    };
    match claimed {
        Ok(Claim::Claimed) => {}
        Ok(Claim::Replay(stored)) => {
            let mut response =
                HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
            if let Some(content_type) = stored.content_type {
                response.insert_header((header::CONTENT_TYPE, content_type));
            }
            response.insert_header((REPLAYED, "true"));
            return Ok(req.into_response(response.body(stored.body)));
        }
        Ok(Claim::Mismatch) => return Ok(problem(req, ApiError::IdempotencyKeyReused)),
        Ok(Claim::InProgress) => return Ok(problem(req, ApiError::IdempotencyInProgress)),
        Err(err) => return Ok(problem(req, err.into())),
    }

    req.set_payload(bytes_payload(body));
    let res = next.call(req).await?;
    let status = res.status();
    if status.is_server_error() {
        let (person, key) = (person.clone(), key.clone());
        if let Err(err) = state
            .db
            .write(move |conn| idempotency::release(conn, &person, &key))
            .await
        {
            tracing::warn!(%err, "could not release an idempotency key");
        }
        return Ok(res.map_into_boxed_body());
    }
    let (req, response) = res.into_parts();
    let (response, response_body) = response.into_parts();
    let bytes = body::to_bytes(response_body)
        .await
        .map_err(|_| ApiError::Internal("could not buffer a response".into()))?;
    let stored = StoredResponse {
        status: status.as_u16(),
        content_type: response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: bytes.to_vec(),
    };
    let stored = {
        let (person, key) = (person.clone(), key.clone());
        state
            .db
            .write(move |conn| idempotency::complete(conn, &person, &key, &stored))
            .await
    };
    if let Err(err) = stored {
        // Free the key rather than leave it "in progress" until it expires.
        tracing::warn!(%err, "could not store an idempotent response");
        let _ = state
            .db
            .write(move |conn| idempotency::release(conn, &person, &key))
            .await;
    }
    let response = response.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(req, response))
}

fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(body);
    actix_web::dev::Payload::from(payload)
}
