//! The working-day calendar (CAL-1 to CAL-3): counting and adding working days, a year's
//! holidays, the organisation's closure days, and imports of the government's bank-holiday
//! feed (CAL-2). Every date must lie in the years the calendar covers exactly, which also
//! bounds every range (API-5).

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::{Actor, AppResult};
use crate::domain::calendar::feed::{self, RegionChange};
use crate::domain::calendar::{Calendar, CalendarError, Holiday, Region};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::organisation::{self, Calendars, ClosureDay};
use crate::store::{audit, DbConnection, Page};

/// Largest number of working days `add_working_days` adds or subtracts (about 40 years).
pub const MAX_DAYS: i32 = 10_000;

fn years_covered() -> String {
    format!(
        "must be in the years {} to {} that the calendar covers",
        Calendar::FIRST_YEAR,
        Calendar::LAST_YEAR
    )
}

fn covers_year(year: i32) -> bool {
    (Calendar::FIRST_YEAR..=Calendar::LAST_YEAR).contains(&year)
}

/// Refuses `field` unless `year` is one the calendar covers.
pub fn check_year(field: &str, year: i32) -> Result<(), Invalid> {
    if covers_year(year) {
        Ok(())
    } else {
        Err(Invalid::field(field, years_covered()))
    }
}

/// Records `field` as invalid when `date` is outside the calendar's years.
fn check_covered(invalid: &mut Invalid, field: &str, date: NaiveDate) {
    invalid.check(check_year(field, date.year()));
}

/// How many working days lie after `from` up to and including `to` in `region` (CAL-3);
/// negative when `to` is before `from`.
pub fn working_days(
    conn: &mut DbConnection,
    calendars: &Calendars,
    from: NaiveDate,
    to: NaiveDate,
    region: Region,
) -> AppResult<i32> {
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "from", from);
    check_covered(&mut invalid, "to", to);
    invalid.into_result(|| ())?;
    let count = calendars
        .load(conn)?
        .region(region)
        .working_days_between(from, to)
        .map_err(|err| match err {
            CalendarError::OutOfRange { date } if date == from => {
                Invalid::field("from", years_covered())
            }
            _ => Invalid::field("to", years_covered()),
        })?;
    Ok(count)
}

/// The earliest date with exactly `days` working days after `from` in `region` (CAL-3).
pub fn add_working_days(
    conn: &mut DbConnection,
    calendars: &Calendars,
    from: NaiveDate,
    days: i32,
    region: Region,
) -> AppResult<NaiveDate> {
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "from", from);
    if !(-MAX_DAYS..=MAX_DAYS).contains(&days) {
        invalid.push(
            "days",
            format!("must be between -{MAX_DAYS} and {MAX_DAYS}"),
        );
    }
    invalid.into_result(|| ())?;
    let date = calendars
        .load(conn)?
        .region(region)
        .add_working_days(from, days)
        .map_err(|err| match err {
            CalendarError::OutOfRange { .. } => Invalid::field("from", years_covered()),
            _ => Invalid::field(
                "days",
                format!(
                    "the answer would lie outside the years {} to {} that the calendar covers",
                    Calendar::FIRST_YEAR,
                    Calendar::LAST_YEAR
                ),
            ),
        })?;
    Ok(date)
}

/// A year's public holidays in a region, and the organisation's closure days that year.
pub struct YearHolidays {
    pub holidays: Vec<Holiday>,
    pub closure_days: Vec<ClosureDay>,
    /// The last day the region's holidays come from the published list.
    pub data_until: NaiveDate,
}

/// A year's public holidays in a region (CAL-2), with the organisation's closure days.
pub fn holidays(
    conn: &mut DbConnection,
    calendars: &Calendars,
    year: i32,
    region: Region,
) -> AppResult<YearHolidays> {
    check_year("year", year)?;
    let set = calendars.load(conn)?;
    let closures = organisation::closure_days(conn)?;
    let calendar = set.region(region);
    let holidays = calendar
        .holidays(year)
        .map_err(|_| Invalid::field("year", years_covered()))?;
    Ok(YearHolidays {
        holidays,
        closure_days: closures
            .into_iter()
            .filter(|c| c.day.year() == year)
            .collect(),
        data_until: calendar.data_until(),
    })
}

/// One page of the organisation's closure days, in date order, of one year or all, and how
/// many there are.
pub fn closure_days(
    conn: &mut DbConnection,
    year: Option<i32>,
    page: Page,
) -> AppResult<(Vec<ClosureDay>, i64)> {
    let days: Vec<ClosureDay> = organisation::closure_days(conn)?
        .into_iter()
        .filter(|c| year.is_none_or(|year| c.day.year() == year))
        .collect();
    let total = i64::try_from(days.len()).unwrap_or(i64::MAX);
    let items = days
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit).unwrap_or(0))
        .collect();
    Ok((items, total))
}

/// Closes the organisation on a day (administrators): from now on it is not a working day in
/// any region.
pub fn add_closure_day(
    conn: &mut DbConnection,
    actor: &Actor,
    day: NaiveDate,
    title: &str,
) -> AppResult<ClosureDay> {
    actor.require_admin()?;
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "date", day);
    let title = invalid.check(bounded_text("title", title, 1, 120));
    let (Some(title), true) = (title, invalid.0.is_empty()) else {
        return Err(invalid.into());
    };
    let created = organisation::add_closure_day(conn, day, &title, Some(&actor.person_id))?;
    audit::record(
        conn,
        &actor.for_audit(),
        "closure_day.created",
        "closure_day",
        Some(&day.to_string()),
        json!({}),
    )?;
    Ok(created)
}

/// Reopens a closure day (administrators).
pub fn remove_closure_day(conn: &mut DbConnection, actor: &Actor, day: NaiveDate) -> AppResult<()> {
    actor.require_admin()?;
    organisation::remove_closure_day(conn, day)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "closure_day.deleted",
        "closure_day",
        Some(&day.to_string()),
        json!({}),
    )?;
    Ok(())
}

/// Imports the government's bank-holiday feed as published (administrators; CAL-2), or with
/// `dry_run` only compares it with the holidays in use. What changes, region by region.
pub fn import_holidays(
    conn: &mut DbConnection,
    actor: &Actor,
    published: &serde_json::Value,
    dry_run: bool,
) -> AppResult<Vec<RegionChange>> {
    actor.require_admin()?;
    let published = feed::parse_feed(published)?;
    Ok(organisation::import_holidays(
        conn,
        &published,
        &actor.for_audit(),
        dry_run,
    )?)
}
