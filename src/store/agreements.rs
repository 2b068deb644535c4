//! Supervision agreements (AGR-1, AGR-2).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use diesel::prelude::*;

use super::organisation::{interval_columns, interval_from_columns};
use super::schema::agreements;
use super::stamp::{Day, Stamp};
use super::{now, DbConnection, StoreError, StoreResult};
use crate::domain::policy::Interval;
use crate::domain::sessions::{
    agreement_in_force, agreement_status, AgreementKind, AgreementStatus, Party,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub id: String,
    pub supervisee_id: String,
    pub supervisor_id: String,
    pub kind: AgreementKind,
    /// How often the two meet (the plan's cadence); never less often than the policy.
    pub frequency: Interval,
    pub session_minutes: i32,
    pub usual_weekday: Weekday,
    pub usual_time: NaiveTime,
    pub place: String,
    pub agenda: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub supervisor_signed_at: Option<NaiveDateTime>,
    pub supervisee_signed_at: Option<NaiveDateTime>,
    pub end_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl Agreement {
    pub fn status(&self, today: NaiveDate) -> AgreementStatus {
        self.terms().status(today)
    }

    /// Whether it gives the supervisor authority over the supervisee on `date` (AGR-3).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.terms().in_force(date)
    }

    pub fn terms(&self) -> Terms {
        Terms {
            id: self.id.clone(),
            supervisee_id: self.supervisee_id.clone(),
            supervisor_id: self.supervisor_id.clone(),
            kind: self.kind,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            supervisor_signed: self.supervisor_signed_at.is_some(),
            supervisee_signed: self.supervisee_signed_at.is_some(),
        }
    }

    pub fn party(&self, person_id: &str) -> Option<Party> {
        if person_id == self.supervisor_id {
            Some(Party::Supervisor)
        } else if person_id == self.supervisee_id {
            Some(Party::Supervisee)
        } else {
            None
        }
    }
}

/// What a supervision status needs of an agreement (FREQ-4, AGR-2): read alone for status
/// lists, which would otherwise load every agreement's agenda and timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub id: String,
    pub supervisee_id: String,
    pub supervisor_id: String,
    pub kind: AgreementKind,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub supervisor_signed: bool,
    pub supervisee_signed: bool,
}

impl Terms {
    pub fn status(&self, today: NaiveDate) -> AgreementStatus {
        agreement_status(
            self.supervisor_signed,
            self.supervisee_signed,
            self.ends_on,
            today,
        )
    }

    /// Whether it gives the supervisor authority over the supervisee on `date` (AGR-3).
    pub fn in_force(&self, date: NaiveDate) -> bool {
        agreement_in_force(
            self.supervisor_signed,
            self.supervisee_signed,
            self.starts_on,
            self.ends_on,
            date,
        )
    }
}

/// The columns [`Terms`] is read from, for reads that add columns of their own.
pub(super) type TermsColumns = (
    agreements::id,
    agreements::supervisee_id,
    agreements::supervisor_id,
    agreements::kind,
    agreements::starts_on,
    agreements::ends_on,
    diesel::dsl::IsNotNull<agreements::supervisor_signed_at>,
    diesel::dsl::IsNotNull<agreements::supervisee_signed_at>,
);

pub(super) fn terms_columns() -> TermsColumns {
    (
        agreements::id,
        agreements::supervisee_id,
        agreements::supervisor_id,
        agreements::kind,
        agreements::starts_on,
        agreements::ends_on,
        agreements::supervisor_signed_at.is_not_null(),
        agreements::supervisee_signed_at.is_not_null(),
    )
}

/// What [`TermsColumns`] reads.
pub(super) type TermsRow = (String, String, String, String, Day, Option<Day>, bool, bool);

