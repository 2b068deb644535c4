//! The shapes of FREQ-4's read model, the person's dates and zone it starts from, and the
//! rows it is worked out from, read for one person, a manager's supervisees or a list of
//! people in one statement. Working the statuses out from those rows (the domain's verdict
//! on each) is a query of the application layer: `app::status::lines`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::agreements::{terms_columns, Terms, TermsRow};
use super::organisation::interval_from_columns;
use super::people::{self, Person};
use super::schema::{agreements, frequency_overrides, people as people_table};
use super::sessions::{extremes_from, frequency_extremes, no_cap, FrequencySessions};
use super::stamp::Stamp;
use super::{DbConnection, StoreError, StoreResult};
use crate::domain::policy::{Interval, PersonDates};
use crate::domain::supervision::{Facts, Report};

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

pub fn calendar_error(err: crate::domain::calendar::CalendarError) -> StoreError {
    StoreError::Database(diesel::result::Error::QueryBuilderError(
        err.to_string().into(),
    ))
}

/// What people's statuses are worked out from: their agreements' terms, each agreement's
/// last held and next booked 1:1, and their frequency overrides, by person.
#[derive(Debug, Default)]
pub struct Rows {
    pub terms: Vec<Terms>,
    /// None when not read with the terms: the organisation's report reads them in passes.
    pub sessions: Option<FrequencySessions>,
    pub overrides: HashMap<String, Interval>,
}

/// One row of [`rows_where`]: the person (`P`, their columns or id), their override's
/// interval, and one agreement's terms with its sessions' extremes (none when they have none).
type RowOf<P> = (
    P,
    Option<(String, i32)>,
    Option<TermsRow>,
    Option<Stamp>,
    Option<Stamp>,
);

/// People's status rows, selecting `$person` of those `$which` picks, in one statement: each
/// person joined to their override and to each of their agreements, which carries its last
/// held and next booked 1:1 (booked from `$booked_from`). A macro: the two selections are
/// two statements' types.
macro_rules! rows_where {
    ($conn:expr, $person:expr, $which:expr, $booked_from:expr) => {{
        let (last_held, next_booked) = frequency_extremes!(no_cap(), $booked_from);
        people_table::table
            .left_join(
                frequency_overrides::table.on(frequency_overrides::person_id.eq(people_table::id)),
            )
            .left_join(agreements::table.on(agreements::supervisee_id.eq(people_table::id)))
            .filter($which)
            .select((
                $person,
                (
                    frequency_overrides::interval_kind,
                    frequency_overrides::interval_value,
                )
                    .nullable(),
                terms_columns().nullable(),
                last_held,
                next_booked,
            ))
            .load($conn)
    }};
}

/// The people, each once in the order found, and their [`Rows`] from [`rows_where`]'s rows.
fn rows_from<P>(rows: Vec<RowOf<P>>, id_of: impl Fn(&P) -> &str) -> StoreResult<(Vec<P>, Rows)> {
    let mut people = Vec::new();
    let mut seen = HashSet::new();
    let mut overrides = HashMap::new();
    let mut agreements = Vec::with_capacity(rows.len());
    for (person, interval, terms, last, next) in rows {
        if let Some(terms) = terms {
            agreements.push((terms, last, next));
        }
        // A person comes once per agreement.
        if !seen.insert(id_of(&person).to_string()) {
            continue;
        }
        if let Some((kind, value)) = interval {
            overrides.insert(
                id_of(&person).to_string(),
                interval_from_columns(&kind, value)?,
            );
        }
        people.push(person);
    }
    let (terms, sessions) = extremes_from(agreements)?;
    let rows = Rows {
        terms,
        sessions: Some(sessions),
        overrides,
    };
    Ok((people, rows))
}

/// One person and the [`Rows`] of their status, in one statement: the app's home screen asks
/// for it each time it opens, and on PostgreSQL each statement is a round trip (issue 18).
pub fn of_person(
    conn: &mut DbConnection,
    person_id: &str,
    booked_from: NaiveDateTime,
) -> StoreResult<(Person, Rows)> {
    let found: Vec<RowOf<people::Row>> = rows_where!(
        conn,
        people::COLUMNS,
        people_table::id.eq(person_id),
        booked_from
    )?;
    let (people, rows) = people_and_rows(found)?;
    let person = people.into_iter().next().ok_or(StoreError::NotFound)?;
    Ok((person, rows))
}

/// Everyone under an agreement with this supervisor, whether in force or not, and the
/// [`Rows`] of their statuses, in one statement: a manager's list of supervisees (issue 18).
pub fn of_supervisees(
    conn: &mut DbConnection,
    supervisor_id: &str,
    booked_from: NaiveDateTime,
) -> StoreResult<(Vec<Person>, Rows)> {
    // An alias: the statement joins the people's own agreements too.
    let theirs = diesel::alias!(agreements as supervised_by);
    let supervised = theirs
        .filter(theirs.field(agreements::supervisor_id).eq(supervisor_id))
        .select(theirs.field(agreements::supervisee_id));
    let found: Vec<RowOf<people::Row>> = rows_where!(
        conn,
        people::COLUMNS,
        people_table::id.eq_any(supervised),
        booked_from
    )?;
    people_and_rows(found)
}

/// [`rows_from`] for rows that carry the people's columns.
fn people_and_rows(found: Vec<RowOf<people::Row>>) -> StoreResult<(Vec<Person>, Rows)> {
    let (found, rows) = rows_from(found, |person| &person.0)?;
    let people = found
        .into_iter()
        .map(people::from_row)
        .collect::<StoreResult<_>>()?;
    Ok((people, rows))
}

/// The [`Rows`] of these people's statuses, in one statement per [`super::MAX_IN_LIST`] people.
pub fn of_people(
    conn: &mut DbConnection,
    ids: &[String],
    booked_from: NaiveDateTime,
) -> StoreResult<Rows> {
    let found: Vec<RowOf<String>> =
        super::for_ids(Some(ids), |chunk| match chunk.unwrap_or_default() {
            [one] => rows_where!(
                conn,
                people_table::id,
                people_table::id.eq(one),
                booked_from
            ),
            chunk => rows_where!(
                conn,
                people_table::id,
                super::one_of(people_table::id, chunk),
                booked_from
            ),
        })?;
    Ok(rows_from(found, String::as_str)?.1)
}
