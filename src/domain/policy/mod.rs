//! Policy profiles: how often each staff category must have 1:1 supervision (FREQ-2, FREQ-3).
//!
//! A requirement is data, not code. A profile is a JSON file listing, for every
//! [`StaffCategory`], the date its weeks count from ([`Anchor`]) and a list of [`Phase`]s, each
//! with one [`Interval`] and optional minimum sessions a year, minimum length and alternation of
//! supervisors. Two profiles ship in `profiles/` beside this module: `default` (the FREQ-2
//! table) and `cafcass` (every 6 weeks, at least 8 a year, at least 90 minutes).
//!
//! ```json
//! {
//!   "id": "default",
//!   "name": "Default",
//!   "description": "…",
//!   "categories": {
//!     "asye": {
//!       "anchor": "asye_start",
//!       "phases": [
//!         { "from_week": 0, "to_week": 6, "interval": { "max_calendar_days": 7 } },
//!         { "from_week": 6, "to_week": 12, "interval": { "max_calendar_days": 14 } },
//!         { "from_week": 12, "interval": { "max_working_days": 25 } }
//!       ]
//!     },
//!     "social_worker": { "anchor": "employment_start", "phases": [ … ] }
//!   },
//!   "group_supervision": { "every_months": 1 },
//!   "observations_per_year": 2,
//!   "observation_settings_required": []
//! }
//! ```
//!
//! Every category must be present. A phase's `to_week` is exclusive and is left out (or null)
//! on the last phase only, which is open-ended; `min_per_year`, `min_duration_minutes` and
//! `alternate_supervisors` may be left out. Unknown keys are refused, so a misspelt rule
//! cannot be silently ignored.

use std::sync::OnceLock;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::people::StaffCategory;
use super::validation::{bounded_text, Invalid};

/// The longest gap a session may be followed by, in one of three units.
///
/// JSON: `{"max_working_days": 25}`, `{"max_calendar_days": 28}` or `{"every_months": 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(example = json!({"max_working_days": 25}))]
pub enum Interval {
    /// At most this many working days apart (CAL-1), as FREQ-1's 25.
    MaxWorkingDays(u32),
    /// At most this many calendar days apart, as "every 4 weeks" (28).
    MaxCalendarDays(u32),
    /// By the same day this many months later, as "every 2 months".
    EveryMonths(u32),
}

/// Average days in a month (365.25 / 12, rounded), for comparing months with days.
const DAYS_PER_MONTH: f64 = 30.44;

impl Interval {
    /// The latest date the next session may be held when the last one was on `last`: the
    /// one place a due date is computed, so status, plan and reminders agree.
    ///
    /// Working days use [`Calendar::add_working_days`] (FREQ-1: 25 working days after `a`).
    /// Months land on the same day of the month, or on the month's last day when it is
    /// shorter (31 January + 1 month = 28 or 29 February). A calendar-day or monthly due date
    /// that is not a working day (25 December, a Saturday) is brought back to the last
    /// working day before it, since no session can be held on it; when no working day lies
    /// between `last` and it (a long closure), it stays as it is. Every answer must lie in
    /// the years the calendar covers, whatever the unit, so that callers see one range.
    pub fn due_after(
        self,
        calendar: &Calendar,
        last: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        let beyond = CalendarError::ResultOutOfRange { from: last };
        let due = match self {
            Interval::MaxWorkingDays(n) => {
                let n = i32::try_from(n).map_err(|_| beyond)?;
                return calendar.add_working_days(last, n);
            }
            Interval::MaxCalendarDays(n) => last.checked_add_days(Days::new(n.into())),
            Interval::EveryMonths(n) => last.checked_add_months(Months::new(n)),
        };
        calendar.is_working_day(last)?;
        let due = due.ok_or(beyond)?;
        if calendar.is_working_day(due).map_err(|_| beyond)? {
            return Ok(due);
        }
        // One working day back from `due` passes the last working day before it; one
        // forward returns to it.
        let before = calendar
            .add_working_days(due, -1)
            .and_then(|day| calendar.add_working_days(day, 1))
            .map_err(|_| beyond)?;
        Ok(if before > last { before } else { due })
    }

    /// The interval's length in calendar days, nominally: working days × 7/5 (a five-day
    /// week), calendar days as they are, months × 30.44. Holidays are ignored on purpose, so
    /// that one interval compares with another the same way on every date.
    pub fn nominal_days(self) -> f64 {
        match self {
            Interval::MaxWorkingDays(n) => f64::from(n) * 7.0 / 5.0,
            Interval::MaxCalendarDays(n) => f64::from(n),
            Interval::EveryMonths(n) => f64::from(n) * DAYS_PER_MONTH,
        }
    }

    /// Whether sessions at this interval are at least as frequent as at `other`, comparing
    /// [`nominal_days`](Interval::nominal_days): so 35 calendar days is as frequent as 25
    /// working days, and 28 calendar days more frequent than 1 month (FREQ-3).
    pub fn is_at_least_as_frequent_as(self, other: Interval) -> bool {
        self.nominal_days() <= other.nominal_days()
    }

