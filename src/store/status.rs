//! Gathers what FREQ-4 needs for many supervisees in a few queries, then lets the domain
//! compute each status. The same path serves one person, a supervisor's list and a team.

use std::collections::HashMap;

use chrono::{Days, Months, NaiveDate, NaiveDateTime};

use super::agreements::{self, Agreement, Terms};
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
    /// Sessions held in the 12 months to today against the profile's yearly minimum, when
    /// it sets one (FREQ-3): `(held, min_per_year)`. Only for [`Reach::Listed`].
    pub yearly: Option<(u32, u32)>,
}

/// How [`lines`] finds its people's agreements and sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// By the people's ids: one person, a team, a caseload.
    Listed,
    /// Everyone's rows in a few passes, the unlisted skipped: the organisation's report,
    /// where IN lists and per-agreement seeks would name nearly every row anyway.
    Everyone,
}

/// How far back the organisation-wide pass looks for each agreement's last held session:
/// well past the 25-working-day limit most staff are on, so only people far behind, on a
/// longer interval, or with nothing held yet need a seek of their own.
const RECENT_DAYS: u64 = 60;

/// The agreements whose 1:1s count towards this person's limit (AGR-2): all but those the
/// profile leaves out, which depends on whether it alternates supervisors.
fn counting<'a>(
    profile: &Profile,
    person: &Person,
    agreements: &'a [Terms],
    today: NaiveDate,
) -> Vec<&'a Terms> {
    let alternating = profile
        .requirement(person.staff_category, &person_dates(person), today)
        .alternate_supervisors;
    agreements
        .iter()
        .filter(|a| a.kind.counts_for_frequency(alternating))
        .collect()
}

/// What `facts_for` found for one supervisee.
struct Found {
    facts: Facts,
    agreement_id: Option<String>,
    counting: Vec<String>,
}

/// The facts for one supervisee from their counting agreements and session extremes.
fn facts_for(
    person: &Person,
    counting: &[&Terms],
    sessions: &sessions::FrequencySessions,
    override_interval: Option<Interval>,
    today: NaiveDate,
) -> Found {
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
            dates: person_dates(person),
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
    reach: Reach,
    now: NaiveDateTime,
) -> StoreResult<Vec<Line>> {
    let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
    let listed = (reach == Reach::Listed).then_some(ids.as_slice());
    let mut by_person: HashMap<String, Vec<Terms>> = HashMap::new();
    for agreement in agreements::terms_of(conn, listed)? {
        by_person
            .entry(agreement.supervisee_id.clone())
            .or_default()
            .push(agreement);
    }
    let overrides = organisation::all_overrides(conn)?;
    let profile = calendars.settings.profile();
    let calendar = calendars.organisation();
    // Each person's own today (CAL-4) and the agreements that count for them.
    let counted: Vec<(NaiveDate, Vec<&Terms>)> = people
        .iter()
        .map(|person| {
            let today = utc_to_local_date(now, zone(person));
            let all = by_person.get(&person.id).map(Vec::as_slice);
            (
                today,
                counting(&profile, person, all.unwrap_or_default(), today),
            )
        })
        .collect();
    let extremes = match reach {
        Reach::Listed => sessions::frequency_sessions(
            conn,
            sessions::AgreementsOf::Supervisees(&ids),
            None,
            now,
        )?,
        Reach::Everyone => {
            let since = now - Days::new(RECENT_DAYS);
            let mut recent = sessions::recent_frequency_sessions(conn, since, now)?;
            // Anything held before `since` is older than what the recent pass found, so
            // only people with nothing recent need their agreements sought one by one.
            let behind: Vec<String> = counted
                .iter()
                .map(|(_, agreements)| agreements)
                .filter(|agreements| {
                    !agreements
                        .iter()
                        .any(|a| recent.last_held.contains_key(&a.id))
                })
                .flatten()
                .map(|a| a.id.clone())
                .collect();
            let older = sessions::frequency_sessions(
                conn,
                sessions::AgreementsOf::Ids(&behind),
                Some(since),
                now,
            )?;
            recent.last_held.extend(older.last_held);
            recent
        }
    };
    let found: Vec<Found> = people
        .iter()
        .zip(&counted)
        .map(|(person, (today, counting))| {
            facts_for(
                person,
                counting,
                &extremes,
                overrides.get(&person.id).copied(),
                *today,
            )
        })
        .collect();
    // Only status lists show the yearly count; the organisation's report does without it.
    // One grouped count for everyone listed, not one per person.
    let minimums: Vec<Option<u32>> = people
        .iter()
        .zip(&counted)
        .zip(&found)
        .map(|((person, (today, _)), found)| {
            profile
                .requirement(person.staff_category, &found.facts.dates, *today)
                .min_per_year
                .filter(|_| reach == Reach::Listed)
        })
        .collect();
    let counted_agreements: Vec<String> = found
        .iter()
        .zip(&minimums)
        .filter(|(_, minimum)| minimum.is_some())
        .flat_map(|(found, _)| found.counting.iter().cloned())
        .collect();
    let held_last_year = if counted_agreements.is_empty() {
        HashMap::new()
    } else {
        let since = now.checked_sub_months(Months::new(12)).unwrap_or(now);
        sessions::held_between_by_agreement(conn, &counted_agreements, since, now)?
    };
    people
        .into_iter()
        .zip(&counted)
        .zip(found)
        .zip(minimums)
        .map(|(((person, (today, _)), found), minimum)| {
            let report = supervision::report(calendar, &profile, &found.facts, *today)
                .map_err(calendar_error)?;
            let yearly = minimum.map(|min| {
                let held: i64 = found
                    .counting
                    .iter()
                    .filter_map(|id| held_last_year.get(id))
                    .sum();
                (u32::try_from(held).unwrap_or(u32::MAX), min)
            });
            Ok(Line {
                person,
                report,
                agreement_id: found.agreement_id,
                facts: found.facts,
                counting: found.counting,
                yearly,
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
    let terms: Vec<Terms> = agreements.iter().map(Agreement::terms).collect();
    let extremes = sessions::frequency_sessions(
        conn,
        sessions::AgreementsOf::Supervisees(std::slice::from_ref(&person.id)),
        None,
        now,
    )?;
    let override_interval = organisation::frequency_override(conn, &person.id)?.map(|o| o.interval);
    let today = utc_to_local_date(now, zone(person));
    let profile = calendars.settings.profile();
    let counting = counting(&profile, person, &terms, today);
    Ok(facts_for(person, &counting, &extremes, override_interval, today).facts)
}
