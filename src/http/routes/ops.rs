//! Liveness, readiness and metrics for the people who run the service.

use actix_web::{get, web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::problem::{ApiResult, Problem};
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(healthz).service(readyz).service(metrics);
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    state
        .db
        .read(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await
        .map_err(|err| {
            tracing::warn!(%err, "readiness check failed");
            crate::http::problem::ApiError::Unavailable
        })?;
    Ok(web::Json(Health { status: "ready" }))
}

/// Request counts and latencies in the Prometheus text format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain; version=0.0.4", body = String))
)]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