    /// Checks the interval is positive and within a year: at most 260 working days, 366
    /// calendar days or 12 months. `field` names it in the error.
    pub fn check(self, field: &str) -> Result<(), Invalid> {
        let (n, max, unit) = match self {
            Interval::MaxWorkingDays(n) => (n, 260, "working days"),
            Interval::MaxCalendarDays(n) => (n, 366, "calendar days"),
            Interval::EveryMonths(n) => (n, 12, "months"),
        };
        if (1..=max).contains(&n) {
            Ok(())
        } else {
            Err(Invalid::field(
                field,
                format!("must be between 1 and {max} {unit}"),
            ))
        }
    }
}

/// The date a category's weeks count from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    EmploymentStart,
    AsyeStart,
    PlacementStart,
}

/// One stretch of weeks from the anchor with its requirement. Week 0 is the 7 days starting
/// on the anchor date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// First week of the phase.
    pub from_week: u32,
    /// The week after the phase (exclusive); none on the last phase, which is open-ended.
    pub to_week: Option<u32>,
    pub interval: Interval,
    /// Fewest sessions in a year, where the policy counts them (Cafcass: 8).
    pub min_per_year: Option<u32>,
    /// Shortest session that counts, in minutes (students: 90).
    pub min_duration_minutes: Option<u32>,
    /// Sessions alternate between two supervisors (a student's placement supervisor and
    /// practice educator).
    #[serde(default)]
    pub alternate_supervisors: bool,
}

/// A category's phases, contiguous from week 0 of its anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRule {
    pub anchor: Anchor,
    pub phases: Vec<Phase>,
}

/// One rule per staff category; the JSON keys are the categories' ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Categories {
    pub social_worker: CategoryRule,
    pub asye: CategoryRule,
    pub student: CategoryRule,
    pub cp_chair_iro: CategoryRule,
    pub operational_manager: CategoryRule,
    pub non_operational_staff: CategoryRule,
    pub other_staff: CategoryRule,
}

impl Categories {
    /// The rule for `category`.
    pub fn get(&self, category: StaffCategory) -> &CategoryRule {
        match category {
            StaffCategory::SocialWorker => &self.social_worker,
            StaffCategory::Asye => &self.asye,
            StaffCategory::Student => &self.student,
            StaffCategory::CpChairIro => &self.cp_chair_iro,
            StaffCategory::OperationalManager => &self.operational_manager,
            StaffCategory::NonOperationalStaff => &self.non_operational_staff,
            StaffCategory::OtherStaff => &self.other_staff,
        }
    }
}

/// A validated policy profile (FREQ-3). Built only by [`Profile::from_json`] (or serde, which
/// runs the same checks), so every profile has a rule for every category and every week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "ProfileFile")]
pub struct Profile {
    id: String,
    name: String,
    description: String,
    categories: Categories,
    /// Team group supervision (GRP-1).
    group_supervision: Interval,
    observations_per_year: u32,
    /// Settings each year's observations must include, e.g. `direct_work_with_child`.
    observation_settings_required: Vec<String>,
}

/// The dates a person's anchors come from; any may be unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonDates {
    pub employment_start: Option<NaiveDate>,
    pub asye_start: Option<NaiveDate>,
    pub placement_start: Option<NaiveDate>,
    /// Not used to pick a phase: a student's phases run until their category changes. Callers
    /// end a student's plan here (the `until` of a plan).
    pub placement_end: Option<NaiveDate>,
}

/// What applies to one person on one date: the phase in force, flattened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Requirement {
    pub interval: Interval,
    pub min_duration_minutes: Option<u32>,
    pub alternate_supervisors: bool,
    pub min_per_year: Option<u32>,
    /// Index of the phase in the category's list.
    pub phase_index: usize,
}

/// The longest gap that still fits `min_per_year` sessions into any 365 days (365 / the
/// minimum, in calendar days): sessions never further apart than this hold at least the
/// minimum in every year.
pub fn min_per_year_spacing(min_per_year: u32) -> Interval {
    Interval::MaxCalendarDays((365 / min_per_year.max(1)).max(1))
}

/// Last week a phase may end at: ten years covers any induction or placement.
const MAX_WEEK: u32 = 520;
const MAX_MIN_PER_YEAR: u32 = 366;
/// Eight hours: a whole working day.
const MAX_DURATION_MINUTES: u32 = 480;
const MAX_OBSERVATIONS_PER_YEAR: u32 = 52;

impl Profile {
    /// Parses and validates a profile, reporting every problem with its field path
    /// (`categories.asye.phases[1].from_week`). JSON that does not have the profile's shape
    /// (a wrong type, an unknown key) is reported against the field `profile`.
    pub fn from_json(json: &str) -> Result<Profile, Invalid> {
        let file: ProfileFile =
            serde_json::from_str(json).map_err(|err| Invalid::field("profile", err.to_string()))?;
        Profile::try_from(file)
    }