pub(super) fn terms_from(row: TermsRow) -> StoreResult<Terms> {
    let (
        id,
        supervisee_id,
        supervisor_id,
        kind,
        starts_on,
        ends_on,
        supervisor_signed,
        supervisee_signed,
    ) = row;
    Ok(Terms {
        id,
        supervisee_id,
        supervisor_id,
        kind: kind.parse().map_err(corrupt)?,
        starts_on: starts_on.into(),
        ends_on: ends_on.map(Into::into),
        supervisor_signed,
        supervisee_signed,
    })
}

/// The terms of every agreement, in one pass over the table (the organisation's report: IN
/// lists would name most of it). A caseload's come with their sessions from
/// `sessions::frequency_sessions`.
pub fn all_terms(conn: &mut DbConnection) -> StoreResult<Vec<Terms>> {
    agreements::table
        .select(terms_columns())
        .load::<TermsRow>(conn)?
        .into_iter()
        .map(terms_from)
        .collect()
}

type Row = (
    (
        String,
        String,
        String,
        String,
        String,
        i32,
        i32,
        i32,
        String,
        String,
    ),
    (String, Day, Option<Day>, Option<Stamp>, Option<Stamp>),
    (Option<String>, String, Stamp, Stamp, i32),
);

macro_rules! columns {
    () => {
        (
            (
                agreements::id,
                agreements::supervisee_id,
                agreements::supervisor_id,
                agreements::kind,
                agreements::interval_kind,
                agreements::interval_value,
                agreements::session_minutes,
                agreements::usual_weekday,
                agreements::usual_time,
                agreements::place,
            ),
            (
                agreements::agenda,
                agreements::starts_on,
                agreements::ends_on,
                agreements::supervisor_signed_at,
                agreements::supervisee_signed_at,
            ),
            (
                agreements::end_reason,
                agreements::created_by,
                agreements::created_at,
                agreements::updated_at,
                agreements::version,
            ),
        )
    };
}

fn corrupt(what: String) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(what.into()))
}

fn from_row(row: Row) -> StoreResult<Agreement> {
    let (a, b, c) = row;
    let weekday = u8::try_from(a.7)
        .ok()
        .and_then(|n| Weekday::try_from(n.wrapping_sub(1)).ok())
        .ok_or_else(|| corrupt(format!("weekday {}", a.7)))?;
    Ok(Agreement {
        id: a.0,
        supervisee_id: a.1,
        supervisor_id: a.2,
        kind: a.3.parse().map_err(corrupt)?,
        frequency: interval_from_columns(&a.4, a.5)?,
        session_minutes: a.6,
        usual_weekday: weekday,
        usual_time: NaiveTime::parse_from_str(&a.8, "%H:%M")
            .map_err(|_| corrupt(format!("time {}", a.8)))?,
        place: a.9,
        agenda: b.0,
        starts_on: b.1.into(),
        ends_on: b.2.map(Into::into),
        supervisor_signed_at: b.3.map(Into::into),
        supervisee_signed_at: b.4.map(Into::into),
        end_reason: c.0,
        created_by: c.1,
        created_at: c.2.into(),
        updated_at: c.3.into(),
        version: c.4,
    })
}

#[derive(Debug, Clone)]
pub struct NewAgreement {
    pub supervisee_id: String,
    pub supervisor_id: String,
    pub kind: AgreementKind,
    pub frequency: Interval,
    pub session_minutes: i32,
    pub usual_weekday: Weekday,
    pub usual_time: NaiveTime,
    pub place: String,
    pub agenda: String,
    pub starts_on: NaiveDate,
    pub created_by: String,
}

