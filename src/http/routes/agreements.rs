//! Supervision agreements (AGR-1, AGR-2) and the 12-month plan (SES-2).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::agreements::{self, Held, PlanOptions, Proposal};
use crate::app::sessions::{self as app_sessions, Booking};
use crate::domain::dates::Day;
use crate::domain::policy::Interval;
use crate::domain::sessions::{AgreementKind, SessionKind};
use crate::http::extract::{etag, Caller, IfMatch, Json};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::agreements::{AgreementView, PlanView, SavedPlan, WeekdayName};
use crate::http::views::sessions::SessionView;
use crate::http::AppState;
use crate::store::agreements::Agreement;
use crate::store::now;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_agreement)
        .service(get_agreement)
        .service(list_for_person)
        .service(sign_agreement)
        .service(end_agreement)
        .service(preview_plan)
        .service(save_plan)
        .service(book)
        .service(record_held);
}

fn agreement_response(mut builder: actix_web::HttpResponseBuilder, a: Agreement) -> HttpResponse {
    builder
        .insert_header(("ETag", etag(a.version)))
        .json(AgreementView::from(a))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "kind": "line_management",
    "frequency": {"every_months": 1},
    "session_minutes": 90,
    "usual_weekday": "thursday",
    "usual_time": "10:00",
    "place": "Room 2, Shire Hall, or Teams",
    "agenda": "Case review, wellbeing, learning and development",
    "starts_on": "2026-12-01"
}))]
pub struct CreateAgreement {
    pub supervisee_id: String,
    /// Defaults to the caller.
    pub supervisor_id: Option<String>,
    pub kind: AgreementKind,
    /// How often to meet: `{"every_months": 1}`, `{"max_calendar_days": 28}` or
    /// `{"max_working_days": 20}`; at least as often as the policy.
    pub frequency: Interval,
    #[schema(minimum = 15, maximum = 480)]
    pub session_minutes: i32,
    pub usual_weekday: WeekdayName,
    /// HH:MM, in the supervisee's time zone.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub usual_time: String,
    /// Usual place or video link.
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
    pub place: String,
    /// The minimum agenda both agree to.
    #[schema(format = "one-line", min_length = 1, max_length = 4000)]
    pub agenda: String,
    pub starts_on: Day,
}

/// Propose an agreement (AGR-1, AGR-3). Only the supervisee's line manager, a manager above
/// them or an administrator proposes one, of any kind, naming the supervisor (a practice
/// educator or a second supervisor is named this way). Nobody appoints themselves. It grants
/// nothing until both people have signed and it has started; both are told at once.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = CreateAgreement,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice")),
    responses(
        (status = 201, body = AgreementView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You can see this person but are not their line manager, a manager above them or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such supervisee, or one you cannot see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or less frequent than the policy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements")]
async fn create_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateAgreement>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let proposal = Proposal {
        supervisee_id: body.supervisee_id,
        supervisor_id: body.supervisor_id,
        kind: body.kind,
        frequency: body.frequency,
        session_minutes: body.session_minutes,
        usual_weekday: body.usual_weekday.into(),
        usual_time: body.usual_time,
        place: body.place,
        agenda: body.agenda,
        starts_on: body.starts_on.date(),
    };
    let calendars = state.calendars.clone();
    let created = state
        .db
        .transact(move |conn| agreements::propose(conn, &caller, &calendars, proposal))
        .await?;
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", format!("/api/v1/agreements/{}", created.id)));
    Ok(agreement_response(builder, created))
}

/// One agreement.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Agreement id")),
    responses(
        (status = 200, body = AgreementView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreements/{id}")]
async fn get_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let agreement = state
        .db
        .query(move |conn| agreements::find_visible(conn, &caller, &id))
        .await?;
    Ok(agreement_response(HttpResponse::Ok(), agreement))
}

/// A person's agreements, as supervisee or as supervisor, newest first.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<AgreementView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/agreements")]
async fn list_for_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<AgreementView>>> {
    let list = state
        .db
        .query(move |conn| agreements::for_person(conn, &caller, &id))
        .await?;
    Ok(web::Json(
        list.into_iter().map(AgreementView::from).collect(),
    ))
}

/// Sign an agreement as its supervisor or supervisee (AGR-1). Once both have signed it is
/// active; a new line-management agreement then ends the previous one (a change of
/// supervisor needs a new agreement).
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party to the agreement", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already signed by you, or ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/sign")]
async fn sign_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    let signed = state
        .db
        .transact(move |conn| agreements::sign(conn, &caller, &id, version))
        .await?;
    Ok(agreement_response(HttpResponse::Ok(), signed))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2027-03-31", "reason": "Placement ends"}))]
