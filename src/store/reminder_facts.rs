//! Gathers what one person's reminder plan is made from (`domain::reminder_plan::Facts`):
//! their sessions, their supervision status, records, actions, agreements, proposals waiting
//! for them, reads of their records and, on check days, supervisees short of observations
//! and the PDR milestones due.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::organisation::CalendarSet;
use super::people::{self, Person};
use super::schema::{record_access, record_events, records, session_changes, sessions};
use super::status::{self, zone};
use super::{
    agreements, cases, line_management, observations, reminders, DbConnection, Page, StoreResult,
};
use crate::domain::people::StaffCategory;
use crate::domain::records::RecordStatus;
use crate::domain::reminder_plan::{Facts, FrequencyFact, Recipient, SessionFact};
use crate::domain::reminders::{yearly, OBSERVATION_CHECKS, SESSION_LEADS};
use crate::domain::scheduling::{utc_to_local_date, Status};
use crate::domain::sessions::{AgreementStatus, SessionStatus};

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A person as a recipient: their zone and settings.
pub fn recipient(conn: &mut DbConnection, person: &Person) -> StoreResult<Recipient> {
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

/// Everything one person's plan needs, for reminders firing up to `horizon`; their status
/// comes from `lines` (`app::status::lines`).
pub fn gather(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
    lines: status::Lines,
) -> StoreResult<Facts> {
    let me = recipient(conn, person)?;
    let today = utc_to_local_date(now, me.zone);
    let last_day = utc_to_local_date(horizon, me.zone);

    // Sessions starting before the horizon plus the longest lead anyone may choose.
    let longest = SESSION_LEADS.iter().max().copied().unwrap_or(0);
    let (booked, _) = super::sessions::list(
        conn,
        &super::sessions::Filter {
            person_id: Some(person.id.clone()),
            from: Some(now),
            to: Some(horizon + Duration::minutes(i64::from(longest))),
            statuses: SessionStatus::HELD_OR_BOOKED
                .iter()
                .copied()
                .filter(|s| s.is_booked())
                .collect(),
            ..Default::default()
        },
        Page {
            limit: 200,
            offset: 0,
        },
    )?;
    let sessions = booked
        .into_iter()
        .map(|s| SessionFact {
            id: s.id,
            starts_at: utc(s.starts_at),
            booked_at: utc(s.updated_at),
        })
        .collect();

    // FREQ-4, for people supervised under an agreement.
    let lines = lines(
        conn,
        calendars,
        vec![person.clone()],
        status::Reach::Listed,
        now,
    )?;
    let frequency = match lines.into_iter().next() {
        // Once the requirement has ended (a student's placement is over) nothing is due.
        Some(line) if line.agreement_id.is_some() && line.report.status != Status::Ended => {
            let report = line.report;
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
            Some(FrequencyFact {
                due_by: report.due_by,
                booked_by_due: report.next_booked.is_some_and(|d| d <= report.due_by),
                escalate_to,
                supervisor: supervisor_recipient,
            })
        }
        _ => None,
    };

    let records_to_write = records::table
        .filter(records::supervisor_id.eq(&person.id))
        .filter(records::first_sent_on.is_null())
        .select((records::id, records::held_on, records::due_by))
        .load(conn)?;
    let awaiting: Vec<String> = records::table
        .filter(records::supervisee_id.eq(&person.id))
        .filter(records::status.eq(RecordStatus::AwaitingSupervisee.as_str()))
        .select(records::id)
        .load(conn)?;
    let mut records_to_sign = Vec::with_capacity(awaiting.len());
    for record in awaiting {
        let sent: Option<NaiveDateTime> = record_events::table
            .filter(record_events::record_id.eq(&record))
            .filter(record_events::action.eq("sent"))
            .select(diesel::dsl::max(record_events::occurred_at))
            .get_result(conn)?;
        if let Some(sent) = sent {
            records_to_sign.push((record, utc(sent)));
        }
    }

    let (open, _) = super::records::actions_of_owner(
        conn,
        &person.id,
        Some(super::records::ACTION_OPEN),
        Page {
            limit: 500,
            offset: 0,
        },
    )?;
    let actions = open.into_iter().map(|a| (a.id, a.due_on)).collect();

    let unsigned_agreements = agreements::for_person(conn, &person.id)?
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
        .collect();

    // Proposals wait for the supervisor, or past the limit for the manager above them.
    let pending: Vec<(String, String, bool, NaiveDateTime)> = session_changes::table
        .inner_join(sessions::table)
        .filter(session_changes::state.eq("pending"))
        .select((
            sessions::id,
            sessions::supervisor_id,
            session_changes::needs_manager,
            session_changes::acted_at,
        ))
        .load(conn)?;
    let mut decisions = Vec::new();
    for (session, supervisor, needs_manager, at) in pending {
        let decider = if needs_manager {
            line_management::manager_on(conn, &supervisor, today)?
        } else {
            Some(supervisor)
        };
        if decider.as_deref() == Some(person.id.as_str()) {
            decisions.push((session, utc(at)));
        }
    }

    let record_reads = record_access::table
        .inner_join(records::table)
        .filter(records::supervisee_id.eq(&person.id))
        .filter(record_access::accessed_at.ge(now - Duration::days(1)))
        .select((records::id, record_access::accessed_at))
        .load::<(String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(record, at)| (record, utc(at)))
        .collect();

    // Only on the practice year's check days is it worth counting everyone's observations.
    let check_day = (0..=(last_day - today).num_days())
        .map(|d| today + Duration::days(d))
        .any(|d| {
            OBSERVATION_CHECKS.iter().any(|(m, day)| {
                chrono::Datelike::month(&d) == *m && chrono::Datelike::day(&d) == *day
            })
        });
    let mut observations_short = Vec::new();
    if check_day {
        for supervisee in line_management::direct_reports(conn, &person.id, today)? {
            let report = people::find(conn, &supervisee)?;
            if observations::status(conn, calendars, &report, today)?.remaining > 0 {
                observations_short.push(supervisee);
            }
        }
    }

    // PDR-1: on the first of a milestone month, the person's own PDR (when someone manages
    // them) and their direct reports'.
    let pdr_months = calendars.settings.pdr_months;
    let mut pdr_people = Vec::new();
    if !yearly(&pdr_months.reminder_dates(), today, last_day, me.zone).is_empty() {
        if line_management::manager_on(conn, &person.id, today)?.is_some() {
            pdr_people.push(person.id.clone());
        }
        pdr_people.extend(line_management::direct_reports(conn, &person.id, today)?);
    }

    // CASE-1: only while the organisation has the module on.
    let cases = if calendars.settings.case_supervision {
        cases::reminder_facts(conn, &person.id, today, calendars.organisation())?
    } else {
        Vec::new()
    };

    Ok(Facts {
        now: utc(now),
        horizon: utc(horizon),
        sessions,
        frequency,
        records_to_write,
        records_to_sign,
        actions,
        unsigned_agreements,
        decisions,
        record_reads,
        observations_short,
        pdr_months,
        pdr_people,
        reflective: matches!(
            person.staff_category,
            StaffCategory::Student | StaffCategory::Asye
        ),
        cases,
        person: me,
    })
}
