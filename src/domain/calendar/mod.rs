//! Working days for supervision deadlines (CAL-1 to CAL-3).
//!
//! # Working days (CAL-1)
//! A working day is a Monday to Friday that is neither a public holiday of
//! the organisation's [`Region`] nor one of the organisation's closure days.
//!
//! # Public holidays (CAL-2)
//! Holidays come from rules, so every year is covered without yearly data:
//! New Year's Day, Good Friday, the early May (first Monday) and spring (last
//! Monday) bank holidays, Christmas Day and Boxing Day everywhere; Easter
//! Monday and the summer bank holiday (last Monday in August) in England and
//! Wales and in Northern Ireland; 2 January, the summer bank holiday (first
//! Monday in August) and, from 2007, St Andrew's Day (30 November) in
//! Scotland; St Patrick's Day (17 March) and the Battle of the Boyne (12 July)
//! in Northern Ireland. A holiday on a weekend is observed on the next weekday
//! that is not already a holiday, taking holidays in date order.
//!
//! One-off changes made by proclamation live in `bank-holidays.json` beside this module,
//! which has the shape of the GOV.UK bank-holiday feed: one object per
//! division with `division` and `events` (`title`, `date`, `notes`,
//! `bunting`). Each `events` entry is a holiday added on that date. Each
//! division may also have a `removed` list, not in the GOV.UK feed, of rule
//! holidays that were not observed, each with the `title` and `date` the
//! rules give it (substitutes carry the " (substitute day)" suffix) and
//! `notes` saying why. A moved holiday is therefore one `removed` entry for
//! its rule date and one `events` entry for its new date. `notes` and
//! `bunting` are for readers only; `notes` names the source where a change is
//! not common knowledge. Each division also says, in `checked_until` (not in
//! the GOV.UK feed either), the last day up to which the list was checked
//! against the GOV.UK feed. The file holds only these changes, never the rule holidays, so
//! the full GOV.UK feed cannot be dropped in (the `cal2_data_*` tests reject a day listed
//! twice).
//!
//! An operator brings the data up to date without a release by importing the GOV.UK feed
//! as published ([`feed::parse_feed`]): for each year it covers, its list replaces the
//! rules and the shipped changes ([`Calendar::with_published`]). [`Published::data_until`]
//! says how far the published data reaches.
//!
//! # Counting and adding working days (CAL-3)
//! [`Calendar::working_days_between`]`(a, b)` counts the working days `d`
//! with `a < d <= b`; it is 0 when `a == b` and `-working_days_between(b, a)`
//! when `a > b`, so counts over adjacent intervals add up.
//!
//! [`Calendar::add_working_days`]`(a, n)` is the earliest date `d` with
//! `working_days_between(a, d) == n`, except that `n == 0` gives `a` itself.
//! For `n != 0` the answer is always a working day: one working day after a
//! Friday is the Monday, and one working day before a Monday is the Friday.
//!
//! Both are answered from an index built once per [`Calendar`] for the years
//! [`Calendar::FIRST_YEAR`] to [`Calendar::LAST_YEAR`]; dates or answers
//! outside those years give a [`CalendarError`].

pub mod feed;
mod holidays;

use std::error::Error;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use feed::Published;

/// The part of the UK whose public holidays an organisation observes.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// England and Wales (`england-and-wales`).
    #[default]
    EnglandAndWales,
    /// Scotland (`scotland`).
    Scotland,
    /// Northern Ireland (`northern-ireland`).
    NorthernIreland,
}

impl Region {
    /// Every region, in declaration order.
    pub const ALL: [Region; 3] = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    /// The region's id, as used by the GOV.UK feed and in serde.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
        }
    }
}

impl FromStr for Region {
    type Err = ParseRegionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL
            .into_iter()
            .find(|region| region.as_str() == s)
            .ok_or_else(|| ParseRegionError {
                input: s.to_owned(),
            })
    }
}

/// A string that is not a region id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRegionError {
    input: String,
}

impl fmt::Display for ParseRegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown holiday region {:?}; expected england-and-wales, scotland or northern-ireland",
            self.input
        )
    }
}

impl Error for ParseRegionError {}

/// A public holiday as observed, with the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day observed, which for a substitute is not the nominal date.
    pub date: NaiveDate,
    /// The name, e.g. "Boxing Day (substitute day)".
    pub title: String,
    /// The region observing it.
    pub region: Region,
}

/// A question the calendar cannot answer exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarError {
    /// The date lies outside the years the calendar covers.
    OutOfRange {
        /// The date asked about.
        date: NaiveDate,
    },
    /// The year lies outside the years the calendar covers.
    YearOutOfRange {
        /// The year asked about.
        year: i32,
    },
    /// The answer would lie outside the years the calendar covers.
    ResultOutOfRange {
        /// The date counted from.
        from: NaiveDate,
    },
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = (Calendar::FIRST_YEAR, Calendar::LAST_YEAR);
        match self {
            CalendarError::OutOfRange { date } => {
                write!(f, "date {date} is outside the calendar ({first}-{last})")
            }
            CalendarError::YearOutOfRange { year } => {
                write!(f, "year {year} is outside the calendar ({first}-{last})")
            }
            CalendarError::ResultOutOfRange { from } => write!(
                f,
                "counting from {from} leaves the calendar ({first}-{last})"
            ),
        }
    }
}

impl Error for CalendarError {}

