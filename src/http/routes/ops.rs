//! Liveness, readiness and metrics for the people who run the service.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::calendar::feed::data_ends_soon;
use crate::domain::calendar::Region;
use crate::domain::people::organisation_today;
use crate::http::problem::{ApiResult, Problem};
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config.service(healthz).service(readyz).service(metrics);
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: &'static str,
    /// Things an operator should attend to soon, none of which stops the service; omitted when
    /// there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
async fn healthz() -> web::Json<Health> {
    web::Json(Health {
        status: "ok",
        warnings: Vec::new(),
    })
}

/// The database answers. `warnings` says when a region's published holiday data ends within
/// six months (CAL-2): import the government's feed before then, or one-off holidays
/// proclaimed later will be missed. A warning never makes the service unready.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    let calendars = state.calendars.clone();
    let set = state
        .db
        .read(move |conn| crate::app::ops::readiness(conn, &calendars))
        .await
        .map_err(|err| {
            tracing::warn!(%err, "readiness check failed");
            crate::http::problem::ApiError::Unavailable
        })?;
    let today = organisation_today();
    let warnings = Region::ALL
        .into_iter()
        .map(|region| (region, set.region(region).data_until()))
        .filter(|&(_, until)| data_ends_soon(until, today))
        .map(|(region, until)| {
            format!(
                "holiday data for {} ends on {until}: import the government's bank-holiday feed \
                 (supervision holidays import FILE)",
                region.as_str()
            )
        })
        .collect();
    Ok(web::Json(Health {
        status: "ready",
        warnings,
    }))
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
