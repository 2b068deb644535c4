//! When 1:1 supervision is due (FREQ-1), a supervisee's live status (FREQ-4), the plan of the
//! next twelve months (SES-2) and session times across clock changes (CAL-4).
//!
//! Everything here is computed from dates: the caller passes what is in force on a date as a
//! function (`requirement_at`), usually the person's [`Profile`](super::policy::Profile)
//! requirement with any override, so these rules know nothing of storage.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::policy::{min_per_year_spacing, Interval};
use super::sessions::text_enum;
use super::validation::Invalid;

/// A supervisee is at risk when `due_by` is this many working days away or fewer and
/// nothing is booked (FREQ-4).
pub const AT_RISK_WORKING_DAYS: i32 = 5;

/// Most sessions one plan may hold: a year of weekly sessions fits many times over, and the
/// bound keeps a mistaken window from running away.
pub const MAX_PLANNED_SESSIONS: usize = 366;

/// The latest date the next session may be held (FREQ-1).
///
/// After a session held on `a` the next is due by `requirement_at(a).due_after(a)`: the
/// interval in force on the day of the last session governs the gap after it, so an ASYE's
/// weekly phase still governs after a session held in week 5. With no session held yet the
/// count starts from `baseline`, the agreement's start.
pub fn due_by(
    calendar: &Calendar,
    requirement_at: impl Fn(NaiveDate) -> Interval,
    last_held: Option<NaiveDate>,
    baseline: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let from = last_held.unwrap_or(baseline);
    requirement_at(from).due_after(calendar, from)
}

/// A supervisee's live supervision status (FREQ-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTrack,
    AtRisk,
    Overdue,
    NoBaseline,
    /// The requirement has ended: a student's placement is over, so nothing is due (FREQ-2).
    Ended,
}

// The name the API uses, for places serde does not reach (CSV cells).
text_enum!(Status {
    OnTrack => "on_track",
    AtRisk => "at_risk",
    Overdue => "overdue",
    NoBaseline => "no_baseline",
    Ended => "ended",
});

/// The status on `today` (FREQ-4), checked in this order:
///
/// 1. `overdue` when `today` is after `due_by`, whether or not anything was ever held;
/// 2. `no_baseline` when nothing has been held yet;
/// 3. `at_risk` when the next booked session is after `due_by`, or when none is booked and
///    `due_by` is at most [`AT_RISK_WORKING_DAYS`] working days after `today`;
/// 4. `on_track` otherwise: a session is booked on or before `due_by`, or none is booked
///    yet but more than five working days remain, which is time enough to book one.
///
/// `next_booked` is the earliest session still scheduled (not held, cancelled or missed).
/// The calendar is asked only in step 3; its error means a date outside its years.
pub fn status(
    calendar: &Calendar,
    today: NaiveDate,
    last_held: Option<NaiveDate>,
    due_by: NaiveDate,
    next_booked: Option<NaiveDate>,
) -> Result<Status, CalendarError> {
    if today > due_by {
        return Ok(Status::Overdue);
    }
    if last_held.is_none() {
        return Ok(Status::NoBaseline);
    }
    Ok(match next_booked {
        Some(booked) if booked <= due_by => Status::OnTrack,
        Some(_) => Status::AtRisk,
        None if calendar.working_days_between(today, due_by)? <= AT_RISK_WORKING_DAYS => {
            Status::AtRisk
        }
        None => Status::OnTrack,
    })
}

/// The longest plan one call makes: twelve months ahead (SES-2, 002).
pub const MAX_PLAN_MONTHS: u32 = 12;

/// The window a plan covers: from `from` (default tomorrow, and never before `earliest`)
/// for `months` (default 12), ending the day before the same date `months` later. Plans
/// start after today, so no session is planned in the past.
pub fn plan_window(
    from: Option<NaiveDate>,
    months: Option<u32>,
    today: NaiveDate,
    earliest: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), Invalid> {
    let months = months.unwrap_or(MAX_PLAN_MONTHS);
    if !(1..=MAX_PLAN_MONTHS).contains(&months) {
        return Err(Invalid::field(
            "months",
            format!("must be between 1 and {MAX_PLAN_MONTHS}"),
        ));
    }
    let from = from.unwrap_or(today + Days::new(1)).max(earliest);
    if from <= today {
        return Err(Invalid::field("from", "must be after today"));
    }
    let until = from
        .checked_add_months(chrono::Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(from);
    Ok((from, until))
}

/// What a year plan is asked to cover (SES-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    /// The last session held or booked before the window, if any.
    pub previous: Option<NaiveDate>,
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window (inclusive), normally twelve months on.
    pub until: NaiveDate,
    /// The agreement's usual weekday.
    pub usual_weekday: Weekday,
    /// The agreement's intended frequency when it is more frequent than the policy.
    pub cadence: Option<Interval>,
    /// Where the cadence stops: the end of the policy phase the agreement started in, after
    /// which the plan follows the profile's phases (an ASYE's weekly agreement goes
    /// fortnightly at week 6). None: it lasts.
    pub cadence_ends: Option<NaiveDate>,
    /// With no previous session, the count starts here: the agreement's start, as the
    /// status counts it (FREQ-4), not the window's.
    pub baseline: NaiveDate,
    /// The policy's fewest sessions a year, which spaces sessions no further apart than
    /// [`min_per_year_spacing`].
    pub min_per_year: Option<u32>,
    /// Sessions already booked in the window: they count as sessions and are not repeated.
    pub booked: Vec<NaiveDate>,
}

impl PlanRequest {
    /// A request for the window `[from, until]` given the dates of sessions already held or
    /// booked: the latest before the window is the previous session, those inside it count
    /// as booked. The baseline is `from`, the cadence lasts and there is no yearly minimum
    /// until the caller says otherwise.
    pub fn around(
        history: impl IntoIterator<Item = NaiveDate>,
        from: NaiveDate,
        until: NaiveDate,
        usual_weekday: Weekday,
        cadence: Option<Interval>,
    ) -> PlanRequest {
        let mut previous = None;
        let mut booked = Vec::new();
        for date in history {
            if date < from {
                previous = previous.max(Some(date));
            } else if date <= until {
                booked.push(date);
            }
        }
        PlanRequest {
            previous,
            from,
            until,
            usual_weekday,
            cadence,
            cadence_ends: None,
            baseline: from,
            min_per_year: None,
            booked,
        }
    }

