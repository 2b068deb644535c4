//! A supervisee's live status (FREQ-4), from the facts the store gathers: the same function
//! serves the API, lists of thousands of supervisees and (later) the reminder sweep.

use chrono::{NaiveDate, Weekday};
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::people::StaffCategory;
use super::policy::{Interval, PersonDates, Profile};
use super::scheduling::{self, PlanRequest, Status};

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

    /// Whether the requirement has ended by `today`: a student's placement is over (FREQ-2).
    pub fn ended(&self, profile: &Profile, today: NaiveDate) -> bool {
        profile
            .requirement_ends(self.category, &self.dates)
            .is_some_and(|ends| ends <= today)
    }

    /// The year plan's request for an agreement (SES-2) over `[from, until]`, given the dates
    /// of its sessions held or booked. It keeps the policy from the first session to the last:
    /// with nothing held the count starts at the baseline, as `due_by` does (FREQ-4); the
    /// agreement's frequency holds while the phase it started in lasts, then the profile's
    /// phases take over (FREQ-2); the yearly minimum spaces sessions (FREQ-3); and the plan
    /// stops the day before the requirement ends (a student's placement end).
    pub fn plan_request(
        &self,
        profile: &Profile,
        agreed: &Agreed,
        history: impl IntoIterator<Item = NaiveDate>,
        from: NaiveDate,
        until: NaiveDate,
    ) -> PlanRequest {
        let until = match profile.requirement_ends(self.category, &self.dates) {
            Some(ends) => until.min(ends.pred_opt().unwrap_or(ends)),
            None => until,
        };
        let mut request = PlanRequest::around(
            history,
            from,
            until,
            agreed.usual_weekday,
            Some(agreed.frequency),
        );
        request.baseline = self.baseline;
        request.cadence_ends = profile.phase_ends(self.category, &self.dates, agreed.starts_on);
        request.min_per_year = profile
            .requirement(self.category, &self.dates, from)
            .min_per_year;
        request
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

/// What an agreement brings to a plan (AGR-1): when it started, how often and on which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreed {
    pub starts_on: NaiveDate,
    pub frequency: Interval,
    pub usual_weekday: Weekday,
}

/// FREQ-4 for one supervisee, or GRP-1 for a team's group supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"status": "at_risk", "due_by": "2026-12-08", "last_held": "2026-11-03",
    "next_booked": null, "interval": {"max_working_days": 25}, "days_since_last_held": 29,
    "working_days_left": 3}))]
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
    /// Working days from today to `due_by` in the organisation's calendar (CAL-3): 0 on the
    /// day, negative once it has passed. The app says it in words, so it must not count
    /// with another region's holidays.
    pub working_days_left: i32,
}

