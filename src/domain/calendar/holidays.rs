//! Public holidays of one region and year (CAL-2): the standing rules, then
//! the dated changes from `src/domain/calendar/bank-holidays.json`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::feed::Published;
use super::{is_weekend, Holiday, Region};

/// Appended to the title of a holiday observed on a substitute day.
pub(super) const SUBSTITUTE_SUFFIX: &str = " (substitute day)";

const BANK_HOLIDAYS_JSON: &str = include_str!("bank-holidays.json");

/// A public holiday as observed. Titles borrow static text so that building
/// the index does not allocate per holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Observance {
    pub date: NaiveDate,
    pub title: &'static str,
    /// Observed on a later weekday because the day itself fell on a weekend.
    pub substitute: bool,
}

impl Observance {
    /// Whether `title` is this holiday's displayed title.
    fn has_title(&self, title: &str) -> bool {
        match title.strip_suffix(SUBSTITUTE_SUFFIX) {
            Some(base) => self.substitute && self.title == base,
            None => !self.substitute && self.title == title,
        }
    }
}

/// The public holidays of `region` in `year` as the calendar shows them: the published
/// list when it covers the year, otherwise the rules with the shipped changes.
pub(super) fn listing(region: Region, year: i32, published: &Published) -> Vec<Holiday> {
    if let Some(days) = published.year(region, year) {
        return days.to_vec();
    }
    observances(region, year)
        .into_iter()
        .map(|o| Holiday {
            date: o.date,
            title: if o.substitute {
                format!("{}{SUBSTITUTE_SUFFIX}", o.title)
            } else {
                o.title.to_owned()
            },
            region,
        })
        .collect()
}

/// The last day up to which the shipped changes were checked against the government's list.
pub(super) fn shipped_until(region: Region) -> NaiveDate {
    changes().checked_until[&region]
}

/// The public holidays of `region` in `year` from the rules and the shipped changes, sorted
/// by date.
///
/// The rules describe the law and practice from 1990 on; years outside the
/// calendar's range are the caller's concern.
pub(super) fn observances(region: Region, year: i32) -> Vec<Observance> {
    let mut days = with_substitutes(rule_days(region, year));
    let changes = changes();
    for removal in changes.removed.iter().filter(|c| c.region == region) {
        days.retain(|o| !(o.date == removal.date && o.has_title(&removal.title)));
    }
    days.extend(
        changes
            .added
            .iter()
            .filter(|c| c.region == region && c.date.year() == year)
            .map(|c| Observance {
                date: c.date,
                title: &c.title,
                substitute: false,
            }),
    );
    days.sort_by_key(|o| o.date);
    days
}

/// The holidays the standing rules give, on their nominal dates (which may
/// fall on a weekend).
fn rule_days(region: Region, year: i32) -> Vec<(NaiveDate, &'static str)> {
    let easter = easter_sunday(year);
    let mut days = vec![
        (ymd(year, 1, 1), "New Year’s Day"),
        (easter - Days::new(2), "Good Friday"),
        (first_monday(year, 5), "Early May bank holiday"),
        (last_monday(year, 5), "Spring bank holiday"),
        (ymd(year, 12, 25), "Christmas Day"),
        (ymd(year, 12, 26), "Boxing Day"),
    ];
    match region {
        Region::EnglandAndWales => {
            days.push((easter + Days::new(1), "Easter Monday"));
            days.push((last_monday(year, 8), "Summer bank holiday"));
        }
        Region::Scotland => {
            days.push((ymd(year, 1, 2), "2nd January"));
            days.push((first_monday(year, 8), "Summer bank holiday"));
            // Added by the St Andrew's Day Bank Holiday (Scotland) Act 2007.
            if year >= 2007 {
                days.push((ymd(year, 11, 30), "St Andrew’s Day"));
            }
        }
        Region::NorthernIreland => {
            days.push((ymd(year, 3, 17), "St Patrick’s Day"));
            days.push((easter + Days::new(1), "Easter Monday"));
            days.push((ymd(year, 7, 12), "Battle of the Boyne (Orangemen’s Day)"));
            days.push((last_monday(year, 8), "Summer bank holiday"));
        }
    }
    days
}

/// Moves each weekend holiday to the next weekday that is not already a
/// holiday, taking them in date order: Christmas on a Saturday goes to
/// Monday 27th and Boxing Day to Tuesday 28th; Christmas on a Sunday goes to
/// Tuesday 27th because Boxing Day keeps Monday 26th.
fn with_substitutes(mut days: Vec<(NaiveDate, &'static str)>) -> Vec<Observance> {
    days.sort_by_key(|&(date, _)| date);
    let mut taken: Vec<NaiveDate> = days
        .iter()
        .map(|&(date, _)| date)
        .filter(|&date| !is_weekend(date))
        .collect();
    days.into_iter()
        .map(|(date, title)| {
            if !is_weekend(date) {
                return Observance {
                    date,
                    title,
                    substitute: false,
                };
            }
            let mut day = date;
            while is_weekend(day) || taken.contains(&day) {
                day = day + Days::new(1);
            }
            taken.push(day);
            Observance {
                date: day,
                title,
                substitute: true,
            }
        })
        .collect()
}

/// Easter Sunday in the Gregorian calendar (anonymous computus, as in
/// Meeus, "Astronomical Algorithms").
fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1)
        .expect("every month has a first Monday")
}

