//! Compliance reports (RPT-1) for a set of supervisees over a period. Each figure comes from
//! one query over indexed columns, grouped in the database where a count is all that is
//! needed, or bounded to the period where the domain needs dates. No session before the
//! period's look-back is loaded, and no record content is read.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::dsl::{self, case_when, count_star, max, min};
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::organisation::CalendarSet;
use super::people::Person;
use super::schema::{observations, records, reflective_entries, session_changes, sessions, teams};
use super::sessions as sessions_store;
use super::status::{self, calendar_error, zone, Line, Lines};
use super::teams::Team;
use super::{for_ids, groups, Db, DbConnection, StoreError, StoreResult};
use crate::domain::compliance::{
    self, Breach, BreachReason, ChangeFact, CpdFigures, MonthFigure, ObservationFigures,
    RecordFigures,
};
use crate::domain::observations::ObservationSetting;
use crate::domain::people::{organisation_today, StaffCategory, DEFAULT_TIME_ZONE};
use crate::domain::periods::{practice_year, registration_year, Period};
use crate::domain::records::RecordStatus;
use crate::domain::reflection::cpd_status;
use crate::domain::scheduling::{local_to_utc, utc_to_local_date};
use crate::domain::sessions::{ChangeAction, ChangeReason, SessionKind, SessionStatus};
use crate::domain::supervision::{self, Report};

/// How far before a period the session a breach counts from is looked for with the period's
/// own query: longer than any shipped interval (quarterly).
const LOOKBACK_DAYS: u64 = 120;
/// How far before a period the changes that explain its breaches are looked for.
const CHANGES_LOOKBACK_DAYS: u64 = 366;

/// What a report covers.
pub struct Request {
    /// The supervisees, each once.
    pub people: Vec<Person>,
    /// Every active person is in scope, so the queries need no list of ids.
    pub organisation_wide: bool,
    /// Teams whose group supervision the report shows.
    pub teams: Vec<Team>,
    pub period: Period,
    pub now: NaiveDateTime,
}

/// One supervisee's figures.
pub struct PersonFigures {
    pub line: Line,
    pub breaches: Vec<(Breach, Vec<BreachReason>)>,
    /// 1:1s held in the period, and the profile's yearly minimum for the person, if it sets
    /// one (FREQ-3: Cafcass's "at least 8 a year").
    pub held: u32,
    pub min_per_year: Option<u32>,
    pub cancellations: u32,
    pub records: RecordFigures,
    pub observations: ObservationFigures,
    pub cpd: CpdFigures,
    pub group_sessions_attended: u32,
}

/// One team's group supervision (GRP-1): its status today and each month of the period.
pub struct TeamFigures {
    pub team: Team,
    pub status: Report,
    pub months: Vec<MonthFigure>,
}

pub struct Compliance {
    /// The organisation's today: statuses are as of now, counts as of the period.
    pub as_of: NaiveDate,
    pub people: Vec<PersonFigures>,
    /// Cancelled 1:1s in the period by reason, every reason listed.
    pub cancellations: Vec<(ChangeReason, u32)>,
    pub teams: Vec<TeamFigures>,
}

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

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Sessions' changes and records, read together.
struct Counts {
    changes: HashMap<String, Vec<(NaiveDateTime, ChangeFact)>>,
    cancelled: Vec<(String, Option<ChangeReason>, u32)>,
    records: HashMap<String, RecordFigures>,
}

/// Observations, CPD and group supervision, read together.
struct MoreCounts {
    observed: Observed,
    cpd: HashMap<String, Vec<(NaiveDate, bool)>>,
    attended: HashMap<String, i64>,
    teams: Vec<TeamFigures>,
}

