//! Case supervision (CASE-1), an optional module: supervisors register the cases of the
//! workers they supervise, and see when each must next be discussed in supervision. A case
//! discussion in any record of the worker counts as the case being discussed.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::cases::{self, Amendment, Assessed, Changed, Listing, Registration};
use crate::domain::cases::{CaseCategory, CaseStanding, CaseTerms, CpReview};
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::{nullable, utc, Paged};
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(register_case)
        .service(list_cases)
        .service(get_case)
        .service(change_case)
        .service(close_case);
}

/// A case as its supervisor sees it, with when it must next be discussed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c01",
    "case_reference": "CH-204518",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "status": "child_protection", "status_since": "2026-11-10",
    "permanence_plan_on": null, "review_conference_on": null, "closed_on": null,
    "last_discussed_on": "2026-11-26", "next_discussion_due": "2027-01-26",
    "standing": "on_track",
    "cp_review": {"conference_on": "2027-08-10", "discuss_by": "2027-06-29", "flagged_on": "2027-06-15", "discussed_on": null, "standing": "upcoming"},
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "created_at": "2026-11-26T10:00:00Z", "updated_at": "2026-11-26T10:00:00Z", "version": 1
}))]
pub struct CaseView {
    pub id: String,
    /// The case's reference in the organisation's format (REC-3); never a name.
    pub case_reference: String,
    /// The allocated worker.
    pub supervisee_id: String,
    /// Who registered the case and is reminded of its discussions.
    pub supervisor_id: String,
    pub status: CaseCategory,
    /// The day the status began; a new status starts its own count.
    pub status_since: NaiveDate,
    /// Foster or residential placements: the day the permanence plan was in place.
    pub permanence_plan_on: Option<NaiveDate>,
    /// Child protection plans: the review conference, if booked (else 9 months from the start).
    pub review_conference_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// The latest case discussion of this reference in any record of the worker.
    pub last_discussed_on: Option<NaiveDate>,
    /// The latest date for the next discussion; null once closed.
    pub next_discussion_due: Option<NaiveDate>,
    pub standing: CaseStanding,
    /// Child protection plans: the nine-month discussion six weeks before the review
    /// conference (001 §5.3).
    pub cp_review: Option<CpReview>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

impl From<Assessed> for CaseView {
    fn from(a: Assessed) -> CaseView {
        let c = a.case;
        CaseView {
            id: c.id,
            case_reference: c.case_reference,
            supervisee_id: c.supervisee_id,
            supervisor_id: c.supervisor_id,
            status: c.status,
            status_since: c.status_since,
            permanence_plan_on: c.permanence_plan_on,
            review_conference_on: c.review_conference_on,
            closed_on: c.closed_on,
            last_discussed_on: a.last_discussed_on,
            next_discussion_due: a.assessment.next_discussion_due,
            standing: a.assessment.standing,
            cp_review: a.assessment.cp_review,
            created_by: c.created_by,
            created_at: utc(c.created_at),
            updated_at: utc(c.updated_at),
            version: c.version,
        }
    }
}

fn respond(status: StatusCode, assessed: Assessed) -> HttpResponse {
    let view = CaseView::from(assessed);
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.version)))
        .json(view)
}

/// The case after a change, or 412 with the case as it is now.
fn changed(outcome: Changed) -> ApiResult<HttpResponse> {
    match outcome {
        Changed::Done(assessed) => Ok(respond(StatusCode::OK, assessed)),
        Changed::Stale(assessed) => Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(CaseView::from(assessed)).ok(),
        }),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_reference": "CH-204518",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "status": "foster_placement", "status_since": "2026-11-02",
    "permanence_plan_on": null, "review_conference_on": null
}))]
pub struct NewCaseBody {
    /// Must match the organisation's case reference pattern in full (REC-3); at most 50
    /// characters.
    #[schema(format = "one-line", min_length = 1, max_length = 50)]
    pub case_reference: String,
    /// The allocated worker, whom you supervise or manage.
    pub supervisee_id: String,
    pub status: CaseCategory,
    /// The day the status began (the placement's start, the plan's start); not in the future.
    pub status_since: Day,
    /// Foster or residential placements only.
    pub permanence_plan_on: Option<Day>,
    /// Child protection plans only: the review conference, if booked.
    pub review_conference_on: Option<Day>,
}

