//! The shapes of FREQ-4's read model and the person's dates and zone it starts from. The
//! read model itself (which rows to fetch, and the domain's verdict on them) is a query of
//! the application layer: `app::status::lines`.

use super::people::Person;
use super::StoreError;
use crate::domain::policy::PersonDates;
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
