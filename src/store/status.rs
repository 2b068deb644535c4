//! Gathers what FREQ-4 needs for many supervisees in a few queries, then lets the domain
//! compute each status. The same path serves one person, a supervisor's list and a team.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::agreements::{self, Agreement};
use super::organisation::{self, CalendarSet};
use super::people::Person;
use super::sessions;
use super::{DbConnection, StoreError, StoreResult};
use crate::domain::policy::{Interval, PersonDates, Profile};
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::AgreementStatus;
use crate::domain::supervision::{self, Facts, Report};

pub fn person_dates(person: &Person) -> PersonDates {
    PersonDates {
        employment_start: person.employment_start,
        asye_start: person.asye_start,
        placement_start: person.placement_start,
        placement_end: person.placement_end,
    }
}

pub fn zone(person: &Person) -> chrono_tz::Tz {
    person
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Europe::London)
}

/// One supervisee's status and the agreement it follows (if any).
#[derive(Debug, Clone)]
pub struct Line {
    pub person: Person,
    pub report: Report,
    pub agreement_id: Option<String>,
    /// What the status was computed from, for reports that look back over a period.
    pub facts: Facts,
    /// The agreements whose 1:1s count towards the limit for this person (AGR-2).
    pub counting: Vec<String>,
}

/// What `facts_for` found for one supervisee.
struct Found {
    facts: Facts,
    agreement_id: Option<String>,
    counting: Vec<String>,
}

/// The facts for one supervisee from their agreements and session extremes.
fn facts_for(
    profile: &Profile,
    person: &Person,
    agreements: &[&Agreement],
    sessions: &sessions::FrequencySessions,
    override_interval: Option<Interval>,
    today: NaiveDate,
) -> Found {
    let dates = person_dates(person);
    let alternating = profile
        .requirement(person.staff_category, &dates, today)
        .alternate_supervisors;
    let counting: Vec<&&Agreement> = agreements
        .iter()
        .filter(|a| a.kind.counts_for_frequency(alternating))
        .collect();
    let active = counting
        .iter()
        .filter(|a| a.status(today) == AgreementStatus::Active)
        .min_by_key(|a| a.starts_on);
    // Without an agreement the clock runs from the start of employment: someone with no
    // supervision arranged is overdue, not exempt.
    let baseline = active
        .map(|a| a.starts_on)
        .or(person.employment_start)
        .unwrap_or_else(|| person.created_at.date());
    let tz = zone(person);
    let local = |at: &NaiveDateTime| utc_to_local_date(*at, tz);
    let ids: Vec<String> = counting.iter().map(|a| a.id.clone()).collect();
    let last_held = ids
        .iter()
        .filter_map(|id| sessions.last_held.get(id))
        .max()
        .map(local);
    let next_booked = ids
        .iter()
        .filter_map(|id| sessions.next_booked.get(id))
        .min()
        .map(local);
    Found {
        facts: Facts {
            category: person.staff_category,
            dates,
            override_interval,
            baseline,
            last_held,
            next_booked,
        },
        agreement_id: active.map(|a| a.id.clone()),
        counting: ids,
    }
}

pub(crate) fn calendar_error(err: crate::domain::calendar::CalendarError) -> StoreError {
    StoreError::Database(diesel::result::Error::QueryBuilderError(
        err.to_string().into(),
    ))
}

/// FREQ-4 for each person, as of `now` (UTC), "today" being their own local date (CAL-4).
pub fn lines(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    people: Vec<Person>,
    now: NaiveDateTime,
) -> StoreResult<Vec<Line>> {
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    let mut by_person: HashMap<String, Vec<Agreement>> = HashMap::new();
    for agreement in agreements::for_supervisees(conn, &ids)? {
        by_person
            .entry(agreement.supervisee_id.clone())
            .or_default()
            .push(agreement);
    }
    let overrides = organisation::all_overrides(conn)?;
    let extremes = sessions::frequency_sessions(conn, Some(&ids), None, now)?;
    let profile = calendars.settings.profile();
    let calendar = calendars.organisation();
    people
        .into_iter()
        .map(|person| {
            let today = utc_to_local_date(now, zone(&person));
            let agreements: Vec<&Agreement> = by_person
                .get(&person.id)
                .map(|list| list.iter().collect())
                .unwrap_or_default();
            let found = facts_for(
                &profile,
                &person,
                &agreements,
                &extremes,
                overrides.get(&person.id).copied(),
                today,
            );
            let report = supervision::report(calendar, &profile, &found.facts, today)
                .map_err(calendar_error)?;
            Ok(Line {
                person,
                report,
                agreement_id: found.agreement_id,
                facts: found.facts,
                counting: found.counting,
            })
        })
        .collect()
}

/// The facts for one supervisee, given their agreements (for a plan or a move's due date).
pub fn facts(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    agreements: &[Agreement],
    now: NaiveDateTime,
) -> StoreResult<Facts> {
    let refs: Vec<&Agreement> = agreements.iter().collect();
    let extremes =
        sessions::frequency_sessions(conn, Some(std::slice::from_ref(&person.id)), None, now)?;
    let override_interval = organisation::frequency_override(conn, &person.id)?.map(|o| o.interval);
    let today = utc_to_local_date(now, zone(person));
    let profile = calendars.settings.profile();
    Ok(facts_for(&profile, person, &refs, &extremes, override_interval, today).facts)
}
