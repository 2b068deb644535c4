//! What a group supervision session covered and who attended (GRP-1).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::schema::{group_attendance, group_records, sessions};
use super::{now, DbConnection, StoreError, StoreResult};
use crate::domain::sessions::{SessionKind, SessionStatus};

/// The record of one group session. Version 0 means none has been written yet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupRecord {
    pub notes: String,
    pub case_references: Vec<String>,
    pub attendees: Vec<String>,
    pub written_by: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
    pub version: i32,
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(
        what.to_string().into(),
    ))
}

pub fn record(conn: &mut DbConnection, session_id: &str) -> StoreResult<GroupRecord> {
    let row: Option<(String, String, String, NaiveDateTime, i32)> = group_records::table
        .find(session_id)
        .select((
            group_records::notes,
            group_records::case_references,
            group_records::written_by,
            group_records::updated_at,
            group_records::version,
        ))
        .get_result(conn)
        .optional()?;
    let Some((notes, references, written_by, updated_at, version)) = row else {
        return Ok(GroupRecord::default());
    };
    let attendees = group_attendance::table
        .filter(group_attendance::session_id.eq(session_id))
        .select(group_attendance::person_id)
        .order(group_attendance::person_id.asc())
        .load(conn)?;
    Ok(GroupRecord {
        notes,
        case_references: serde_json::from_str(&references).map_err(corrupt)?,
        attendees,
        written_by: Some(written_by),
        updated_at: Some(updated_at),
        version,
    })
}

/// What the facilitator writes.
pub struct Write<'a> {
    pub notes: &'a str,
    pub case_references: &'a [String],
    pub attendees: &'a [String],
    pub written_by: &'a str,
}

/// Writes the record if it is still at `expected_version` (0: not written yet); attendance
/// is replaced whole, so the list always says who was there.
pub fn save(
    conn: &mut DbConnection,
    session_id: &str,
    expected_version: i32,
    write: Write<'_>,
) -> StoreResult<GroupRecord> {
    let current = record(conn, session_id)?;
    if current.version != expected_version {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    let at = now();
    let references = serde_json::to_string(write.case_references).map_err(corrupt)?;
    if current.version == 0 {
        diesel::insert_into(group_records::table)
            .values((
                group_records::session_id.eq(session_id),
                group_records::notes.eq(write.notes),
                group_records::case_references.eq(&references),
                group_records::written_by.eq(write.written_by),
                group_records::created_at.eq(at),
                group_records::updated_at.eq(at),
                group_records::version.eq(1),
            ))
            .execute(conn)
            .map_err(|e| StoreError::unique_as_conflict(e, "the record was written meanwhile"))?;
    } else {
        let changed = diesel::update(
            group_records::table
                .filter(group_records::session_id.eq(session_id))
                .filter(group_records::version.eq(expected_version)),
        )
        .set((
            group_records::notes.eq(write.notes),
            group_records::case_references.eq(&references),
            group_records::written_by.eq(write.written_by),
            group_records::updated_at.eq(at),
            group_records::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::VersionMismatch {
                current: current.version,
            });
        }
    }
    diesel::delete(group_attendance::table.filter(group_attendance::session_id.eq(session_id)))
        .execute(conn)?;
    // One row at a time: batch inserts are not available over both backends at once.
    for person in write.attendees {
        diesel::insert_into(group_attendance::table)
            .values((
                group_attendance::session_id.eq(session_id),
                group_attendance::person_id.eq(person),
            ))
            .execute(conn)?;
    }
    record(conn, session_id)
}

/// Held group sessions attended per person from `from` to before `to` (UTC), counted by the
/// database. `people` None means everyone.
pub fn attendance(
    conn: &mut DbConnection,
    people: Option<&[String]>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = super::for_ids(people, |chunk| {
        let mut query = group_attendance::table
            .inner_join(sessions::table)
            .filter(sessions::kind.eq(SessionKind::Group.as_str()))
            .filter(sessions::status.eq(SessionStatus::Held.as_str()))
            .filter(sessions::starts_at.ge(from))
            .filter(sessions::starts_at.lt(to))
            .group_by(group_attendance::person_id)
            .select((group_attendance::person_id, count_star()))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(group_attendance::person_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    Ok(rows.into_iter().collect())
}

/// When the person attended held group sessions, from `from` to before `to` (UTC).
pub fn attended_at(
    conn: &mut DbConnection,
    person_id: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<NaiveDateTime>> {
    Ok(group_attendance::table
        .inner_join(sessions::table)
        .filter(group_attendance::person_id.eq(person_id))
        .filter(sessions::kind.eq(SessionKind::Group.as_str()))
        .filter(sessions::status.eq(SessionStatus::Held.as_str()))
        .filter(sessions::starts_at.ge(from))
        .filter(sessions::starts_at.lt(to))
        .select(sessions::starts_at)
        .order(sessions::starts_at.asc())
        .load(conn)?)
}
