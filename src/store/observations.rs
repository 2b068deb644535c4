//! Observations of practice (OBS-1): what a supervisor saw, the feedback, and the
//! supervisee's own reflection on it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::observations;
use super::{new_id, now, DbConnection, StoreError, StoreResult};
use crate::domain::observations::ObservationSetting;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = observations)]
pub struct Observation {
    pub id: String,
    pub supervisee_id: String,
    pub observer_id: String,
    pub observed_on: NaiveDate,
    #[diesel(deserialize_as = String)]
    pub setting: ObservationSetting,
    pub feedback: String,
    pub learning: String,
    pub session_id: Option<String>,
    pub record_id: Option<String>,
    pub supervisee_reflection: Option<String>,
    pub reflected_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub struct NewObservation<'a> {
    pub supervisee_id: &'a str,
    pub observer_id: &'a str,
    pub observed_on: NaiveDate,
    pub setting: ObservationSetting,
    pub feedback: &'a str,
    pub learning: &'a str,
    pub session_id: Option<&'a str>,
    pub record_id: Option<&'a str>,
}

pub fn insert(conn: &mut DbConnection, new: NewObservation<'_>) -> StoreResult<Observation> {
    let id = new_id();
    let at = now();
    diesel::insert_into(observations::table)
        .values((
            observations::id.eq(&id),
            observations::supervisee_id.eq(new.supervisee_id),
            observations::observer_id.eq(new.observer_id),
            observations::observed_on.eq(new.observed_on),
            observations::setting.eq(new.setting.as_str()),
            observations::feedback.eq(new.feedback),
            observations::learning.eq(new.learning),
            observations::session_id.eq(new.session_id),
            observations::record_id.eq(new.record_id),
            observations::created_at.eq(at),
            observations::updated_at.eq(at),
            observations::version.eq(1),
        ))
        .execute(conn)?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Observation> {
    observations::table
        .find(id)
        .select(Observation::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// A person's observations between two dates (inclusive), newest first.
pub fn of_supervisee(
    conn: &mut DbConnection,
    supervisee_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<Observation>> {
    Ok(observations::table
        .filter(observations::supervisee_id.eq(supervisee_id))
        .filter(observations::observed_on.ge(from))
        .filter(observations::observed_on.le(to))
        .order((observations::observed_on.desc(), observations::id.desc()))
        .select(Observation::as_select())
        .load(conn)?)
}

/// What changes: the observer's feedback, or the supervisee's reflection.
pub enum Change<'a> {
    Feedback {
        feedback: &'a str,
        learning: &'a str,
    },
    Reflection(&'a str),
}

/// Applies a change if the observation is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    change: Change<'_>,
) -> StoreResult<Observation> {
    let target = observations::table
        .filter(observations::id.eq(id))
        .filter(observations::version.eq(expected_version));
    let stamp = (
        observations::updated_at.eq(now()),
        observations::version.eq(observations::version + 1),
    );
    let changed = match change {
        Change::Feedback { feedback, learning } => diesel::update(target)
            .set((
                observations::feedback.eq(feedback),
                observations::learning.eq(learning),
                stamp,
            ))
            .execute(conn)?,
        Change::Reflection(text) => diesel::update(target)
            .set((
                observations::supervisee_reflection.eq(text),
                observations::reflected_at.eq(now()),
                stamp,
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: find(conn, id)?.version,
        });
    }
    find(conn, id)
}