    /// The latest date the session after one on `base` may be held under this request: the
    /// earliest of the policy's due date, the cadence's (while it lasts) and the yearly
    /// minimum's. A due date past the calendar's years is `NaiveDate::MAX`.
    pub fn limit_after(
        &self,
        calendar: &Calendar,
        policy: Interval,
        base: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        let due = |interval: Interval| match interval.due_after(calendar, base) {
            Err(CalendarError::ResultOutOfRange { .. }) => Ok(NaiveDate::MAX),
            other => other,
        };
        let cadence = self
            .cadence
            .filter(|_| self.cadence_ends.is_none_or(|ends| base < ends));
        let minimum = self.min_per_year.map(min_per_year_spacing);
        let mut limit = due(policy)?;
        for interval in cadence.into_iter().chain(minimum) {
            limit = limit.min(due(interval)?);
        }
        Ok(limit)
    }
}

/// Why a plan could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanError {
    /// `until` is before `from`.
    EmptyWindow { from: NaiveDate, until: NaiveDate },
    /// `previous` is not before the window, or a booked date is outside it.
    MisplacedDate { date: NaiveDate },
    /// No working day lies between `from` and `to` (inclusive), where the next session must
    /// go: the calendar is closed for longer than the interval.
    NoWorkingDay { from: NaiveDate, to: NaiveDate },
    /// The window needs more than [`MAX_PLANNED_SESSIONS`] sessions.
    TooManySessions,
    /// A date lies outside the years the calendar covers.
    Calendar(CalendarError),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::EmptyWindow { from, until } => {
                write!(f, "the plan ends ({until}) before it starts ({from})")
            }
            PlanError::MisplacedDate { date } => write!(
                f,
                "{date} is outside where it belongs: the previous session must be before the \
                 window and booked sessions inside it"
            ),
            PlanError::NoWorkingDay { from, to } => write!(
                f,
                "no working day between {from} and {to} for a session the policy requires"
            ),
            PlanError::TooManySessions => write!(
                f,
                "the window needs more than {MAX_PLANNED_SESSIONS} sessions; plan a shorter one"
            ),
            PlanError::Calendar(err) => err.fmt(f),
        }
    }
}

impl Error for PlanError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PlanError::Calendar(err) => Some(err),
            _ => None,
        }
    }
}

impl From<CalendarError> for PlanError {
    fn from(err: CalendarError) -> PlanError {
        PlanError::Calendar(err)
    }
}

/// Plans the sessions of a window (SES-2), returning the new dates in order.
///
/// Sessions, whether the previous one, booked or planned, follow one another so that each is
/// held on or before the limit counted from the one before: the earliest of the policy's due
/// date (`requirement_at(prev).due_after(prev)`), the cadence's while the phase the agreement
/// started in lasts, and the yearly minimum's ([`PlanRequest::limit_after`]). A booked
/// session within the limit is the next session. Otherwise the next is planned on the latest working day on
/// the usual weekday within the limit, or, when the usual weekday is not a working day
/// anywhere in it (a holiday week for weekly sessions), on the latest working day in it.
/// Planning stops once the limit falls after `until`, so the window is covered to its end.
/// Both ends of the window must lie in the calendar's years; a limit past them counts as
/// after `until`.
///
/// With no previous session the limit counts from the baseline (the agreement's start, as
/// the status's `due_by` does, FREQ-4) and the first session goes on the
/// first usual weekday that is a working day, or, if that is too late, on the latest working
/// day within the limit. When the limit of the first session passes before the window's first
/// working day (the supervisee is already overdue), that session goes on that working day.
/// Later sessions with no working day before their limit are an error.
pub fn plan(
    calendar: &Calendar,
    requirement_at: impl Fn(NaiveDate) -> Interval,
    request: &PlanRequest,
) -> Result<Vec<NaiveDate>, PlanError> {
    let PlanRequest {
        previous,
        from,
        until,
        usual_weekday,
        baseline,
        ..
    } = *request;
    if until < from {
        return Err(PlanError::EmptyWindow { from, until });
    }
    // A window within the calendar's years: then a due date past them is past `until` too.
    calendar.is_working_day(until)?;
    if let Some(date) = previous.filter(|&date| date >= from) {
        return Err(PlanError::MisplacedDate { date });
    }
    let mut booked = request.booked.clone();
    booked.sort_unstable();
    booked.dedup();
    if let Some(&date) = booked.iter().find(|&&date| date < from || date > until) {
        return Err(PlanError::MisplacedDate { date });
    }
    let mut booked = booked.into_iter().peekable();

    let mut planned = Vec::new();
    let mut last = previous;
    loop {
        let base = last.unwrap_or(baseline);
        // A due date past the calendar's years is past `until`, which is within them.
        let mut limit = request.limit_after(calendar, requirement_at(base), base)?;
        if last.is_none_or(|prev| prev < from) {
            // Nothing can be held before the window's first working day: when the limit
            // passes first, the supervisee is already overdue and the session goes there.
            limit = limit.max(calendar.next_working_day_on_or_after(from)?);
        }
        if let Some(session) = booked.next_if(|&session| session <= limit) {
            last = Some(session);
            continue;
        }
        if limit > until {
            return Ok(planned);
        }
        if planned.len() == MAX_PLANNED_SESSIONS {
            return Err(PlanError::TooManySessions);
        }
        let earliest = last
            .and_then(|prev| prev.succ_opt())
            .map_or(from, |day| day.max(from));
        let on_weekday = if last.is_none() {
            first_on_weekday(calendar, usual_weekday, earliest, limit)?
        } else {
            last_on_weekday(calendar, usual_weekday, earliest, limit)?
        };
        let next = match on_weekday {
            Some(day) => day,
            None => latest_working_day(calendar, earliest, limit)?,
        };
        planned.push(next);
        last = Some(next);
    }
}

