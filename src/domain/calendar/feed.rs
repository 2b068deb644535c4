//! The government's bank-holiday feed as published (CAL-2): read and checked, so that an
//! operator can bring the calendar up to date without a new release.
//!
//! The feed (<https://www.gov.uk/bank-holidays.json>) is an object with `england-and-wales`,
//! `scotland` and `northern-ireland`, each `{division, events: [{title, date, notes,
//! bunting}]}`, listing every bank holiday of the years it covers on the day observed; a
//! substitute day has the holiday's own title and `notes` "Substitute day".

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

use super::holidays::{self, SUBSTITUTE_SUFFIX};
use super::{is_weekend, Calendar, Holiday, Region};
use crate::domain::validation::{bounded_text, Invalid};

/// Every region has at least this many bank holidays a year, so a year listed with fewer is
/// a partial list (or a list of changes, like the shipped file), never the whole year.
const FEWEST_A_YEAR: usize = 8;
/// More events than the feed could hold for every covered year of a region (API-5).
const MOST_EVENTS: usize = 2_000;
/// Errors reported at once; a wholly wrong file would otherwise give thousands.
const MOST_ERRORS: usize = 50;

/// Public holidays as the government published them, by region and year: for each year it
/// covers they replace the rules and the shipped changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    by_region: BTreeMap<Region, BTreeMap<i32, Vec<Holiday>>>,
}

impl Published {
    /// Groups `days` by region and year, each year in date order.
    pub fn new(days: impl IntoIterator<Item = Holiday>) -> Published {
        let mut by_region: BTreeMap<Region, BTreeMap<i32, Vec<Holiday>>> = BTreeMap::new();
        for day in days {
            by_region
                .entry(day.region)
                .or_default()
                .entry(day.date.year())
                .or_default()
                .push(day);
        }
        for years in by_region.values_mut() {
            for days in years.values_mut() {
                days.sort_by_key(|h| h.date);
            }
        }
        Published { by_region }
    }

    /// The holidays published for `region` in `year`, if that year is covered.
    pub fn year(&self, region: Region, year: i32) -> Option<&[Holiday]> {
        self.by_region
            .get(&region)
            .and_then(|years| years.get(&year))
            .map(Vec::as_slice)
    }

    /// The years covered for `region`, in order.
    pub fn years(&self, region: Region) -> impl Iterator<Item = i32> + '_ {
        self.by_region
            .get(&region)
            .into_iter()
            .flat_map(|years| years.keys().copied())
    }

    /// Every holiday, by region then date.
    pub fn days(&self) -> impl Iterator<Item = &Holiday> {
        self.by_region
            .values()
            .flat_map(|years| years.values().flatten())
    }

    /// The last day whose holidays in `region` are known from a published list rather than
    /// from the rules alone: the end of the last year imported or checked into the shipped
    /// data, whichever is later.
    pub fn data_until(&self, region: Region) -> NaiveDate {
        let shipped = holidays::shipped_until(region);
        self.years(region)
            .last()
            .and_then(|year| NaiveDate::from_ymd_opt(year, 12, 31))
            .map_or(shipped, |imported| imported.max(shipped))
    }
}

/// Whether data that ends on `data_until` ends within six months of `today`, so an operator
/// should import the feed again soon.
pub fn data_ends_soon(data_until: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_months(chrono::Months::new(6))
        .is_none_or(|horizon| data_until <= horizon)
}

/// Reads the feed as published. Errors name the entry, as `scotland.events[3].date`.
pub fn parse_feed(feed: &Value) -> Result<Published, Invalid> {
    let Some(divisions) = feed.as_object() else {
        return Err(Invalid::field(
            "body",
            "must be the bank-holiday feed: an object with england-and-wales, scotland and northern-ireland",
        ));
    };
    let mut invalid = Invalid::default();
    for key in divisions.keys() {
        if key.parse::<Region>().is_err() {
            invalid.push(
                key.as_str(),
                "is not a division; expected england-and-wales, scotland and northern-ireland",
            );
        }
    }
    let mut days = Vec::new();
    for region in Region::ALL {
        match divisions.get(region.as_str()) {
            None => invalid.push(region.as_str(), "is required"),
            Some(division) => days.extend(division_days(region, division, &mut invalid)),
        }
    }
    invalid.0.truncate(MOST_ERRORS);
    invalid.into_result(|| Published::new(days))
}

