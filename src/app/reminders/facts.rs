//! What one person's reminder plan is made from (`domain::reminder_plan::Facts`), as a query:
//! their sessions, their supervision status, records, actions, agreements, proposals waiting
//! for them, reads of their records and, on check days, supervisees short of observations
//! and the PDR milestones due. The store fetches the rows; the rules that pick from them
//! (who decides a move, which agreements await the person, whose PDR is due) live here.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::app::cases::assess_all;
use crate::app::observations::practice_year_status_of_person;
use crate::app::sessions::awaiting_decision_of;
use crate::app::status::{self, Reach};
use crate::domain::people::StaffCategory;
use crate::domain::reminder_plan::{
    CaseFact, Decision, Facts, FrequencyFact, Recipient, SessionFact,
};
use crate::domain::reminders::{yearly, OBSERVATION_CHECKS, SESSION_LEADS};
use crate::domain::scheduling::{utc_to_local_date, Status};
use crate::domain::sessions::{AgreementStatus, SessionStatus};
use crate::store::organisation::CalendarSet;
use crate::store::people::{self, Person};
use crate::store::status::zone;
use crate::store::{
    agreements, cases, line_management, records, reminders, sessions, DbConnection, Page,
    StoreResult,
};

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// The person's local dates the plan covers: today, and the day of the horizon.
#[derive(Clone, Copy)]
struct Days {
    today: NaiveDate,
    last_day: NaiveDate,
    zone: Tz,
}

/// Everything one person's plan needs, for reminders firing up to `horizon`.
pub fn gather(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
) -> StoreResult<Facts> {
    let me = recipient(conn, person)?;
    let days = Days {
        today: utc_to_local_date(now, me.zone),
        last_day: utc_to_local_date(horizon, me.zone),
        zone: me.zone,
    };
    Ok(Facts {
        now: utc(now),
        horizon: utc(horizon),
        sessions: booked_sessions(conn, person, now, horizon)?,
        frequency: frequency(conn, calendars, person, days.today, now)?,
        records_to_write: records::unsent_of_supervisor(conn, &person.id)?,
        records_to_sign: at_utc(records::awaiting_supervisee(conn, &person.id)?),
        actions: open_actions(conn, person)?,
        unsigned_agreements: unsigned_agreements(conn, person, days.today)?,
        decisions: decisions(conn, person, days.today)?,
        record_reads: at_utc(records::reads_of_supervisee_since(
            conn,
            &person.id,
            now - Duration::days(1),
        )?),
        observations_short: observations_short(conn, calendars, person, days)?,
        pdr_months: calendars.settings.pdr_months,
        pdr_people: pdr_people(conn, calendars, person, days)?,
        reflective: matches!(
            person.staff_category,
            StaffCategory::Student | StaffCategory::Asye
        ),
        cases: open_cases(conn, calendars, person, days.today)?,
        person: me,
    })
}

fn at_utc(rows: Vec<(String, NaiveDateTime)>) -> Vec<(String, DateTime<Utc>)> {
    rows.into_iter().map(|(id, at)| (id, utc(at))).collect()
}

/// A person as a recipient: their zone and settings.
fn recipient(conn: &mut DbConnection, person: &Person) -> StoreResult<Recipient> {
    Ok(Recipient {
        person_id: person.id.clone(),
        zone: zone(person),
        preferences: reminders::preferences(conn, &person.id)?.0,
    })
}

fn recipient_by_id(conn: &mut DbConnection, id: &str) -> StoreResult<Recipient> {
    let person = people::find(conn, id)?;
    recipient(conn, &person)
}

/// Booked sessions the person is a party to, starting before the horizon plus the longest
/// lead anyone may choose.
fn booked_sessions(
    conn: &mut DbConnection,
    person: &Person,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
) -> StoreResult<Vec<SessionFact>> {
    let longest = SESSION_LEADS.iter().max().copied().unwrap_or(0);
    let (booked, _) = sessions::list(
        conn,
        &sessions::Filter {
            whose: sessions::Whose::Person(person.id.clone()),
            from: Some(now),
            to: Some(horizon + Duration::minutes(i64::from(longest))),
            statuses: SessionStatus::HELD_OR_BOOKED
                .iter()
                .copied()
                .filter(|s| s.is_booked())
                .collect(),
        },
        Page {
            limit: 200,
            offset: 0,
        },
    )?;
    Ok(booked
        .into_iter()
        .map(|s| SessionFact {
            id: s.id,
            starts_at: utc(s.starts_at),
            booked_at: utc(s.updated_at),
        })
        .collect())
}