pub struct EndAgreement {
    /// The first day the agreement no longer applies.
    pub ends_on: Day,
    #[schema(format = "one-line", min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// End an agreement (either party, or an administrator). Sets its end date and why: from
/// `ends_on`, which must not be before it starts, the agreement no longer applies and nothing
/// more is planned under it. Needs `If-Match`.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = EndAgreement,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/end")]
async fn end_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<EndAgreement>,
) -> ApiResult<HttpResponse> {
    let ends_on = body.0.ends_on.date();
    let ended = state
        .db
        .transact(move |conn| agreements::end(conn, &caller, &id, version, ends_on, &body.0.reason))
        .await?;
    Ok(agreement_response(HttpResponse::Ok(), ended))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-12-01", "months": 12}))]
pub struct PlanBody {
    /// First day of the plan (default: tomorrow, or the agreement's start if later).
    pub from: Option<Day>,
    /// How many months ahead, 1 to 12 (default 12).
    #[schema(minimum = 1, maximum = 12)]
    pub months: Option<u32>,
    /// For a student: the other supervisor's agreement, whose sessions alternate with this
    /// one's (FREQ-2).
    pub alternate_with: Option<String>,
}

impl From<PlanBody> for PlanOptions {
    fn from(body: PlanBody) -> PlanOptions {
        PlanOptions {
            from: body.from.map(Day::date),
            months: body.months,
            alternate_with: body.alternate_with,
        }
    }
}

/// Preview the next months of sessions for an agreement (SES-2): on working days, at the
/// usual weekday and time, never later than the policy allows. Nothing is saved.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = PlanBody,
    params(("id" = String, Path, description = "Agreement id")),
    responses(
        (status = 200, body = PlanView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/plan/preview")]
async fn preview_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PlanBody>,
) -> ApiResult<web::Json<PlanView>> {
    let options = body.0.into();
    let calendars = state.calendars.clone();
    let plan = state
        .db
        .query(move |conn| {
            agreements::preview_plan(conn, &caller, now(), &calendars, &id, &options)
        })
        .await?;
    Ok(web::Json(plan.into()))
}

/// Save the plan the preview showed: books each session (SES-2). Only the supervisor, once
/// both parties have signed the agreement and while it has not ended; each session is
/// created as scheduled.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = PlanBody,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of booking twice"),
    ),
    responses(
        (status = 201, body = SavedPlan),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/plan")]
async fn save_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PlanBody>,
) -> ApiResult<HttpResponse> {
    let options = body.0.into();
    let calendars = state.calendars.clone();
    let agreement_id = id.clone();
    let saved = state
        .db
        .transact(move |conn| {
            agreements::save_plan(conn, &caller, now(), &calendars, &id, &options)
        })
        .await?;
    Ok(HttpResponse::Created().json(SavedPlan {
        agreement_id,
        sessions: saved
            .into_iter()
            .map(|s| SessionView::from_session(s, None))
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-03T10:00:00Z", "kind": "one_to_one"}))]
pub struct BookSession {
    pub starts_at: DateTime<FixedOffset>,
    /// Default one_to_one; `pdr` only under the line-management agreement (PDR-1).
    pub kind: Option<SessionKind>,
    /// Default: the agreement's session length.
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
    /// Default: the agreement's usual place.
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
    pub place: Option<String>,
}

/// Book one session under an agreement (the supervisor; either party for ad hoc sessions).
/// The agreement must be signed by both and not ended; the session must start in the future
/// and is created as scheduled.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = BookSession,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of booking twice"),
    ),
    responses(
        (status = 201, body = SessionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to book under this agreement", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/sessions")]
async fn book(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<BookSession>,
) -> ApiResult<HttpResponse> {
    let booking = Booking {
        starts_at: body.0.starts_at.naive_utc(),
        kind: body.0.kind,
        duration_minutes: body.0.duration_minutes,
        place: body.0.place,
    };
    let session = state
        .db
        .transact(move |conn| app_sessions::book(conn, &caller, now(), &id, booking))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(session.version)))
        .json(SessionView::from_session(session, None)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-09-17", "time": "10:00", "kind": "one_to_one"}))]
pub struct HeldSessionBody {
    /// The day it was held: not before the agreement's start, not in the future.
    pub held_on: Day,
    /// HH:MM in the supervisee's time zone (default: the agreement's usual time).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: Option<String>,
    /// Default one_to_one; `pdr` only under the line-management agreement (PDR-1).
    pub kind: Option<SessionKind>,
    /// Default: the agreement's session length.
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
}

/// Record a session already held before the service was used (SES-6): marked as recorded
/// after the fact, audited, with no record opened and no reminders; it counts for the
/// status and the reports like any held session. For the supervisor, a manager above the
/// supervisor or an administrator.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = HeldSessionBody,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of recording twice"),
    ),
    responses(
        (status = 201, description = "Recorded as held", body = SessionView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You can see the agreement but are not its supervisor, a manager above them or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement, or not one you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a day before the agreement's start, after its end or in the future, a kind the agreement does not hold, a session already recorded then", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/held-sessions")]
async fn record_held(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<HeldSessionBody>,
) -> ApiResult<HttpResponse> {
    let held = Held {
        held_on: body.0.held_on.date(),
        time: body.0.time,
        kind: body.0.kind,
        duration_minutes: body.0.duration_minutes,
    };
    let session = state
        .db
        .transact(move |conn| agreements::record_held(conn, &caller, now(), &id, held))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(session.version)))
        .json(SessionView::from_session(session, None)))
}
