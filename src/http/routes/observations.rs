//! Observations of practice (OBS-1) and each person's practice-year status (OBS-2).

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::observations::{self, Recording};
use crate::domain::dates::Day;
use crate::domain::observations::{ObservationSetting, ObservationStatus};
use crate::domain::people::organisation_today;
use crate::http::extract::{etag, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::observations::Observation;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(record_observation)
        .service(list_observations)
        .service(get_observation)
        .service(edit_feedback)
        .service(add_reflection)
        .service(person_status)
        .service(my_status);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4a10",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "observer_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "observed_on": "2026-11-18", "setting": "home_visit",
    "feedback": "Clear explanation of the plan to the family; good use of the child's words.",
    "learning": "Check understanding before closing the visit.",
    "session_id": null, "record_id": null,
    "supervisee_reflection": null, "reflected_at": null,
    "created_at": "2026-11-18T16:00:00Z", "updated_at": "2026-11-18T16:00:00Z", "version": 1
}))]
pub struct ObservationView {
    pub id: String,
    pub supervisee_id: String,
    pub observer_id: String,
    pub observed_on: NaiveDate,
    pub setting: ObservationSetting,
    pub feedback: String,
    pub learning: String,
    /// The session or record the observation was discussed in.
    pub session_id: Option<String>,
    pub record_id: Option<String>,
    /// The supervisee's own reflection on it.
    pub supervisee_reflection: Option<String>,
    pub reflected_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

impl From<Observation> for ObservationView {
    fn from(o: Observation) -> ObservationView {
        ObservationView {
            id: o.id,
            supervisee_id: o.supervisee_id,
            observer_id: o.observer_id,
            observed_on: o.observed_on,
            setting: o.setting,
            feedback: o.feedback,
            learning: o.learning,
            session_id: o.session_id,
            record_id: o.record_id,
            supervisee_reflection: o.supervisee_reflection,
            reflected_at: o.reflected_at.map(utc),
            created_at: utc(o.created_at),
            updated_at: utc(o.updated_at),
            version: o.version,
        }
    }
}

fn respond(status: StatusCode, observation: Observation) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(observation.version)))
        .json(ObservationView::from(observation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "observed_on": "2026-11-18", "setting": "home_visit",
    "feedback": "Clear explanation of the plan to the family.",
    "learning": "Check understanding before closing the visit.",
    "session_id": null, "record_id": null
}))]
pub struct NewObservationBody {
    pub observed_on: Day,
    pub setting: ObservationSetting,
    /// 1 to 5,000 characters. Name children and adults only by case reference.
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub feedback: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 5000)]
    pub learning: String,
    /// A session of this supervisee the observation belongs to.
    pub session_id: Option<String>,
    /// A record of this supervisee it is linked to.
    pub record_id: Option<String>,
}

/// Record an observation of a person's practice (OBS-1): whoever supervises them or is
/// above them in line management. The observer is the caller.
#[utoipa::path(
    tag = "observations",
    security(("bearer" = [])),
    request_body = NewObservationBody,
    params(("id" = String, Path, description = "The observed person's id")),
    responses(
        (status = 201, body = ObservationView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You neither supervise nor manage this person", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields: a date in the future, empty feedback, a session or record of someone else", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/observations")]
async fn record_observation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<NewObservationBody>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let recording = Recording {
        observed_on: body.observed_on.date(),
        setting: body.setting,
        feedback: body.feedback,
        learning: body.learning,
        session_id: body.session_id,
        record_id: body.record_id,
    };
    let created = state
        .db
        .transact(move |conn| {
            observations::record(conn, &caller, organisation_today(), &id, recording)
        })
        .await?;
    Ok(respond(StatusCode::CREATED, created))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObservationsQuery {
    /// Observed on or after (default: the start of the current practice year, 1 April).
    pub from: Option<Day>,
    /// Observed on or before (default: today).
    pub to: Option<Day>,
}

/// A person's observations, newest first.
#[utoipa::path(
    tag = "observations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), ObservationsQuery),
    responses(
        (status = 200, body = Vec<ObservationView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A range longer than ten years, or backwards", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/observations")]
async fn list_observations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<ObservationsQuery>,
) -> ApiResult<HttpResponse> {
    let from = query.0.from.map(Day::date);
    let to = query.0.to.map(Day::date);
    let list = state
        .db
        .query(move |conn| observations::list(conn, &caller, organisation_today(), &id, from, to))
        .await?;
    let views: Vec<ObservationView> = list.into_iter().map(ObservationView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// One observation.
#[utoipa::path(
    tag = "observations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Observation id")),
    responses(
        (status = 200, body = ObservationView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such observation, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/observations/{id}")]
async fn get_observation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let found = state
        .db
        .query(move |conn| observations::get(conn, &caller, &id))
        .await?;
    Ok(respond(StatusCode::OK, found))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"feedback": "Clear explanation of the plan.", "learning": "Check understanding before leaving."}))]
pub struct FeedbackBody {
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub feedback: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 5000)]
    pub learning: String,
}

/// Change the feedback and learning (the observer). Needs `If-Match`.
#[utoipa::path(
    tag = "observations",
    security(("bearer" = [])),
    request_body = FeedbackBody,
    params(
        ("id" = String, Path, description = "Observation id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = ObservationView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the observer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such observation", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/observations/{id}")]
async fn edit_feedback(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<FeedbackBody>,
) -> ApiResult<HttpResponse> {
    let FeedbackBody { feedback, learning } = body.0;
    let updated = state
        .db
        .transact(move |conn| {
            observations::edit_feedback(conn, &caller, &id, version, &feedback, &learning)
        })
        .await?;
    Ok(respond(StatusCode::OK, updated))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reflection": "I rushed the ending; next time I will summarise the plan with the family."}))]
pub struct ReflectionBody {
    /// 1 to 5,000 characters.
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub reflection: String,
}

/// Add or change your reflection on an observation of your practice. Needs `If-Match`.
#[utoipa::path(
    tag = "observations",
    security(("bearer" = [])),
    request_body = ReflectionBody,
    params(
        ("id" = String, Path, description = "Observation id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = ObservationView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the observed person", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such observation", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/observations/{id}/reflection")]
async fn add_reflection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<ReflectionBody>,
) -> ApiResult<HttpResponse> {
    let reflection = body.0.reflection;
    let updated = state
        .db
        .transact(move |conn| observations::reflect(conn, &caller, &id, version, &reflection))
        .await?;
    Ok(respond(StatusCode::OK, updated))
}

/// A person's observation status, or the caller's own.
async fn status(
    state: web::Data<AppState>,
    caller: Caller,
    person_id: Option<String>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let status = state
        .db
        .query(move |conn| {
            let person_id = person_id.unwrap_or_else(|| caller.person_id.clone());
            observations::status(conn, &caller, &calendars, organisation_today(), &person_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// A person's observations this practice year (1 April to 31 March) against the
/// organisation's profile: done, required, remaining, and settings still missing (OBS-2).
/// A starter part-way through the year needs a pro-rata number.
#[utoipa::path(
    operation_id = "person_observation_status",
    tag = "observations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = ObservationStatus),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/observation-status")]
async fn person_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    status(state, caller, Some(id.into_inner())).await
}

/// Your own observation status this practice year (OBS-2).
#[utoipa::path(
    operation_id = "my_observation_status",
    tag = "observations",
    security(("bearer" = [])),
    responses(
        (status = 200, body = ObservationStatus),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/observation-status")]
async fn my_status(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    status(state, caller, None).await
}
