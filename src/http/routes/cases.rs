//! Case supervision (CASE-1), an optional module: supervisors register the cases of the
//! workers they supervise, and see when each must next be discussed in supervision. A case
//! discussion in any record of the worker counts as the case being discussed.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use crate::app::visibility::supervises_on as supervises;
use crate::domain::cases::{check_terms, CaseCategory, CaseStanding, CaseTerms, CpReview};
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::records::CaseReferencePattern;
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::{nullable, utc, Paged};
use crate::http::AppState;
use crate::store::cases::{self, Assessed, Case, Change, Filter, NewCase};
use crate::store::line_management::is_above;
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::{audit, people, DbConnection, StoreError, StoreResult};

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

fn respond(status: StatusCode, view: CaseView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.version)))
        .json(view)
}

/// The organisation's settings and calendars, or 409 while the module is off.
fn module_on(
    conn: &mut DbConnection,
    calendars: &Calendars,
) -> StoreResult<Result<std::sync::Arc<CalendarSet>, ApiError>> {
    let set = calendars.load(conn)?;
    Ok(if set.settings.case_supervision {
        Ok(set)
    } else {
        Err(ApiError::ModuleOff(
            "case supervision is turned off for this organisation; an administrator turns it on with PATCH /api/v1/organisation {\"case_supervision\": true}",
        ))
    })
}

fn view(conn: &mut DbConnection, set: &CalendarSet, case: Case) -> StoreResult<CaseView> {
    cases::assess_all(conn, vec![case], organisation_today(), set.organisation())?
        .pop()
        .map(CaseView::from)
        .ok_or(StoreError::NotFound)
}

/// Whether `person` may supervise the worker's cases: they supervise the worker (line
/// manager, or under an agreement) or manage them further up, today.
fn oversees(conn: &mut DbConnection, person: &str, worker: &str) -> StoreResult<bool> {
    let today = organisation_today();
    Ok(supervises(conn, person, worker, today)? || is_above(conn, person, worker, today)?)
}

/// Who may change a case: its supervisor, a manager above the worker, an administrator.
fn may_change(conn: &mut DbConnection, caller: &Caller, case: &Case) -> StoreResult<bool> {
    Ok(caller.person_id == case.supervisor_id
        || caller.is_admin
        || is_above(
            conn,
            &caller.person_id,
            &case.supervisee_id,
            organisation_today(),
        )?)
}

/// The case if the caller may read it: those who may change it, the allocated worker and
/// auditors. Anyone else is told it does not exist (ACC-5).
fn find_visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Case> {
    let case = cases::find(conn, id)?;
    if caller.person_id == case.supervisee_id
        || caller.is_auditor
        || may_change(conn, caller, &case)?
    {
        Ok(case)
    } else {
        Err(StoreError::NotFound)
    }
}

/// The longest case reference kept, whatever the pattern allows.
const MAX_REFERENCE: usize = 50;