/// FREQ-4, for people supervised under an agreement whose requirement has not ended (a
/// student's placement over, nothing is due): when supervision is due, whether it is booked
/// by then, and who hears of a breach.
fn frequency(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Option<FrequencyFact>> {
    let line = status::lines(conn, calendars, vec![person.clone()], Reach::Listed, now)?
        .into_iter()
        .next();
    let Some(report) = line
        .filter(|line| line.agreement_id.is_some() && line.report.status != Status::Ended)
        .map(|line| line.report)
    else {
        return Ok(None);
    };
    let supervisor = line_management::manager_on(conn, &person.id, today)?;
    let mut escalate_to = Vec::new();
    let mut supervisor_recipient = None;
    if let Some(supervisor) = &supervisor {
        let r = recipient_by_id(conn, supervisor)?;
        supervisor_recipient = Some(r.clone());
        escalate_to.push(r);
        if let Some(above) = line_management::manager_on(conn, supervisor, today)? {
            escalate_to.push(recipient_by_id(conn, &above)?);
        }
    }
    Ok(Some(FrequencyFact {
        due_by: report.due_by,
        booked_by_due: report.next_booked.is_some_and(|d| d <= report.due_by),
        escalate_to,
        supervisor: supervisor_recipient,
    }))
}

/// The person's open actions: (action, due on).
fn open_actions(conn: &mut DbConnection, person: &Person) -> StoreResult<Vec<(String, NaiveDate)>> {
    let (open, _) = records::actions_of_owner(
        conn,
        &person.id,
        Some(records::ACTION_OPEN),
        Page {
            limit: 500,
            offset: 0,
        },
    )?;
    Ok(open.into_iter().map(|a| (a.id, a.due_on)).collect())
}

/// Agreements awaiting signatures that the person has not signed: (agreement, created at,
/// whether someone else proposed it).
fn unsigned_agreements(
    conn: &mut DbConnection,
    person: &Person,
    today: NaiveDate,
) -> StoreResult<Vec<(String, DateTime<Utc>, bool)>> {
    Ok(agreements::for_person(conn, &person.id)?
        .into_iter()
        .filter(|a| a.status(today) == AgreementStatus::AwaitingSignatures)
        .filter(|a| {
            (a.supervisor_id == person.id && a.supervisor_signed_at.is_none())
                || (a.supervisee_id == person.id && a.supervisee_signed_at.is_none())
        })
        .map(|a| {
            let named_by_other = a.created_by != person.id;
            (a.id, utc(a.created_at), named_by_other)
        })
        .collect())
}

/// Proposed moves the person decides.
fn decisions(
    conn: &mut DbConnection,
    person: &Person,
    today: NaiveDate,
) -> StoreResult<Vec<Decision>> {
    Ok(awaiting_decision_of(conn, &person.id, today)?
        .into_iter()
        .map(|(session, change)| Decision {
            session: session.id,
            proposed_at: utc(change.acted_at),
            past_due_by: change.needs_manager,
        })
        .collect())
}

/// Whether a practice year's observation check day falls between today and the last day.
fn is_check_day(days: Days) -> bool {
    (0..=(days.last_day - days.today).num_days())
        .map(|d| days.today + Duration::days(d))
        .any(|d| {
            OBSERVATION_CHECKS
                .iter()
                .any(|(m, day)| d.month() == *m && d.day() == *day)
        })
}

/// The person's direct reports short of observations: only on the practice year's check days
/// is it worth counting everyone's.
fn observations_short(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    days: Days,
) -> StoreResult<Vec<String>> {
    let mut short = Vec::new();
    if !is_check_day(days) {
        return Ok(short);
    }
    for supervisee in line_management::direct_reports(conn, &person.id, days.today)? {
        let report = people::find(conn, &supervisee)?;
        if practice_year_status_of_person(conn, calendars, &report, days.today)?.remaining > 0 {
            short.push(supervisee);
        }
    }
    Ok(short)
}

/// PDR-1: on the first of a milestone month, the person's own PDR (when someone manages
/// them) and their direct reports'.
fn pdr_people(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    days: Days,
) -> StoreResult<Vec<String>> {
    let months = calendars.settings.pdr_months;
    let mut people = Vec::new();
    if yearly(
        &months.reminder_dates(),
        days.today,
        days.last_day,
        days.zone,
    )
    .is_empty()
    {
        return Ok(people);
    }
    if line_management::manager_on(conn, &person.id, days.today)?.is_some() {
        people.push(person.id.clone());
    }
    people.extend(line_management::direct_reports(
        conn, &person.id, days.today,
    )?);
    Ok(people)
}

/// CASE-1: the open cases the person supervises with a discussion due, only while the
/// organisation has the module on.
fn open_cases(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    today: NaiveDate,
) -> StoreResult<Vec<CaseFact>> {
    if !calendars.settings.case_supervision {
        return Ok(Vec::new());
    }
    let open = cases::list(
        conn,
        &cases::Filter {
            supervisor_id: Some(person.id.clone()),
            ..cases::Filter::default()
        },
    )?;
    Ok(assess_all(conn, open, today, calendars.organisation())?
        .into_iter()
        .filter_map(|a| {
            Some(CaseFact {
                next_due: a.assessment.next_discussion_due?,
                cp_review: a
                    .assessment
                    .cp_review
                    .filter(|r| r.standing.is_pending())
                    .map(|r| (r.flagged_on, r.discuss_by)),
                id: a.case.id,
            })
        })
        .collect())
}
