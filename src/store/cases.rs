//! Case supervision (CASE-1): the cases supervisors track, and which records discussed which
//! case, kept in step with each record's latest content. The frequency rules live in
//! `domain::cases`.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;

use super::schema::{cases, record_case_discussions};
use super::{new_id, now, DbConnection, StoreError, StoreResult, MAX_IN_LIST};
use crate::domain::cases::{CaseCategory, CaseTerms};
use crate::domain::records::Content;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: String,
    pub case_reference: String,
    /// The allocated worker, whose records' case discussions count.
    pub supervisee_id: String,
    /// Who registered the case and hears its reminders.
    pub supervisor_id: String,
    #[diesel(deserialize_as = String)]
    pub status: CaseCategory,
    pub status_since: NaiveDate,
    pub permanence_plan_on: Option<NaiveDate>,
    pub review_conference_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl Case {
    pub fn terms(&self) -> CaseTerms {
        CaseTerms {
            category: self.status,
            status_since: self.status_since,
            permanence_plan_on: self.permanence_plan_on,
            review_conference_on: self.review_conference_on,
        }
    }
}

pub struct NewCase<'a> {
    pub case_reference: &'a str,
    pub supervisee_id: &'a str,
    pub supervisor_id: &'a str,
    pub terms: CaseTerms,
}

pub fn insert(conn: &mut DbConnection, new: NewCase<'_>) -> StoreResult<Case> {
    let id = new_id();
    let at = now();
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(&id),
            cases::case_reference.eq(new.case_reference),
            cases::supervisee_id.eq(new.supervisee_id),
            cases::supervisor_id.eq(new.supervisor_id),
            cases::status.eq(new.terms.category.as_str()),
            cases::status_since.eq(new.terms.status_since),
            cases::permanence_plan_on.eq(new.terms.permanence_plan_on),
            cases::review_conference_on.eq(new.terms.review_conference_on),
            cases::created_by.eq(new.supervisor_id),
            cases::created_at.eq(at),
            cases::updated_at.eq(at),
            cases::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| {
            StoreError::unique_as_conflict(
                e,
                "this worker already has an open case with this reference",
            )
        })?;
    super::reminders::touch(conn, new.supervisor_id, at)?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Case> {
    cases::table
        .find(id)
        .select(Case::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// What a change writes: the case's terms and supervisor, or its closing date.
pub enum Change<'a> {
    Terms {
        terms: CaseTerms,
        supervisor_id: &'a str,
    },
    Close(NaiveDate),
}

/// Applies a change if the case is still at `expected_version`, and replans its
/// supervisors' reminders (the one before a handover too).
pub fn update(
    conn: &mut DbConnection,
    case: &Case,
    expected_version: i32,
    change: Change<'_>,
) -> StoreResult<Case> {
    let target = cases::table
        .filter(cases::id.eq(&case.id))
        .filter(cases::version.eq(expected_version));
    let stamp = (
        cases::updated_at.eq(now()),
        cases::version.eq(cases::version + 1),
    );
    let changed = match change {
        Change::Terms {
            terms,
            supervisor_id,
        } => diesel::update(target)
            .set((
                cases::supervisor_id.eq(supervisor_id),
                cases::status.eq(terms.category.as_str()),
                cases::status_since.eq(terms.status_since),
                cases::permanence_plan_on.eq(terms.permanence_plan_on),
                cases::review_conference_on.eq(terms.review_conference_on),
                stamp,
            ))
            .execute(conn)?,
        Change::Close(on) => diesel::update(target.filter(cases::closed_on.is_null()))
            .set((cases::closed_on.eq(on), stamp))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: find(conn, &case.id)?.version,
        });
    }
    let updated = find(conn, &case.id)?;
    for supervisor in [&case.supervisor_id, &updated.supervisor_id] {
        super::reminders::touch(conn, supervisor, now())?;
    }
    Ok(updated)
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub supervisor_id: Option<String>,
    pub supervisee_id: Option<String>,
    pub statuses: Vec<CaseCategory>,
    pub include_closed: bool,
}

/// The most cases one list reads: far more than one supervisor or worker holds.
pub const MAX_LISTED: i64 = 5_000;