/// Register a case of a worker you supervise (CASE-1): someone who supervises the worker
/// (line manager or under an agreement) or manages them further up. You become its
/// supervisor and are reminded 5 working days before each discussion is due, each working
/// day while it is overdue and, for a child protection plan, when its nine-month discussion
/// is flagged and due. Reminders never carry the case reference (REM-6).
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = NewCaseBody,
    responses(
        (status = 201, body = CaseView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You neither supervise nor manage this worker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such worker, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The module is off (`module-off`), or the worker already has this case open (`conflict`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A reference not in the organisation's format, or dates that do not fit the status", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases")]
async fn register_case(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewCaseBody>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let registration = Registration {
        case_reference: body.case_reference,
        supervisee_id: body.supervisee_id,
        terms: CaseTerms {
            category: body.status,
            status_since: body.status_since.date(),
            permanence_plan_on: body.permanence_plan_on.map(Day::date),
            review_conference_on: body.review_conference_on.map(Day::date),
        },
    };
    let calendars = state.calendars.clone();
    let created = state
        .db
        .transact(move |conn| {
            cases::register(
                conn,
                &caller,
                &calendars,
                organisation_today(),
                registration,
            )
        })
        .await?;
    Ok(respond(StatusCode::CREATED, created))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// A worker's cases (theirs, or their manager's view); without it, the cases you supervise.
    pub supervisee_id: Option<String>,
    pub status: Option<CaseCategory>,
    pub standing: Option<CaseStanding>,
    /// Only cases whose next discussion is due within this many days from today (0 to 366),
    /// overdue ones included.
    #[param(minimum = 0, maximum = 366)]
    pub due_within_days: Option<i64>,
    /// `true`: only overdue cases.
    pub overdue: Option<bool>,
    /// `true`: closed cases too (default false).
    pub include_closed: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// Cases you supervise, or with `supervisee_id` a worker's cases (the worker, their
/// managers, auditors and administrators; someone who supervises the worker under an
/// agreement sees the cases they supervise). Soonest due first, closed ones last.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(CasesQuery),
    responses(
        (status = 200, body = Paged<CaseView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such worker, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The module is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging or `due_within_days`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases")]
async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<CasesQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.0;
    let listing = Listing {
        page: page(query.limit, query.offset)?,
        supervisee_id: query.supervisee_id,
        status: query.status,
        standing: query.standing,
        due_within_days: query.due_within_days,
        overdue: query.overdue == Some(true),
        include_closed: query.include_closed == Some(true),
    };
    let page = listing.page;
    let calendars = state.calendars.clone();
    let (items, total) = state
        .db
        .query(move |conn| cases::list(conn, &caller, &calendars, organisation_today(), &listing))
        .await?;
    let items: Vec<CaseView> = items.into_iter().map(CaseView::from).collect();
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// One case with its last discussion, next due date, standing and, for a child protection
/// plan, the nine-month discussion.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = CaseView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The module is off", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}")]
async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let found = state
        .db
        .query(move |conn| cases::get(conn, &caller, &calendars, organisation_today(), &id))
        .await?;
    Ok(respond(StatusCode::OK, found))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "pre_proceedings", "status_since": "2027-01-12"}))]
pub struct ChangeCaseBody {
    /// A new status starts its own count from `status_since`; the permanence plan and
    /// review conference of the old status are dropped unless given again.
    pub status: Option<CaseCategory>,
    /// The day the status began; with a new status, default today.
    pub status_since: Option<Day>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub permanence_plan_on: Option<Option<Day>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub review_conference_on: Option<Option<Day>>,
    /// Hands the case to another supervisor (someone who supervises or manages the worker),
    /// who hears its reminders from then on.
    pub supervisor_id: Option<String>,
}

impl From<ChangeCaseBody> for Amendment {
    fn from(body: ChangeCaseBody) -> Amendment {
        let day = |given: Option<Option<Day>>| given.map(|day| day.map(Day::date));
        Amendment {
            status: body.status,
            status_since: body.status_since.map(Day::date),
            permanence_plan_on: day(body.permanence_plan_on),
            review_conference_on: day(body.review_conference_on),
            supervisor_id: body.supervisor_id,
        }
    }
}

/// Change a case's status or dates (its supervisor, a manager above the worker, an
/// administrator). Needs `If-Match`; a stale one is 412 with the case as it is now.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = ChangeCaseBody,
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = CaseView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may read the case but not change it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The module is off, or the case is closed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the case now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Dates that do not fit the status", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/cases/{id}")]
async fn change_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<ChangeCaseBody>,
) -> ApiResult<HttpResponse> {
    let amendment = Amendment::from(body.0);
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            let today = organisation_today();
            cases::change(conn, &caller, &calendars, today, &id, version, amendment)
        })
        .await?;
    changed(outcome)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"closed_on": "2027-03-31"}))]
pub struct CloseCaseBody {
    /// Default today; not in the future nor before the status began.
    pub closed_on: Option<Day>,
}

/// Close a case: it is no longer tracked or reminded of, and stays readable. Needs `If-Match`.
#[utoipa::path(
    tag = "cases",
    security(("bearer" = [])),
    request_body = CloseCaseBody,
    params(
        ("id" = String, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = CaseView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may read the case but not close it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The module is off, or the case is already closed", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the case now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A closing date in the future or before the status began", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/close")]
async fn close_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<CloseCaseBody>,
) -> ApiResult<HttpResponse> {
    let closed_on = body.0.closed_on.map(Day::date);
    let calendars = state.calendars.clone();
    let outcome = state
        .db
        .transact(move |conn| {
            let today = organisation_today();
            cases::close(conn, &caller, &calendars, today, &id, version, closed_on)
        })
        .await?;
    changed(outcome)
}
