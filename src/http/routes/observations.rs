//! Observations of practice (OBS-1) and each person's practice-year status (OBS-2).

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use crate::app::visibility::supervises_on as supervises;
use crate::domain::dates::Day;
use crate::domain::observations::{ObservationSetting, ObservationStatus};
use crate::domain::people::organisation_today;
use crate::domain::periods::practice_year;
use crate::domain::records::long_text;
use crate::domain::validation::Invalid;
use crate::http::extract::{etag, Caller, IfMatch, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::line_management as links;
use crate::store::observations::{self, Change, NewObservation, Observation};
use crate::store::{audit, people, records, sessions, DbConnection, StoreError, StoreResult};

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

fn respond(status: actix_web::http::StatusCode, observation: Observation) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(observation.version)))
        .json(ObservationView::from(observation))
}

/// Who sees a person's observations: the person, whoever supervises them, and those who may
/// see the person (managers above, auditors, administrators).
fn may_see_observations(
    conn: &mut DbConnection,
    caller: &Caller,
    person_id: &str,
) -> StoreResult<bool> {
    Ok(may_see(conn, caller, person_id)?
        || supervises(conn, &caller.person_id, person_id, organisation_today())?)
}

fn find_visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Observation> {
    let observation = observations::find(conn, id)?;
    if observation.observer_id == caller.person_id
        || may_see_observations(conn, caller, &observation.supervisee_id)?
    {
        Ok(observation)
    } else {
        Err(StoreError::NotFound)
    }
}

const MAX_FEEDBACK: usize = 5_000;

fn check_feedback(feedback: &str, learning: &str) -> Result<(String, String), Invalid> {
    let mut invalid = Invalid::default();
    let feedback = invalid.check(long_text("feedback", feedback, MAX_FEEDBACK));
    let learning = invalid.check(long_text("learning", learning, MAX_FEEDBACK));
    if feedback.as_deref() == Some("") {
        invalid.push("feedback", "must not be empty");
    }
    invalid.into_result(|| (feedback.unwrap_or_default(), learning.unwrap_or_default()))
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
    pub feedback: String,
    #[serde(default)]
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
    let observed_on = body.observed_on.date();
    let (feedback, learning) = check_feedback(&body.feedback, &body.learning)?;
    if observed_on > organisation_today() {
        return Err(Invalid::field("observed_on", "must not be in the future").into());
    }
    let person_id = id.into_inner();
    let created = state
        .db
        .write(move |conn| {
            if !may_see_observations(conn, &caller, &person_id)? {
                return Err(StoreError::NotFound);
            }
            let person = people::find(conn, &person_id)?;
            let today = organisation_today();
            let above = links::is_above(conn, &caller.person_id, &person.id, today)?;
            if !above && !supervises(conn, &caller.person_id, &person.id, today)? {
                return Ok(Err(ApiError::Forbidden(
                    "observations are recorded by a supervisor or a manager above the person",
                )));
            }
            let mut invalid = Invalid::default();
            if let Some(session) = &body.session_id {
                let found = sessions::find(conn, session).ok();
                if found.and_then(|s| s.supervisee_id) != Some(person.id.clone()) {
                    invalid.push("session_id", "not a session of this person");
                }
            }
            if let Some(record) = &body.record_id {
                if records::find(conn, record).map(|r| r.supervisee_id).ok()
                    != Some(person.id.clone())
                {
                    invalid.push("record_id", "not a record of this person");
                }
            }
            if let Err(invalid) = invalid.into_result(|| ()) {
                return Ok(Err(invalid.into()));
            }
            let observation = observations::insert(
                conn,
                NewObservation {
                    supervisee_id: &person.id,
                    observer_id: &caller.person_id,
                    observed_on,
                    setting: body.setting,
                    feedback: &feedback,
                    learning: &learning,
                    session_id: body.session_id.as_deref(),
                    record_id: body.record_id.as_deref(),
                },
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "observation.recorded",
                "observation",
                Some(&observation.id),
                json!({"supervisee_id": person.id, "setting": body.setting}),
            )?;
            Ok(Ok(observation))
        })
        .await;
    Ok(respond(
        actix_web::http::StatusCode::CREATED,
        settle(created)?,
    ))
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
    let today = organisation_today();
    let to = query.0.to.map_or(today, Day::date);
    let from = query
        .0
        .from
        .map_or(practice_year(today).starts_on, Day::date);
    if from > to || (to - from).num_days() > 3_660 {
        return Err(
            Invalid::field("from", "the range must run forwards, ten years at most").into(),
        );
    }
    let person_id = id.into_inner();
    let list = state
        .db
        .read(move |conn| {
            if !may_see_observations(conn, &caller, &person_id)? {
                return Err(StoreError::NotFound);
            }
            observations::of_supervisee(conn, &person_id, from, to)
        })
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
    let id = id.into_inner();
    let found = state
        .db
        .read(move |conn| find_visible(conn, &caller, &id))
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, found))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"feedback": "Clear explanation of the plan.", "learning": "Check understanding before leaving."}))]
pub struct FeedbackBody {
    #[schema(min_length = 1, max_length = 5000)]
    pub feedback: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
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
    let (feedback, learning) = check_feedback(&body.0.feedback, &body.0.learning)?;
    let id = id.into_inner();
    let updated = state
        .db
        .write(move |conn| {
            let observation = find_visible(conn, &caller, &id)?;
            if observation.observer_id != caller.person_id {
                return Ok(Err(ApiError::Forbidden(
                    "only the observer changes the feedback",
                )));
            }
            let updated = observations::update(
                conn,
                &id,
                version.expect(observation.version),
                Change::Feedback {
                    feedback: &feedback,
                    learning: &learning,
                },
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "observation.edited",
                "observation",
                Some(&id),
                json!({}),
            )?;
            Ok(Ok(updated))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(updated)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reflection": "I rushed the ending; next time I will summarise the plan with the family."}))]
pub struct ReflectionBody {
    /// 1 to 5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
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
    let text = long_text("reflection", &body.0.reflection, MAX_FEEDBACK)?;
    if text.is_empty() {
        return Err(Invalid::field("reflection", "must not be empty").into());
    }
    let id = id.into_inner();
    let updated = state
        .db
        .write(move |conn| {
            let observation = find_visible(conn, &caller, &id)?;
            if observation.supervisee_id != caller.person_id {
                return Ok(Err(ApiError::Forbidden(
                    "only the observed person reflects on it",
                )));
            }
            let updated = observations::update(
                conn,
                &id,
                version.expect(observation.version),
                Change::Reflection(&text),
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "observation.reflected",
                "observation",
                Some(&id),
                json!({}),
            )?;
            Ok(Ok(updated))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(updated)?))
}

fn status_of(
    conn: &mut DbConnection,
    calendars: &crate::store::organisation::Calendars,
    person_id: &str,
) -> StoreResult<ObservationStatus> {
    let person = people::find(conn, person_id)?;
    let calendars = calendars.load(conn)?;
    observations::status(conn, &calendars, &person, organisation_today())
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
    let person_id = id.into_inner();
    let calendars = state.calendars.clone();
    let status = state
        .db
        .read(move |conn| {
            if !may_see_observations(conn, &caller, &person_id)? {
                return Err(StoreError::NotFound);
            }
            status_of(conn, &calendars, &person_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
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
    let calendars = state.calendars.clone();
    let status = state
        .db
        .read(move |conn| status_of(conn, &calendars, &caller.person_id))
        .await?;
    Ok(HttpResponse::Ok().json(status))
}