/// The first day on `weekday` in `[from, to]` that is a working day.
fn first_on_weekday(
    calendar: &Calendar,
    weekday: Weekday,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    let mut day = from.checked_add_days(Days::new(ahead.into()));
    while let Some(candidate) = day.filter(|&d| d <= to) {
        if calendar.is_working_day(candidate)? {
            return Ok(Some(candidate));
        }
        day = candidate.checked_add_days(Days::new(7));
    }
    Ok(None)
}

/// The last day on `weekday` in `[from, to]` that is a working day.
fn last_on_weekday(
    calendar: &Calendar,
    weekday: Weekday,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<NaiveDate>, CalendarError> {
    let back = (7 + to.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    let mut day = to.checked_sub_days(Days::new(back.into()));
    while let Some(candidate) = day.filter(|&d| d >= from) {
        if calendar.is_working_day(candidate)? {
            return Ok(Some(candidate));
        }
        day = candidate.checked_sub_days(Days::new(7));
    }
    Ok(None)
}

/// The last working day in `[from, to]`.
fn latest_working_day(
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<NaiveDate, PlanError> {
    // Going back one working day from `to` passes the last working day on or before it, and
    // going forward one returns to it: two index lookups instead of a walk.
    let day = calendar.add_working_days(calendar.add_working_days(to, -1)?, 1)?;
    if day >= from {
        Ok(day)
    } else {
        Err(PlanError::NoWorkingDay { from, to })
    }
}

/// Pairs each date with a supervisor, alternating and starting with `supervisors[0]`: a
/// student's placement supervisor and practice educator take turns (FREQ-2). Pass every
/// session in order, booked and planned, with the supervisor due next first.
pub fn alternate(dates: &[NaiveDate], supervisors: [&str; 2]) -> Vec<(NaiveDate, String)> {
    dates
        .iter()
        .zip(supervisors.iter().cycle())
        .map(|(&date, &supervisor)| (date, supervisor.to_owned()))
        .collect()
}

/// The UTC instant of a session at `time` local to `zone` on `date` (CAL-4), so a 10:00
/// session stays at 10:00 on the wall clock across a clock change. A time the clocks skip
/// (01:30 on the last Sunday of March in London) moves forward to the first instant after
/// the gap (02:00 BST); a time that happens twice (01:30 on the last Sunday of October) is
/// the earlier one.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime, zone: Tz) -> NaiveDateTime {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local).earliest() {
        Some(at) => at.naive_utc(),
        None => end_of_gap(zone, local),
    }
}

/// The first UTC instant whose wall-clock time in `zone` is at or after `local`, which lies in
/// a gap. Wall-clock time jumps over a gap, so this is where the gap ends; offsets are under
/// a day, so the instant lies within a day of `local` read as UTC, and halving finds it to
/// the second.
fn end_of_gap(zone: Tz, local: NaiveDateTime) -> NaiveDateTime {
    let wall = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0).map(|at| at.with_timezone(&zone).naive_local())
    };
    const DAY: i64 = 86_400;
    let read_as_utc = local.and_utc().timestamp();
    // Invariant: the wall clock reads before `local` at `before`, and not before it at `after`.
    let (mut before, mut after) = (read_as_utc - DAY, read_as_utc + DAY);
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        if wall(middle).is_some_and(|reading| reading < local) {
            before = middle;
        } else {
            after = middle;
        }
    }
    DateTime::from_timestamp(after, 0).map_or(local, |at| at.naive_utc())
}

/// The date in `zone` at the UTC instant `at_utc` (CAL-4).
pub fn utc_to_local_date(at_utc: NaiveDateTime, zone: Tz) -> NaiveDate {
    zone.from_utc_datetime(&at_utc).date_naive()
}