/// The working days of one organisation: its region's public holidays plus
/// its own closure days, indexed so that working-day queries are O(1).
///
/// Immutable once built; cloning shares the index.
#[derive(Clone)]
pub struct Calendar {
    region: Region,
    index: Arc<Index>,
    /// Imported holidays, which replace the rules for the years they cover.
    published: Arc<Published>,
}

/// Prefix counts over every day of the covered years.
struct Index {
    /// `num_days_from_ce` of the first covered day, so a date's position is
    /// one subtraction away.
    first_day: i32,
    /// `working_before[i]` is the number of working days among the first `i`
    /// covered days; one entry longer than the number of days.
    working_before: Box<[u32]>,
    /// Every working day in order, so the k-th working day is one lookup.
    working_days: Box<[NaiveDate]>,
}

impl Calendar {
    /// First year covered: the data holds every one-off change since then.
    pub const FIRST_YEAR: i32 = 1990;
    /// Last year covered.
    pub const LAST_YEAR: i32 = 2100;

    /// Builds the calendar of an organisation in `region` that is also closed
    /// on `closure_days`, from the rules and the shipped changes alone.
    pub fn new(region: Region, closure_days: &[NaiveDate]) -> Calendar {
        Calendar::with_published(region, Arc::default(), closure_days)
    }

    /// Builds the calendar of an organisation in `region` that is also closed
    /// on `closure_days`, taking the holidays of each year `published` covers
    /// from it. Closure days outside the covered years are ignored, as no query
    /// can reach them.
    pub fn with_published(
        region: Region,
        published: Arc<Published>,
        closure_days: &[NaiveDate],
    ) -> Calendar {
        let first = ymd_first(Calendar::FIRST_YEAR);
        let last = ymd_first(Calendar::LAST_YEAR + 1);
        let days = usize::try_from((last - first).num_days()).expect("range is non-empty");
        let first_day = first.num_days_from_ce();
        let position = |date: NaiveDate| {
            usize::try_from(date.num_days_from_ce() - first_day)
                .ok()
                .filter(|&i| i < days)
        };

        let mut closed = vec![false; days];
        let holidays =
            (Calendar::FIRST_YEAR..=Calendar::LAST_YEAR).flat_map(|year| {
                match published.year(region, year) {
                    Some(days) => days.iter().map(|h| h.date).collect(),
                    None => holidays::observances(region, year)
                        .into_iter()
                        .map(|o| o.date)
                        .collect::<Vec<_>>(),
                }
            });
        for date in holidays.chain(closure_days.iter().copied()) {
            if let Some(i) = position(date) {
                closed[i] = true;
            }
        }

        let mut working_before = Vec::with_capacity(days + 1);
        let mut working_days = Vec::with_capacity(days / 7 * 5 + 5);
        working_before.push(0);
        for (date, closed) in first.iter_days().zip(closed) {
            if !closed && !is_weekend(date) {
                working_days.push(date);
            }
            working_before.push(u32::try_from(working_days.len()).expect("fits in u32"));
        }

        Calendar {
            region,
            index: Arc::new(Index {
                first_day,
                working_before: working_before.into_boxed_slice(),
                working_days: working_days.into_boxed_slice(),
            }),
            published,
        }
    }

    /// The region whose public holidays this calendar observes.
    pub fn region(&self) -> Region {
        self.region
    }

    /// The region's public holidays in `year`, in date order, as observed
    /// (substitute days included). Closure days are not listed.
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>, CalendarError> {
        if !(Calendar::FIRST_YEAR..=Calendar::LAST_YEAR).contains(&year) {
            return Err(CalendarError::YearOutOfRange { year });
        }
        Ok(holidays::listing(self.region, year, &self.published))
    }

    /// The last day up to which this region's holidays come from a published list rather
    /// than from the rules alone (CAL-2).
    pub fn data_until(&self) -> NaiveDate {
        self.published.data_until(self.region)
    }

    /// Whether `date` is a working day (CAL-1).
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.position(date)?;
        let before = &self.index.working_before;
        Ok(before[i + 1] > before[i])
    }

    /// `date` if it is a working day, otherwise the next working day.
    pub fn next_working_day_on_or_after(
        &self,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        let i = self.position(date)?;
        // The working days strictly before `date` number working_before[i],
        // so the next one is at that position.
        let k = self.index.working_before[i] as usize;
        self.index
            .working_days
            .get(k)
            .copied()
            .ok_or(CalendarError::ResultOutOfRange { from: date })
    }

    /// The number of working days `d` with `from < d <= to`; negative, as
    /// `-working_days_between(to, from)`, when `from > to` (CAL-3).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i32, CalendarError> {
        let (i, j) = (self.position(from)?, self.position(to)?);
        let before = &self.index.working_before;
        // Counts are below 2^31 (at most one per day of the range).
        Ok(before[j + 1] as i32 - before[i + 1] as i32)
    }

    /// The earliest date `d` with `working_days_between(from, d) == n`, or
    /// `from` itself when `n == 0` (CAL-3). For `n != 0` the answer is a
    /// working day: adding 1 to a Friday or a Saturday gives the Monday, and
    /// adding -1 to a Monday gives the Friday. Adding -1 to a Saturday gives
    /// the Thursday, because the Friday is 0 working days before it.
    pub fn add_working_days(&self, from: NaiveDate, n: i32) -> Result<NaiveDate, CalendarError> {
        let i = self.position(from)?;
        if n == 0 {
            return Ok(from);
        }
        // 1-based ordinal, within the range, of the working day wanted.
        let ordinal = i64::from(self.index.working_before[i + 1]) + i64::from(n);
        usize::try_from(ordinal - 1)
            .ok()
            .and_then(|k| self.index.working_days.get(k))
            .copied()
            .ok_or(CalendarError::ResultOutOfRange { from })
    }

    /// Position of `date` among the covered days.
    fn position(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        usize::try_from(date.num_days_from_ce() - self.index.first_day)
            .ok()
            .filter(|&i| i + 1 < self.index.working_before.len())
            .ok_or(CalendarError::OutOfRange { date })
    }
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("region", &self.region)
            .field("working_days", &self.index.working_days.len())
            .finish_non_exhaustive()
    }
}