/// Last Monday of a 31-day month (May and August are the only ones used).
fn last_monday(year: i32, month: u32) -> NaiveDate {
    let last = ymd(year, month, 31);
    last - Days::new(u64::from(last.weekday().num_days_from_monday()))
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("holiday rules name real dates")
}

/// One dated change from the data file.
#[derive(Debug)]
struct Change {
    region: Region,
    date: NaiveDate,
    title: String,
}

#[derive(Debug, Default)]
struct Changes {
    /// Extra days, and the new dates of moved days.
    added: Vec<Change>,
    /// Rule days that were not observed: the old dates of moved days, and
    /// substitutes that were never proclaimed.
    removed: Vec<Change>,
    /// Per region, the last day the changes were checked against the government's list.
    checked_until: BTreeMap<Region, NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DivisionFile {
    division: Region,
    events: Vec<EventFile>,
    #[serde(default)]
    removed: Vec<EventFile>,
    /// Not in the GOV.UK feed: the last day the list was checked against it.
    checked_until: NaiveDate,
}

/// An entry of `events` or `removed`; `notes` and `bunting` are for readers.
#[derive(Deserialize)]
struct EventFile {
    title: String,
    date: NaiveDate,
}

fn parse_changes(json: &str) -> Result<Changes, String> {
    let divisions: BTreeMap<Region, DivisionFile> =
        serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut changes = Changes::default();
    for (region, file) in divisions {
        if file.division != region {
            return Err(format!(
                "division {:?} listed under {:?}",
                file.division.as_str(),
                region.as_str()
            ));
        }
        let to_change = |e: EventFile| Change {
            region,
            date: e.date,
            title: e.title,
        };
        changes.checked_until.insert(region, file.checked_until);
        changes.added.extend(file.events.into_iter().map(to_change));
        changes
            .removed
            .extend(file.removed.into_iter().map(to_change));
    }
    Ok(changes)
}

fn changes() -> &'static Changes {
    static CHANGES: OnceLock<Changes> = OnceLock::new();
    CHANGES.get_or_init(|| {
        // The file is compiled in, so a bad file is a build defect; the
        // cal2_data_* tests catch it before release.
        parse_changes(BANK_HOLIDAYS_JSON).expect("bank-holidays.json is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cal2_easter_sunday_matches_known_dates() {
        for (year, easter) in [
            (1990, "1990-04-15"),
            (1995, "1995-04-16"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2011, "2011-04-24"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2038, "2038-04-25"),
            (2100, "2100-03-28"),
        ] {
            assert_eq!(easter_sunday(year), d(easter), "{year}");
        }
    }

    #[test]
    fn cal2_last_and_first_mondays() {
        assert_eq!(last_monday(2026, 8), d("2026-08-31"));
        assert_eq!(last_monday(2022, 5), d("2022-05-30"));
        assert_eq!(first_monday(2026, 8), d("2026-08-03"));
        assert_eq!(first_monday(2023, 5), d("2023-05-01"));
    }

    #[test]
    fn cal2_data_file_parses() {
        let changes = parse_changes(BANK_HOLIDAYS_JSON).unwrap();
        for region in Region::ALL {
            assert!(changes.added.iter().any(|c| c.region == region));
            assert!(changes.removed.iter().any(|c| c.region == region));
            assert!(changes.checked_until[&region] >= d("2027-12-31"));
        }
    }

    #[test]
    fn cal2_data_removals_each_name_one_rule_holiday() {
        // A typo in a removal would otherwise silently remove nothing.
        for removal in &changes().removed {
            let rule = with_substitutes(rule_days(removal.region, removal.date.year()));
            let matches = rule
                .iter()
                .filter(|o| o.date == removal.date && o.has_title(&removal.title))
                .count();
            assert_eq!(matches, 1, "{removal:?}");
        }
    }

    #[test]
    fn cal2_data_additions_are_weekdays_not_already_holidays() {
        for addition in &changes().added {
            assert!(!is_weekend(addition.date), "{addition:?}");
            let year = observances(addition.region, addition.date.year());
            let same_day = year.iter().filter(|o| o.date == addition.date).count();
            assert_eq!(same_day, 1, "{addition:?}");
        }
    }

    #[test]
    fn cal2_data_rejects_division_under_wrong_key() {
        let json = r#"{"scotland": {"division": "england-and-wales", "events": [], "checked_until": "2027-12-31"}}"#;
        assert!(parse_changes(json).is_err());
    }

    #[test]
    fn cal2_data_rejects_unknown_division_keys() {
        let json = r#"{"scotland": {"division": "scotland", "events": [], "remove": [], "checked_until": "2027-12-31"}}"#;
        assert!(parse_changes(json).is_err());
        let json =
            r#"{"wales": {"division": "wales", "events": [], "checked_until": "2027-12-31"}}"#;
        assert!(parse_changes(json).is_err());
    }

    #[test]
    fn cal2_substitute_titles_match_only_substitutes() {
        let sub = Observance {
            date: d("2022-01-03"),
            title: "New Year’s Day",
            substitute: true,
        };
        assert!(sub.has_title("New Year’s Day (substitute day)"));
        assert!(!sub.has_title("New Year’s Day"));
        let plain = Observance {
            substitute: false,
            ..sub
        };
        assert!(plain.has_title("New Year’s Day"));
        assert!(!plain.has_title("New Year’s Day (substitute day)"));
    }
}