pub fn report(
    calendar: &Calendar,
    profile: &Profile,
    facts: &Facts,
    today: NaiveDate,
) -> Result<Report, CalendarError> {
    let mut report = report_at(
        calendar,
        |on| facts.interval_on(profile, on),
        facts.baseline,
        facts.last_held,
        facts.next_booked,
        today,
    )?;
    if facts.ended(profile, today) {
        // Nothing is due once the requirement is over, so nothing is overdue either.
        report.status = Status::Ended;
    }
    Ok(report)
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
        working_days_left: calendar.working_days_between(today, due_by)?,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use chrono::Days;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::calendar::Region;
    use crate::domain::policy::{shipped, shipped_profile};

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

    fn calendar(region: Region) -> &'static Calendar {
        static CALENDARS: OnceLock<[Calendar; 3]> = OnceLock::new();
        &CALENDARS.get_or_init(|| Region::ALL.map(|r| Calendar::new(r, &[])))[region as usize]
    }

    fn england() -> &'static Calendar {
        calendar(Region::EnglandAndWales)
    }

    /// The plan for `agreed` over `[from, until]` as the API makes it, with nothing held or
    /// booked before.
    fn plan_for(
        profile: &Profile,
        facts: &Facts,
        agreed: &Agreed,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Vec<NaiveDate> {
        let request = facts.plan_request(profile, agreed, facts.last_held, from, until);
        scheduling::plan(england(), |on| facts.interval_on(profile, on), &request).unwrap()
    }

    #[test]
    fn freq4_with_nothing_held_the_first_planned_session_is_by_the_status_due_by() {
        let profile = shipped_profile("default").unwrap();
        // The agreement started on Monday 5 January 2026: due by Monday 9 February.
        let facts = worker(None, None);
        let due_by = report(england(), &profile, &facts, d("2026-02-04"))
            .unwrap()
            .due_by;
        assert_eq!(due_by, d("2026-02-09"));
        let agreed = Agreed {
            starts_on: d("2026-01-05"),
            frequency: Interval::MaxWorkingDays(25),
            usual_weekday: Weekday::Wed,
        };
        // Planned from Thursday 5 February: the first Wednesday (11th) is too late.
        let plan = plan_for(&profile, &facts, &agreed, d("2026-02-05"), d("2027-02-04"));
        assert_eq!(plan[0], d("2026-02-09"));
    }

    fn asye(start: &str) -> Facts {
        Facts {
            category: StaffCategory::Asye,
            dates: PersonDates {
                asye_start: Some(d(start)),
                employment_start: Some(d(start)),
                ..PersonDates::default()
            },
            override_interval: None,
            baseline: d(start),
            last_held: None,
            next_booked: None,
        }
    }

    #[test]
    fn freq2_an_asye_weekly_agreement_plans_weekly_then_fortnightly_then_monthly() {
        let profile = shipped_profile("default").unwrap();
        let facts = asye("2025-09-01");
        let agreed = Agreed {
            starts_on: d("2025-09-01"),
            frequency: Interval::MaxCalendarDays(7),
            usual_weekday: Weekday::Mon,
        };
        let plan = plan_for(&profile, &facts, &agreed, d("2025-09-01"), d("2026-08-31"));
        let gaps: Vec<i64> = plan.windows(2).map(|p| (p[1] - p[0]).num_days()).collect();
        // Weeks 0-5 weekly, 6-11 fortnightly, then within 25 working days: about 19 sessions
        // in the year, not 52.
        assert_eq!(
            plan[..6],
            [
                d("2025-09-01"),
                d("2025-09-08"),
                d("2025-09-15"),
                d("2025-09-22"),
                d("2025-09-29"),
                d("2025-10-06")
            ]
        );
        assert_eq!(
            plan[6..9],
            [d("2025-10-13"), d("2025-10-27"), d("2025-11-10")]
        );
        assert!(gaps[9..].iter().all(|&gap| gap > 14), "{plan:?}");
        assert!(
            (15..=20).contains(&plan.len()),
            "{} sessions: {plan:?}",
            plan.len()
        );
    }

    #[test]
    fn freq2_a_fortnightly_asye_agreement_from_week_6_follows_the_later_phases() {
        let profile = shipped_profile("default").unwrap();
        let facts = asye("2025-09-01");
        let agreed = Agreed {
            starts_on: d("2025-10-13"),
            frequency: Interval::MaxCalendarDays(14),
            usual_weekday: Weekday::Mon,
        };
        let request = facts.plan_request(&profile, &agreed, [], d("2025-10-13"), d("2026-10-12"));
        // The fortnightly weeks end with week 11; the agreement's frequency with them.
        assert_eq!(request.cadence_ends, Some(d("2025-11-24")));
    }

    fn student(last_held: Option<&str>) -> Facts {
        Facts {
            category: StaffCategory::Student,
            dates: PersonDates {
                placement_start: Some(d("2025-09-22")),
                placement_end: Some(d("2026-05-29")),
                ..PersonDates::default()
            },
            override_interval: None,
            baseline: d("2025-09-22"),
            last_held: last_held.map(d),
            next_booked: None,
        }
    }

    #[test]
    fn freq2_a_students_requirement_ends_with_the_placement() {
        let profile = shipped_profile("default").unwrap();
        let facts = student(Some("2026-05-20"));
        let status = |today| {
            report(england(), &profile, &facts, d(today))
                .unwrap()
                .status
        };
        assert_eq!(status("2026-05-28"), Status::Overdue);
        // From the placement's end nothing is due, so nothing is overdue.
        assert_eq!(status("2026-05-29"), Status::Ended);
        assert_eq!(status("2026-09-01"), Status::Ended);
        let agreed = Agreed {
            starts_on: d("2025-09-22"),
            frequency: Interval::MaxCalendarDays(7),
            usual_weekday: Weekday::Fri,
        };
        let plan = plan_for(
            &profile,
            &student(None),
            &agreed,
            d("2026-04-01"),
            d("2027-03-31"),
        );
        // Friday 22 May is the last: the next would be due on 29 May, when the placement ends.
        assert_eq!(plan.last(), Some(&d("2026-05-22")));
    }

    #[test]
    fn freq3_a_yearly_minimum_spaces_the_plans_sessions() {
        // Every 2 months, but at least 12 a year: never more than 30 days apart.
        let mut request =
            PlanRequest::around([], d("2026-01-05"), d("2027-01-04"), Weekday::Mon, None);
        request.min_per_year = Some(12);
        let plan = scheduling::plan(england(), |_| Interval::EveryMonths(2), &request).unwrap();
        assert!(
            plan.windows(2).all(|p| (p[1] - p[0]).num_days() <= 30),
            "{plan:?}"
        );
        assert!(plan.len() >= 12);
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

    fn date_between(first: &str, last: &str) -> impl Strategy<Value = NaiveDate> {
        let first = d(first);
        let days = (d(last) - first).num_days() as u64;
        (0..=days).prop_map(move |i| first + Days::new(i))
    }

    #[test]
    fn freq1_working_days_left_count_in_the_organisations_region() {
        // Held 1 December 2025: due 25 working days later. On 2 December, 24 are left in
        // England and Wales and in Scotland alike, although Scotland's due_by is a day later
        // (2 January is a holiday there): counting Scotland's dates with England's holidays
        // would say 25.
        let profile = shipped_profile("default").unwrap();
        let facts = worker(Some("2025-12-01"), None);
        for region in [Region::EnglandAndWales, Region::Scotland] {
            let calendar = Calendar::new(region, &[]);
            let report = report(&calendar, &profile, &facts, d("2025-12-02")).unwrap();
            assert_eq!(report.working_days_left, 24, "{region:?}");
        }
        let scotland = report(
            &Calendar::new(Region::Scotland, &[]),
            &profile,
            &facts,
            d("2025-12-02"),
        )
        .unwrap();
        assert_eq!(scotland.due_by, d("2026-01-09"));
        let england = Calendar::new(Region::EnglandAndWales, &[]);
        assert_eq!(
            england.working_days_between(d("2025-12-02"), scotland.due_by),
            Ok(25)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// FREQ-1 with CAL-3: the working days left and those since the last held session
        /// add up to the 25-working-day limit, whatever the region and the day; past due_by,
        /// the count is not positive.
        #[test]
        fn freq1_working_days_left_and_elapsed_make_the_limit(
            region in prop::sample::select(Region::ALL.to_vec()),
            held in date_between("1995-01-01", "2095-12-31"),
            later in 0u64..=90,
        ) {
            let cal = calendar(region);
            let profile = shipped_profile("default").unwrap();
            let facts = Facts { last_held: Some(held), baseline: held, ..worker(None, None) };
            let today = held + Days::new(later);
            let report = report(cal, &profile, &facts, today).unwrap();
            let elapsed = cal.working_days_between(held, today).unwrap();
            prop_assert_eq!(report.working_days_left + elapsed, 25);
            if today <= report.due_by {
                prop_assert!(report.working_days_left >= 0);
            } else {
                prop_assert!(report.working_days_left <= 0);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// SES-2 with FREQ-2 and FREQ-4: a year's plan for an agreement keeps the policy from
        /// the first session to the last, for every shipped profile and category.
        #[test]
        fn ses2_plans_keep_the_policy_from_the_first_session_to_the_last(
            region in prop::sample::select(Region::ALL.to_vec()),
            profile in prop::sample::select(shipped().to_vec()),
            category in prop::sample::select(StaffCategory::ALL.to_vec()),
            from in date_between("1995-01-01", "2095-12-31"),
            anchor_ago in 0u64..=400,
            agreement_ago in 0u64..=120,
            held_ago in prop::option::of(1u64..=60),
            placement_days in 30u64..=400,
            weekday in (0u8..5).prop_map(|i| Weekday::try_from(i).unwrap()),
        ) {
            let cal = calendar(region);
            let anchor = from - Days::new(anchor_ago);
            let starts_on = from - Days::new(agreement_ago.min(anchor_ago));
            let facts = Facts {
                category,
                dates: PersonDates {
                    employment_start: Some(anchor),
                    asye_start: Some(anchor),
                    placement_start: Some(anchor),
                    placement_end: Some(anchor + Days::new(placement_days)),
                },
                override_interval: None,
                baseline: starts_on,
                last_held: held_ago.map(|ago| from - Days::new(ago)).filter(|&held| held >= starts_on),
                next_booked: None,
            };
            // The agreement asks for what the phase in force at its start requires.
            let requirement = profile.requirement(category, &facts.dates, starts_on);
            let agreed = Agreed { starts_on, frequency: requirement.interval, usual_weekday: weekday };
            let until = from.checked_add_months(chrono::Months::new(12)).unwrap().pred_opt().unwrap();
            let request = facts.plan_request(&profile, &agreed, facts.last_held, from, until);
            if request.until < from {
                // A placement over before the window: nothing to plan.
                prop_assert_eq!(category, StaffCategory::Student);
                return Ok(());
            }
            let plan = scheduling::plan(cal, |on| facts.interval_on(&profile, on), &request);
            prop_assert!(plan.is_ok(), "{:?}", plan);
            let plan = plan.unwrap();
            for &day in &plan {
                prop_assert!(cal.is_working_day(day).unwrap(), "{} is not a working day", day);
            }
            // The first session is by the status's due_by, or on the window's first working
            // day when that has passed.
            let first_working = cal.next_working_day_on_or_after(from).unwrap();
            let due_by = facts.due_after(cal, &profile, facts.last_held).unwrap();
            if let Some(&first) = plan.first() {
                prop_assert!(first <= due_by.max(first_working), "first {} after due {}", first, due_by);
            }
            // Consecutive sessions never further apart than the phase in force allows.
            for pair in plan.windows(2) {
                let due = facts.interval_on(&profile, pair[0]).due_after(cal, pair[0]).unwrap();
                prop_assert!(pair[1] <= due, "{:?} breaks the phase's {}", pair, due);
            }
            let later_phase = profile.phase_ends(category, &facts.dates, starts_on);
            if category == StaffCategory::Asye {
                // Past the weekly and fortnightly weeks, the plan goes at 25 working days.
                let phase_two = anchor + Days::new(84);
                for pair in plan.windows(2).filter(|pair| pair[0] >= phase_two) {
                    prop_assert!((pair[1] - pair[0]).num_days() > 14, "{:?} still frequent", pair);
                }
                prop_assert!(later_phase.is_none() || later_phase <= Some(phase_two));
            }
            if category == StaffCategory::Student {
                let ends = facts.dates.placement_end.unwrap();
                prop_assert!(plan.iter().all(|&day| day < ends), "past the placement's end {}", ends);
            }
            if let Some(min) = requirement.min_per_year {
                prop_assert!(plan.len() >= min as usize, "{} sessions, {} required", plan.len(), min);
            }
        }
    }
}
