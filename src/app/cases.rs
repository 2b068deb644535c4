//! Case supervision (CASE-1), an optional module: supervisors register the cases of the
//! workers they supervise, and see when each must next be discussed in supervision. A case
//! discussion in any record of the worker counts as the case being discussed.
//!
//! A case is read by its supervisor, managers above the worker, administrators (who may also
//! change it), the allocated worker and auditors; anyone else is told it does not exist
//! (ACC-5). While the module is off every use case refuses with `module-off`.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::calendar::Calendar;
use crate::domain::cases::{check_terms, Assessment, CaseCategory, CaseStanding, CaseTerms};
use crate::domain::records::CaseReferencePattern;
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::cases::{self, Case, Change, Filter, NewCase};
use crate::store::line_management::is_above;
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::{audit, people, DbConnection, Page, StoreError, StoreResult};

/// One case with where it stands.
#[derive(Debug, Clone)]
pub struct Assessed {
    pub case: Case,
    pub last_discussed_on: Option<NaiveDate>,
    pub assessment: Assessment,
}

/// CASE-1 for each case as of `today`, from one query for all their last discussions.
pub fn assess_all(
    conn: &mut DbConnection,
    listed: Vec<Case>,
    today: NaiveDate,
    calendar: &Calendar,
) -> StoreResult<Vec<Assessed>> {
    let last = cases::last_discussed(conn, &listed)?;
    Ok(listed
        .into_iter()
        .map(|case| {
            let last_discussed_on = last
                .get(&(case.supervisee_id.clone(), case.case_reference.clone()))
                .copied();
            let assessment = crate::domain::cases::assess(
                &case.terms(),
                case.closed_on.is_some(),
                last_discussed_on,
                today,
                calendar,
            );
            Assessed {
                case,
                last_discussed_on,
                assessment,
            }
        })
        .collect())
}

/// The organisation's settings and calendars, or a refusal while the module is off.
fn module_on(conn: &mut DbConnection, calendars: &Calendars) -> AppResult<Arc<CalendarSet>> {
    let set = calendars.load(conn)?;
    if set.settings.case_supervision {
        Ok(set)
    } else {
        Err(AppError::refuse(
            Code::ModuleOff,
            "case supervision is turned off for this organisation; an administrator turns it on with PATCH /api/v1/organisation {\"case_supervision\": true}",
        ))
    }
}

/// The case with where it stands today.
fn assess(
    conn: &mut DbConnection,
    set: &CalendarSet,
    today: NaiveDate,
    case: Case,
) -> AppResult<Assessed> {
    Ok(assess_all(conn, vec![case], today, set.organisation())?
        .pop()
        .ok_or(StoreError::NotFound)?)
}

/// Whether `person` may supervise the worker's cases: they supervise the worker (line
/// manager, or under an agreement) or manage them further up, today.
fn oversees(
    conn: &mut DbConnection,
    person: &str,
    worker: &str,
    today: NaiveDate,
) -> StoreResult<bool> {
    Ok(visibility::supervises_on(conn, person, worker, today)?
        || is_above(conn, person, worker, today)?)
}

/// Who may change a case: its supervisor, a manager above the worker, an administrator.
fn may_change(
    conn: &mut DbConnection,
    actor: &Actor,
    case: &Case,
    today: NaiveDate,
) -> StoreResult<bool> {
    Ok(actor.is(&case.supervisor_id)
        || actor.is_admin
        || is_above(conn, &actor.person_id, &case.supervisee_id, today)?)
}

