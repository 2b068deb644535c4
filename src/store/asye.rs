//! The ASYE year (ASYE-1): the programme's settings, pauses, evidence and protected
//! development time. The timeline itself is computed by `domain::asye`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{asye_evidence, asye_pauses, asye_programmes, asye_time};
use super::{new_id, now, DbConnection, StoreError, StoreResult};
use crate::domain::asye::{EvidenceKind, Pause};

/// A 12-month programme at 37 hours a week unless set otherwise.
pub const DEFAULT_MONTHS: i32 = 12;
pub const DEFAULT_WEEKLY_MINUTES: i32 = 37 * 60;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = asye_programmes)]
pub struct Programme {
    pub person_id: String,
    pub programme_months: i32,
    pub weekly_minutes: i32,
    pub updated_at: NaiveDateTime,
    /// 0 while the defaults apply and nothing is stored.
    pub version: i32,
}

/// The person's programme, or the defaults.
pub fn programme(conn: &mut DbConnection, person_id: &str) -> StoreResult<Programme> {
    Ok(asye_programmes::table
        .find(person_id)
        .select(Programme::as_select())
        .get_result(conn)
        .optional()?
        .unwrap_or_else(|| Programme {
            person_id: person_id.to_string(),
            programme_months: DEFAULT_MONTHS,
            weekly_minutes: DEFAULT_WEEKLY_MINUTES,
            updated_at: NaiveDateTime::default(),
            version: 0,
        }))
}

/// Sets the programme if it is still at `expected_version` (0: never set).
pub fn set_programme(
    conn: &mut DbConnection,
    person_id: &str,
    expected_version: i32,
    programme_months: i32,
    weekly_minutes: i32,
) -> StoreResult<Programme> {
    let current = programme(conn, person_id)?;
    if current.version != expected_version {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    if current.version == 0 {
        diesel::insert_into(asye_programmes::table)
            .values((
                asye_programmes::person_id.eq(person_id),
                asye_programmes::programme_months.eq(programme_months),
                asye_programmes::weekly_minutes.eq(weekly_minutes),
                asye_programmes::updated_at.eq(now()),
                asye_programmes::version.eq(1),
            ))
            .execute(conn)
            .map_err(|e| StoreError::unique_as_conflict(e, "set at the same moment"))?;
    } else {
        let changed = diesel::update(
            asye_programmes::table
                .filter(asye_programmes::person_id.eq(person_id))
                .filter(asye_programmes::version.eq(expected_version)),
        )
        .set((
            asye_programmes::programme_months.eq(programme_months),
            asye_programmes::weekly_minutes.eq(weekly_minutes),
            asye_programmes::updated_at.eq(now()),
            asye_programmes::version.eq(asye_programmes::version + 1),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::VersionMismatch {
                current: programme(conn, person_id)?.version,
            });
        }
    }
    programme(conn, person_id)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = asye_pauses)]
pub struct StoredPause {
    pub id: String,
    pub person_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl StoredPause {
    pub fn pause(&self) -> Pause {
        Pause {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

pub fn pauses(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<StoredPause>> {
    Ok(asye_pauses::table
        .filter(asye_pauses::person_id.eq(person_id))
        .order(asye_pauses::starts_on.asc())
        .select(StoredPause::as_select())
        .load(conn)?)
}

pub fn add_pause(
    conn: &mut DbConnection,
    person_id: &str,
    pause: Pause,
    reason: &str,
    by: &str,
) -> StoreResult<()> {
    diesel::insert_into(asye_pauses::table)
        .values((
            asye_pauses::id.eq(new_id()),
            asye_pauses::person_id.eq(person_id),
            asye_pauses::starts_on.eq(pause.starts_on),
            asye_pauses::ends_on.eq(pause.ends_on),
            asye_pauses::reason.eq(reason),
            asye_pauses::created_by.eq(by),
            asye_pauses::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends the open pause on `ends_on`; false when none is open.
pub fn end_pause(
    conn: &mut DbConnection,
    person_id: &str,
    ends_on: NaiveDate,
) -> StoreResult<bool> {
    let changed = diesel::update(
        asye_pauses::table
            .filter(asye_pauses::person_id.eq(person_id))
            .filter(asye_pauses::ends_on.is_null()),
    )
    .set(asye_pauses::ends_on.eq(ends_on))
    .execute(conn)?;
    Ok(changed > 0)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = asye_evidence)]
pub struct Evidence {
    pub id: String,
    pub person_id: String,
    #[diesel(deserialize_as = String)]
    pub kind: EvidenceKind,
    pub title: String,
    pub received_on: NaiveDate,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn evidence(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<Evidence>> {
    Ok(asye_evidence::table
        .filter(asye_evidence::person_id.eq(person_id))
        .order((asye_evidence::received_on.asc(), asye_evidence::id.asc()))
        .select(Evidence::as_select())
        .load(conn)?)
}

pub fn add_evidence(
    conn: &mut DbConnection,
    person_id: &str,
    kind: EvidenceKind,
    title: &str,
    received_on: NaiveDate,
    by: &str,
) -> StoreResult<()> {
    diesel::insert_into(asye_evidence::table)
        .values((
            asye_evidence::id.eq(new_id()),
            asye_evidence::person_id.eq(person_id),
            asye_evidence::kind.eq(kind.as_str()),
            asye_evidence::title.eq(title),
            asye_evidence::received_on.eq(received_on),
            asye_evidence::created_by.eq(by),
            asye_evidence::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Logs protected development time.
pub fn log_time(
    conn: &mut DbConnection,
    person_id: &str,
    taken_on: NaiveDate,
    minutes: i32,
    activity: &str,
) -> StoreResult<()> {
    diesel::insert_into(asye_time::table)
        .values((
            asye_time::id.eq(new_id()),
            asye_time::person_id.eq(person_id),
            asye_time::taken_on.eq(taken_on),
            asye_time::minutes.eq(minutes),
            asye_time::activity.eq(activity),
            asye_time::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Minutes of protected time logged in all.
pub fn logged_minutes(conn: &mut DbConnection, person_id: &str) -> StoreResult<i64> {
    let total: Option<i64> = asye_time::table
        .filter(asye_time::person_id.eq(person_id))
        .select(diesel::dsl::sum(asye_time::minutes))
        .get_result(conn)?;
    Ok(total.unwrap_or(0))
}