pub fn insert(conn: &mut DbConnection, new: NewAgreement) -> StoreResult<Agreement> {
    let id = super::new_id();
    let at = now();
    let (interval_kind, interval_value) = interval_columns(new.frequency);
    diesel::insert_into(agreements::table)
        .values((
            (
                agreements::id.eq(&id),
                agreements::supervisee_id.eq(&new.supervisee_id),
                agreements::supervisor_id.eq(&new.supervisor_id),
                agreements::kind.eq(new.kind.as_str()),
                agreements::interval_kind.eq(interval_kind),
                agreements::interval_value.eq(interval_value),
                agreements::session_minutes.eq(new.session_minutes),
                agreements::usual_weekday.eq(new.usual_weekday.number_from_monday() as i32),
                agreements::usual_time.eq(new.usual_time.format("%H:%M").to_string()),
                agreements::place.eq(&new.place),
            ),
            (
                agreements::agenda.eq(&new.agenda),
                agreements::starts_on.eq(new.starts_on),
                agreements::created_by.eq(&new.created_by),
                agreements::created_at.eq(at),
                agreements::updated_at.eq(at),
                agreements::version.eq(1),
            ),
        ))
        .execute(conn)?;
    replan_parties(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Agreement> {
    agreements::table
        .find(id)
        .select(columns!())
        .get_result::<Row>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
        .and_then(from_row)
}

/// Agreements where the person is supervisor or supervisee, newest first.
pub fn for_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<Agreement>> {
    agreements::table
        .filter(
            agreements::supervisee_id
                .eq(person_id)
                .or(agreements::supervisor_id.eq(person_id)),
        )
        .order((agreements::starts_on.desc(), agreements::id.desc()))
        .select(columns!())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect()
}

/// Every agreement of these supervisees (for status lists).
pub fn for_supervisees(
    conn: &mut DbConnection,
    supervisee_ids: &[String],
) -> StoreResult<Vec<Agreement>> {
    let mut all = Vec::new();
    // Bounded IN lists keep within every backend's bind-parameter limit.
    for chunk in supervisee_ids.chunks(5_000) {
        let rows = agreements::table
            .filter(agreements::supervisee_id.eq_any(chunk))
            .select(columns!())
            .load::<Row>(conn)?;
        for row in rows {
            all.push(from_row(row)?);
        }
    }
    Ok(all)
}

/// Records one party's signature if the agreement is still at `expected_version`.
pub fn sign(
    conn: &mut DbConnection,
    id: &str,
    party: Party,
    expected_version: i32,
) -> StoreResult<Agreement> {
    let at = Some(now());
    let target = agreements::table
        .filter(agreements::id.eq(id))
        .filter(agreements::version.eq(expected_version));
    let bump = (
        agreements::updated_at.eq(now()),
        agreements::version.eq(agreements::version + 1),
    );
    let changed = match party {
        Party::Supervisor => diesel::update(target)
            .set((agreements::supervisor_signed_at.eq(at), bump))
            .execute(conn)?,
        Party::Supervisee => diesel::update(target)
            .set((agreements::supervisee_signed_at.eq(at), bump))
            .execute(conn)?,
    };
    if changed == 0 {
        let current = find(conn, id)?;
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    replan_parties(conn, id)
}

/// Ends an agreement on `ends_on` (the first day it no longer applies), if it is still at
/// `expected_version` (or at whatever version it is, for an end the system makes itself).
pub fn end(
    conn: &mut DbConnection,
    id: &str,
    ends_on: NaiveDate,
    reason: &str,
    expected_version: Option<i32>,
) -> StoreResult<Agreement> {
    let current = find(conn, id)?;
    let version = expected_version.unwrap_or(current.version);
    let changed = diesel::update(
        agreements::table
            .filter(agreements::id.eq(id))
            .filter(agreements::version.eq(version)),
    )
    .set((
        agreements::ends_on.eq(Some(ends_on)),
        agreements::end_reason.eq(Some(reason)),
        agreements::updated_at.eq(now()),
        agreements::version.eq(agreements::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    replan_parties(conn, id)
}

/// Signing, ending or making an agreement changes both parties' reminders.
fn replan_parties(conn: &mut DbConnection, id: &str) -> StoreResult<Agreement> {
    let agreement = find(conn, id)?;
    let at = now();
    super::reminders::touch(conn, &agreement.supervisor_id, at)?;
    super::reminders::touch(conn, &agreement.supervisee_id, at)?;
    Ok(agreement)
}