    /// The profile's stable id, as `default` or `cafcass`.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn categories(&self) -> &Categories {
        &self.categories
    }

    /// How often each team holds group supervision (GRP-1).
    pub fn group_supervision(&self) -> Interval {
        self.group_supervision
    }

    pub fn observations_per_year(&self) -> u32 {
        self.observations_per_year
    }

    /// Settings the year's observations must cover, each at least once.
    pub fn observation_settings_required(&self) -> &[String] {
        &self.observation_settings_required
    }

    /// The requirement in force `on` a date for a person of `category` (FREQ-2).
    ///
    /// When the category's anchor date is unknown, or `on` is before it, the phase for week 0
    /// applies: it is the most demanding phase in the shipped profiles, so a missing date errs
    /// towards more supervision, never less.
    pub fn requirement(
        &self,
        category: StaffCategory,
        dates: &PersonDates,
        on: NaiveDate,
    ) -> Requirement {
        let rule = self.categories.get(category);
        let anchor = self.anchor_date(category, dates);
        let week = anchor.filter(|&start| start <= on).map_or(0, |start| {
            u32::try_from((on - start).num_days() / 7).unwrap_or(u32::MAX)
        });
        // Phases are contiguous from week 0, so the last one started by `week` is in force.
        let (phase_index, phase) = rule
            .phases
            .iter()
            .enumerate()
            .rev()
            .find(|(_, phase)| phase.from_week <= week)
            .expect("validation makes every category's first phase start at week 0");
        Requirement {
            interval: phase.interval,
            min_duration_minutes: phase.min_duration_minutes,
            alternate_supervisors: phase.alternate_supervisors,
            min_per_year: phase.min_per_year,
            phase_index,
        }
    }

    /// The day the category's requirement ends, if it does: a student's placement end
    /// (FREQ-2, "for the placement"). From that day nothing more is due.
    pub fn requirement_ends(
        &self,
        category: StaffCategory,
        dates: &PersonDates,
    ) -> Option<NaiveDate> {
        match self.categories.get(category).anchor {
            Anchor::PlacementStart => dates.placement_end,
            Anchor::EmploymentStart | Anchor::AsyeStart => None,
        }
    }

    /// The first day after the phase in force `on` a date, when that phase ends: an ASYE's
    /// weekly weeks end 6 weeks after the ASYE start. None for an open-ended phase, or when
    /// the anchor date is unknown (week 0 then lasts, as in [`requirement`](Profile::requirement)).
    pub fn phase_ends(
        &self,
        category: StaffCategory,
        dates: &PersonDates,
        on: NaiveDate,
    ) -> Option<NaiveDate> {
        let rule = self.categories.get(category);
        let anchor = self.anchor_date(category, dates)?;
        let phase = rule.phases[self.requirement(category, dates, on).phase_index];
        anchor.checked_add_days(Days::new(u64::from(phase.to_week?) * 7))
    }

    fn anchor_date(&self, category: StaffCategory, dates: &PersonDates) -> Option<NaiveDate> {
        match self.categories.get(category).anchor {
            Anchor::EmploymentStart => dates.employment_start,
            Anchor::AsyeStart => dates.asye_start,
            Anchor::PlacementStart => dates.placement_start,
        }
    }

    /// [`requirement`](Profile::requirement) with a person's own interval, set by their
    /// supervisor (FREQ-3). The override applies only on dates where it is at least as
    /// frequent as the profile's interval; elsewhere (an ASYE's weekly first weeks, say) the
    /// profile's interval stands, so an override can never mean less supervision.
    pub fn requirement_with_override(
        &self,
        category: StaffCategory,
        dates: &PersonDates,
        on: NaiveDate,
        override_interval: Option<Interval>,
    ) -> Requirement {
        let mut requirement = self.requirement(category, dates, on);
        if let Some(interval) =
            override_interval.filter(|i| i.is_at_least_as_frequent_as(requirement.interval))
        {
            requirement.interval = interval;
        }
        requirement
    }
}

/// The profiles shipped with the product: `default` and `cafcass`, parsed once.
pub fn shipped() -> &'static [Profile] {
    static SHIPPED: OnceLock<Vec<Profile>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        [
            include_str!("profiles/default.json"),
            include_str!("profiles/cafcass.json"),
        ]
        .into_iter()
        .map(|json| Profile::from_json(json).expect("shipped profiles are valid (tested)"))
        .collect()
    })
}

/// The shipped profile with this id.
pub fn shipped_profile(id: &str) -> Option<Profile> {
    shipped().iter().find(|profile| profile.id == id).cloned()
}

/// A profile as written, before validation: categories may be missing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    categories: CategoryFiles,
    group_supervision: Interval,
    observations_per_year: u32,
    #[serde(default)]
    observation_settings_required: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFiles {
    social_worker: Option<CategoryRule>,
    asye: Option<CategoryRule>,
    student: Option<CategoryRule>,
    cp_chair_iro: Option<CategoryRule>,
    operational_manager: Option<CategoryRule>,
    non_operational_staff: Option<CategoryRule>,
    other_staff: Option<CategoryRule>,
}

impl CategoryFiles {
    fn get(&self, category: StaffCategory) -> Option<&CategoryRule> {
        match category {
            StaffCategory::SocialWorker => self.social_worker.as_ref(),
            StaffCategory::Asye => self.asye.as_ref(),
            StaffCategory::Student => self.student.as_ref(),
            StaffCategory::CpChairIro => self.cp_chair_iro.as_ref(),
            StaffCategory::OperationalManager => self.operational_manager.as_ref(),
            StaffCategory::NonOperationalStaff => self.non_operational_staff.as_ref(),
            StaffCategory::OtherStaff => self.other_staff.as_ref(),
        }
    }

    fn into_categories(self) -> Option<Categories> {
        Some(Categories {
            social_worker: self.social_worker?,
            asye: self.asye?,
            student: self.student?,
            cp_chair_iro: self.cp_chair_iro?,
            operational_manager: self.operational_manager?,
            non_operational_staff: self.non_operational_staff?,
            other_staff: self.other_staff?,
        })
    }
}

impl TryFrom<ProfileFile> for Profile {
    type Error = Invalid;