fn ymd_first(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).expect("covered years are valid")
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::OnceLock;

    use chrono::Days;
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn first_day() -> NaiveDate {
        ymd_first(Calendar::FIRST_YEAR)
    }

    fn last_day() -> NaiveDate {
        ymd_first(Calendar::LAST_YEAR + 1).pred_opt().unwrap()
    }

    fn calendar(region: Region) -> &'static Calendar {
        static CALENDARS: OnceLock<[Calendar; 3]> = OnceLock::new();
        &CALENDARS.get_or_init(|| Region::ALL.map(|r| Calendar::new(r, &[])))[region as usize]
    }

    fn reference(region: Region) -> &'static Reference {
        static REFERENCES: OnceLock<[Reference; 3]> = OnceLock::new();
        &REFERENCES.get_or_init(|| Region::ALL.map(|r| Reference::new(calendar(r), &[])))
            [region as usize]
    }

    fn holiday_dates(region: Region, year: i32) -> Vec<NaiveDate> {
        let holidays = calendar(region).holidays(year).unwrap();
        holidays.into_iter().map(|h| h.date).collect()
    }

    /// CAL-1 and CAL-3 by walking day by day over the holiday listing, with
    /// no index: what the calendar must agree with.
    struct Reference {
        closed: HashSet<NaiveDate>,
    }

    impl Reference {
        fn new(calendar: &Calendar, closure_days: &[NaiveDate]) -> Reference {
            let mut closed: HashSet<NaiveDate> = (Calendar::FIRST_YEAR..=Calendar::LAST_YEAR)
                .flat_map(|year| calendar.holidays(year).unwrap())
                .map(|h| h.date)
                .collect();
            closed.extend(closure_days);
            Reference { closed }
        }

        fn is_working(&self, date: NaiveDate) -> bool {
            !is_weekend(date) && !self.closed.contains(&date)
        }

        fn between(&self, from: NaiveDate, to: NaiveDate) -> i32 {
            if from > to {
                return -self.between(to, from);
            }
            from.iter_days()
                .skip(1)
                .take_while(|&day| day <= to)
                .filter(|&day| self.is_working(day))
                .count() as i32
        }

        /// Walks from `from` until `n` working days have been passed; `None`
        /// if the walk leaves the covered years first.
        fn add(&self, from: NaiveDate, n: i32) -> Option<NaiveDate> {
            let mut day = from;
            let mut passed = 0;
            if n >= 0 {
                while passed < n {
                    day = day.succ_opt().filter(|&next| next <= last_day())?;
                    if self.is_working(day) {
                        passed += 1;
                    }
                }
                return Some(day);
            }
            // Going back, `passed` counts working days in (day, from]; the
            // earliest day with the wanted count is the working day where it
            // would next grow.
            loop {
                if self.is_working(day) {
                    if passed == -n {
                        return Some(day);
                    }
                    passed += 1;
                }
                day = day.pred_opt().filter(|&prev| prev >= first_day())?;
            }
        }

        fn next_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
            date.iter_days()
                .take_while(|&day| day <= last_day())
                .find(|&day| self.is_working(day))
        }
    }

    // ---- CAL-1: regions, working days, closure days ----

    #[test]
    fn cal1_region_ids_round_trip_through_str_and_serde() {
        for region in Region::ALL {
            assert_eq!(region.as_str().parse::<Region>(), Ok(region));
            let json = serde_json::to_string(&region).unwrap();
            assert_eq!(json, format!("\"{}\"", region.as_str()));
            assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), region);
        }
        assert_eq!(Region::default(), Region::EnglandAndWales);
    }

    #[test]
    fn cal1_unknown_region_is_rejected() {
        let err = "wales".parse::<Region>().unwrap_err();
        assert!(err.to_string().contains("\"wales\""));
        assert!(serde_json::from_str::<Region>("\"England\"").is_err());
    }

    #[test]
    fn cal1_weekends_and_holidays_are_not_working_days() {
        let cal = calendar(Region::EnglandAndWales);
        assert_eq!(cal.is_working_day(d("2024-06-07")), Ok(true)); // Friday
        assert_eq!(cal.is_working_day(d("2024-06-08")), Ok(false)); // Saturday
        assert_eq!(cal.is_working_day(d("2024-06-09")), Ok(false)); // Sunday
        assert_eq!(cal.is_working_day(d("2024-08-26")), Ok(false)); // Summer bank holiday
        assert_eq!(cal.is_working_day(d("2024-08-05")), Ok(true));
        let scotland = calendar(Region::Scotland);
        assert_eq!(scotland.is_working_day(d("2024-08-05")), Ok(false));
        assert_eq!(scotland.is_working_day(d("2024-08-26")), Ok(true));
    }

    #[test]
    fn cal1_closure_days_are_not_working_days() {
        let closures = [d("2024-12-24"), d("2024-12-27"), d("2024-12-28")];
        let cal = Calendar::new(Region::EnglandAndWales, &closures);
        assert_eq!(cal.is_working_day(d("2024-12-24")), Ok(false));
        assert_eq!(cal.is_working_day(d("2024-12-23")), Ok(true));
        assert_eq!(
            cal.next_working_day_on_or_after(d("2024-12-24")),
            Ok(d("2024-12-30"))
        );
        assert_eq!(
            cal.working_days_between(d("2024-12-20"), d("2024-12-31")),
            Ok(3)
        );
        assert_eq!(
            cal.add_working_days(d("2024-12-23"), 1),
            Ok(d("2024-12-30"))
        );
        // Closure days never change the public-holiday listing.
        assert_eq!(
            cal.holidays(2024),
            calendar(Region::EnglandAndWales).holidays(2024)
        );
    }

    #[test]
    fn cal1_closure_days_outside_the_range_are_ignored() {
        let cal = Calendar::new(Region::Scotland, &[d("1989-06-01"), d("2101-06-01")]);
        assert_eq!(
            cal.working_days_between(first_day(), last_day()),
            calendar(Region::Scotland).working_days_between(first_day(), last_day())
        );
    }

    #[test]
    fn cal1_next_working_day_skips_holiday_runs() {
        let ew = calendar(Region::EnglandAndWales);
        assert_eq!(
            ew.next_working_day_on_or_after(d("2021-12-24")),
            Ok(d("2021-12-24"))
        );
        assert_eq!(
            ew.next_working_day_on_or_after(d("2021-12-25")),
            Ok(d("2021-12-29"))
        );
        assert_eq!(
            ew.next_working_day_on_or_after(d("2022-01-01")),
            Ok(d("2022-01-04"))
        );
        let scotland = calendar(Region::Scotland);
        assert_eq!(
            scotland.next_working_day_on_or_after(d("2022-01-01")),
            Ok(d("2022-01-05"))
        );
    }

    #[test]
    fn cal1_calendar_is_send_sync_and_clones_share_the_index() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Calendar>();
        let cal = calendar(Region::NorthernIreland).clone();
        assert!(Arc::ptr_eq(
            &cal.index,
            &calendar(Region::NorthernIreland).index
        ));
        assert_eq!(cal.region(), Region::NorthernIreland);
    }

    #[test]
    fn cal1_out_of_range_dates_are_errors() {
        let cal = calendar(Region::EnglandAndWales);
        let before = d("1989-12-31");
        let after = d("2101-01-01");
        for date in [before, after] {
            let err = CalendarError::OutOfRange { date };
            assert_eq!(cal.is_working_day(date), Err(err));
            assert_eq!(cal.next_working_day_on_or_after(date), Err(err));
            assert_eq!(cal.add_working_days(date, 0), Err(err));
            assert_eq!(cal.working_days_between(date, d("2000-01-01")), Err(err));
            assert_eq!(cal.working_days_between(d("2000-01-01"), date), Err(err));
        }
        assert_eq!(
            cal.holidays(1989),
            Err(CalendarError::YearOutOfRange { year: 1989 })
        );
        assert_eq!(
            cal.holidays(2101),
            Err(CalendarError::YearOutOfRange { year: 2101 })
        );
        assert!(cal.holidays(1990).is_ok() && cal.holidays(2100).is_ok());
        let err = cal.add_working_days(d("2100-12-20"), 30).unwrap_err();
        assert_eq!(
            err,
            CalendarError::ResultOutOfRange {
                from: d("2100-12-20")
            }
        );
        assert!(err.to_string().contains("1990-2100"));
        // 1 January 1990 is a holiday, so one working day back from the first
        // working day leaves the range.
        assert_eq!(
            cal.add_working_days(d("1990-01-02"), -1),
            Err(CalendarError::ResultOutOfRange {
                from: d("1990-01-02")
            })
        );
        assert_eq!(
            cal.add_working_days(d("1990-01-03"), -1),
            Ok(d("1990-01-02"))
        );
    }

    // ---- CAL-2: holidays against published dates ----

    type Titled = [(&'static str, &'static str)];

    fn assert_listing(region: Region, year: i32, expected: &Titled) {
        let actual: Vec<(String, String)> = calendar(region)
            .holidays(year)
            .unwrap()
            .into_iter()
            .inspect(|h| assert_eq!(h.region, region))
            .map(|h| (h.date.to_string(), h.title))
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|&(date, title)| (format!("{year}-{date}"), title.to_owned()))
            .collect();
        assert_eq!(actual, expected, "{region:?} {year}");
    }

    const NEW_YEAR: &str = "New Year’s Day";
    const JAN_2: &str = "2nd January";
    const GOOD_FRIDAY: &str = "Good Friday";
    const EASTER_MONDAY: &str = "Easter Monday";
    const EARLY_MAY: &str = "Early May bank holiday";
    const SPRING: &str = "Spring bank holiday";
    const SUMMER: &str = "Summer bank holiday";
    const CHRISTMAS: &str = "Christmas Day";
    const BOXING: &str = "Boxing Day";
    const BOXING_SUB: &str = "Boxing Day (substitute day)";
    const ST_ANDREW: &str = "St Andrew’s Day";
    const ST_ANDREW_SUB: &str = "St Andrew’s Day (substitute day)";
    const ST_PATRICK: &str = "St Patrick’s Day";
    const BOYNE: &str = "Battle of the Boyne (Orangemen’s Day)";
    const BOYNE_SUB: &str = "Battle of the Boyne (Orangemen’s Day) (substitute day)";
    const WORLD_CUP: &str = "World Cup bank holiday";

    #[test]
    fn cal2_england_and_wales_2024_to_2026_as_published() {
        let r = Region::EnglandAndWales;
        assert_listing(
            r,
            2024,
            &[
                ("01-01", NEW_YEAR),
                ("03-29", GOOD_FRIDAY),
                ("04-01", EASTER_MONDAY),
                ("05-06", EARLY_MAY),
                ("05-27", SPRING),
                ("08-26", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2025,
            &[
                ("01-01", NEW_YEAR),
                ("04-18", GOOD_FRIDAY),
                ("04-21", EASTER_MONDAY),
                ("05-05", EARLY_MAY),
                ("05-26", SPRING),
                ("08-25", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2026,
            &[
                ("01-01", NEW_YEAR),
                ("04-03", GOOD_FRIDAY),
                ("04-06", EASTER_MONDAY),
                ("05-04", EARLY_MAY),
                ("05-25", SPRING),
                ("08-31", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-28", BOXING_SUB),
            ],
        );
    }

    #[test]
    fn cal2_scotland_2024_to_2026_as_published() {
        let r = Region::Scotland;
        assert_listing(
            r,
            2024,
            &[
                ("01-01", NEW_YEAR),
                ("01-02", JAN_2),
                ("03-29", GOOD_FRIDAY),
                ("05-06", EARLY_MAY),
                ("05-27", SPRING),
                ("08-05", SUMMER),
                ("12-02", ST_ANDREW_SUB),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2025,
            &[
                ("01-01", NEW_YEAR),
                ("01-02", JAN_2),
                ("04-18", GOOD_FRIDAY),
                ("05-05", EARLY_MAY),
                ("05-26", SPRING),
                ("08-04", SUMMER),
                ("12-01", ST_ANDREW_SUB),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2026,
            &[
                ("01-01", NEW_YEAR),
                ("01-02", JAN_2),
                ("04-03", GOOD_FRIDAY),
                ("05-04", EARLY_MAY),
                ("05-25", SPRING),
                ("06-15", WORLD_CUP),
                ("08-03", SUMMER),
                ("11-30", ST_ANDREW),
                ("12-25", CHRISTMAS),
                ("12-28", BOXING_SUB),
            ],
        );
    }

    #[test]
    fn cal2_northern_ireland_2024_to_2026_as_published() {
        let r = Region::NorthernIreland;
        assert_listing(
            r,
            2024,
            &[
                ("01-01", NEW_YEAR),
                ("03-18", "St Patrick’s Day (substitute day)"),
                ("03-29", GOOD_FRIDAY),
                ("04-01", EASTER_MONDAY),
                ("05-06", EARLY_MAY),
                ("05-27", SPRING),
                ("07-12", BOYNE),
                ("08-26", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2025,
            &[
                ("01-01", NEW_YEAR),
                ("03-17", ST_PATRICK),
                ("04-18", GOOD_FRIDAY),
                ("04-21", EASTER_MONDAY),
                ("05-05", EARLY_MAY),
                ("05-26", SPRING),
                ("07-14", BOYNE_SUB),
                ("08-25", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-26", BOXING),
            ],
        );
        assert_listing(
            r,
            2026,
            &[
                ("01-01", NEW_YEAR),
                ("03-17", ST_PATRICK),
                ("04-03", GOOD_FRIDAY),
                ("04-06", EASTER_MONDAY),
                ("05-04", EARLY_MAY),
                ("05-25", SPRING),
                ("07-13", BOYNE_SUB),
                ("08-31", SUMMER),
                ("12-25", CHRISTMAS),
                ("12-28", BOXING_SUB),
            ],
        );
    }

    /// Dates of the GOV.UK bank-holiday feed, 2012 to 2027, as "MM-DD" lists.
    const PUBLISHED: [(Region, &[(i32, &str)]); 3] = [
        (
            Region::EnglandAndWales,
            &[
                (
                    2012,
                    "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
                ),
                (2013, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26"),
                (2014, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
                (2015, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
                (2016, "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27"),
                (2017, "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26"),
                (2018, "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26"),
                (2019, "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26"),
                (2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28"),
                (2021, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28"),
                (
                    2022,
                    "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
                ),
                (
                    2023,
                    "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
                ),
                (2024, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26"),
                (2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
                (2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
                (2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28"),
            ],
        ),
        (
            Region::Scotland,
            &[
                (
                    2012,
                    "01-02 01-03 04-06 05-07 06-04 06-05 08-06 11-30 12-25 12-26",
                ),
                (
                    2013,
                    "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26",
                ),
                (
                    2014,
                    "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26",
                ),
                (
                    2015,
                    "01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28",
                ),
                (
                    2016,
                    "01-01 01-04 03-25 05-02 05-30 08-01 11-30 12-26 12-27",
                ),
                (
                    2017,
                    "01-02 01-03 04-14 05-01 05-29 08-07 11-30 12-25 12-26",
                ),
                (
                    2018,
                    "01-01 01-02 03-30 05-07 05-28 08-06 11-30 12-25 12-26",
                ),
                (
                    2019,
                    "01-01 01-02 04-19 05-06 05-27 08-05 12-02 12-25 12-26",
                ),
                (
                    2020,
                    "01-01 01-02 04-10 05-08 05-25 08-03 11-30 12-25 12-28",
                ),
                (
                    2021,
                    "01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28",
                ),
                (
                    2022,
                    "01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27",
                ),
                (
                    2023,
                    "01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26",
                ),
                (
                    2024,
                    "01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26",
                ),
                (
                    2025,
                    "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26",
                ),
                (
                    2026,
                    "01-01 01-02 04-03 05-04 05-25 06-15 08-03 11-30 12-25 12-28",
                ),
                (
                    2027,
                    "01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28",
                ),
            ],
        ),
        (
            Region::NorthernIreland,
            &[
                (
                    2012,
                    "01-02 03-19 04-06 04-09 05-07 06-04 06-05 07-12 08-27 12-25 12-26",
                ),
                (
                    2013,
                    "01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26",
                ),
                (
                    2014,
                    "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26",
                ),
                (
                    2015,
                    "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28",
                ),
                (
                    2016,
                    "01-01 03-17 03-25 03-28 05-02 05-30 07-12 08-29 12-26 12-27",
                ),
                (
                    2017,
                    "01-02 03-17 04-14 04-17 05-01 05-29 07-12 08-28 12-25 12-26",
                ),
                (
                    2018,
                    "01-01 03-19 03-30 04-02 05-07 05-28 07-12 08-27 12-25 12-26",
                ),
                (
                    2019,
                    "01-01 03-18 04-19 04-22 05-06 05-27 07-12 08-26 12-25 12-26",
                ),
                (
                    2020,
                    "01-01 03-17 04-10 04-13 05-08 05-25 07-13 08-31 12-25 12-28",
                ),
                (
                    2021,
                    "01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28",
                ),
                (
                    2022,
                    "01-03 03-17 04-15 04-18 05-02 06-02 06-03 07-12 08-29 09-19 12-26 12-27",
                ),
                (
                    2023,
                    "01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26",
                ),
                (
                    2024,
                    "01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26",
                ),
                (
                    2025,
                    "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26",
                ),
                (
                    2026,
                    "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28",
                ),
                (
                    2027,
                    "01-01 03-17 03-26 03-29 05-03 05-31 07-12 08-30 12-27 12-28",
                ),
            ],
        ),
    ];

    #[test]
    fn cal2_dates_match_the_published_feed_2012_to_2027() {
        for (region, years) in PUBLISHED {
            for &(year, dates) in years {
                let expected: Vec<NaiveDate> = dates
                    .split(' ')
                    .map(|md| d(&format!("{year}-{md}")))
                    .collect();
                assert_eq!(holiday_dates(region, year), expected, "{region:?} {year}");
            }
        }
    }

    #[test]
    fn cal2_one_off_changes_since_1990_in_every_region() {
        let added = [
            ("1995-05-08", "Early May bank holiday (VE day)"),
            ("1999-12-31", "Millennium celebrations"),
            ("2002-06-03", "Queen’s Golden Jubilee"),
            ("2002-06-04", SPRING),
            ("2011-04-29", "Royal wedding"),
            ("2012-06-04", SPRING),
            ("2012-06-05", "Queen’s Diamond Jubilee"),
            ("2020-05-08", "Early May bank holiday (VE day)"),
            ("2022-06-02", SPRING),
            ("2022-06-03", "Platinum Jubilee bank holiday"),
            (
                "2022-09-19",
                "Bank Holiday for the State Funeral of Queen Elizabeth II",
            ),
            (
                "2023-05-08",
                "Bank holiday for the coronation of King Charles III",
            ),
        ];
        // The rule dates of the moved days, all Mondays.
        let moved_from = [
            "1995-05-01",
            "2002-05-27",
            "2012-05-28",
            "2020-05-04",
            "2022-05-30",
        ];
        for region in Region::ALL {
            let cal = calendar(region);
            for (date, title) in added {
                let date = d(date);
                let holidays = cal.holidays(date.year()).unwrap();
                let found = holidays.iter().find(|h| h.date == date);
                assert_eq!(
                    found.map(|h| h.title.as_str()),
                    Some(title),
                    "{region:?} {date}"
                );
                assert_eq!(cal.is_working_day(date), Ok(false));
            }
            for date in moved_from {
                assert_eq!(cal.is_working_day(d(date)), Ok(true), "{region:?} {date}");
            }
            // Each moved year keeps exactly one early May and one spring holiday.
            for year in [1995, 2002, 2012, 2020, 2022] {
                let holidays = cal.holidays(year).unwrap();
                let count = |title: &str| {
                    holidays
                        .iter()
                        .filter(|h| h.title.starts_with(title))
                        .count()
                };
                assert_eq!(
                    (count(EARLY_MAY), count(SPRING)),
                    (1, 1),
                    "{region:?} {year}"
                );
            }
        }
    }

    #[test]
    fn cal2_scotland_world_cup_bank_holiday_15_june_2026() {
        let scotland = calendar(Region::Scotland);
        let ew = calendar(Region::EnglandAndWales);
        let (fri, mon, tue) = (d("2026-06-12"), d("2026-06-15"), d("2026-06-16"));
        assert_eq!(scotland.is_working_day(mon), Ok(false));
        assert_eq!(ew.is_working_day(mon), Ok(true));
        assert_eq!(
            calendar(Region::NorthernIreland).is_working_day(mon),
            Ok(true)
        );
        assert_eq!(scotland.working_days_between(fri, tue), Ok(1));
        assert_eq!(ew.working_days_between(fri, tue), Ok(2));
        assert_eq!(scotland.add_working_days(fri, 1), Ok(tue));
        assert_eq!(scotland.add_working_days(tue, -1), Ok(fri));
        assert_eq!(scotland.next_working_day_on_or_after(mon), Ok(tue));
        // FREQ-1 across it: held on Friday 29 May, due 25 working days later, one day later
        // in Scotland than in England and Wales.
        assert_eq!(
            ew.add_working_days(d("2026-05-29"), 25),
            Ok(d("2026-07-03"))
        );
        assert_eq!(
            scotland.add_working_days(d("2026-05-29"), 25),
            Ok(d("2026-07-06"))
        );
    }

    #[test]
    fn cal2_scotland_new_year_substitutes_not_proclaimed_in_2010_and_2011() {
        let scotland = calendar(Region::Scotland);
        assert_eq!(
            holiday_dates(Region::Scotland, 2010)[..2],
            [d("2010-01-01"), d("2010-04-02")]
        );
        assert_eq!(scotland.is_working_day(d("2010-01-04")), Ok(true));
        assert_eq!(scotland.is_working_day(d("2011-01-03")), Ok(false));
        assert_eq!(scotland.is_working_day(d("2011-01-04")), Ok(true));
        // England and Wales had its usual substitute.
        assert_eq!(
            calendar(Region::EnglandAndWales).is_working_day(d("2011-01-03")),
            Ok(false)
        );
    }

    #[test]
    fn cal2_millennium_new_year_substitutes() {
        let dates = holiday_dates(Region::EnglandAndWales, 1999);
        assert_eq!(
            dates[dates.len() - 3..],
            [d("1999-12-27"), d("1999-12-28"), d("1999-12-31")]
        );
        assert_eq!(
            holiday_dates(Region::EnglandAndWales, 2000)[0],
            d("2000-01-03")
        );
        assert_eq!(
            holiday_dates(Region::Scotland, 2000)[..2],
            [d("2000-01-03"), d("2000-01-04")]
        );
    }

    #[test]
    fn cal2_christmas_and_new_year_substitutes() {
        for region in Region::ALL {
            let dates = holiday_dates(region, 2021);
            assert_eq!(dates[dates.len() - 2..], [d("2021-12-27"), d("2021-12-28")]);
            assert_eq!(holiday_dates(region, 2022)[0], d("2022-01-03"));
            let dates = holiday_dates(region, 2027);
            assert_eq!(dates[dates.len() - 2..], [d("2027-12-27"), d("2027-12-28")]);
            // Christmas on a Sunday: Boxing Day keeps Monday, Christmas takes Tuesday.
            let holidays = calendar(region).holidays(2022).unwrap();
            let tail: Vec<_> = holidays[holidays.len() - 2..]
                .iter()
                .map(|h| (h.date, h.title.as_str()))
                .collect();
            assert_eq!(
                tail,
                [
                    (d("2022-12-26"), BOXING),
                    (d("2022-12-27"), "Christmas Day (substitute day)")
                ]
            );
        }
        let scotland = calendar(Region::Scotland).holidays(2022).unwrap();
        assert_eq!(
            (scotland[1].date, scotland[1].title.as_str()),
            (d("2022-01-04"), "2nd January (substitute day)")
        );
    }

    #[test]
    fn cal2_st_andrews_day_from_2007_with_monday_substitute() {
        let scotland = calendar(Region::Scotland);
        assert_eq!(scotland.is_working_day(d("2006-11-30")), Ok(true)); // Thursday
        assert_eq!(scotland.is_working_day(d("2007-11-30")), Ok(false)); // Friday
        assert_eq!(scotland.is_working_day(d("2019-12-02")), Ok(false)); // Saturday 30th
        assert_eq!(scotland.is_working_day(d("2025-12-01")), Ok(false)); // Sunday 30th
        assert_eq!(
            calendar(Region::EnglandAndWales).is_working_day(d("2007-11-30")),
            Ok(true)
        );
    }

    #[test]
    fn cal2_easter_monday_not_in_scotland() {
        assert_eq!(
            calendar(Region::Scotland).is_working_day(d("2025-04-21")),
            Ok(true)
        );
        assert_eq!(
            calendar(Region::NorthernIreland).is_working_day(d("2025-04-21")),
            Ok(false)
        );
    }

    #[test]
    fn cal2_every_year_has_its_holidays_on_weekdays() {
        for region in Region::ALL {
            for year in Calendar::FIRST_YEAR..=Calendar::LAST_YEAR {
                let dates = holiday_dates(region, year);
                assert!(dates
                    .iter()
                    .all(|&date| !is_weekend(date) && date.year() == year));
                assert!(dates.windows(2).all(|w| w[0] < w[1]), "{region:?} {year}");
                assert!((8..=12).contains(&dates.len()), "{region:?} {year}");
            }
        }
    }

    #[test]
    fn cal2_holidays_serialise_for_the_api() {
        let holiday = &calendar(Region::Scotland).holidays(2025).unwrap()[6];
        assert_eq!(
            serde_json::to_value(holiday).unwrap(),
            serde_json::json!({"date": "2025-12-01", "title": ST_ANDREW_SUB, "region": "scotland"})
        );
    }

    // ---- CAL-3: counting and adding working days ----

    #[test]
    fn cal3_counts_exclude_the_start_and_include_the_end() {
        let cal = calendar(Region::EnglandAndWales);
        let (fri, mon) = (d("2024-06-07"), d("2024-06-10"));
        assert_eq!(cal.working_days_between(fri, mon), Ok(1));
        assert_eq!(cal.working_days_between(mon, fri), Ok(-1));
        assert_eq!(cal.working_days_between(fri, fri), Ok(0));
        assert_eq!(
            cal.working_days_between(d("2021-12-24"), d("2021-12-29")),
            Ok(1)
        );
        assert_eq!(
            cal.working_days_between(d("2024-01-01"), d("2024-12-31")),
            Ok(254)
        );
    }

    #[test]
    fn cal3_add_working_days_examples() {
        let cal = calendar(Region::EnglandAndWales);
        let (thu, fri, sat, mon) = (
            d("2024-06-06"),
            d("2024-06-07"),
            d("2024-06-08"),
            d("2024-06-10"),
        );
        assert_eq!(cal.add_working_days(fri, 1), Ok(mon));
        assert_eq!(cal.add_working_days(sat, 1), Ok(mon));
        assert_eq!(cal.add_working_days(mon, -1), Ok(fri));
        assert_eq!(cal.add_working_days(sat, -1), Ok(thu));
        assert_eq!(cal.add_working_days(sat, 0), Ok(sat));
        assert_eq!(
            cal.add_working_days(d("2021-12-24"), 1),
            Ok(d("2021-12-29"))
        );
        assert_eq!(
            cal.add_working_days(d("2021-12-29"), -1),
            Ok(d("2021-12-24"))
        );
        let scotland = calendar(Region::Scotland);
        assert_eq!(
            scotland.add_working_days(d("2021-12-31"), 1),
            Ok(d("2022-01-05"))
        );
    }

    fn region_strategy() -> impl Strategy<Value = Region> {
        prop::sample::select(Region::ALL.to_vec())
    }

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        let days = (last_day() - first_day()).num_days() as u64;
        (0..=days).prop_map(|i| first_day() + Days::new(i))
    }

    /// A date `span` days from `date`, clamped to the covered years.
    fn shifted(date: NaiveDate, span: i64) -> NaiveDate {
        let target = date.num_days_from_ce() as i64 + span;
        let clamped = target.clamp(
            first_day().num_days_from_ce() as i64,
            last_day().num_days_from_ce() as i64,
        );
        NaiveDate::from_num_days_from_ce_opt(clamped as i32).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn cal3_add_then_count_roundtrip(
            region in region_strategy(), from in date_strategy(), n in -3000i32..3000,
        ) {
            let cal = calendar(region);
            match cal.add_working_days(from, n) {
                Ok(to) => prop_assert_eq!(cal.working_days_between(from, to), Ok(n)),
                Err(err) => {
                    prop_assert_eq!(err, CalendarError::ResultOutOfRange { from });
                    prop_assert_eq!(reference(region).add(from, n), None);
                }
            }
        }

        #[test]
        fn cal3_counts_over_adjacent_intervals_add_up(
            region in region_strategy(),
            a in date_strategy(), b in date_strategy(), c in date_strategy(),
        ) {
            let cal = calendar(region);
            let ab = cal.working_days_between(a, b).unwrap();
            let bc = cal.working_days_between(b, c).unwrap();
            prop_assert_eq!(ab + bc, cal.working_days_between(a, c).unwrap());
            prop_assert_eq!(cal.working_days_between(b, a).unwrap(), -ab);
        }

        #[test]
        fn cal3_count_matches_day_by_day_reference(
            region in region_strategy(), from in date_strategy(), span in -1500i64..1500,
        ) {
            let to = shifted(from, span);
            prop_assert_eq!(
                calendar(region).working_days_between(from, to),
                Ok(reference(region).between(from, to))
            );
        }

        #[test]
        fn cal3_add_gives_the_earliest_working_day_as_the_reference(
            region in region_strategy(), from in date_strategy(), n in -1000i32..1000,
        ) {
            let cal = calendar(region);
            let added = cal.add_working_days(from, n).ok();
            prop_assert_eq!(added, reference(region).add(from, n));
            if let (Some(to), true) = (added, n != 0) {
                prop_assert_eq!(cal.is_working_day(to), Ok(true));
                // Earliest: the day before is one working day short.
                if let Some(before) = to.pred_opt().filter(|&day| day >= first_day()) {
                    prop_assert_eq!(cal.working_days_between(from, before), Ok(n - 1));
                }
            }
        }

        #[test]
        fn cal1_working_day_and_next_match_reference(
            region in region_strategy(), date in date_strategy(),
        ) {
            let cal = calendar(region);
            let model = reference(region);
            prop_assert_eq!(cal.is_working_day(date), Ok(model.is_working(date)));
            prop_assert_eq!(cal.next_working_day_on_or_after(date).ok(), model.next_on_or_after(date));
        }
    }

    proptest! {
        // Each case builds a calendar, so fewer cases.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn cal1_closure_days_respected(
            region in region_strategy(),
            offsets in prop::collection::vec(0u64..730, 0..40),
            start in 0u64..730, span in -400i64..400, n in -300i32..300,
        ) {
            let window = d("2024-01-01");
            let closures: Vec<NaiveDate> = offsets.iter().map(|&i| window + Days::new(i)).collect();
            let cal = Calendar::new(region, &closures);
            let model = Reference::new(&cal, &closures);
            for &closure in &closures {
                prop_assert_eq!(cal.is_working_day(closure), Ok(false));
            }
            let from = window + Days::new(start);
            let to = shifted(from, span);
            prop_assert_eq!(cal.working_days_between(from, to), Ok(model.between(from, to)));
            prop_assert_eq!(cal.add_working_days(from, n).ok(), model.add(from, n));
            prop_assert_eq!(cal.next_working_day_on_or_after(from).ok(), model.next_on_or_after(from));
        }
    }
}