fn check_reference(set: &CalendarSet, raw: &str) -> Result<String, Invalid> {
    let reference = bounded_text("case_reference", raw, 1, MAX_REFERENCE)?;
    let pattern: Result<CaseReferencePattern, _> = set.settings.case_reference_pattern.parse();
    if pattern.is_ok_and(|p| p.matches(&reference)) {
        Ok(reference)
    } else {
        Err(Invalid::field(
            "case_reference",
            "must be a case reference in the organisation's format, never a name",
        ))
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
    #[schema(min_length = 1, max_length = 50)]
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
    let calendars = state.calendars.clone();
    let created = state
        .db
        .write(move |conn| {
            let set = match module_on(conn, &calendars)? {
                Ok(set) => set,
                Err(off) => return Ok(Err(off)),
            };
            let today = organisation_today();
            let worker = &body.supervisee_id;
            let allowed = oversees(conn, &caller.person_id, worker)?;
            if !allowed && !may_see(conn, &caller, worker)? {
                return Err(StoreError::NotFound);
            }
            let worker = people::find(conn, worker)?;
            if !allowed {
                return Ok(Err(ApiError::Forbidden(
                    "cases are registered by someone who supervises or manages the worker",
                )));
            }
            let mut invalid = Invalid::default();
            let reference = invalid.check(check_reference(&set, &body.case_reference));
            let terms = invalid.check(check_terms(
                CaseTerms {
                    category: body.status,
                    status_since: body.status_since.date(),
                    permanence_plan_on: body.permanence_plan_on.map(Day::date),
                    review_conference_on: body.review_conference_on.map(Day::date),
                },
                today,
            ));
            let (Some(reference), Some(terms)) = (reference, terms) else {
                return Ok(Err(invalid.into()));
            };
            let case = cases::insert(
                conn,
                NewCase {
                    case_reference: &reference,
                    supervisee_id: &worker.id,
                    supervisor_id: &caller.person_id,
                    terms,
                },
            )?;
            audit::record(
                conn,
                &caller.for_audit(),
                "case.registered",
                "case",
                Some(&case.id),
                json!({"supervisee_id": worker.id, "status": terms.category.as_str()}),
            )?;
            Ok(Ok(view(conn, &set, case)?))
        })
        .await?;
    Ok(respond(StatusCode::CREATED, created?))
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

impl CasesQuery {
    /// Whether an assessed case passes the filters computed from its due date.
    fn keeps(&self, view: &CaseView, today: NaiveDate) -> bool {
        let standing = view.standing;
        self.standing.is_none_or(|s| s == standing)
            && (self.overdue != Some(true) || standing == CaseStanding::Overdue)
            && self.due_within_days.is_none_or(|days| {
                view.next_discussion_due
                    .is_some_and(|due| (due - today).num_days() <= days)
            })
    }
}

const MAX_DUE_WITHIN_DAYS: i64 = 366;

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
    let page = page(query.limit, query.offset)?;
    if query
        .due_within_days
        .is_some_and(|d| !(0..=MAX_DUE_WITHIN_DAYS).contains(&d))
    {
        return Err(Invalid::field(
            "due_within_days",
            format!("must be between 0 and {MAX_DUE_WITHIN_DAYS}"),
        )
        .into());
    }
    let calendars = state.calendars.clone();
    let listed = state
        .db
        .read(move |conn| {
            let set = match module_on(conn, &calendars)? {
                Ok(set) => set,
                Err(off) => return Ok(Err(off)),
            };
            let today = organisation_today();
            let mut filter = Filter {
                statuses: query.status.into_iter().collect(),
                include_closed: query.include_closed == Some(true),
                ..Filter::default()
            };
            match &query.supervisee_id {
                None => filter.supervisor_id = Some(caller.person_id.clone()),
                Some(worker) => {
                    if !may_see(conn, &caller, worker)? {
                        if !supervises(conn, &caller.person_id, worker, today)? {
                            return Err(StoreError::NotFound);
                        }
                        filter.supervisor_id = Some(caller.person_id.clone());
                    }
                    filter.supervisee_id = Some(worker.clone());
                }
            }
            let listed = cases::list(conn, &filter)?;
            let mut views: Vec<CaseView> =
                cases::assess_all(conn, listed, today, set.organisation())?
                    .into_iter()
                    .map(CaseView::from)
                    .filter(|v| query.keeps(v, today))
                    .collect();
            // None (closed) sorts after every date.
            views.sort_by(|a, b| {
                (
                    a.next_discussion_due.is_none(),
                    a.next_discussion_due,
                    &a.case_reference,
                )
                    .cmp(&(
                        b.next_discussion_due.is_none(),
                        b.next_discussion_due,
                        &b.case_reference,
                    ))
            });
            let total = views.len() as i64;
            let items = views
                .into_iter()
                .skip(page.offset as usize)
                .take(page.limit as usize)
                .collect();
            Ok(Ok(Paged::new(items, total, page)))
        })
        .await?;
    Ok(HttpResponse::Ok().json(listed?))
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
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let found = state
        .db
        .read(move |conn| {
            let set = match module_on(conn, &calendars)? {
                Ok(set) => set,
                Err(off) => return Ok(Err(off)),
            };
            let case = find_visible(conn, &caller, &id)?;
            Ok(Ok(view(conn, &set, case)?))
        })
        .await?;
    Ok(respond(StatusCode::OK, found?))
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

impl ChangeCaseBody {
    /// The terms after the change.
    fn apply(&self, current: CaseTerms, today: NaiveDate) -> CaseTerms {
        let category = self.status.unwrap_or(current.category);
        let new_status = category != current.category;
        let kept = |given: Option<Option<Day>>, now: Option<NaiveDate>| {
            given.map_or(if new_status { None } else { now }, |day| {
                day.map(Day::date)
            })
        };
        CaseTerms {
            category,
            status_since: self.status_since.map(Day::date).unwrap_or(if new_status {
                today
            } else {
                current.status_since
            }),
            permanence_plan_on: kept(self.permanence_plan_on, current.permanence_plan_on),
            review_conference_on: kept(self.review_conference_on, current.review_conference_on),
        }
    }
}

/// The 412 answer to a stale write: the case as it is now.
fn stale(conn: &mut DbConnection, set: &CalendarSet, case: Case) -> StoreResult<ApiError> {
    let current = view(conn, set, case)?;
    Ok(ApiError::PreconditionFailed {
        current: serde_json::to_value(current).ok(),
    })
}

/// Loads a case for a write: 409 while the module is off, 404 unless visible, 403 unless
/// the caller may change it, 409 once closed, 412 (with the case now) unless still at
/// `version`.
fn for_change(
    conn: &mut DbConnection,
    calendars: &Calendars,
    caller: &Caller,
    id: &str,
    version: IfMatch,
) -> StoreResult<Result<(std::sync::Arc<CalendarSet>, Case), ApiError>> {
    let set = match module_on(conn, calendars)? {
        Ok(set) => set,
        Err(off) => return Ok(Err(off)),
    };
    let case = find_visible(conn, caller, id)?;
    if !may_change(conn, caller, &case)? {
        return Ok(Err(ApiError::Forbidden(
            "a case is changed by its supervisor, a manager above the worker or an administrator",
        )));
    }
    if case.version != version.expect(case.version) {
        return Ok(Err(stale(conn, &set, case)?));
    }
    if case.closed_on.is_some() {
        return Ok(Err(ApiError::Conflict("the case is closed".into())));
    }
    Ok(Ok((set, case)))
}

/// Writes a change to a case and its audit event; a write that lost a race answers 412.
fn write_change(
    conn: &mut DbConnection,
    caller: &Caller,
    set: &CalendarSet,
    case: &Case,
    change: Change,
    action: &str,
    detail: serde_json::Value,
) -> StoreResult<Result<CaseView, ApiError>> {
    let updated = match cases::update(conn, case, case.version, change) {
        Err(StoreError::VersionMismatch { .. }) => {
            let now = cases::find(conn, &case.id)?;
            return Ok(Err(stale(conn, set, now)?));
        }
        other => other?,
    };
    audit::record(
        conn,
        &caller.for_audit(),
        action,
        "case",
        Some(&case.id),
        detail,
    )?;
    Ok(Ok(view(conn, set, updated)?))
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
    let (id, body) = (id.into_inner(), body.0);
    let calendars = state.calendars.clone();
    let updated = state
        .db
        .write(move |conn| {
            let (set, case) = match for_change(conn, &calendars, &caller, &id, version)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let today = organisation_today();
            let mut invalid = Invalid::default();
            let terms = invalid.check(check_terms(body.apply(case.terms(), today), today));
            let supervisor = body.supervisor_id.as_deref().unwrap_or(&case.supervisor_id);
            if supervisor != case.supervisor_id && !oversees(conn, supervisor, &case.supervisee_id)?
            {
                invalid.push("supervisor_id", "must supervise or manage the worker");
            }
            let Some(terms) = terms.filter(|_| invalid.0.is_empty()) else {
                return Ok(Err(invalid.into()));
            };
            let detail = json!({
                "status": terms.category.as_str(), "status_since": terms.status_since,
                "supervisor_id": supervisor,
            });
            write_change(
                conn,
                &caller,
                &set,
                &case,
                Change::Terms {
                    terms,
                    supervisor_id: supervisor,
                },
                "case.changed",
                detail,
            )
        })
        .await?;
    Ok(respond(StatusCode::OK, updated?))
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
    let (id, body) = (id.into_inner(), body.0);
    let calendars = state.calendars.clone();
    let closed = state
        .db
        .write(move |conn| {
            let (set, case) = match for_change(conn, &calendars, &caller, &id, version)? {
                Ok(found) => found,
                Err(refused) => return Ok(Err(refused)),
            };
            let today = organisation_today();
            let closed_on = body.closed_on.map_or(today, Day::date);
            if closed_on > today || closed_on < case.status_since {
                return Ok(Err(Invalid::field(
                    "closed_on",
                    "must be between the day the status began and today",
                )
                .into()));
            }
            write_change(
                conn,
                &caller,
                &set,
                &case,
                Change::Close(closed_on),
                "case.closed",
                json!({"closed_on": closed_on}),
            )
        })
        .await?;
    Ok(respond(StatusCode::OK, closed?))
}
