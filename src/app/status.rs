//! Supervision status (FREQ-4) as a query: the rows the store fetches for many supervisees in
//! a few statements, the domain's verdict on each (`supervision::report`), and the lists a
//! person may read: their own, a person's, their supervisees', a team's.

use std::collections::{HashMap, HashSet};

use chrono::{Days, Months, NaiveDate, NaiveDateTime};

use super::{visibility, Actor, AppError, AppResult};
use crate::domain::compliance::severity;
use crate::domain::people::organisation_today;
use crate::domain::policy::{Interval, Profile};
use crate::domain::scheduling::{utc_to_local_date, Status};
use crate::domain::sessions::AgreementStatus;
use crate::domain::supervision::{self, Facts};
use crate::domain::validation::Invalid;
use crate::store::agreements::{self, Agreement, Terms};
use crate::store::line_management as links;
use crate::store::organisation::{self, CalendarSet, Calendars};
use crate::store::people::{self, Person};
use crate::store::status::{self as rows_of, calendar_error, person_dates, zone, Rows};
pub use crate::store::status::{Line, Reach};
use crate::store::{sessions, teams, DbConnection, Page, StoreResult};

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

/// FREQ-4 for each person, as of `now` (UTC), "today" being their own local date (CAL-4).
pub fn lines(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    people: Vec<Person>,
    reach: Reach,
    now: NaiveDateTime,
) -> StoreResult<Vec<Line>> {
    // Listed people's agreements, sessions and overrides come in one statement; the
    // organisation's report reads every agreement, then the sessions in passes of its own.
    let rows = match reach {
        Reach::Listed => {
            let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
            rows_of::of_people(conn, &ids, now)?
        }
        Reach::Everyone => Rows {
            terms: agreements::all_terms(conn)?,
            sessions: None,
            overrides: organisation::all_overrides(conn)?,
        },
    };
    lines_from(conn, calendars, people, rows, now)
}

/// [`lines`] from the people's [`Rows`]. Listed people's rows come with their sessions'
/// extremes; without them (everyone's), the sessions are read here in passes.
fn lines_from(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    people: Vec<Person>,
    Rows {
        terms,
        sessions: listed_sessions,
        overrides,
    }: Rows,
    now: NaiveDateTime,
) -> StoreResult<Vec<Line>> {
    let reach = match listed_sessions {
        Some(_) => Reach::Listed,
        None => Reach::Everyone,
    };
    let mut by_person: HashMap<String, Vec<Terms>> = HashMap::new();
    for agreement in terms {
        by_person
            .entry(agreement.supervisee_id.clone())
            .or_default()
            .push(agreement);
    }
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
    let extremes = match listed_sessions {
        Some(extremes) => extremes,
        None => {
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
            let (_, older) = sessions::frequency_sessions(
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
    let (_, extremes) = sessions::frequency_sessions(
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

/// One person's status: the actor's own, or anyone's they may see.
pub fn of_person(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    now: NaiveDateTime,
    person_id: &str,
) -> AppResult<Line> {
    visibility::require_sight(conn, actor, person_id)?;
    let calendars = calendars.load(conn)?;
    let (person, rows) = rows_of::of_person(conn, person_id, now)?;
    lines_from(conn, &calendars, vec![person], rows, now)?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Largest status list in one answer: a whole service's team fits.
pub const MAX_STATUS_ROWS: i64 = 10_000;

/// Which part of a status list to show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing {
    /// Only people with this status.
    pub status: Option<Status>,
    /// Rows per page, 1 to [`MAX_STATUS_ROWS`] (default 200).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// One page of a status list, worst first, with every status counted over all pages.
pub struct Listed {
    pub items: Vec<Line>,
    /// How many match the status filter, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The status of everyone listed, before the filter, for the counts.
    pub statuses: Vec<Status>,
}

/// Filters, orders (worst first: severity, then due date, then name) and pages the lines.
fn listed(lines: Vec<Line>, listing: Listing) -> Result<Listed, Invalid> {
    let limit = listing.limit.unwrap_or(200);
    let offset = listing.offset.unwrap_or(0);
    let mut invalid = Invalid::default();
    if !(1..=MAX_STATUS_ROWS).contains(&limit) {
        invalid.push("limit", format!("must be between 1 and {MAX_STATUS_ROWS}"));
    }
    if offset < 0 {
        invalid.push("offset", "must not be negative");
    }
    invalid.into_result(|| ())?;
    let statuses = lines.iter().map(|l| l.report.status).collect();
    let mut lines: Vec<Line> = lines
        .into_iter()
        .filter(|l| listing.status.is_none_or(|s| l.report.status == s))
        .collect();
    lines.sort_by(|a, b| {
        (
            severity(a.report.status),
            a.report.due_by,
            &a.person.display_name,
        )
            .cmp(&(
                severity(b.report.status),
                b.report.due_by,
                &b.person.display_name,
            ))
    });
    let total = lines.len() as i64;
    let items = lines
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(Listed {
        items,
        total,
        limit,
        offset,
        statuses,
    })
}

/// The people the actor supervises under agreements in force today, worst first.
pub fn supervisees(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    now: NaiveDateTime,
    listing: Listing,
) -> AppResult<Listed> {
    let today = organisation_today();
    let (mut people, rows) = rows_of::of_supervisees(conn, &actor.person_id, now)?;
    // On the list: those under an agreement with the actor in force today (AGR-3).
    let supervised: HashSet<&str> = rows
        .terms
        .iter()
        .filter(|terms| terms.supervisor_id == actor.person_id && terms.in_force(today))
        .map(|terms| terms.supervisee_id.as_str())
        .collect();
    people.retain(|person| supervised.contains(person.id.as_str()));
    // By id, as the list was before it was sorted worst first (ties keep this order).
    people.sort_by(|a, b| a.id.cmp(&b.id));
    let calendars = calendars.load(conn)?;
    let lines = lines_from(conn, &calendars, people, rows, now)?;
    Ok(listed(lines, listing)?)
}

/// Every active member of a team, worst first (RPT-1's view for a team): administrators and
/// auditors see the whole team, a manager the members they manage.
pub fn team(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    now: NaiveDateTime,
    team_id: &str,
    listing: Listing,
) -> AppResult<Listed> {
    teams::find(conn, team_id)?;
    let filter = people::Filter {
        team_id: Some(team_id.to_string()),
        active: Some(true),
        only_ids: if actor.is_admin || actor.is_auditor {
            None
        } else {
            Some(links::hierarchy(conn)?.reports_of(&actor.person_id, organisation_today()))
        },
        ..people::Filter::default()
    };
    let (members, _) = people::list(
        conn,
        &filter,
        Page {
            limit: MAX_STATUS_ROWS * 10,
            offset: 0,
        },
    )?;
    let calendars = calendars.load(conn)?;
    let lines = lines(conn, &calendars, members, Reach::Listed, now)?;
    Ok(listed(lines, listing)?)
}