fn division_days(region: Region, division: &Value, invalid: &mut Invalid) -> Vec<Holiday> {
    let name = region.as_str();
    let Some(division) = division.as_object() else {
        invalid.push(name, "must be an object with division and events");
        return Vec::new();
    };
    if division.get("division").and_then(Value::as_str) != Some(name) {
        invalid.push(format!("{name}.division"), format!("must be \"{name}\""));
    }
    let events = match division.get("events").and_then(Value::as_array) {
        Some(events) if events.len() <= MOST_EVENTS => events,
        Some(_) => {
            invalid.push(
                format!("{name}.events"),
                format!("must list at most {MOST_EVENTS} days"),
            );
            return Vec::new();
        }
        None => {
            invalid.push(format!("{name}.events"), "must be a list of bank holidays");
            return Vec::new();
        }
    };
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut days = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let path = format!("{name}.events[{i}]");
        let Some(event) = event.as_object() else {
            invalid.push(
                path,
                "must be an object with title, date, notes and bunting",
            );
            continue;
        };
        let date = event_date(&path, event, invalid);
        let title = event_title(&path, event, invalid);
        if let Some(date) = date {
            if let Some(first) = seen.insert(date, i) {
                invalid.push(
                    format!("{path}.date"),
                    format!("is listed twice, also at {name}.events[{first}]"),
                );
            }
        }
        if let (Some(date), Some(title)) = (date, title) {
            days.push(Holiday {
                date,
                title,
                region,
            });
        }
    }
    let years: BTreeSet<i32> = seen.keys().map(Datelike::year).collect();
    for year in years {
        let count = seen.keys().filter(|d| d.year() == year).count();
        if count < FEWEST_A_YEAR {
            invalid.push(
                format!("{name}.events"),
                format!(
                    "lists {count} days in {year}; every year the feed covers lists all its bank holidays (at least {FEWEST_A_YEAR})"
                ),
            );
        }
    }
    days
}

fn event_date(path: &str, event: &Map<String, Value>, invalid: &mut Invalid) -> Option<NaiveDate> {
    let field = format!("{path}.date");
    let Some(date) = event
        .get("date")
        .and_then(Value::as_str)
        .and_then(|raw| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok())
    else {
        invalid.push(field, "must be a date as YYYY-MM-DD");
        return None;
    };
    if !(Calendar::FIRST_YEAR..=Calendar::LAST_YEAR).contains(&date.year()) {
        invalid.push(
            field,
            format!(
                "must be in the years {} to {} that the calendar covers",
                Calendar::FIRST_YEAR,
                Calendar::LAST_YEAR
            ),
        );
        return None;
    }
    if is_weekend(date) {
        invalid.push(
            field,
            "is a Saturday or Sunday; the feed lists the weekday each holiday is observed on",
        );
        return None;
    }
    Some(date)
}

/// The title as shown by the calendar: a substitute day carries the suffix the rules give it.
fn event_title(path: &str, event: &Map<String, Value>, invalid: &mut Invalid) -> Option<String> {
    let field = format!("{path}.title");
    let Some(raw) = event.get("title").and_then(Value::as_str) else {
        invalid.push(field, "must be text");
        return None;
    };
    let title = invalid.check(bounded_text(&field, raw, 1, 200))?;
    let notes = match event.get("notes") {
        None | Some(Value::Null) => "",
        Some(Value::String(notes)) => notes.as_str(),
        Some(_) => {
            invalid.push(format!("{path}.notes"), "must be text");
            return None;
        }
    };
    if !matches!(event.get("bunting"), None | Some(Value::Bool(_))) {
        invalid.push(format!("{path}.bunting"), "must be true or false");
        return None;
    }
    let substitute = notes.trim().eq_ignore_ascii_case("substitute day");
    Some(if substitute && !title.ends_with(SUBSTITUTE_SUFFIX) {
        format!("{title}{SUBSTITUTE_SUFFIX}")
    } else {
        title
    })
}

/// What an import changes in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionChange {
    pub region: Region,
    /// Days that become holidays (or are renamed: the new name).
    pub added: Vec<Holiday>,
    /// Days that stop being holidays (or are renamed: the old name).
    pub removed: Vec<Holiday>,
    /// How far the region's data reaches afterwards.
    pub data_until: NaiveDate,
}

