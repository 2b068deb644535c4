//! The rows compliance reports (RPT-1) are made from, for a set of supervisees over a period.
//! Each comes from one query over indexed columns, grouped in the database where a count is
//! all that is needed, or bounded to the period where the rules need dates. No record
//! content is read. Putting the figures together, and the rules' verdicts on them, is the
//! application layer's query (`app::reports`).

use std::collections::HashMap;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::dsl::{self, case_when, count_star, max, min};
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::schema::{observations, records, reflective_entries, session_changes, sessions, teams};
use super::{for_ids, DbConnection, StoreError, StoreResult};
use crate::domain::compliance::{ChangeFact, RecordFigures};
use crate::domain::observations::ObservationSetting;
use crate::domain::people::DEFAULT_TIME_ZONE;
use crate::domain::periods::Period;
use crate::domain::records::RecordStatus;
use crate::domain::scheduling::local_to_utc;
use crate::domain::sessions::{ChangeAction, ChangeReason, SessionKind, SessionStatus};

pub fn organisation_zone() -> chrono_tz::Tz {
    DEFAULT_TIME_ZONE
        .parse()
        .unwrap_or(chrono_tz::Europe::London)
}

/// Midnight starting `date` in the organisation's zone, in UTC.
pub fn midnight(date: NaiveDate) -> NaiveDateTime {
    local_to_utc(date, NaiveTime::MIN, organisation_zone())
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(
        what.to_string().into(),
    ))
}

/// A count from the database as a figure.
pub fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Per agreement: the start of each held formal 1:1.
pub type HeldRows = HashMap<String, Vec<NaiveDateTime>>;