/// The report. Its independent parts (status lines, the period's sessions, two sets of
/// counts) are read at once on separate pooled connections, then put together; the status
/// lines come from `lines` (`app::status::lines`).
pub async fn compliance(
    db: &Db,
    calendars: Arc<CalendarSet>,
    request: Request,
    lines: Lines,
) -> StoreResult<Compliance> {
    let Request {
        people,
        organisation_wide,
        teams,
        period,
        now,
    } = request;
    let as_of = organisation_today();
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    let scope: Option<Arc<[String]>> = (!organisation_wide).then(|| ids.clone().into());
    // A day either side so each person's own zone can place a session on its local date.
    let lookback_from = midnight(period.starts_on - Days::new(LOOKBACK_DAYS + 1));
    let to = midnight(period.end_exclusive() + Days::new(1));
    // Yearly requirements are judged on the practice and registration years the period
    // ends in (or today's, for a period still running).
    let judged_on = period.ends_on.min(as_of);
    let (lines, held, counts, more) = tokio::try_join!(
        db.read({
            let calendars = calendars.clone();
            let reach = if organisation_wide {
                status::Reach::Everyone
            } else {
                status::Reach::Listed
            };
            move |conn| lines(conn, &calendars, people, reach, now)
        }),
        db.read({
            let scope = scope.clone();
            move |conn| held_sessions(conn, scope.as_deref(), lookback_from, period.starts_on, to)
        }),
        db.read({
            let scope = scope.clone();
            move |conn| {
                let scope = scope.as_deref();
                let (period_from, period_to) =
                    (midnight(period.starts_on), midnight(period.end_exclusive()));
                // Reasons lie in the gap before each breach; a gap starts at most a year
                // before it.
                let since = midnight(period.starts_on - Days::new(CHANGES_LOOKBACK_DAYS));
                Ok(Counts {
                    changes: changes_of(conn, scope, since)?,
                    cancelled: cancellations(conn, scope, period_from, period_to)?,
                    records: record_figures(conn, scope, period, as_of)?,
                })
            }
        }),
        db.read({
            let calendars = calendars.clone();
            move |conn| {
                let scope = scope.as_deref();
                let (period_from, period_to) =
                    (midnight(period.starts_on), midnight(period.end_exclusive()));
                Ok(MoreCounts {
                    observed: observed_in(conn, scope, practice_year(judged_on))?,
                    cpd: cpd_in(conn, scope, registration_year(judged_on))?,
                    attended: groups::attendance(conn, scope, period_from, period_to)?,
                    teams: team_figures(conn, &calendars, teams, period, as_of)?,
                })
            }
        }),
    )?;
    let Counts {
        mut changes,
        cancelled,
        records,
    } = counts;
    let MoreCounts {
        observed,
        cpd,
        attended,
        teams,
    } = more;
    let profile = calendars.settings.profile();
    // A requirement that ended before the period (a student after the placement) is out
    // of the report; one that ended within it is reported up to its end.
    let lines: Vec<Line> = lines
        .into_iter()
        .filter(|line| !line.facts.ended(&profile, period.starts_on))
        .collect();
    // The few whose last session before the period is older than the look-back are looked
    // up on their own, one seek per agreement.
    let start_local = |line: &Line, at: &NaiveDateTime| utc_to_local_date(*at, zone(&line.person));
    let older: Vec<String> = lines
        .iter()
        .filter(|line| {
            let seen_before = line
                .counting
                .iter()
                .filter_map(|agreement| held.get(agreement))
                .flatten()
                .any(|at| start_local(line, at) < period.starts_on);
            !seen_before
                && line
                    .facts
                    .last_held
                    .is_some_and(|last| last >= period.starts_on - Days::new(LOOKBACK_DAYS))
        })
        .map(|line| line.person.id.clone())
        .collect();
    let before = if older.is_empty() {
        HashMap::new()
    } else {
        db.read(move |conn| {
            Ok(sessions_store::frequency_sessions(
                conn,
                sessions_store::AgreementsOf::Supervisees(&older),
                Some(lookback_from),
                now,
            )?
            .last_held)
        })
        .await?
    };

    let calendar = calendars.organisation();
    let mut people = Vec::with_capacity(lines.len());
    for line in lines {
        let tz = zone(&line.person);
        let local = |at: &NaiveDateTime| utc_to_local_date(*at, tz);
        // With nothing held in the look-back, the last session ever held is the previous one
        // (unless it lies in the period, when `before` has the one before the look-back).
        let mut previous: Option<NaiveDate> = line
            .facts
            .last_held
            .filter(|last| *last < period.starts_on - Days::new(LOOKBACK_DAYS))
            .or_else(|| {
                line.counting
                    .iter()
                    .filter_map(|agreement| before.get(agreement))
                    .map(local)
                    .max()
            });
        let mut within: Vec<NaiveDate> = Vec::new();
        for at in line
            .counting
            .iter()
            .filter_map(|agreement| held.get(agreement))
            .flatten()
        {
            let date = local(at);
            if date < period.starts_on {
                previous = previous.max(Some(date));
            } else if date <= period.ends_on {
                within.push(date);
            }
        }
        // Up to the person's own today, the day their status was computed for (CAL-4).
        let found = compliance::breaches(
            calendar,
            &profile,
            &line.facts,
            previous,
            &within,
            period,
            utc_to_local_date(now, tz),
        )
        .map_err(calendar_error)?;
        let facts: Vec<ChangeFact> = if found.is_empty() {
            Vec::new()
        } else {
            changes
                .remove(&line.person.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(planned_at, fact)| ChangeFact {
                    planned_on: local(&planned_at),
                    ..fact
                })
                .collect()
        };
        let breaches = found
            .into_iter()
            .map(|b| {
                let reasons = compliance::explain(&b, &facts);
                (b, reasons)
            })
            .collect();
        let id = line.person.id.clone();
        let observation = super::observations::status_of(
            &profile,
            &line.person,
            observed.get(&id).map(Vec::as_slice).unwrap_or_default(),
            judged_on,
        );
        let registered = line.person.staff_category != StaffCategory::Student;
        let cpd_status = cpd_status(
            cpd.get(&id).map(Vec::as_slice).unwrap_or_default(),
            judged_on,
        );
        let min_per_year = profile
            .requirement(line.facts.category, &line.facts.dates, judged_on)
            .min_per_year;
        people.push(PersonFigures {
            breaches,
            held: u32::try_from(within.len()).unwrap_or(u32::MAX),
            min_per_year,
            cancellations: 0,
            records: records.get(&id).copied().unwrap_or_default(),
            observations: ObservationFigures {
                required: observation.required,
                done: observation.done,
                remaining: observation.remaining,
            },
            cpd: CpdFigures {
                records: cpd_status.records,
                with_peer_reflection: cpd_status.with_peer_reflection,
                required: if registered { cpd_status.required } else { 0 },
                met: !registered || cpd_status.met,
            },
            group_sessions_attended: attended.get(&id).map_or(0, |n| count(*n)),
            line,
        });
    }

    // Organisation-wide queries also see people who have left; count only those reported.
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut by_reason: HashMap<ChangeReason, u32> = HashMap::new();
    for (person, reason, n) in cancelled {
        let Some(&i) = index.get(person.as_str()) else {
            continue;
        };
        people[i].cancellations += n;
        if let Some(reason) = reason {
            *by_reason.entry(reason).or_default() += n;
        }
    }
    Ok(Compliance {
        as_of,
        people,
        cancellations: ChangeReason::ALL
            .iter()
            .map(|reason| (*reason, by_reason.get(reason).copied().unwrap_or(0)))
            .collect(),
        teams,
    })
}