/// The case if the actor may read it: those who may change it, the allocated worker and
/// auditors. Anyone else is told it does not exist (ACC-5).
fn find_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    today: NaiveDate,
) -> AppResult<Case> {
    let case = cases::find(conn, id)?;
    if actor.is(&case.supervisee_id) || actor.is_auditor || may_change(conn, actor, &case, today)? {
        Ok(case)
    } else {
        Err(AppError::NotFound)
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

/// A case to register.
pub struct Registration {
    pub case_reference: String,
    /// The allocated worker.
    pub supervisee_id: String,
    pub terms: CaseTerms,
}

/// Registers a case of a worker the actor supervises or manages; the actor becomes its
/// supervisor (CASE-1).
pub fn register(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    registration: Registration,
) -> AppResult<Assessed> {
    let set = module_on(conn, calendars)?;
    let worker = &registration.supervisee_id;
    let allowed = oversees(conn, &actor.person_id, worker, today)?;
    if !allowed {
        visibility::require_sight(conn, actor, worker)?;
    }
    let worker = people::find(conn, worker)?;
    if !allowed {
        return Err(AppError::refuse(
            Code::SupervisorOrManagerOnly,
            "cases are registered by someone who supervises or manages the worker",
        ));
    }
    let mut invalid = Invalid::default();
    let reference = invalid.check(check_reference(&set, &registration.case_reference));
    let terms = invalid.check(check_terms(registration.terms, today));
    let (Some(reference), Some(terms)) = (reference, terms) else {
        return Err(invalid.into());
    };
    let case = cases::insert(
        conn,
        NewCase {
            case_reference: &reference,
            supervisee_id: &worker.id,
            supervisor_id: &actor.person_id,
            terms,
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "case.registered",
        "case",
        Some(&case.id),
        json!({"supervisee_id": worker.id, "status": terms.category.as_str()}),
    )?;
    assess(conn, &set, today, case)
}

/// Which cases to list.
pub struct Listing {
    /// A worker's cases; without it, the cases the actor supervises.
    pub supervisee_id: Option<String>,
    pub status: Option<CaseCategory>,
    pub standing: Option<CaseStanding>,
    /// Only cases due within this many days (overdue ones included).
    pub due_within_days: Option<i64>,
    pub overdue: bool,
    pub include_closed: bool,
    pub page: Page,
}

pub const MAX_DUE_WITHIN_DAYS: i64 = 366;

impl Listing {
    /// Whether an assessed case passes the filters computed from its due date.
    fn keeps(&self, assessed: &Assessed, today: NaiveDate) -> bool {
        let standing = assessed.assessment.standing;
        self.standing.is_none_or(|s| s == standing)
            && (!self.overdue || standing == CaseStanding::Overdue)
            && self.due_within_days.is_none_or(|days| {
                assessed
                    .assessment
                    .next_discussion_due
                    .is_some_and(|due| (due - today).num_days() <= days)
            })
    }
}

/// The cases the actor supervises, or a worker's cases (the worker, those who may see them;
/// someone who supervises the worker under an agreement sees the cases they supervise).
/// Soonest due first, closed ones last; one page of them, and how many in all.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    listing: &Listing,
) -> AppResult<(Vec<Assessed>, i64)> {
    if listing
        .due_within_days
        .is_some_and(|d| !(0..=MAX_DUE_WITHIN_DAYS).contains(&d))
    {
        return Err(Invalid::field(
            "due_within_days",
            format!("must be between 0 and {MAX_DUE_WITHIN_DAYS}"),
        )
        .into());
    }
    let set = module_on(conn, calendars)?;
    let mut filter = Filter {
        statuses: listing.status.into_iter().collect(),
        include_closed: listing.include_closed,
        ..Filter::default()
    };
    match &listing.supervisee_id {
        None => filter.supervisor_id = Some(actor.person_id.clone()),
        Some(worker) => {
            if !visibility::may_see(conn, actor, worker)? {
                if !visibility::supervises_on(conn, &actor.person_id, worker, today)? {
                    return Err(AppError::NotFound);
                }
                filter.supervisor_id = Some(actor.person_id.clone());
            }
            filter.supervisee_id = Some(worker.clone());
        }
    }
    let listed = cases::list(conn, &filter)?;
    let mut assessed: Vec<Assessed> = assess_all(conn, listed, today, set.organisation())?
        .into_iter()
        .filter(|a| listing.keeps(a, today))
        .collect();
    // None (closed) sorts after every date.
    let key = |a: &Assessed| {
        let due = a.assessment.next_discussion_due;
        (due.is_none(), due, a.case.case_reference.clone())
    };
    assessed.sort_by_key(key);
    let total = assessed.len() as i64;
    let page = assessed
        .into_iter()
        .skip(listing.page.offset as usize)
        .take(listing.page.limit as usize)
        .collect();
    Ok((page, total))
}

/// One case the actor may read, with where it stands.
pub fn get(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
) -> AppResult<Assessed> {
    let set = module_on(conn, calendars)?;
    let case = find_visible(conn, actor, id, today)?;
    assess(conn, &set, today, case)
}

/// A change's outcome: the case as changed, or, when the client's version is stale, as it is
/// (for the 412's `current`) with nothing written.
pub enum Changed {
    Done(Assessed),
    Stale(Assessed),
}

/// Loads a case for a write: refused while the module is off, not found unless visible,
/// refused unless the actor may change it, stale (with the case now) unless still at the
/// expected version, refused once closed.
fn for_change(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
    expected: Expected,
) -> AppResult<Result<(Arc<CalendarSet>, Case), Changed>> {
    let set = module_on(conn, calendars)?;
    let case = find_visible(conn, actor, id, today)?;
    if !may_change(conn, actor, &case, today)? {
        return Err(AppError::refuse(
            Code::CaseSupervisorOnly,
            "a case is changed by its supervisor, a manager above the worker or an administrator",
        ));
    }
    if case.version != expected.expect(case.version) {
        return Ok(Err(Changed::Stale(assess(conn, &set, today, case)?)));
    }
    if case.closed_on.is_some() {
        return Err(AppError::refuse(Code::CaseClosed, "the case is closed"));
    }
    Ok(Ok((set, case)))
}

/// Writes a change to a case and its audit event; a write that lost a race is stale.
#[allow(clippy::too_many_arguments)]
fn write_change(
    conn: &mut DbConnection,
    actor: &Actor,
    set: &CalendarSet,
    today: NaiveDate,
    case: &Case,
    change: Change,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<Changed> {
    let updated = match cases::update(conn, case, case.version, change) {
        Err(StoreError::VersionMismatch { .. }) => {
            let now = cases::find(conn, &case.id)?;
            return Ok(Changed::Stale(assess(conn, set, today, now)?));
        }
        other => other?,
    };
    audit::record(
        conn,
        &actor.for_audit(),
        action,
        "case",
        Some(&case.id),
        detail,
    )?;
    Ok(Changed::Done(assess(conn, set, today, updated)?))
}

/// A change of a case's status, dates or supervisor; `None` leaves a value as it is, and
/// `Some(None)` clears a date.
pub struct Amendment {
    pub status: Option<CaseCategory>,
    pub status_since: Option<NaiveDate>,
    pub permanence_plan_on: Option<Option<NaiveDate>>,
    pub review_conference_on: Option<Option<NaiveDate>>,
    pub supervisor_id: Option<String>,
}

impl Amendment {
    /// The terms after the change: a new status starts its own count (from today unless
    /// given) and drops the old status's dates unless given again.
    fn apply(&self, current: CaseTerms, today: NaiveDate) -> CaseTerms {
        let category = self.status.unwrap_or(current.category);
        let new_status = category != current.category;
        let kept = |given: Option<Option<NaiveDate>>, now: Option<NaiveDate>| {
            given.unwrap_or(if new_status { None } else { now })
        };
        CaseTerms {
            category,
            status_since: self.status_since.unwrap_or(if new_status {
                today
            } else {
                current.status_since
            }),
            permanence_plan_on: kept(self.permanence_plan_on, current.permanence_plan_on),
            review_conference_on: kept(self.review_conference_on, current.review_conference_on),
        }
    }
}

/// Changes a case's status, dates or supervisor (its supervisor, a manager above the worker,
/// an administrator), under If-Match.
pub fn change(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
    expected: Expected,
    amendment: Amendment,
) -> AppResult<Changed> {
    let (set, case) = match for_change(conn, actor, calendars, today, id, expected)? {
        Ok(found) => found,
        Err(stale) => return Ok(stale),
    };
    let mut invalid = Invalid::default();
    let terms = invalid.check(check_terms(amendment.apply(case.terms(), today), today));
    let supervisor = amendment
        .supervisor_id
        .as_deref()
        .unwrap_or(&case.supervisor_id);
    if supervisor != case.supervisor_id && !oversees(conn, supervisor, &case.supervisee_id, today)?
    {
        invalid.push("supervisor_id", "must supervise or manage the worker");
    }
    let Some(terms) = terms.filter(|_| invalid.0.is_empty()) else {
        return Err(invalid.into());
    };
    let detail = json!({
        "status": terms.category.as_str(), "status_since": terms.status_since,
        "supervisor_id": supervisor,
    });
    let change = Change::Terms {
        terms,
        supervisor_id: supervisor,
    };
    write_change(
        conn,
        actor,
        &set,
        today,
        &case,
        change,
        "case.changed",
        detail,
    )
}

/// Closes a case on `closed_on` (default today): it is no longer tracked or reminded of, and
/// stays readable. Under If-Match.
pub fn close(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
    expected: Expected,
    closed_on: Option<NaiveDate>,
) -> AppResult<Changed> {
    let (set, case) = match for_change(conn, actor, calendars, today, id, expected)? {
        Ok(found) => found,
        Err(stale) => return Ok(stale),
    };
    let closed_on = closed_on.unwrap_or(today);
    if closed_on > today || closed_on < case.status_since {
        return Err(Invalid::field(
            "closed_on",
            "must be between the day the status began and today",
        )
        .into());
    }
    write_change(
        conn,
        actor,
        &set,
        today,
        &case,
        Change::Close(closed_on),
        "case.closed",
        json!({"closed_on": closed_on}),
    )
}