/// The holidays that replacing `current` by `next` adds and removes, region by region, over
/// every year either covers.
pub fn compare(current: &Published, next: &Published) -> Vec<RegionChange> {
    Region::ALL
        .into_iter()
        .map(|region| {
            let years: BTreeSet<i32> = current.years(region).chain(next.years(region)).collect();
            let listed = |published: &Published| -> BTreeSet<(NaiveDate, String)> {
                years
                    .iter()
                    .flat_map(|&year| holidays::listing(region, year, published))
                    .map(|h| (h.date, h.title))
                    .collect()
            };
            let (before, after) = (listed(current), listed(next));
            let holiday = |(date, title): &(NaiveDate, String)| Holiday {
                date: *date,
                title: title.clone(),
                region,
            };
            RegionChange {
                region,
                added: after.difference(&before).map(holiday).collect(),
                removed: before.difference(&after).map(holiday).collect(),
                data_until: next.data_until(region),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The feed as GOV.UK would publish the calendar's own holidays for `years`.
    fn feed_of(published: &Published, years: std::ops::RangeInclusive<i32>) -> Value {
        let mut feed = Map::new();
        for region in Region::ALL {
            let events: Vec<Value> = years
                .clone()
                .flat_map(|year| holidays::listing(region, year, published))
                .map(|h| {
                    let (title, notes) = match h.title.strip_suffix(SUBSTITUTE_SUFFIX) {
                        Some(base) => (base.to_owned(), "Substitute day"),
                        None => (h.title.clone(), ""),
                    };
                    json!({"title": title, "date": h.date, "notes": notes, "bunting": true})
                })
                .collect();
            feed.insert(
                region.as_str().to_owned(),
                json!({"division": region.as_str(), "events": events}),
            );
        }
        Value::Object(feed)
    }

    fn fields(err: &Invalid) -> Vec<&str> {
        err.0.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn cal2_feed_as_published_reads_back_to_the_same_holidays() {
        let published = parse_feed(&feed_of(&Published::default(), 2018..=2028)).unwrap();
        for region in Region::ALL {
            assert_eq!(
                published.years(region).collect::<Vec<_>>(),
                (2018..=2028).collect::<Vec<_>>()
            );
            let rules = Calendar::new(region, &[]);
            let imported = Calendar::with_published(region, Arc::new(published.clone()), &[]);
            for year in 2016..=2030 {
                assert_eq!(
                    imported.holidays(year),
                    rules.holidays(year),
                    "{region:?} {year}"
                );
            }
            assert_eq!(imported.data_until(), d("2028-12-31"));
            assert_eq!(rules.data_until(), d("2027-12-31"));
        }
        // Substitute days keep the calendar's own titles.
        let scotland = published.year(Region::Scotland, 2027).unwrap();
        assert!(scotland
            .iter()
            .any(|h| h.date == d("2027-01-04") && h.title == "2nd January (substitute day)"));
    }

    #[test]
    fn cal2_imported_years_replace_the_rules_and_others_keep_them() {
        let mut feed = feed_of(&Published::default(), 2027..=2027);
        let events = feed["scotland"]["events"].as_array_mut().unwrap();
        // A proclaimed extra day, and the summer holiday moved a week.
        events.push(json!({"title": "Extra day", "date": "2027-06-14", "notes": "Extra bank holiday", "bunting": true}));
        let summer = events
            .iter_mut()
            .find(|e| e["date"] == "2027-08-02")
            .unwrap();
        summer["date"] = json!("2027-08-09");
        let published = Arc::new(parse_feed(&feed).unwrap());
        let scotland = Calendar::with_published(Region::Scotland, published.clone(), &[]);
        assert_eq!(scotland.is_working_day(d("2027-06-14")), Ok(false));
        assert_eq!(scotland.is_working_day(d("2027-08-02")), Ok(true));
        assert_eq!(scotland.is_working_day(d("2027-08-09")), Ok(false));
        assert_eq!(
            scotland.working_days_between(d("2027-06-11"), d("2027-06-15")),
            Ok(1)
        );
        // 2026 is not in the feed: the rules and the shipped list still answer.
        assert_eq!(scotland.is_working_day(d("2026-06-15")), Ok(false));
        let ew = Calendar::with_published(Region::EnglandAndWales, published, &[]);
        assert_eq!(ew.is_working_day(d("2027-06-14")), Ok(true));
    }

    #[test]
    fn cal2_compare_lists_added_and_removed_days_per_region() {
        let current = Published::default();
        let mut feed = feed_of(&current, 2027..=2028);
        let events = feed["northern-ireland"]["events"].as_array_mut().unwrap();
        events.retain(|e| e["date"] != "2028-07-12");
        events.push(json!({"title": "Battle of the Boyne (Orangemen’s Day)", "date": "2028-07-13", "notes": "", "bunting": false}));
        let next = parse_feed(&feed).unwrap();
        let changes = compare(&current, &next);
        assert_eq!(changes.len(), 3);
        let ni = &changes[2];
        assert_eq!(ni.region, Region::NorthernIreland);
        assert_eq!(
            (ni.added[0].date, ni.removed[0].date),
            (d("2028-07-13"), d("2028-07-12"))
        );
        assert!(changes[..2].iter().all(|c| c.added.is_empty()
            && c.removed.is_empty()
            && c.data_until == d("2028-12-31")));
        // Importing something else later compares with what was imported: the years only
        // the first import covered return to the rules.
        let changes = compare(&next, &parse_feed(&feed_of(&current, 2027..=2027)).unwrap());
        assert_eq!(changes[2].added[0].date, d("2028-07-12"));
        assert_eq!(changes[2].removed[0].date, d("2028-07-13"));
        assert_eq!(changes[2].data_until, d("2027-12-31"));
    }

    #[test]
    fn cal2_feed_errors_name_the_entry() {
        let good = feed_of(&Published::default(), 2027..=2027);
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut feed = good.clone();
            edit(&mut feed);
            parse_feed(&feed).unwrap_err()
        };
        let err = with(&|f| f["scotland"]["events"][3]["date"] = json!("2027-13-01"));
        assert_eq!(fields(&err), ["scotland.events[3].date"]);
        let err = with(&|f| f["scotland"]["events"][3]["date"] = json!("2027-05-01"));
        assert!(err.0[0].message.contains("Saturday"), "{err}");
        let err = with(&|f| f["scotland"]["events"][2]["date"] = json!("2027-01-01"));
        assert_eq!(fields(&err), ["scotland.events[2].date"]);
        assert!(err.0[0].message.contains("scotland.events[0]"), "{err}");
        let err = with(&|f| f["scotland"]["events"][0]["title"] = json!(""));
        assert_eq!(fields(&err), ["scotland.events[0].title"]);
        let err = with(&|f| f["scotland"]["events"][0]["notes"] = json!(7));
        assert_eq!(fields(&err), ["scotland.events[0].notes"]);
        let err = with(&|f| f["scotland"]["events"][0]["bunting"] = json!("yes"));
        assert_eq!(fields(&err), ["scotland.events[0].bunting"]);
        let err = with(&|f| f["scotland"]["division"] = json!("england-and-wales"));
        assert_eq!(fields(&err), ["scotland.division"]);
        let err = with(&|f| f["scotland"]["events"] = json!({}));
        assert_eq!(fields(&err), ["scotland.events"]);
        let err = with(&|f| {
            f.as_object_mut().unwrap().remove("northern-ireland");
            f["wales"] = json!({});
        });
        assert_eq!(fields(&err), ["wales", "northern-ireland"]);
        let err = with(&|f| f["scotland"]["events"].as_array_mut().unwrap().truncate(3));
        assert_eq!(fields(&err), ["scotland.events"]);
        assert!(err.0[0].message.contains("2027"), "{err}");
        assert_eq!(fields(&parse_feed(&json!([])).unwrap_err()), ["body"]);
    }

    #[test]
    fn cal2_the_shipped_changes_file_is_not_a_feed() {
        // It lists only changes, so importing it would wipe the rule holidays of those years.
        let shipped: Value = serde_json::from_str(include_str!("bank-holidays.json")).unwrap();
        let err = parse_feed(&shipped).unwrap_err();
        assert!(err.0.iter().all(|e| e.field.ends_with(".events")), "{err}");
    }

    #[test]
    fn cal2_data_ends_soon_within_six_months() {
        let until = d("2027-12-31");
        assert!(!data_ends_soon(until, d("2027-06-30")));
        assert!(data_ends_soon(until, d("2027-07-01")));
        assert!(data_ends_soon(until, d("2028-03-01")));
    }

    proptest! {
        // Each case builds two calendars.
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn cal2_importing_the_calendars_own_feed_changes_no_answer(
            first in 1990i32..2095, span in 0i32..5,
            region in prop::sample::select(Region::ALL.to_vec()),
            from in 0u64..40_000, n in -400i32..400,
        ) {
            let published = parse_feed(&feed_of(&Published::default(), first..=first + span)).unwrap();
            prop_assert!(compare(&Published::default(), &published)
                .iter()
                .all(|c| c.added.is_empty() && c.removed.is_empty()));
            let rules = Calendar::new(region, &[]);
            let imported = Calendar::with_published(region, Arc::new(published), &[]);
            let from = d("1990-01-01") + chrono::Days::new(from);
            prop_assert_eq!(imported.add_working_days(from, n), rules.add_working_days(from, n));
        }
    }
}
