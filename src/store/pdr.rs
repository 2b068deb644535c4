//! The performance and development review (PDR-1): SMART goals with their status and
//! progress, and the `pdr` sessions that are its reviews. The cycle, its milestones and the
//! goals a person owes are computed by `domain::pdr`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{self, pdr_goals};
use super::sessions::{self, Session};
use super::{new_id, now, DbConnection, StoreError, StoreResult};
use crate::domain::pdr::{GoalStatus, SmartGoal, MAX_GOALS_PER_CYCLE};
use crate::domain::periods::Period;
use crate::domain::sessions::SessionKind;

/// More `pdr` sessions than any cycle needs (three reviews, a few moved or missed).
const MAX_REVIEWS_PER_CYCLE: i64 = 100;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = pdr_goals)]
pub struct Goal {
    pub id: String,
    pub person_id: String,
    pub title: String,
    pub specific: String,
    pub measurable: String,
    pub achievable: String,
    pub relevant: String,
    pub behaviours: String,
    /// The goal belongs to the cycle this falls in.
    pub due_on: NaiveDate,
    #[diesel(deserialize_as = String)]
    pub status: GoalStatus,
    pub progress: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub fn insert(
    conn: &mut DbConnection,
    person_id: &str,
    goal: &SmartGoal,
    status: GoalStatus,
    progress: &str,
    created_by: &str,
) -> StoreResult<Goal> {
    let id = new_id();
    let at = now();
    diesel::insert_into(pdr_goals::table)
        .values((
            pdr_goals::id.eq(&id),
            pdr_goals::person_id.eq(person_id),
            pdr_goals::title.eq(&goal.title),
            pdr_goals::specific.eq(&goal.specific),
            pdr_goals::measurable.eq(&goal.measurable),
            pdr_goals::achievable.eq(&goal.achievable),
            pdr_goals::relevant.eq(&goal.relevant),
            pdr_goals::behaviours.eq(&goal.behaviours),
            pdr_goals::due_on.eq(goal.due_on),
            pdr_goals::status.eq(status.as_str()),
            pdr_goals::progress.eq(progress),
            pdr_goals::created_by.eq(created_by),
            pdr_goals::created_at.eq(at),
            pdr_goals::updated_at.eq(at),
            pdr_goals::version.eq(1),
        ))
        .execute(conn)?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Goal> {
    pdr_goals::table
        .find(id)
        .select(Goal::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The person's goals due within `cycle`, by due date. A cycle holds at most
/// [`MAX_GOALS_PER_CYCLE`] (creation refuses more), so the list is bounded.
pub fn of_person(
    conn: &mut DbConnection,
    person_id: &str,
    cycle: Period,
) -> StoreResult<Vec<Goal>> {
    Ok(pdr_goals::table
        .filter(pdr_goals::person_id.eq(person_id))
        .filter(pdr_goals::due_on.ge(cycle.starts_on))
        .filter(pdr_goals::due_on.le(cycle.ends_on))
        .order((
            pdr_goals::due_on.asc(),
            pdr_goals::created_at.asc(),
            pdr_goals::id.asc(),
        ))
        .limit(i64::from(MAX_GOALS_PER_CYCLE))
        .select(Goal::as_select())
        .load(conn)?)
}

/// Whether the person's `cycle` can take another goal.
pub fn has_room(conn: &mut DbConnection, person_id: &str, cycle: Period) -> StoreResult<bool> {
    let held: i64 = pdr_goals::table
        .filter(pdr_goals::person_id.eq(person_id))
        .filter(pdr_goals::due_on.ge(cycle.starts_on))
        .filter(pdr_goals::due_on.le(cycle.ends_on))
        .count()
        .get_result(conn)?;
    Ok(held < i64::from(MAX_GOALS_PER_CYCLE))
}

/// What changes: the whole goal (its manager), or its status and progress notes.
pub enum Change<'a> {
    Goal {
        goal: &'a SmartGoal,
        status: GoalStatus,
        progress: &'a str,
    },
    Status {
        status: GoalStatus,
        progress: Option<&'a str>,
    },
}

/// Applies a change if the goal is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    change: Change<'_>,
) -> StoreResult<Goal> {
    let current = find(conn, id)?;
    let target = pdr_goals::table
        .filter(pdr_goals::id.eq(id))
        .filter(pdr_goals::version.eq(expected_version));
    let stamp = (
        pdr_goals::updated_at.eq(now()),
        pdr_goals::version.eq(pdr_goals::version + 1),
    );
    let changed = match change {
        Change::Goal {
            goal,
            status,
            progress,
        } => diesel::update(target)
            .set((
                pdr_goals::title.eq(&goal.title),
                pdr_goals::specific.eq(&goal.specific),
                pdr_goals::measurable.eq(&goal.measurable),
                pdr_goals::achievable.eq(&goal.achievable),
                pdr_goals::relevant.eq(&goal.relevant),
                pdr_goals::behaviours.eq(&goal.behaviours),
                pdr_goals::due_on.eq(goal.due_on),
                pdr_goals::status.eq(status.as_str()),
                pdr_goals::progress.eq(progress),
                stamp,
            ))
            .execute(conn)?,
        Change::Status { status, progress } => diesel::update(target)
            .set((
                pdr_goals::status.eq(status.as_str()),
                pdr_goals::progress.eq(progress.unwrap_or(&current.progress)),
                stamp,
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    find(conn, id)
}

/// The person's `pdr` sessions (as the supervisee) starting in `[from, to)`, UTC, in time
/// order. A cycle holds a handful, so each is read by its id.
pub fn reviews(
    conn: &mut DbConnection,
    person_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<Session>> {
    let ids: Vec<String> = schema::sessions::table
        .filter(schema::sessions::supervisee_id.eq(person_id))
        .filter(schema::sessions::kind.eq(SessionKind::Pdr.as_str()))
        .filter(schema::sessions::starts_at.ge(from))
        .filter(schema::sessions::starts_at.lt(to))
        .order((
            schema::sessions::starts_at.asc(),
            schema::sessions::id.asc(),
        ))
        .limit(MAX_REVIEWS_PER_CYCLE)
        .select(schema::sessions::id)
        .load(conn)?;
    ids.iter().map(|id| sessions::find(conn, id)).collect()
}