    fn try_from(file: ProfileFile) -> Result<Profile, Invalid> {
        let mut invalid = Invalid::default();
        let id = invalid.check(slug("id", &file.id));
        let name = invalid.check(bounded_text("name", &file.name, 1, 100));
        let description = invalid.check(bounded_text("description", &file.description, 0, 2000));
        for category in StaffCategory::ALL {
            let path = format!("categories.{}", category.as_str());
            match file.categories.get(category) {
                Some(rule) => check_phases(&mut invalid, &path, &rule.phases),
                None => invalid.push(path, "is required: every staff category needs a rule"),
            }
        }
        invalid.check(file.group_supervision.check("group_supervision"));
        if file.observations_per_year > MAX_OBSERVATIONS_PER_YEAR {
            invalid.push(
                "observations_per_year",
                format!("must be at most {MAX_OBSERVATIONS_PER_YEAR}"),
            );
        }
        let settings = &file.observation_settings_required;
        for (i, setting) in settings.iter().enumerate() {
            let field = format!("observation_settings_required[{i}]");
            invalid.check(slug(&field, setting));
            if settings[..i].contains(setting) {
                invalid.push(field, "is listed twice");
            }
        }
        if settings.len() > file.observations_per_year as usize {
            invalid.push(
                "observation_settings_required",
                "lists more settings than observations_per_year can cover",
            );
        }
        let categories = file.categories.into_categories();
        match (id, name, description, categories) {
            (Some(id), Some(name), Some(description), Some(categories)) if invalid.0.is_empty() => {
                Ok(Profile {
                    id,
                    name,
                    description,
                    categories,
                    group_supervision: file.group_supervision,
                    observations_per_year: file.observations_per_year,
                    observation_settings_required: file.observation_settings_required,
                })
            }
            _ => Err(invalid),
        }
    }
}

/// Records what is wrong with a category's phases: they must run from week 0 without gaps or
/// overlaps, each ending where the next starts, and only the last may be open-ended.
fn check_phases(invalid: &mut Invalid, path: &str, phases: &[Phase]) {
    if phases.is_empty() {
        invalid.push(format!("{path}.phases"), "must list at least one phase");
        return;
    }
    let last = phases.len() - 1;
    // Where the phase must start: week 0, then each previous phase's end.
    let mut starts_at = Some(0);
    for (i, phase) in phases.iter().enumerate() {
        let at = format!("{path}.phases[{i}]");
        match starts_at {
            Some(0) if i == 0 && phase.from_week != 0 => invalid.push(
                format!("{at}.from_week"),
                "must be 0: the first phase starts at week 0",
            ),
            Some(week) if phase.from_week > week => invalid.push(
                format!("{at}.from_week"),
                format!("leaves a gap: the previous phase ends at week {week}"),
            ),
            Some(week) if phase.from_week < week => invalid.push(
                format!("{at}.from_week"),
                format!("overlaps the previous phase, which runs to week {week}"),
            ),
            _ => {}
        }
        match (phase.to_week, i == last) {
            (None, false) => invalid.push(
                format!("{at}.to_week"),
                "is required on every phase but the last",
            ),
            (Some(_), true) => invalid.push(
                format!("{at}.to_week"),
                "must be left out: the last phase is open-ended",
            ),
            (Some(to), false) if to <= phase.from_week => {
                invalid.push(format!("{at}.to_week"), "must be after from_week")
            }
            (Some(to), false) if to > MAX_WEEK => invalid.push(
                format!("{at}.to_week"),
                format!("must be at most {MAX_WEEK}"),
            ),
            _ => {}
        }
        invalid.check(phase.interval.check(&format!("{at}.interval")));
        if phase
            .min_per_year
            .is_some_and(|n| !(1..=MAX_MIN_PER_YEAR).contains(&n))
        {
            invalid.push(
                format!("{at}.min_per_year"),
                format!("must be between 1 and {MAX_MIN_PER_YEAR}"),
            );
        }
        if phase
            .min_duration_minutes
            .is_some_and(|n| !(1..=MAX_DURATION_MINUTES).contains(&n))
        {
            invalid.push(
                format!("{at}.min_duration_minutes"),
                format!("must be between 1 and {MAX_DURATION_MINUTES}"),
            );
        }
        starts_at = phase.to_week;
    }
}