/// Every case the filter matches (at most [`MAX_LISTED`]), oldest registration first.
/// Standing and due dates are computed, so callers page after assessing.
pub fn list(conn: &mut DbConnection, filter: &Filter) -> StoreResult<Vec<Case>> {
    let mut query = cases::table.into_boxed();
    if let Some(supervisor) = &filter.supervisor_id {
        query = query.filter(cases::supervisor_id.eq(supervisor.clone()));
    }
    if let Some(supervisee) = &filter.supervisee_id {
        query = query.filter(cases::supervisee_id.eq(supervisee.clone()));
    }
    if !filter.statuses.is_empty() {
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(cases::status.eq_any(statuses));
    }
    if !filter.include_closed {
        query = query.filter(cases::closed_on.is_null());
    }
    Ok(query
        .order((cases::created_at.asc(), cases::id.asc()))
        .select(Case::as_select())
        .limit(MAX_LISTED)
        .load(conn)?)
}

/// The latest discussion of each case in any record of its worker, in one grouped query per
/// few thousand cases: (worker, reference) to the date.
pub fn last_discussed(
    conn: &mut DbConnection,
    cases: &[Case],
) -> StoreResult<HashMap<(String, String), NaiveDate>> {
    let mut found = HashMap::new();
    // Two IN lists share the bind-parameter budget.
    for chunk in cases.chunks(MAX_IN_LIST / 2) {
        let supervisees: BTreeSet<&str> = chunk.iter().map(|c| c.supervisee_id.as_str()).collect();
        let references: BTreeSet<&str> = chunk.iter().map(|c| c.case_reference.as_str()).collect();
        let rows: Vec<(String, String, Option<NaiveDate>)> = record_case_discussions::table
            .filter(record_case_discussions::supervisee_id.eq_any(supervisees))
            .filter(record_case_discussions::case_reference.eq_any(references))
            .group_by((
                record_case_discussions::supervisee_id,
                record_case_discussions::case_reference,
            ))
            .select((
                record_case_discussions::supervisee_id,
                record_case_discussions::case_reference,
                max(record_case_discussions::discussed_on),
            ))
            .load(conn)?;
        for (supervisee, reference, on) in rows {
            if let Some(on) = on {
                found.insert((supervisee, reference), on);
            }
        }
    }
    Ok(found)
}

/// Keeps a record's case discussions in step with its latest content: every save replaces
/// them, so a draft edited to drop a case no longer counts as discussing it. A discussion
/// counts on the day the session was held. Supervisors of the cases affected are replanned.
pub fn replace_discussions(
    conn: &mut DbConnection,
    record_id: &str,
    supervisee_id: &str,
    held_on: NaiveDate,
    content: &Content,
) -> StoreResult<()> {
    let before: Vec<String> = record_case_discussions::table
        .filter(record_case_discussions::record_id.eq(record_id))
        .select(record_case_discussions::case_reference)
        .load(conn)?;
    let after: BTreeSet<&str> = content
        .case_discussions
        .iter()
        .map(|c| c.case_reference.as_str())
        .collect();
    if before.len() == after.len() && before.iter().all(|r| after.contains(r.as_str())) {
        return Ok(());
    }
    diesel::delete(
        record_case_discussions::table.filter(record_case_discussions::record_id.eq(record_id)),
    )
    .execute(conn)?;
    // One row at a time: diesel's multi-row insert does not build over both backends.
    for reference in &after {
        diesel::insert_into(record_case_discussions::table)
            .values((
                record_case_discussions::record_id.eq(record_id),
                record_case_discussions::case_reference.eq(*reference),
                record_case_discussions::supervisee_id.eq(supervisee_id),
                record_case_discussions::discussed_on.eq(held_on),
            ))
            .execute(conn)?;
    }
    let affected: BTreeSet<&str> = before
        .iter()
        .map(String::as_str)
        .chain(after.iter().copied())
        .collect();
    let supervisors: Vec<String> = cases::table
        .filter(cases::supervisee_id.eq(supervisee_id))
        .filter(cases::case_reference.eq_any(affected))
        .filter(cases::closed_on.is_null())
        .select(cases::supervisor_id)
        .distinct()
        .load(conn)?;
    let at = now();
    for supervisor in supervisors {
        super::reminders::touch(conn, &supervisor, at)?;
    }
    Ok(())
}

/// Replans everyone who supervises an open case: the module was turned on or off.
pub fn touch_supervisors(conn: &mut DbConnection) -> StoreResult<()> {
    let supervisors: Vec<String> = cases::table
        .filter(cases::closed_on.is_null())
        .select(cases::supervisor_id)
        .distinct()
        .load(conn)?;
    let at = now();
    for supervisor in supervisors {
        super::reminders::touch(conn, &supervisor, at)?;
    }
    Ok(())
}
