//! A supervisee's live status (FREQ-4), from the facts the store gathers: the same function
//! serves the API, lists of thousands of supervisees and (later) the reminder sweep.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::people::StaffCategory;
use super::policy::{Interval, PersonDates, Profile};
use super::scheduling::{self, Status};

/// What the status of one supervisee depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub category: StaffCategory,
    pub dates: PersonDates,
    /// A more frequent interval set for this person (FREQ-3).
    pub override_interval: Option<Interval>,
    /// The start of the agreement the status follows: due dates count from it until a
    /// session is held.
    pub baseline: NaiveDate,
    pub last_held: Option<NaiveDate>,
    pub next_booked: Option<NaiveDate>,
}

impl Facts {
    /// The interval the policy requires after a session on a given date.
    pub fn interval_on(&self, profile: &Profile, on: NaiveDate) -> Interval {
        profile
            .requirement_with_override(self.category, &self.dates, on, self.override_interval)
            .interval
    }

    /// The latest date the session after one held (or booked) on `previous` may be held; with
    /// no previous session, counted from the baseline (FREQ-1).
    pub fn due_after(
        &self,
        calendar: &Calendar,
        profile: &Profile,
        previous: Option<NaiveDate>,
    ) -> Result<NaiveDate, CalendarError> {
        scheduling::due_by(
            calendar,
            |on| self.interval_on(profile, on),
            previous,
            self.baseline,
        )
    }
}

/// FREQ-4 for one supervisee, or GRP-1 for a team's group supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"status": "at_risk", "due_by": "2026-12-08", "last_held": "2026-11-03",
    "next_booked": null, "interval": {"max_working_days": 25}, "days_since_last_held": 29}))]
pub struct Report {
    pub status: Status,
    /// The next session must be held on or before this date.
    pub due_by: NaiveDate,
    pub last_held: Option<NaiveDate>,
    pub next_booked: Option<NaiveDate>,
    /// The interval in force after the last held session (or the baseline).
    pub interval: Interval,
    /// Calendar days since the last held session, if any.
    pub days_since_last_held: Option<i64>,
}

pub fn report(
    calendar: &Calendar,
    profile: &Profile,
    facts: &Facts,
    today: NaiveDate,
) -> Result<Report, CalendarError> {
    report_at(
        calendar,
        |on| facts.interval_on(profile, on),
        facts.baseline,
        facts.last_held,
        facts.next_booked,
        today,
    )
}

/// FREQ-4's arithmetic for anything held at an interval: a supervisee's 1:1s, or a team's
/// group supervision (GRP-1), whose interval does not depend on the date.
pub fn report_at(
    calendar: &Calendar,
    interval_on: impl Fn(NaiveDate) -> Interval,
    baseline: NaiveDate,
    last_held: Option<NaiveDate>,
    next_booked: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Report, CalendarError> {
    let due_by = scheduling::due_by(calendar, &interval_on, last_held, baseline)?;
    let status = scheduling::status(calendar, today, last_held, due_by, next_booked)?;
    Ok(Report {
        status,
        due_by,
        last_held,
        next_booked,
        interval: interval_on(last_held.unwrap_or(baseline)),
        days_since_last_held: last_held.map(|held| (today - held).num_days()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Region;
    use crate::domain::policy::shipped_profile;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn worker(last_held: Option<&str>, next_booked: Option<&str>) -> Facts {
        Facts {
            category: StaffCategory::SocialWorker,
            dates: PersonDates::default(),
            override_interval: None,
            baseline: d("2026-01-05"),
            last_held: last_held.map(d),
            next_booked: next_booked.map(d),
        }
    }

    #[test]
    fn freq1_due_by_is_25_working_days_after_the_last_held_session() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let profile = shipped_profile("default").unwrap();
        // 1 December 2025 + 25 working days, skipping 25, 26 December and 1 January.
        let report = report(
            &calendar,
            &profile,
            &worker(Some("2025-12-01"), None),
            d("2025-12-02"),
        )
        .unwrap();
        assert_eq!(report.due_by, d("2026-01-08"));
        assert_eq!(report.interval, Interval::MaxWorkingDays(25));
        assert_eq!(report.days_since_last_held, Some(1));
    }

    #[test]
    fn freq4_statuses_follow_the_facts() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let profile = shipped_profile("default").unwrap();
        let status = |facts: Facts, today: &str| {
            report(&calendar, &profile, &facts, d(today))
                .unwrap()
                .status
        };
        assert_eq!(status(worker(None, None), "2026-01-06"), Status::NoBaseline);
        assert_eq!(
            status(worker(Some("2026-02-02"), Some("2026-02-27")), "2026-02-03"),
            Status::OnTrack
        );
        assert_eq!(
            status(worker(Some("2026-02-02"), Some("2026-03-20")), "2026-02-03"),
            Status::AtRisk
        );
        assert_eq!(
            status(worker(Some("2026-02-02"), None), "2026-03-02"),
            Status::AtRisk
        );
        assert_eq!(
            status(worker(Some("2026-02-02"), None), "2026-03-10"),
            Status::Overdue
        );
        assert_eq!(status(worker(None, None), "2026-03-10"), Status::Overdue);
    }

    #[test]
    fn freq3_an_override_shortens_the_due_date() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let profile = shipped_profile("default").unwrap();
        let mut facts = worker(Some("2026-02-02"), None);
        facts.override_interval = Some(Interval::MaxCalendarDays(14));
        assert_eq!(
            report(&calendar, &profile, &facts, d("2026-02-03"))
                .unwrap()
                .due_by,
            d("2026-02-16")
        );
    }
}