/// An id: 1 to 64 lower-case letters, digits, `_` or `-`, so it is safe in URLs and files.
fn slug(field: &str, value: &str) -> Result<String, Invalid> {
    let ok = (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Invalid::field(
            field,
            "must be 1 to 64 lower-case letters, digits, '_' or '-'",
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use chrono::Days;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::calendar::Region;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn england() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar::new(Region::EnglandAndWales, &[]))
    }

    fn default_profile() -> Profile {
        shipped_profile("default").unwrap()
    }

    /// The default profile's JSON with one edit, parsed.
    fn default_with(edit: impl FnOnce(&mut Value)) -> Result<Profile, Invalid> {
        let mut value: Value = serde_json::from_str(include_str!("profiles/default.json")).unwrap();
        edit(&mut value);
        Profile::from_json(&value.to_string())
    }

    fn fields(err: &Invalid) -> Vec<&str> {
        err.0.iter().map(|e| e.field.as_str()).collect()
    }

    fn asye_phases(value: &mut Value) -> &mut Value {
        value.pointer_mut("/categories/asye/phases").unwrap()
    }

    // ---- FREQ-1: due dates ----

    #[test]
    fn freq1_twenty_five_working_days_across_christmas_and_new_year() {
        let twenty_five = Interval::MaxWorkingDays(25);
        // Monday 15 December 2025: Christmas (Thu), Boxing Day (Fri) and New Year's Day (Thu)
        // are skipped, so the 25th working day is Thursday 22 January.
        assert_eq!(
            twenty_five.due_after(england(), d("2025-12-15")),
            Ok(d("2026-01-22"))
        );
        // Scotland also keeps 2 January.
        let scotland = Calendar::new(Region::Scotland, &[]);
        assert_eq!(
            twenty_five.due_after(&scotland, d("2025-12-15")),
            Ok(d("2026-01-23"))
        );
    }

    #[test]
    fn freq1_twenty_five_working_days_across_easter() {
        // Good Friday 18 April, Easter Monday 21 April and the early May bank holiday (5 May
        // 2025) are skipped.
        assert_eq!(
            Interval::MaxWorkingDays(25).due_after(england(), d("2025-04-01")),
            Ok(d("2025-05-09"))
        );
    }

    #[test]
    fn freq1_due_dates_stay_within_the_calendar() {
        let late = d("2100-12-20");
        for interval in [
            Interval::MaxWorkingDays(25),
            Interval::MaxCalendarDays(28),
            Interval::EveryMonths(1),
        ] {
            assert_eq!(
                interval.due_after(england(), late),
                Err(CalendarError::ResultOutOfRange { from: late })
            );
            let early = d("1989-12-01");
            assert_eq!(
                interval.due_after(england(), early),
                Err(CalendarError::OutOfRange { date: early })
            );
        }
        let huge = Interval::MaxWorkingDays(u32::MAX);
        assert!(huge.due_after(england(), d("2025-01-01")).is_err());
        assert!(Interval::EveryMonths(u32::MAX)
            .due_after(england(), d("2025-01-01"))
            .is_err());
    }

    #[test]
    fn freq4_a_due_date_on_a_non_working_day_comes_back_to_the_last_working_day() {
        let cases = [
            // An ASYE's week from Thursday 18 December 2025 ends on Christmas Day.
            (Interval::MaxCalendarDays(7), "2025-12-18", "2025-12-24"),
            // A CP chair's 28 days from 4 December 2025 end on New Year's Day.
            (Interval::MaxCalendarDays(28), "2025-12-04", "2025-12-31"),
            // Two months from Wednesday 14 January 2026 is Saturday 14 March.
            (Interval::EveryMonths(2), "2026-01-14", "2026-03-13"),
            // Over Easter 2026: Good Friday 3 April back to Thursday 2 April.
            (Interval::MaxCalendarDays(14), "2026-03-20", "2026-04-02"),
        ];
        for (interval, last, due) in cases {
            assert_eq!(
                interval.due_after(england(), d(last)),
                Ok(d(due)),
                "{interval:?} after {last}"
            );
        }
        // Closed from the day after the last session to the due date: nothing to come back
        // to, so the due date stands.
        let closed: Vec<NaiveDate> = d("2026-06-02").iter_days().take(7).collect();
        let calendar = Calendar::new(Region::EnglandAndWales, &closed);
        assert_eq!(
            Interval::MaxCalendarDays(7).due_after(&calendar, d("2026-06-01")),
            Ok(d("2026-06-08"))
        );
    }

    // ---- FREQ-2: the default requirements ----

    #[test]
    fn freq2_cp_chair_every_28_calendar_days() {
        let profile = default_profile();
        let requirement = profile.requirement(
            StaffCategory::CpChairIro,
            &PersonDates::default(),
            d("2025-12-15"),
        );
        assert_eq!(requirement.interval, Interval::MaxCalendarDays(28));
        // Holidays do not stretch calendar days.
        assert_eq!(
            requirement.interval.due_after(england(), d("2025-12-15")),
            Ok(d("2026-01-12"))
        );
    }

    #[test]
    fn freq2_every_months_clamps_to_the_month_end() {
        let cases = [
            (1, "2025-01-31", "2025-02-28"),
            (1, "2024-01-31", "2024-02-29"),
            (1, "2025-08-31", "2025-09-30"),
            (2, "2024-12-31", "2025-02-28"),
            // 28 February 2026 is a Saturday: brought back to Friday 27th (FREQ-4).
            (3, "2025-11-30", "2026-02-27"),
            (2, "2025-03-15", "2025-05-15"),
            (12, "2024-02-29", "2025-02-28"),
        ];
        for (months, last, due) in cases {
            assert_eq!(
                Interval::EveryMonths(months).due_after(england(), d(last)),
                Ok(d(due)),
                "{months} months after {last}"
            );
        }
    }

    #[test]
    fn freq2_default_profile_follows_the_table() {
        let profile = default_profile();
        let on = d("2025-06-02");
        let interval = |category| {
            profile
                .requirement(category, &PersonDates::default(), on)
                .interval
        };
        assert_eq!(
            interval(StaffCategory::SocialWorker),
            Interval::MaxWorkingDays(25)
        );
        assert_eq!(
            interval(StaffCategory::OperationalManager),
            Interval::MaxWorkingDays(25)
        );
        assert_eq!(
            interval(StaffCategory::CpChairIro),
            Interval::MaxCalendarDays(28)
        );
        assert_eq!(
            interval(StaffCategory::NonOperationalStaff),
            Interval::EveryMonths(2)
        );
        assert_eq!(
            interval(StaffCategory::OtherStaff),
            Interval::EveryMonths(3)
        );
        assert_eq!(profile.group_supervision(), Interval::EveryMonths(1));
        assert_eq!(profile.observations_per_year(), 2);
        assert!(profile.observation_settings_required().is_empty());
    }

    #[test]
    fn freq2_asye_weekly_then_fortnightly_then_25_working_days_from_a_mid_year_start() {
        let profile = default_profile();
        // A Wednesday in September: the weeks count from the ASYE start, not the year.
        let start = d("2025-09-17");
        let dates = PersonDates {
            employment_start: Some(d("2025-09-01")),
            asye_start: Some(start),
            ..PersonDates::default()
        };
        let at = |days: u64| {
            let requirement =
                profile.requirement(StaffCategory::Asye, &dates, start + Days::new(days));
            (requirement.phase_index, requirement.interval)
        };
        assert_eq!(at(0), (0, Interval::MaxCalendarDays(7)));
        assert_eq!(at(41), (0, Interval::MaxCalendarDays(7))); // last day of week 5
        assert_eq!(at(42), (1, Interval::MaxCalendarDays(14))); // week 6
        assert_eq!(at(83), (1, Interval::MaxCalendarDays(14))); // last day of week 11
        assert_eq!(at(84), (2, Interval::MaxWorkingDays(25))); // week 12
        assert_eq!(at(400), (2, Interval::MaxWorkingDays(25)));
    }

    #[test]
    fn freq2_missing_or_future_anchor_uses_week_0() {
        let profile = default_profile();
        let weekly = Interval::MaxCalendarDays(7);
        let unknown = PersonDates::default();
        assert_eq!(
            profile
                .requirement(StaffCategory::Asye, &unknown, d("2030-01-01"))
                .interval,
            weekly
        );
        let later = PersonDates {
            asye_start: Some(d("2026-01-05")),
            ..PersonDates::default()
        };
        let before = profile.requirement(StaffCategory::Asye, &later, d("2025-12-01"));
        assert_eq!((before.phase_index, before.interval), (0, weekly));
    }

    #[test]
    fn freq2_student_weekly_90_minutes_alternating_for_the_placement() {
        let profile = default_profile();
        let dates = PersonDates {
            placement_start: Some(d("2025-09-22")),
            placement_end: Some(d("2026-05-29")),
            ..PersonDates::default()
        };
        for on in [d("2025-09-22"), d("2025-11-03"), d("2026-05-29")] {
            let requirement = profile.requirement(StaffCategory::Student, &dates, on);
            assert_eq!(
                requirement,
                Requirement {
                    interval: Interval::MaxCalendarDays(7),
                    min_duration_minutes: Some(90),
                    alternate_supervisors: true,
                    min_per_year: None,
                    phase_index: 0,
                }
            );
        }
    }

    #[test]
    fn freq2_cafcass_profile_every_six_weeks_eight_a_year_90_minutes() {
        let cafcass = shipped_profile("cafcass").unwrap();
        let default = default_profile();
        let dates = PersonDates::default();
        let on = d("2025-06-02");
        for category in StaffCategory::ALL {
            let requirement = cafcass.requirement(category, &dates, on);
            if matches!(category, StaffCategory::Asye | StaffCategory::Student) {
                assert_eq!(
                    cafcass.categories().get(category),
                    default.categories().get(category)
                );
            } else {
                assert_eq!(
                    requirement.interval,
                    Interval::MaxCalendarDays(42),
                    "{category:?}"
                );
                assert_eq!(requirement.min_per_year, Some(8));
                assert_eq!(requirement.min_duration_minutes, Some(90));
            }
        }
        assert_eq!(cafcass.observations_per_year(), 2);
        assert_eq!(
            cafcass.observation_settings_required(),
            ["direct_work_with_child", "direct_work_with_adult"]
        );
    }

    // ---- FREQ-3: profiles are data ----

    #[test]
    fn freq3_shipped_profiles_parse_and_round_trip() {
        let profiles = shipped();
        let ids: Vec<&str> = profiles.iter().map(Profile::id).collect();
        assert_eq!(ids, ["default", "cafcass"]);
        for profile in profiles {
            assert!(!profile.name().is_empty() && !profile.description().is_empty());
            let json = serde_json::to_string(&profile).unwrap();
            assert_eq!(Profile::from_json(&json), Ok(profile.clone()));
            assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), *profile);
        }
        assert_eq!(shipped_profile("none"), None);
    }

    #[test]
    fn freq3_interval_json_is_externally_tagged() {
        let cases = [
            (
                Interval::MaxWorkingDays(25),
                json!({"max_working_days": 25}),
            ),
            (
                Interval::MaxCalendarDays(28),
                json!({"max_calendar_days": 28}),
            ),
            (Interval::EveryMonths(2), json!({"every_months": 2})),
        ];
        for (interval, value) in cases {
            assert_eq!(serde_json::to_value(interval).unwrap(), value);
            assert_eq!(serde_json::from_value::<Interval>(value).unwrap(), interval);
        }
        assert_eq!(
            serde_json::to_value(Anchor::AsyeStart).unwrap(),
            json!("asye_start")
        );
    }

    #[test]
    fn freq3_phase_gap_and_overlap_are_refused_with_field_paths() {
        let gap = default_with(|v| asye_phases(v)[1]["from_week"] = json!(7)).unwrap_err();
        assert_eq!(fields(&gap), ["categories.asye.phases[1].from_week"]);
        assert!(gap.0[0].message.contains("gap"), "{gap}");

        let overlap = default_with(|v| asye_phases(v)[2]["from_week"] = json!(10)).unwrap_err();
        assert_eq!(fields(&overlap), ["categories.asye.phases[2].from_week"]);
        assert!(overlap.0[0].message.contains("overlaps"), "{overlap}");

        let late_start = default_with(|v| asye_phases(v)[0]["from_week"] = json!(1)).unwrap_err();
        assert_eq!(fields(&late_start), ["categories.asye.phases[0].from_week"]);
    }

    #[test]
    fn freq3_exactly_one_open_ended_last_phase() {
        let open_middle = default_with(|v| asye_phases(v)[1]["to_week"] = Value::Null).unwrap_err();
        assert_eq!(fields(&open_middle), ["categories.asye.phases[1].to_week"]);

        let closed_last = default_with(|v| asye_phases(v)[2]["to_week"] = json!(52)).unwrap_err();
        assert_eq!(fields(&closed_last), ["categories.asye.phases[2].to_week"]);

        let backwards = default_with(|v| {
            asye_phases(v)[1]["to_week"] = json!(6);
            asye_phases(v)[2]["from_week"] = json!(6);
        })
        .unwrap_err();
        assert_eq!(fields(&backwards), ["categories.asye.phases[1].to_week"]);

        let none = default_with(|v| *asye_phases(v) = json!([])).unwrap_err();
        assert_eq!(fields(&none), ["categories.asye.phases"]);
    }

    #[test]
    fn freq3_missing_category_is_refused() {
        let err = default_with(|v| {
            v["categories"].as_object_mut().unwrap().remove("student");
        })
        .unwrap_err();
        assert_eq!(fields(&err), ["categories.student"]);
    }

    #[test]
    fn freq3_zero_and_oversized_intervals_are_refused() {
        let zero = default_with(|v| {
            v["categories"]["social_worker"]["phases"][0]["interval"] =
                json!({"max_working_days": 0})
        })
        .unwrap_err();
        assert_eq!(
            fields(&zero),
            ["categories.social_worker.phases[0].interval"]
        );

        let too_long = default_with(|v| {
            v["categories"]["other_staff"]["phases"][0]["interval"] = json!({"every_months": 13});
            v["group_supervision"] = json!({"max_calendar_days": 367});
        })
        .unwrap_err();
        assert_eq!(
            fields(&too_long),
            [
                "categories.other_staff.phases[0].interval",
                "group_supervision"
            ]
        );
        for (interval, ok) in [
            (Interval::MaxWorkingDays(260), true),
            (Interval::MaxWorkingDays(261), false),
            (Interval::MaxCalendarDays(366), true),
            (Interval::EveryMonths(12), true),
            (Interval::EveryMonths(0), false),
        ] {
            assert_eq!(interval.check("interval").is_ok(), ok, "{interval:?}");
        }
    }

    #[test]
    fn freq3_every_problem_is_reported_at_once() {
        let err = default_with(|v| {
            v["id"] = json!("Default Profile");
            v["name"] = json!(" ");
            asye_phases(v)[1]["from_week"] = json!(8);
            asye_phases(v)[1]["min_duration_minutes"] = json!(0);
            asye_phases(v)[1]["min_per_year"] = json!(400);
            v["categories"]
                .as_object_mut()
                .unwrap()
                .remove("cp_chair_iro");
            v["observations_per_year"] = json!(1);
            v["observation_settings_required"] = json!(["with_child", "with_child"]);
        })
        .unwrap_err();
        assert_eq!(
            fields(&err),
            [
                "id",
                "name",
                "categories.asye.phases[1].from_week",
                "categories.asye.phases[1].min_per_year",
                "categories.asye.phases[1].min_duration_minutes",
                "categories.cp_chair_iro",
                "observation_settings_required[1]",
                "observation_settings_required",
            ]
        );
    }

    #[test]
    fn freq3_malformed_json_and_unknown_keys_are_refused() {
        for json in ["{", r#"{"id": 3}"#] {
            assert_eq!(fields(&Profile::from_json(json).unwrap_err()), ["profile"]);
        }
        let misspelt = default_with(|v| {
            v["categories"]["social_worker"]["phases"][0]["min_duration_minuts"] = json!(90)
        })
        .unwrap_err();
        assert!(
            misspelt.0[0].message.contains("min_duration_minuts"),
            "{misspelt}"
        );
        let unknown_category =
            default_with(|v| v["categories"]["manager"] = json!({})).unwrap_err();
        assert!(
            unknown_category.0[0].message.contains("manager"),
            "{unknown_category}"
        );
        let unknown_interval =
            default_with(|v| v["group_supervision"] = json!({"every_weeks": 2})).unwrap_err();
        assert_eq!(fields(&unknown_interval), ["profile"]);
    }

    #[test]
    fn freq3_interval_frequency_compares_nominal_days() {
        assert_eq!(Interval::MaxWorkingDays(25).nominal_days(), 35.0);
        assert_eq!(Interval::MaxCalendarDays(28).nominal_days(), 28.0);
        assert_eq!(Interval::EveryMonths(2).nominal_days(), 60.88);
        let twenty_five = Interval::MaxWorkingDays(25);
        assert!(Interval::MaxCalendarDays(28).is_at_least_as_frequent_as(twenty_five));
        assert!(Interval::MaxCalendarDays(35).is_at_least_as_frequent_as(twenty_five));
        assert!(!Interval::MaxCalendarDays(36).is_at_least_as_frequent_as(twenty_five));
        assert!(Interval::MaxCalendarDays(28).is_at_least_as_frequent_as(Interval::EveryMonths(1)));
        assert!(!Interval::EveryMonths(1).is_at_least_as_frequent_as(Interval::MaxCalendarDays(28)));
        assert!(twenty_five.is_at_least_as_frequent_as(twenty_five));
    }

    #[test]
    fn freq3_override_more_frequent_is_applied_less_frequent_is_refused() {
        let profile = default_profile();
        let dates = PersonDates::default();
        let on = d("2025-06-02");
        let with = |interval| {
            profile
                .requirement_with_override(StaffCategory::SocialWorker, &dates, on, Some(interval))
                .interval
        };
        let fortnightly = Interval::MaxCalendarDays(14);
        assert_eq!(with(fortnightly), fortnightly);
        assert_eq!(
            with(Interval::MaxWorkingDays(10)),
            Interval::MaxWorkingDays(10)
        );
        assert_eq!(with(Interval::EveryMonths(2)), Interval::MaxWorkingDays(25));
        assert_eq!(
            with(Interval::MaxCalendarDays(42)),
            Interval::MaxWorkingDays(25)
        );
        let none = profile.requirement_with_override(StaffCategory::SocialWorker, &dates, on, None);
        assert_eq!(
            none,
            profile.requirement(StaffCategory::SocialWorker, &dates, on)
        );

        // For an ASYE a fortnightly override is refused in the weekly weeks and applies later.
        let asye = PersonDates {
            asye_start: Some(d("2025-09-01")),
            ..PersonDates::default()
        };
        let asye_on = |on| {
            profile
                .requirement_with_override(StaffCategory::Asye, &asye, d(on), Some(fortnightly))
                .interval
        };
        assert_eq!(asye_on("2025-09-08"), Interval::MaxCalendarDays(7));
        assert_eq!(asye_on("2025-10-20"), fortnightly);
        assert_eq!(asye_on("2026-03-02"), fortnightly);
    }

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        (0u64..=40_000).prop_map(|i| d("1991-01-01") + Days::new(i))
    }

    fn interval_strategy() -> impl Strategy<Value = Interval> {
        let shipped: Vec<Interval> = shipped()
            .iter()
            .flat_map(|profile| {
                StaffCategory::ALL
                    .iter()
                    .flat_map(|&c| profile.categories().get(c).phases.iter())
                    .map(|phase| phase.interval)
            })
            .collect();
        prop_oneof![
            prop::sample::select(shipped),
            (1u32..=60).prop_map(Interval::MaxCalendarDays),
            (1u32..=40).prop_map(Interval::MaxWorkingDays),
            (1u32..=12).prop_map(Interval::EveryMonths),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn freq4_due_by_is_always_a_working_day_after_the_last_session(
            region in prop::sample::select(Region::ALL.to_vec()),
            interval in interval_strategy(),
            last in (0u64..=36_890).prop_map(|i| d("1995-01-01") + Days::new(i)),
        ) {
            let calendar = Calendar::new(region, &[]);
            let due = interval.due_after(&calendar, last).unwrap();
            prop_assert!(due > last);
            let nominal = match interval {
                Interval::MaxCalendarDays(n) => last + Days::new(n.into()),
                Interval::EveryMonths(n) => last.checked_add_months(Months::new(n)).unwrap(),
                Interval::MaxWorkingDays(_) => due,
            };
            // A working day, unless none lies after the last session by the interval's own
            // date (a one-day interval from a Friday).
            let open = last.succ_opt().unwrap().iter_days().take_while(|&day| day <= nominal);
            if open.clone().any(|day| calendar.is_working_day(day).unwrap()) {
                prop_assert!(calendar.is_working_day(due).unwrap(), "{} is not a working day", due);
            } else {
                prop_assert_eq!(due, nominal);
            }
            // Never later than the interval's own date, and only the days no session can be
            // held on are given up.
            prop_assert!(due <= nominal);
            for day in due.succ_opt().unwrap().iter_days().take_while(|&day| day <= nominal) {
                prop_assert!(!calendar.is_working_day(day).unwrap(), "{} was working", day);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn freq2_requirement_is_the_phase_covering_the_week(
            profile in prop::sample::select(shipped().to_vec()),
            category in prop::sample::select(StaffCategory::ALL.to_vec()),
            anchor in prop::option::of(date_strategy()),
            on in date_strategy(),
        ) {
            let dates = PersonDates {
                employment_start: anchor,
                asye_start: anchor,
                placement_start: anchor,
                placement_end: None,
            };
            let requirement = profile.requirement(category, &dates, on);
            let phase = profile.categories().get(category).phases[requirement.phase_index];
            let week = match anchor {
                Some(start) if start <= on => ((on - start).num_days() / 7) as u32,
                _ => 0,
            };
            prop_assert!(phase.from_week <= week);
            prop_assert!(phase.to_week.is_none_or(|to| week < to));
            prop_assert_eq!(requirement.interval, phase.interval);
        }
    }
}