/// Today's date in `zone` (CAL-4): what "today" means for a person's status and reminders.
pub fn today_in(zone: Tz, now_utc: DateTime<Utc>) -> NaiveDate {
    now_utc.with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use chrono::{Duration, TimeDelta};
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn freq4_status_names_match_the_api() {
        for &status in Status::ALL {
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
    }

    #[test]
    fn ses2_the_window_is_up_to_twelve_months_after_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            plan_window(None, None, today, today),
            Ok((day(2026, 11, 26), day(2027, 11, 25)))
        );
        assert_eq!(
            plan_window(None, Some(3), today, day(2027, 1, 4)),
            Ok((day(2027, 1, 4), day(2027, 4, 3)))
        );
        assert_eq!(
            plan_window(Some(today), None, today, today).unwrap_err().0[0].field,
            "from"
        );
        assert_eq!(
            plan_window(None, Some(13), today, today).unwrap_err().0[0].field,
            "months"
        );
        assert_eq!(
            plan_window(None, Some(0), today, today).unwrap_err().0[0].field,
            "months"
        );
    }

    #[test]
    fn ses2_history_splits_into_the_previous_session_and_bookings() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let request = PlanRequest::around(
            [day(1), day(20), day(3), day(9), day(31)],
            day(5),
            day(30),
            Weekday::Thu,
            None,
        );
        assert_eq!(request.previous, Some(day(3)));
        assert_eq!(request.booked, vec![day(20), day(9)]);
    }
    use crate::domain::calendar::Region;
    use crate::domain::people::StaffCategory;
    use crate::domain::policy::{shipped, shipped_profile, PersonDates, Profile};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn calendar(region: Region) -> &'static Calendar {
        static CALENDARS: OnceLock<[Calendar; 3]> = OnceLock::new();
        &CALENDARS.get_or_init(|| Region::ALL.map(|r| Calendar::new(r, &[])))[region as usize]
    }

    fn england() -> &'static Calendar {
        calendar(Region::EnglandAndWales)
    }

    fn request(from: &str, until: &str, usual_weekday: Weekday) -> PlanRequest {
        PlanRequest::around([], d(from), d(until), usual_weekday, None)
    }

    fn dates(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    const TWENTY_FIVE: Interval = Interval::MaxWorkingDays(25);
    const WEEKLY: Interval = Interval::MaxCalendarDays(7);

    // ---- FREQ-1: due by ----

    #[test]
    fn freq1_due_by_counts_from_the_last_held_session_or_the_baseline() {
        let policy = |_| TWENTY_FIVE;
        let baseline = d("2025-11-03");
        assert_eq!(
            due_by(england(), policy, Some(d("2025-12-15")), baseline),
            Ok(d("2026-01-22"))
        );
        // Nothing held: 25 working days from the agreement's start.
        assert_eq!(
            due_by(england(), policy, None, baseline),
            Ok(d("2025-12-08"))
        );
    }

    #[test]
    fn freq1_the_interval_in_force_on_the_last_session_governs_the_gap() {
        let profile = shipped_profile("default").unwrap();
        let person = PersonDates {
            asye_start: Some(d("2025-09-01")),
            ..PersonDates::default()
        };
        let asye = |on| {
            profile
                .requirement(StaffCategory::Asye, &person, on)
                .interval
        };
        let baseline = d("2025-09-01");
        // Held in week 5: weekly, although week 6 (fortnightly) starts before the due date.
        assert_eq!(
            due_by(england(), asye, Some(d("2025-10-10")), baseline),
            Ok(d("2025-10-17"))
        );
        // Held in week 11: fortnightly, although week 12 moves to 25 working days.
        assert_eq!(
            due_by(england(), asye, Some(d("2025-11-20")), baseline),
            Ok(d("2025-12-04"))
        );
        assert_eq!(
            due_by(england(), asye, Some(d("2025-11-24")), baseline),
            Ok(d("2025-12-31"))
        );
    }

    // ---- FREQ-4: status ----

    #[test]
    fn freq4_every_status_branch() {
        let cal = england();
        let held = Some(d("2025-05-01"));
        let due = d("2025-06-05"); // Thursday
        let status = |today: &str, held, booked: Option<&str>| {
            status(cal, d(today), held, due, booked.map(d)).unwrap()
        };
        // Overdue: past due_by, with or without a session ever held or booked.
        assert_eq!(status("2025-06-06", held, None), Status::Overdue);
        assert_eq!(status("2025-06-06", None, None), Status::Overdue);
        assert_eq!(
            status("2025-06-06", held, Some("2025-06-09")),
            Status::Overdue
        );
        // No baseline: nothing held yet, not yet past due.
        assert_eq!(status("2025-06-05", None, None), Status::NoBaseline);
        assert_eq!(
            status("2025-05-01", None, Some("2025-05-20")),
            Status::NoBaseline
        );
        // On track: booked on or before due_by, however close.
        assert_eq!(
            status("2025-06-05", held, Some("2025-06-05")),
            Status::OnTrack
        );
        assert_eq!(
            status("2025-06-02", held, Some("2025-06-03")),
            Status::OnTrack
        );
        // At risk: booked after due_by, however far off.
        assert_eq!(
            status("2025-05-02", held, Some("2025-06-06")),
            Status::AtRisk
        );
        // Nothing booked: at risk within 5 working days, on track before.
        assert_eq!(status("2025-05-29", held, None), Status::AtRisk); // 5 working days
        assert_eq!(status("2025-05-28", held, None), Status::OnTrack); // 6 working days
        assert_eq!(status("2025-06-05", held, None), Status::AtRisk); // due today
        assert_eq!(AT_RISK_WORKING_DAYS, 5);
    }

    #[test]
    fn freq4_at_risk_counts_working_days_not_calendar_days() {
        let held = Some(d("2025-11-20"));
        // 22, 23, 24, 29 and 30 December are 5 working days after Friday 19 December.
        let at = |due| status(england(), d("2025-12-19"), held, d(due), None).unwrap();
        assert_eq!(at("2025-12-30"), Status::AtRisk);
        assert_eq!(at("2025-12-31"), Status::OnTrack);
        let outside = status(england(), d("1989-12-01"), held, d("1989-12-20"), None);
        assert!(outside.is_err());
    }

    #[test]
    fn freq4_status_serializes_in_snake_case() {
        let names: Vec<String> = [
            Status::OnTrack,
            Status::AtRisk,
            Status::Overdue,
            Status::NoBaseline,
            Status::Ended,
        ]
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
        assert_eq!(
            names,
            [
                r#""on_track""#,
                r#""at_risk""#,
                r#""overdue""#,
                r#""no_baseline""#,
                r#""ended""#
            ]
        );
    }

    // ---- SES-2: the year plan ----

    #[test]
    fn ses2_monthly_plan_on_the_usual_weekday_within_25_working_days() {
        let plan = plan(
            england(),
            |_| TWENTY_FIVE,
            &request("2025-01-01", "2025-12-31", Weekday::Tue),
        )
        .unwrap();
        assert_eq!(
            plan,
            dates(&[
                "2025-01-07", // the first Tuesday of the window
                "2025-02-11", // 25 working days on, exactly
                "2025-03-18",
                "2025-04-22", // Easter: the limit is Thursday 24 April
                "2025-05-27", // two bank holidays: the limit is Thursday 29 May
                "2025-07-01",
                "2025-08-05",
                "2025-09-09", // summer bank holiday: the limit is Wednesday 10 September
                "2025-10-14",
                "2025-11-18",
                "2025-12-23",
            ])
        );
        // The window is covered: the next session is due after it ends.
        let after = TWENTY_FIVE.due_after(england(), d("2025-12-23")).unwrap();
        assert_eq!(after, d("2026-01-30"));
    }

    #[test]
    fn ses2_asye_plan_moves_through_its_phases() {
        let profile = shipped_profile("default").unwrap();
        let person = PersonDates {
            asye_start: Some(d("2025-09-01")),
            ..PersonDates::default()
        };
        let asye = |on| {
            profile
                .requirement(StaffCategory::Asye, &person, on)
                .interval
        };
        let plan = plan(
            england(),
            asye,
            &request("2025-09-01", "2026-01-31", Weekday::Mon),
        )
        .unwrap();
        assert_eq!(
            plan,
            dates(&[
                // Weeks 0-5: weekly.
                "2025-09-01",
                "2025-09-08",
                "2025-09-15",
                "2025-09-22",
                "2025-09-29",
                "2025-10-06",
                // Weeks 6-11: fortnightly.
                "2025-10-13",
                "2025-10-27",
                "2025-11-10",
                // Week 12 on: 25 working days, over Christmas.
                "2025-11-24",
                "2025-12-29",
            ])
        );
    }

    #[test]
    fn ses2_weekly_plan_falls_back_to_the_latest_working_day_in_a_holiday_week() {
        // A student seen on Thursdays: Christmas Day and New Year's Day 2026 are Thursdays.
        let mut req = request("2025-12-01", "2026-01-31", Weekday::Thu);
        req.previous = Some(d("2025-11-27"));
        let plan = plan(england(), |_| WEEKLY, &req).unwrap();
        assert_eq!(
            plan,
            dates(&[
                "2025-12-04",
                "2025-12-11",
                "2025-12-18",
                "2025-12-24", // Wednesday: Thursday 25th is Christmas Day
                "2025-12-31", // 7 days on, no Thursday in between that is a working day
                "2026-01-07", // 1 January is a holiday
                "2026-01-08", // back on Thursday, the latest one within the week
                "2026-01-15",
                "2026-01-22",
                "2026-01-29",
            ])
        );
    }

    #[test]
    fn ses2_student_plan_alternates_supervisors() {
        let profile = shipped_profile("default").unwrap();
        let person = PersonDates {
            placement_start: Some(d("2025-09-22")),
            placement_end: Some(d("2025-10-31")),
            ..PersonDates::default()
        };
        let student = |on| {
            profile
                .requirement(StaffCategory::Student, &person, on)
                .interval
        };
        let req = request("2025-09-22", "2025-10-31", Weekday::Wed);
        let plan = plan(england(), student, &req).unwrap();
        let sessions = alternate(&plan, ["placement supervisor", "practice educator"]);
        let expected = [
            ("2025-09-24", "placement supervisor"),
            ("2025-10-01", "practice educator"),
            ("2025-10-08", "placement supervisor"),
            ("2025-10-15", "practice educator"),
            ("2025-10-22", "placement supervisor"),
            ("2025-10-29", "practice educator"),
        ];
        let expected: Vec<(NaiveDate, String)> = expected
            .iter()
            .map(|(date, who)| (d(date), who.to_string()))
            .collect();
        assert_eq!(sessions, expected);
        assert!(alternate(&[], ["a", "b"]).is_empty());
    }

    #[test]
    fn ses2_cp_chair_plan_every_four_weeks() {
        let profile = shipped_profile("default").unwrap();
        let chair = |on| {
            profile
                .requirement(StaffCategory::CpChairIro, &PersonDates::default(), on)
                .interval
        };
        let mut req = request("2025-12-01", "2026-03-31", Weekday::Mon);
        req.previous = Some(d("2025-11-17"));
        let plan = plan(england(), chair, &req).unwrap();
        // 28 days after each Monday is a Monday, holidays or not.
        assert_eq!(
            plan,
            dates(&["2025-12-15", "2026-01-12", "2026-02-09", "2026-03-09"])
        );
    }

    #[test]
    fn ses2_cadence_more_frequent_than_the_policy_is_followed() {
        let mut req = request("2025-03-10", "2025-05-31", Weekday::Fri);
        req.previous = Some(d("2025-03-07"));
        req.cadence = Some(Interval::MaxCalendarDays(14));
        let plan = plan(england(), |_| TWENTY_FIVE, &req).unwrap();
        assert_eq!(
            plan,
            dates(&[
                "2025-03-21",
                "2025-04-04",
                "2025-04-11", // 18 April is Good Friday: the latest Friday in time is the 11th
                "2025-04-25",
                "2025-05-09",
                "2025-05-23",
            ])
        );
    }

    #[test]
    fn ses2_booked_sessions_count_and_are_not_repeated() {
        let mut req = request("2025-01-01", "2025-06-30", Weekday::Tue);
        req.previous = Some(d("2024-12-17"));
        // One booked early (a Thursday) and one too late to follow the previous session.
        req.booked = dates(&["2025-03-06", "2025-06-17", "2025-03-06"]);
        let plan = plan(england(), |_| TWENTY_FIVE, &req).unwrap();
        // 17 December + 25 working days is 27 January (Christmas and New Year skipped), and
        // 6 March is more than 25 working days after 21 January, so 25 February comes between.
        assert_eq!(
            plan,
            dates(&["2025-01-21", "2025-02-25", "2025-04-08", "2025-05-13"])
        );
    }

    #[test]
    fn ses2_an_overdue_supervisee_is_seen_on_the_first_working_day() {
        let mut req = request("2025-06-07", "2025-08-31", Weekday::Thu);
        req.previous = Some(d("2025-03-03"));
        let plan = plan(england(), |_| TWENTY_FIVE, &req).unwrap();
        // Saturday 7 June: Monday 9 June, then Thursdays.
        assert_eq!(plan[..2], dates(&["2025-06-09", "2025-07-10"]));
    }

    #[test]
    fn ses2_a_window_shorter_than_the_interval_may_need_no_session() {
        let mut req = request("2025-06-02", "2025-06-20", Weekday::Mon);
        req.previous = Some(d("2025-05-30"));
        assert_eq!(plan(england(), |_| TWENTY_FIVE, &req), Ok(Vec::new()));
        req.previous = None;
        assert_eq!(plan(england(), |_| TWENTY_FIVE, &req), Ok(Vec::new()));
        assert_eq!(
            plan(england(), |_| WEEKLY, &req),
            Ok(dates(&["2025-06-02", "2025-06-09", "2025-06-16"]))
        );
    }

    #[test]
    fn ses2_requests_that_cannot_be_planned_are_errors() {
        let policy = |_| TWENTY_FIVE;
        let req = request("2025-06-01", "2025-05-31", Weekday::Mon);
        assert_eq!(
            plan(england(), policy, &req),
            Err(PlanError::EmptyWindow {
                from: d("2025-06-01"),
                until: d("2025-05-31")
            })
        );

        let mut req = request("2025-06-01", "2025-12-31", Weekday::Mon);
        req.previous = Some(d("2025-06-01"));
        assert_eq!(
            plan(england(), policy, &req),
            Err(PlanError::MisplacedDate {
                date: d("2025-06-01")
            })
        );
        req.previous = None;
        req.booked = dates(&["2026-01-05"]);
        assert_eq!(
            plan(england(), policy, &req),
            Err(PlanError::MisplacedDate {
                date: d("2026-01-05")
            })
        );

        let req = request("2025-01-01", "2034-12-31", Weekday::Mon);
        assert_eq!(
            plan(england(), |_| WEEKLY, &req),
            Err(PlanError::TooManySessions)
        );

        let req = request("1989-06-01", "1990-06-01", Weekday::Mon);
        let err = plan(england(), policy, &req).unwrap_err();
        assert!(matches!(
            err,
            PlanError::Calendar(CalendarError::OutOfRange { .. })
        ));
        assert!(err.source().is_some() && err.to_string().contains("1989-06-01"));
        let req = request("2100-06-01", "2101-06-01", Weekday::Mon);
        let err = plan(england(), policy, &req).unwrap_err();
        let beyond = CalendarError::OutOfRange {
            date: d("2101-06-01"),
        };
        assert_eq!(err, PlanError::Calendar(beyond));
    }

    #[test]
    fn ses2_no_working_day_before_the_limit_is_an_error() {
        // Closed for two weeks in August.
        let closed: Vec<NaiveDate> = d("2025-08-04").iter_days().take(12).collect();
        let cal = Calendar::new(Region::EnglandAndWales, &closed);
        let mut req = request("2025-07-01", "2025-12-31", Weekday::Mon);
        req.previous = Some(d("2025-06-30"));
        let err = plan(&cal, |_| WEEKLY, &req).unwrap_err();
        // Monday 28 July, then Friday 1 August, then nothing open up to Friday 8 August.
        assert_eq!(
            err,
            PlanError::NoWorkingDay {
                from: d("2025-08-02"),
                to: d("2025-08-08")
            }
        );
        assert!(err.to_string().contains("2025-08-08"));
    }

    #[test]
    fn ses2_plans_near_the_calendar_end_stop_instead_of_failing() {
        let req = request("2100-01-01", "2100-12-31", Weekday::Wed);
        let plan = plan(england(), |_| TWENTY_FIVE, &req).unwrap();
        assert!(plan.len() >= 10);
        assert!(plan
            .iter()
            .all(|&day| day.weekday() == Weekday::Wed || day.month() == 12));
    }

    // ---- CAL-4: times ----

    const LONDON: Tz = chrono_tz::Europe::London;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn at(date: &str, time: &str, zone: Tz) -> NaiveDateTime {
        local_to_utc(
            d(date),
            NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
            zone,
        )
    }

    #[test]
    fn cal4_ten_oclock_stays_ten_oclock_across_clock_changes() {
        // Clocks go forward on Sunday 30 March 2025 and back on Sunday 26 October 2025.
        assert_eq!(at("2025-03-24", "10:00", LONDON), utc("2025-03-24 10:00"));
        assert_eq!(at("2025-03-31", "10:00", LONDON), utc("2025-03-31 09:00"));
        assert_eq!(at("2025-10-20", "10:00", LONDON), utc("2025-10-20 09:00"));
        assert_eq!(at("2025-10-27", "10:00", LONDON), utc("2025-10-27 10:00"));
    }

    #[test]
    fn cal4_a_time_the_clocks_skip_moves_to_the_end_of_the_gap() {
        // 01:00 to 02:00 GMT does not exist on 30 March 2025: 02:00 BST is 01:00 UTC.
        assert_eq!(at("2025-03-30", "00:59", LONDON), utc("2025-03-30 00:59"));
        assert_eq!(at("2025-03-30", "01:00", LONDON), utc("2025-03-30 01:00"));
        assert_eq!(at("2025-03-30", "01:30", LONDON), utc("2025-03-30 01:00"));
        assert_eq!(at("2025-03-30", "02:00", LONDON), utc("2025-03-30 01:00"));
        assert_eq!(at("2025-03-30", "02:30", LONDON), utc("2025-03-30 01:30"));
        let new_york = chrono_tz::America::New_York;
        assert_eq!(at("2025-03-09", "02:30", new_york), utc("2025-03-09 07:00"));
        // Samoa skipped 30 December 2011 by moving from UTC-10 to UTC+14.
        let apia = chrono_tz::Pacific::Apia;
        assert_eq!(at("2011-12-30", "10:00", apia), utc("2011-12-30 10:00"));
        assert_eq!(
            utc_to_local_date(at("2011-12-30", "10:00", apia), apia),
            d("2011-12-31")
        );
    }

    #[test]
    fn cal4_a_time_that_happens_twice_is_the_earlier() {
        // 01:00 to 02:00 happens in BST and again in GMT on 26 October 2025.
        assert_eq!(at("2025-10-26", "01:30", LONDON), utc("2025-10-26 00:30"));
        assert_eq!(at("2025-10-26", "01:00", LONDON), utc("2025-10-26 00:00"));
        assert_eq!(at("2025-10-26", "02:00", LONDON), utc("2025-10-26 02:00"));
    }

    #[test]
    fn cal4_today_is_the_date_in_the_persons_zone() {
        assert_eq!(
            utc_to_local_date(utc("2025-06-30 23:30"), LONDON),
            d("2025-07-01")
        );
        assert_eq!(
            utc_to_local_date(utc("2025-12-31 23:30"), LONDON),
            d("2025-12-31")
        );
        let now = utc("2025-06-30 23:30").and_utc();
        assert_eq!(today_in(LONDON, now), d("2025-07-01"));
        assert_eq!(today_in(chrono_tz::America::New_York, now), d("2025-06-30"));
    }

    // ---- Properties ----

    fn date_between(first: &str, last: &str) -> impl Strategy<Value = NaiveDate> {
        let first = d(first);
        let days = (d(last) - first).num_days() as u64;
        (0..=days).prop_map(move |i| first + Days::new(i))
    }

    fn weekday_strategy() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|i| Weekday::try_from(i).unwrap())
    }

    /// The agreement frequencies people use: weekly to quarterly.
    fn cadence_strategy() -> impl Strategy<Value = Option<Interval>> {
        prop::option::of(prop_oneof![
            (7u32..=60).prop_map(Interval::MaxCalendarDays),
            (5u32..=40).prop_map(Interval::MaxWorkingDays),
            (1u32..=3).prop_map(Interval::EveryMonths),
        ])
    }

    /// The last working day in `[from, to]` on `weekday` (any weekday when `None`), walking
    /// back a day at a time: what the plan's choice must agree with.
    fn walk_back(
        cal: &Calendar,
        weekday: Option<Weekday>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<NaiveDate> {
        let mut day = to;
        while day >= from {
            if weekday.is_none_or(|w| day.weekday() == w) && cal.is_working_day(day).unwrap() {
                return Some(day);
            }
            day = day.pred_opt()?;
        }
        None
    }

    fn walk_forward(
        cal: &Calendar,
        weekday: Weekday,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<NaiveDate> {
        from.iter_days()
            .take_while(|&day| day <= to)
            .find(|&day| day.weekday() == weekday && cal.is_working_day(day).unwrap())
    }

    /// Checks a plan against SES-2 as stated, session by session.
    fn check_plan(
        cal: &Calendar,
        policy: &dyn Fn(NaiveDate) -> Interval,
        req: &PlanRequest,
        planned: &[NaiveDate],
    ) -> Result<(), TestCaseError> {
        let mut booked = req.booked.clone();
        booked.sort_unstable();
        booked.dedup();
        for pair in planned.windows(2) {
            prop_assert!(pair[0] < pair[1], "not increasing: {:?}", pair);
        }
        for &day in planned {
            prop_assert!(
                cal.is_working_day(day).unwrap(),
                "{} is not a working day",
                day
            );
            prop_assert!(
                req.from <= day && day <= req.until,
                "{} is outside the window",
                day
            );
            prop_assert!(!booked.contains(&day), "{} is already booked", day);
        }
        let mut sessions: Vec<(NaiveDate, bool)> = booked.iter().map(|&day| (day, false)).collect();
        sessions.extend(planned.iter().map(|&day| (day, true)));
        sessions.sort_unstable();

        let first_working = cal.next_working_day_on_or_after(req.from).unwrap();
        // The limit after `last` (or after `from` with none), as SES-2 defines it.
        let limit_after = |last: Option<NaiveDate>| {
            let base = last.unwrap_or(req.baseline);
            let policy_due = policy(base).due_after(cal, base).unwrap();
            let cadence_due = req
                .cadence
                .filter(|_| req.cadence_ends.is_none_or(|ends| base < ends))
                .map(|c| c.due_after(cal, base).unwrap());
            let minimum_due = req
                .min_per_year
                .map(|n| min_per_year_spacing(n).due_after(cal, base).unwrap());
            let limit = [cadence_due, minimum_due]
                .into_iter()
                .flatten()
                .fold(policy_due, NaiveDate::min);
            let first = last.is_none_or(|prev| prev < req.from);
            (
                policy_due,
                if first {
                    limit.max(first_working)
                } else {
                    limit
                },
            )
        };
        let mut last = req.previous;
        for (day, is_planned) in sessions {
            let (policy_due, limit) = limit_after(last);
            let overdue = last.is_none_or(|prev| prev < req.from) && policy_due < first_working;
            if overdue {
                prop_assert!(
                    day <= first_working,
                    "{} is after the first working day when overdue",
                    day
                );
            } else {
                prop_assert!(
                    day <= policy_due,
                    "{} is after the policy's due date {} (from {:?})",
                    day,
                    policy_due,
                    last
                );
            }
            prop_assert!(day <= limit, "{} is after the limit {}", day, limit);
            if is_planned {
                let earliest = last.map_or(req.from, |prev| (prev + Days::new(1)).max(req.from));
                let on_weekday = if last.is_none() {
                    walk_forward(cal, req.usual_weekday, earliest, limit)
                } else {
                    walk_back(cal, Some(req.usual_weekday), earliest, limit)
                };
                let expected = on_weekday.or_else(|| walk_back(cal, None, earliest, limit));
                prop_assert_eq!(Some(day), expected, "the choice after {:?}", last);
                // Planned only because no booked session could follow in time.
                prop_assert!(
                    !booked.iter().any(|&b| day < b && b <= limit),
                    "{} was not needed",
                    day
                );
            }
            last = Some(day);
        }
        // The window is covered to its end.
        let (_, limit) = limit_after(last);
        prop_assert!(
            limit > req.until,
            "the plan stops at {:?} with {} due before {}",
            last,
            limit,
            req.until
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn ses2_plans_never_break_the_policy(
            region in prop::sample::select(Region::ALL.to_vec()),
            profile in prop::sample::select(shipped().to_vec()),
            category in prop::sample::select(StaffCategory::ALL.to_vec()),
            from in date_between("1995-01-01", "2095-12-31"),
            span in prop_oneof![0u64..=60, 300u64..=400],
            usual_weekday in weekday_strategy(),
            previous_gap in prop::option::of(1u64..=70),
            anchors in prop::array::uniform3(prop::option::of(-400i64..=400)),
            cadence in cadence_strategy(),
            booked in prop::collection::vec(0u64..=400, 0..4),
            baseline_gap in 0u64..=60,
            cadence_ends in prop::option::of(0u64..=200),
            min_per_year in prop::option::of(1u32..=26),
        ) {
            let cal = calendar(region);
            let anchor = |offset: Option<i64>| offset.map(|days| from + Duration::days(days));
            let person = PersonDates {
                employment_start: anchor(anchors[0]),
                asye_start: anchor(anchors[1]),
                placement_start: anchor(anchors[2]),
                placement_end: None,
            };
            let profile: &Profile = &profile;
            let policy = move |on| profile.requirement(category, &person, on).interval;
            let mut req = PlanRequest::around(
                previous_gap.map(|gap| from - Days::new(gap)).into_iter().chain(
                    booked.into_iter().filter(|&i| i <= span).map(|i| from + Days::new(i)),
                ),
                from,
                from + Days::new(span),
                usual_weekday,
                cadence,
            );
            req.baseline = from - Days::new(baseline_gap);
            req.cadence_ends = cadence_ends.map(|days| from + Days::new(days));
            req.min_per_year = min_per_year;
            let planned = plan(cal, policy, &req);
            prop_assert!(planned.is_ok(), "{:?} for {:?}", planned, req);
            let planned = planned.unwrap();
            check_plan(cal, &policy, &req, &planned)?;
            // Non-empty when the window holds a working day and lasts past the first due date.
            let base = req.previous.unwrap_or(req.baseline);
            let first_working = cal.next_working_day_on_or_after(from).unwrap();
            if policy(base).due_after(cal, base).unwrap() <= req.until && first_working <= req.until {
                prop_assert!(!planned.is_empty() || !req.booked.is_empty());
            }
        }

        #[test]
        fn ses2_closure_days_are_avoided_or_reported(
            region in prop::sample::select(Region::ALL.to_vec()),
            from in date_between("1995-01-01", "2095-12-31"),
            closures in prop::collection::vec((0u64..=400, 1usize..=15), 0..8),
            usual_weekday in weekday_strategy(),
            previous_gap in prop::option::of(1u64..=40),
            interval in prop_oneof![
                (7u32..=28).prop_map(Interval::MaxCalendarDays),
                (5u32..=25).prop_map(Interval::MaxWorkingDays),
                Just(Interval::EveryMonths(1)),
            ],
        ) {
            // Runs of closed days, as over Christmas or a move of office.
            let closed: Vec<NaiveDate> = closures
                .iter()
                .flat_map(|&(start, days)| (from + Days::new(start)).iter_days().take(days))
                .collect();
            let cal = Calendar::new(region, &closed);
            let mut req = request("2000-01-01", "2000-01-01", usual_weekday);
            req.previous = previous_gap.map(|gap| from - Days::new(gap));
            req.from = from;
            req.baseline = from;
            req.until = from + Days::new(365);
            match plan(&cal, |_| interval, &req) {
                Ok(planned) => check_plan(&cal, &|_| interval, &req, &planned)?,
                Err(PlanError::NoWorkingDay { from: first, to }) => {
                    prop_assert!(first <= to);
                    prop_assert_eq!(walk_back(&cal, None, first, to), None);
                }
                Err(other) => prop_assert!(false, "{}", other),
            }
        }

        #[test]
        fn freq4_status_follows_its_definition(
            today in date_between("1995-01-01", "2095-12-31"),
            due_offset in -40i64..=60,
            held in prop::option::of(Just(())),
            booked_offset in prop::option::of(-40i64..=40),
        ) {
            let cal = england();
            let due = today + Duration::days(due_offset);
            let held = held.map(|()| today - Days::new(30));
            let booked = booked_offset.map(|days| due + Duration::days(days));
            let got = status(cal, today, held, due, booked).unwrap();
            // Overdue exactly when today is past due_by.
            prop_assert_eq!(got == Status::Overdue, today > due);
            if today <= due {
                prop_assert_eq!(got == Status::NoBaseline, held.is_none());
            }
            if held.is_some() && today <= due {
                let working_days_left = cal.working_days_between(today, due).unwrap();
                match booked {
                    // Booked in time: on track, never overdue or at risk.
                    Some(b) if b <= due => prop_assert_eq!(got, Status::OnTrack),
                    Some(_) => prop_assert_eq!(got, Status::AtRisk),
                    None => prop_assert_eq!(
                        got == Status::AtRisk,
                        working_days_left <= AT_RISK_WORKING_DAYS
                    ),
                }
                // Booking a session in time never makes things worse.
                let booked_in_time = status(cal, today, held, due, Some(due)).unwrap();
                prop_assert_eq!(booked_in_time, Status::OnTrack);
            }
        }

        #[test]
        fn freq4_with_nothing_booked_status_only_worsens_as_days_pass(
            today in date_between("1995-01-01", "2095-12-31"),
            later in 0u64..=30,
            due_offset in 0u64..=40,
        ) {
            let rank = |s: Status| match s {
                Status::OnTrack => 0,
                Status::AtRisk => 1,
                Status::Overdue => 2,
                Status::NoBaseline => 3,
                Status::Ended => 4,
            };
            let held = Some(today - Days::new(20));
            let due = today + Days::new(due_offset);
            let now = status(england(), today, held, due, None).unwrap();
            let then = status(england(), today + Days::new(later), held, due, None).unwrap();
            prop_assert!(rank(now) <= rank(then), "{:?} then {:?}", now, then);
        }

        #[test]
        fn cal4_local_times_round_trip_or_move_past_the_gap(
            date in date_between("1995-01-01", "2095-12-31"),
            minute in 0u32..1440,
            zone in prop::sample::select(vec![
                LONDON,
                chrono_tz::America::New_York,
                chrono_tz::Australia::Lord_Howe,
                chrono_tz::Pacific::Apia,
            ]),
        ) {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(minute * 60, 0).unwrap();
            let local = date.and_time(time);
            let at = local_to_utc(date, time, zone);
            let wall = |utc: NaiveDateTime| zone.from_utc_datetime(&utc).naive_local();
            match zone.from_local_datetime(&local).earliest() {
                Some(_) => {
                    prop_assert_eq!(wall(at), local);
                    // The earlier of two readings: none in the two hours before reads the same.
                    for minutes in 1..=120 {
                        prop_assert_ne!(wall(at - TimeDelta::minutes(minutes)), local);
                    }
                }
                None => {
                    prop_assert!(wall(at) > local);
                    prop_assert!(wall(at - TimeDelta::seconds(1)) < local);
                }
            }
        }
    }
}