/// Per agreement: the start of each held formal 1:1.
type HeldRows = HashMap<String, Vec<NaiveDateTime>>;

/// Held formal 1:1s per agreement from `from` to before `to`, read from the covering index
/// `sessions_report_idx` alone: each one from the day before the period starts (a day's
/// margin for each person's own zone), and before that only the latest, which is all a
/// breach walk needs of the look-back.
fn held_sessions(
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
fn changes_of(
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
fn cancellations(
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
fn record_figures(
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

type Observed = HashMap<String, Vec<(NaiveDate, ObservationSetting)>>;

/// Observations in a practice year, per supervisee: dates and settings only.
fn observed_in(
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
fn cpd_in(
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

/// GRP-1 for each team: its status against the profile's interval today, from its last held
/// and next booked group session, and its held sessions month by month in the period.
pub fn team_figures(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    teams: Vec<Team>,
    period: Period,
    today: NaiveDate,
) -> StoreResult<Vec<TeamFigures>> {
    let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let held = SessionStatus::Held.as_str();
    let booked = SessionStatus::BOOKED.map(SessionStatus::as_str);
    // One seek per team on `sessions (team_id, kind, status, starts_at)`.
    let now = super::now();
    let rows: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        for_ids(Some(&ids), |chunk| {
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
    let (from, to) = (midnight(period.starts_on), midnight(period.end_exclusive()));
    let in_period: Vec<(Option<String>, NaiveDateTime)> = for_ids(Some(&ids), |chunk| {
        sessions::table
            .filter(sessions::kind.eq(SessionKind::Group.as_str()))
            .filter(sessions::status.eq(held))
            .filter(sessions::starts_at.ge(from))
            .filter(sessions::starts_at.lt(to))
            .filter(sessions::team_id.eq_any(chunk.unwrap_or_default()))
            .select((sessions::team_id, sessions::starts_at))
            .load(conn)
    })?;
    let tz = organisation_zone();
    let local = |at: Option<NaiveDateTime>| at.map(|at| utc_to_local_date(at, tz));
    let extremes: HashMap<String, (Option<NaiveDate>, Option<NaiveDate>)> = rows
        .into_iter()
        .map(|(team, last, next)| (team, (local(last), local(next))))
        .collect();
    let mut dates: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for (team, at) in in_period {
        if let Some(team) = team {
            dates
                .entry(team)
                .or_default()
                .push(utc_to_local_date(at, tz));
        }
    }
    let interval = calendars.settings.profile().group_supervision();
    teams
        .into_iter()
        .map(|team| {
            let status = supervision::report_at(
                calendars.organisation(),
                |_| interval,
                utc_to_local_date(team.created_at, tz),
                extremes.get(&team.id).and_then(|e| e.0),
                extremes.get(&team.id).and_then(|e| e.1),
                today,
            )
            .map_err(calendar_error)?;
            let months = compliance::monthly_held(
                period,
                dates.get(&team.id).map(Vec::as_slice).unwrap_or_default(),
            );
            Ok(TeamFigures {
                team,
                status,
                months,
            })
        })
        .collect()
}