/// Held formal 1:1s per agreement from `from` to before `to`, read from the covering index
/// `sessions_report_idx` alone: each one from the day before the period starts (a day's
/// margin for each person's own zone), and before that only the latest, which is all a
/// breach walk needs of the look-back.
pub fn held_sessions(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    from: NaiveDateTime,
    period_starts_on: NaiveDate,
    to: NaiveDateTime,
) -> StoreResult<HeldRows> {
    let split = midnight(period_starts_on - Days::new(1)).max(from);
    let held_1to1 = || {
        sessions::table
            .filter(sessions::kind.eq(SessionKind::OneToOne.as_str()))
            .filter(sessions::status.eq(SessionStatus::Held.as_str()))
    };
    let latest_before: Vec<(Option<String>, Option<NaiveDateTime>)> = for_ids(scope, |chunk| {
        let mut query = held_1to1()
            .filter(sessions::starts_at.ge(from))
            .filter(sessions::starts_at.lt(split))
            .group_by(sessions::agreement_id)
            .select((sessions::agreement_id, max(sessions::starts_at)))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(sessions::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    let each: Vec<(Option<String>, NaiveDateTime)> = for_ids(scope, |chunk| {
        let mut query = held_1to1()
            .filter(sessions::starts_at.ge(split))
            .filter(sessions::starts_at.lt(to))
            .select((sessions::agreement_id, sessions::starts_at))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(sessions::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    let mut held: HeldRows = HashMap::new();
    let rows = latest_before
        .into_iter()
        .filter_map(|(agreement, at)| Some((agreement, at?)))
        .chain(each);
    for (agreement, at) in rows {
        if let Some(agreement) = agreement {
            held.entry(agreement).or_default().push(at);
        }
    }
    Ok(held)
}

/// Cancellations, misses and moves of the supervisees' 1:1s recorded since `since`, earliest
/// first, with the time each session was planned for (UTC) before the change. Driven by
/// `session_changes_report_idx`; each change carries its session's kind and supervisee, so
/// no change is joined to its session.
pub fn changes_of(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    since: NaiveDateTime,
) -> StoreResult<HashMap<String, Vec<(NaiveDateTime, ChangeFact)>>> {
    type Row = (
        Option<String>,
        String,
        String,
        Option<NaiveDateTime>,
        Option<String>,
        Option<String>,
        bool,
    );
    let actions = [
        ChangeAction::Cancelled.as_str(),
        ChangeAction::Missed.as_str(),
        ChangeAction::Moved.as_str(),
        ChangeAction::Proposed.as_str(),
    ];
    let rows: Vec<Row> = for_ids(scope, |chunk| {
        let mut query = session_changes::table
            .filter(session_changes::session_kind.eq(SessionKind::OneToOne.as_str()))
            .filter(session_changes::action.eq_any(actions))
            .filter(session_changes::acted_at.ge(since))
            .order((session_changes::acted_at.asc(), session_changes::id.asc()))
            .select((
                session_changes::supervisee_id,
                session_changes::session_id,
                session_changes::action,
                session_changes::from_starts_at,
                session_changes::reason,
                session_changes::justification,
                session_changes::breach,
            ))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(session_changes::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    let mut out: HashMap<String, Vec<(NaiveDateTime, ChangeFact)>> = HashMap::new();
    for (person, session_id, action, planned_at, reason, justification, breach) in rows {
        // Every change of these kinds records when the session was planned for.
        let (Some(person), Some(planned_at)) = (person, planned_at) else {
            continue;
        };
        let fact = ChangeFact {
            session_id,
            action: action.parse().map_err(corrupt)?,
            // Replaced from the UTC time by the caller, in the person's zone.
            planned_on: NaiveDate::MIN,
            reason: reason.map(|r| r.parse()).transpose().map_err(corrupt)?,
            justification,
            breach,
        };
        out.entry(person).or_default().push((planned_at, fact));
    }
    Ok(out)
}

/// Cancelled 1:1s recorded in the period, counted per supervisee and reason, from
/// `session_changes_report_idx` alone.
pub fn cancellations(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<(String, Option<ChangeReason>, u32)>> {
    let rows: Vec<(Option<String>, Option<String>, i64)> = for_ids(scope, |chunk| {
        let mut query = session_changes::table
            .filter(session_changes::session_kind.eq(SessionKind::OneToOne.as_str()))
            .filter(session_changes::action.eq(ChangeAction::Cancelled.as_str()))
            .filter(session_changes::acted_at.ge(from))
            .filter(session_changes::acted_at.lt(to))
            .group_by((session_changes::supervisee_id, session_changes::reason))
            .select((
                session_changes::supervisee_id,
                session_changes::reason,
                count_star(),
            ))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(session_changes::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    rows.into_iter()
        .filter_map(|(person, reason, n)| person.map(|p| (p, reason, n)))
        .map(|(person, reason, n)| {
            let reason = reason.map(|r| r.parse()).transpose().map_err(corrupt)?;
            Ok((person, reason, count(n)))
        })
        .collect()
}

/// REC-5: per supervisee, records of sessions held in the period, late ones and those not
/// signed by both, counted by the database over the covering index `records_report_idx`.
/// Late is the rule of [`crate::domain::records::lateness`]: sent after the due day, or
/// still unsent past it (`rpt1_organisation_and_team_lines_agree_and_late_records_count`
/// counts all four cases).
pub fn record_figures(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    period: Period,
    today: NaiveDate,
) -> StoreResult<HashMap<String, RecordFigures>> {
    let late = records::first_sent_on
        .gt(records::due_by.nullable())
        .or(records::first_sent_on
            .is_null()
            .and(records::due_by.lt(today))
            .nullable());
    let unsigned = records::status.ne(RecordStatus::Signed.as_str());
    let rows: Vec<(String, i64, i64, i64)> = for_ids(scope, |chunk| {
        let mut query = records::table
            .filter(records::held_on.ge(period.starts_on))
            .filter(records::held_on.le(period.ends_on))
            .group_by(records::supervisee_id)
            .select((
                records::supervisee_id,
                count_star(),
                dsl::count(case_when::<_, _, Integer>(late, 1)),
                dsl::count(case_when::<_, _, Integer>(unsigned, 1)),
            ))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(records::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    Ok(rows
        .into_iter()
        .map(|(person, held, late, unsigned)| {
            let figures = RecordFigures {
                held: count(held),
                late: count(late),
                unsigned: count(unsigned),
            };
            (person, figures)
        })
        .collect())
}

pub type Observed = HashMap<String, Vec<(NaiveDate, ObservationSetting)>>;

/// Observations in a practice year, per supervisee: dates and settings only.
pub fn observed_in(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    year: Period,
) -> StoreResult<Observed> {
    let rows: Vec<(String, NaiveDate, String)> = for_ids(scope, |chunk| {
        let mut query = observations::table
            .filter(observations::observed_on.ge(year.starts_on))
            .filter(observations::observed_on.le(year.ends_on))
            .select((
                observations::supervisee_id,
                observations::observed_on,
                observations::setting,
            ))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(observations::supervisee_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    let mut out: Observed = HashMap::new();
    for (person, date, setting) in rows {
        out.entry(person)
            .or_default()
            .push((date, setting.parse().map_err(corrupt)?));
    }
    Ok(out)
}

/// CPD records in a registration year, per author: dates and whether a peer reflected.
pub fn cpd_in(
    conn: &mut DbConnection,
    scope: Option<&[String]>,
    year: Period,
) -> StoreResult<HashMap<String, Vec<(NaiveDate, bool)>>> {
    let rows: Vec<(String, NaiveDate, bool)> = for_ids(scope, |chunk| {
        let mut query = reflective_entries::table
            .filter(reflective_entries::cpd.is_not_null())
            .filter(reflective_entries::entry_date.ge(year.starts_on))
            .filter(reflective_entries::entry_date.le(year.ends_on))
            .select((
                reflective_entries::author_id,
                reflective_entries::entry_date,
                reflective_entries::cpd_peer_reflection,
            ))
            .into_boxed();
        if let Some(chunk) = chunk {
            query = query.filter(reflective_entries::author_id.eq_any(chunk));
        }
        query.load(conn)
    })?;
    let mut out: HashMap<String, Vec<(NaiveDate, bool)>> = HashMap::new();
    for (person, date, peer) in rows {
        out.entry(person).or_default().push((date, peer));
    }
    Ok(out)
}

/// A team's last held group session and its next booked one: when each starts (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupExtremes {
    pub last_held: Option<NaiveDateTime>,
    pub next_booked: Option<NaiveDateTime>,
}

/// Per team: its last held group session, and its next one booked from `now`. One seek per
/// team on `sessions (team_id, kind, status, starts_at)`.
pub fn group_extremes(
    conn: &mut DbConnection,
    ids: &[String],
    now: NaiveDateTime,
) -> StoreResult<HashMap<String, GroupExtremes>> {
    let held = SessionStatus::Held.as_str();
    let booked = SessionStatus::BOOKED.map(SessionStatus::as_str);
    let rows: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        for_ids(Some(ids), |chunk| {
            let of_team = || {
                sessions::table
                    .filter(sessions::team_id.eq(teams::id.nullable()))
                    .filter(sessions::kind.eq(SessionKind::Group.as_str()))
            };
            let last = of_team()
                .filter(sessions::status.eq(held))
                .select(max(sessions::starts_at))
                .single_value();
            let next = of_team()
                .filter(sessions::status.eq_any(booked))
                .filter(sessions::starts_at.ge(now))
                .select(min(sessions::starts_at))
                .single_value();
            teams::table
                .filter(teams::id.eq_any(chunk.unwrap_or_default()))
                .select((teams::id, last, next))
                .load(conn)
        })?;
    Ok(rows
        .into_iter()
        .map(|(team, last_held, next_booked)| {
            let extremes = GroupExtremes {
                last_held,
                next_booked,
            };
            (team, extremes)
        })
        .collect())
}

/// The start (UTC) of each held group session of these teams from `from` to before `to`.
pub fn group_sessions_held(
    conn: &mut DbConnection,
    ids: &[String],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<HashMap<String, Vec<NaiveDateTime>>> {
    let rows: Vec<(Option<String>, NaiveDateTime)> = for_ids(Some(ids), |chunk| {
        sessions::table
            .filter(sessions::kind.eq(SessionKind::Group.as_str()))
            .filter(sessions::status.eq(SessionStatus::Held.as_str()))
            .filter(sessions::starts_at.ge(from))
            .filter(sessions::starts_at.lt(to))
            .filter(sessions::team_id.eq_any(chunk.unwrap_or_default()))
            .select((sessions::team_id, sessions::starts_at))
            .load(conn)
    })?;
    let mut held: HashMap<String, Vec<NaiveDateTime>> = HashMap::new();
    for (team, at) in rows {
        if let Some(team) = team {
            held.entry(team).or_default().push(at);
        }
    }
    Ok(held)
}
