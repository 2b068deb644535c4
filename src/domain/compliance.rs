//! Compliance reporting (RPT-1): when a supervisee was past their limit during a period and
//! why, the share within the limit, and group supervision month by month (GRP-1). Plain
//! functions over facts the store gathers with grouped queries.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::periods::{months_in, Period};
use super::policy::Profile;
use super::scheduling::Status;
use super::sessions::{ChangeAction, ChangeReason};
use super::supervision::Facts;

/// FREQ-1 held to account: a supervisee is within the limit unless overdue. Someone with no
/// session yet (`no_baseline`) is within it until their first due date passes.
pub fn within_limit(status: Status) -> bool {
    status != Status::Overdue
}

/// The share of `within` in `total`, or none of nobody.
pub fn share(within: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| within as f64 / total as f64)
}

/// One stretch past the limit (FREQ-1): the next session was due by `due_by` and was not
/// held by then. Its days are those on which the status (FREQ-4) was `overdue`: from the day
/// after `due_by` to the day the session was held, that day included (the status is
/// `overdue` until the session is held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breach {
    /// The last counting session before the breach (none: counted from the baseline).
    pub after_held: Option<NaiveDate>,
    pub due_by: NaiveDate,
    /// When the next session was held; none if it was not held within the period.
    pub held_on: Option<NaiveDate>,
    /// Working days past `due_by`, to `held_on` or, while unresolved, to the end of the
    /// period (or today, if sooner).
    pub working_days_late: i32,
}

/// RPT-1: every stretch during `period` (up to `today`) on which the supervisee's status was
/// `overdue`, each due date from [`Facts::due_after`], the function the status uses, so the
/// report and the status cannot disagree. `previous` is the last counting session held
/// before the period; `held` the ones held within it, in any order. A breach that began
/// before the period and went on into it is included: the period's report is about who was
/// past the limit in it.
pub fn breaches(
    calendar: &Calendar,
    profile: &Profile,
    facts: &Facts,
    previous: Option<NaiveDate>,
    held: &[NaiveDate],
    period: Period,
    today: NaiveDate,
) -> Result<Vec<Breach>, CalendarError> {
    let mut held: Vec<NaiveDate> = held
        .iter()
        .copied()
        .filter(|date| previous.is_none_or(|p| *date > p))
        .collect();
    held.sort_unstable();
    held.dedup();
    // Nothing after today has happened yet, and nothing is due once the requirement has
    // ended (a student's placement): the status reads `ended` from that day, not `overdue`.
    let mut last_day = period.ends_on.min(today);
    if let Some(ends) = profile.requirement_ends(facts.category, &facts.dates) {
        last_day = last_day.min(ends - Days::new(1));
    }
    let mut out = Vec::new();
    let mut consider = |after_held: Option<NaiveDate>,
                        due_by: NaiveDate,
                        held_on: Option<NaiveDate>|
     -> Result<(), CalendarError> {
        // Overdue from the day after `due_by` through the day of the next session: the
        // status reads `overdue` that morning, until the session is held.
        let first_late = due_by + Days::new(1);
        let last_late = held_on.map_or(last_day, |h| h.min(last_day));
        if first_late.max(period.starts_on) <= last_late {
            out.push(Breach {
                after_held,
                due_by,
                held_on: held_on.filter(|h| *h <= period.ends_on),
                working_days_late: calendar.working_days_between(due_by, last_late)?.max(0),
            });
        }
        Ok(())
    };
    let mut prev = previous;
    for date in held {
        let due = facts.due_after(calendar, profile, prev)?;
        if date > due {
            consider(prev, due, Some(date))?;
        }
        prev = Some(date);
    }
    let due = facts.due_after(calendar, profile, prev)?;
    consider(prev, due, None)?;
    Ok(out)
}

/// Why a breach happened, from what was recorded against the session that should have
/// kept the supervisee within the limit (SES-3, SES-4: reasons are always recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schema(example = json!({"kind": "moved_past_due_by", "session_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90",
    "reason": "urgent_work", "justification": "Court hearing all week; earliest slot agreed."}))]
pub enum BreachReason {
    /// A move past `due_by`, confirmed by a manager with a written justification.
    MovedPastDueBy {
        session_id: String,
        reason: Option<ChangeReason>,
        justification: Option<String>,
    },
    Cancelled {
        session_id: String,
        reason: Option<ChangeReason>,
    },
    Missed {
        session_id: String,
    },
    /// No session was planned, moved or cancelled in the gap: nothing was booked in time.
    NothingBooked,
}

/// A recorded change to one of the supervisee's 1:1 sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFact {
    pub session_id: String,
    pub action: ChangeAction,
    /// The date the session was planned for before the change.
    pub planned_on: NaiveDate,
    pub reason: Option<ChangeReason>,
    pub justification: Option<String>,
    /// A confirmed move past the limit.
    pub breach: bool,
}

/// The reasons for one breach: changes to sessions that were planned for the gap between the
/// last session held and `due_by`, in the order given (earliest first).
pub fn explain(breach: &Breach, changes: &[ChangeFact]) -> Vec<BreachReason> {
    let in_gap = |c: &&ChangeFact| {
        breach.after_held.is_none_or(|after| c.planned_on > after) && c.planned_on <= breach.due_by
    };
    let reasons: Vec<BreachReason> = changes
        .iter()
        .filter(in_gap)
        .filter_map(|c| match c.action {
            ChangeAction::Cancelled => Some(BreachReason::Cancelled {
                session_id: c.session_id.clone(),
                reason: c.reason,
            }),
            ChangeAction::Missed => Some(BreachReason::Missed {
                session_id: c.session_id.clone(),
            }),
            ChangeAction::Moved | ChangeAction::Proposed if c.breach => {
                Some(BreachReason::MovedPastDueBy {
                    session_id: c.session_id.clone(),
                    reason: c.reason,
                    justification: c.justification.clone(),
                })
            }
            _ => None,
        })
        .collect();
    if reasons.is_empty() {
        vec![BreachReason::NothingBooked]
    } else {
        reasons
    }
}

/// Group supervision in one calendar month (GRP-1: at least one a month per team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"month": {"starts_on": "2026-11-01", "ends_on": "2026-11-30"}, "held": 1, "met": true}))]
pub struct MonthFigure {
    pub month: Period,
    pub held: u32,
    /// At least one group session was held in the month.
    pub met: bool,
}

/// Held group sessions counted by the months of `period` (dates in the organisation's zone).
pub fn monthly_held(period: Period, held: &[NaiveDate]) -> Vec<MonthFigure> {
    months_in(period)
        .into_iter()
        .map(|month| {
            let count = held.iter().filter(|date| month.contains(**date)).count();
            let held = u32::try_from(count).unwrap_or(u32::MAX);
            MonthFigure {
                month,
                held,
                met: held > 0,
            }
        })
        .collect()
}

/// Worst first: who needs attention heads a report.
pub fn severity(status: Status) -> u8 {
    match status {
        Status::Overdue => 0,
        Status::AtRisk => 1,
        Status::NoBaseline => 2,
        Status::OnTrack => 3,
        Status::Ended => 4,
    }
}

/// REC-5 in a period: records of sessions held in it, how many were (or are) late and how
/// many are not yet signed by both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"held": 3, "late": 1, "unsigned": 1}))]
pub struct RecordFigures {
    pub held: u32,
    pub late: u32,
    pub unsigned: u32,
}

/// OBS-2 for the practice year the report ends in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"required": 2, "done": 1, "remaining": 1}))]
pub struct ObservationFigures {
    pub required: u32,
    pub done: u32,
    pub remaining: u32,
}

/// REF-3 for the registration year the report ends in: counts only, never content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"records": 2, "with_peer_reflection": 1, "required": 2, "met": true}))]
pub struct CpdFigures {
    pub records: u32,
    pub with_peer_reflection: u32,
    /// 0 for students, who are not registered.
    pub required: u32,
    pub met: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Region;
    use crate::domain::people::StaffCategory;
    use crate::domain::policy::{shipped_profile, Interval, PersonDates};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn calendar() -> Calendar {
        Calendar::new(Region::EnglandAndWales, &[])
    }

    fn worker() -> Facts {
        Facts {
            category: StaffCategory::SocialWorker,
            dates: PersonDates::default(),
            override_interval: None,
            baseline: d("2026-01-05"),
            last_held: None,
            next_booked: None,
        }
    }

    fn period(from: &str, to: &str) -> Period {
        Period {
            starts_on: d(from),
            ends_on: d(to),
        }
    }

    fn run(previous: Option<&str>, held: &[&str], p: Period, today: &str) -> Vec<Breach> {
        let profile = shipped_profile("default").unwrap();
        let held: Vec<NaiveDate> = held.iter().map(|h| d(h)).collect();
        breaches(
            &calendar(),
            &profile,
            &worker(),
            previous.map(d),
            &held,
            p,
            d(today),
        )
        .unwrap()
    }

    #[test]
    fn rpt1_a_gap_longer_than_25_working_days_is_a_breach() {
        // 2 March 2026 + 25 working days = 6 April (Good Friday 3 April, Easter Monday 6
        // April are holidays): due by 8 April.
        let due = calendar().add_working_days(d("2026-03-02"), 25).unwrap();
        assert_eq!(due, d("2026-04-08"));
        let found = run(
            Some("2026-03-02"),
            &["2026-04-14", "2026-05-12"],
            period("2026-04-01", "2026-04-30"),
            "2026-06-01",
        );
        assert_eq!(
            found,
            vec![Breach {
                after_held: Some(d("2026-03-02")),
                due_by: due,
                held_on: Some(d("2026-04-14")),
                working_days_late: 4,
            }]
        );
        // Held on the due date itself: within the limit.
        assert!(run(
            Some("2026-03-02"),
            &["2026-04-08"],
            period("2026-04-01", "2026-04-30"),
            "2026-04-30"
        )
        .is_empty());
    }

    #[test]
    fn rpt1_an_unresolved_breach_runs_to_the_end_of_the_period_or_today() {
        let found = run(
            Some("2026-03-02"),
            &[],
            period("2026-04-01", "2026-04-30"),
            "2026-04-15",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].held_on, None);
        // 9 April to 15 April: 9, 10, 13, 14, 15.
        assert_eq!(found[0].working_days_late, 5);
        // Not yet due: nothing to report.
        assert!(run(
            Some("2026-03-02"),
            &[],
            period("2026-04-01", "2026-04-30"),
            "2026-04-08"
        )
        .is_empty());
    }

    #[test]
    fn rpt1_a_breach_from_before_the_period_still_counts_while_it_lasts() {
        // Due 8 April, held 5 May: late throughout a May report until the 5th.
        let may = period("2026-05-01", "2026-05-31");
        let found = run(Some("2026-03-02"), &["2026-05-05"], may, "2026-06-01");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].due_by, d("2026-04-08"));
        // Held on the first day of the period: overdue that morning, so in the period.
        let found = run(Some("2026-03-02"), &["2026-05-01"], may, "2026-06-01");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].held_on, Some(d("2026-05-01")));
        // Held the day before the period: over before it began.
        assert!(run(Some("2026-03-02"), &["2026-04-30"], may, "2026-06-01").is_empty());
    }

    /// The status on the morning of `day`, before anything that day was held.
    fn status_on(facts: &Facts, held: &[NaiveDate], day: NaiveDate) -> Status {
        let profile = shipped_profile("default").unwrap();
        let facts = Facts {
            last_held: held.iter().copied().filter(|h| *h < day).max(),
            ..facts.clone()
        };
        crate::domain::supervision::report(&calendar(), &profile, &facts, day)
            .unwrap()
            .status
    }

    #[test]
    fn rpt1_a_worker_seen_the_day_after_due_by_was_overdue_and_is_reported() {
        // 4 November 2025 + 25 working days: due by Tuesday 9 December; seen Wednesday 10th.
        let held = [d("2025-11-04"), d("2025-12-10")];
        assert_eq!(
            status_on(&worker(), &held, d("2025-12-10")),
            Status::Overdue
        );
        let december = period("2025-12-01", "2025-12-31");
        let found = run(Some("2025-11-04"), &["2025-12-10"], december, "2026-01-31");
        assert_eq!(
            found,
            vec![Breach {
                after_held: Some(d("2025-11-04")),
                due_by: d("2025-12-09"),
                held_on: Some(d("2025-12-10")),
                working_days_late: 1,
            }]
        );
        // Due on Friday 12 December, seen on Monday 15th: overdue over the weekend and
        // that Monday morning.
        let found = run(Some("2025-11-07"), &["2025-12-15"], december, "2026-01-31");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].due_by, d("2025-12-12"));
        assert_eq!(found[0].working_days_late, 1);
    }

    #[test]
    fn rpt1_a_student_seen_a_day_after_each_weekly_due_date_breaches_each_week() {
        let profile = shipped_profile("default").unwrap();
        let student = Facts {
            category: StaffCategory::Student,
            dates: PersonDates {
                placement_start: Some(d("2025-11-24")),
                ..PersonDates::default()
            },
            baseline: d("2025-11-24"),
            ..worker()
        };
        // Weekly: due 8, 16 and 24 December, seen 9, 17 and 25 December.
        let held = [
            d("2025-12-01"),
            d("2025-12-09"),
            d("2025-12-17"),
            d("2025-12-25"),
        ];
        for late in ["2025-12-09", "2025-12-17", "2025-12-25"] {
            assert_eq!(status_on(&student, &held, d(late)), Status::Overdue);
        }
        let found = breaches(
            &calendar(),
            &profile,
            &student,
            Some(held[0]),
            &held[1..],
            period("2025-12-01", "2025-12-31"),
            d("2026-01-31"),
        )
        .unwrap();
        let spans: Vec<(NaiveDate, Option<NaiveDate>)> =
            found.iter().map(|b| (b.due_by, b.held_on)).collect();
        assert_eq!(
            spans,
            vec![
                (d("2025-12-08"), Some(d("2025-12-09"))),
                (d("2025-12-16"), Some(d("2025-12-17"))),
                (d("2025-12-24"), Some(d("2025-12-25"))),
            ]
        );
    }

    /// RPT-1, FREQ-2: a student's breach during the placement is reported, for a period the
    /// placement ended in; the days after it, when the status reads `ended`, are not.
    #[test]
    fn rpt1_a_breach_stops_where_the_placement_ends() {
        let profile = shipped_profile("default").unwrap();
        let student = Facts {
            category: StaffCategory::Student,
            dates: PersonDates {
                placement_start: Some(d("2025-11-24")),
                placement_end: Some(d("2025-12-19")),
                ..PersonDates::default()
            },
            baseline: d("2025-11-24"),
            ..worker()
        };
        // Weekly, last seen 1 December: due 8 December, never seen again.
        let held = [d("2025-12-01")];
        assert_eq!(status_on(&student, &held, d("2025-12-18")), Status::Overdue);
        assert_eq!(status_on(&student, &held, d("2025-12-19")), Status::Ended);
        let found = breaches(
            &calendar(),
            &profile,
            &student,
            Some(held[0]),
            &[],
            period("2025-12-01", "2025-12-31"),
            d("2026-01-31"),
        )
        .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].due_by, d("2025-12-08"));
        assert_eq!(found[0].held_on, None);
        // 9 to 18 December: the last overdue morning is the day before the placement ends.
        assert_eq!(found[0].working_days_late, 8);
    }

    #[test]
    fn rpt1_with_nothing_held_the_limit_counts_from_the_baseline() {
        let found = run(None, &[], period("2026-01-01", "2026-03-31"), "2026-03-31");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].after_held, None);
        assert_eq!(
            found[0].due_by,
            calendar().add_working_days(d("2026-01-05"), 25).unwrap()
        );
    }

    fn change(action: ChangeAction, planned: &str, breach: bool) -> ChangeFact {
        ChangeFact {
            session_id: format!("s-{planned}"),
            action,
            planned_on: d(planned),
            reason: Some(ChangeReason::Sickness),
            justification: breach.then(|| "court all week".to_string()),
            breach,
        }
    }

    #[test]
    fn rpt1_breach_reasons_come_from_changes_in_the_gap() {
        let breach = Breach {
            after_held: Some(d("2026-03-02")),
            due_by: d("2026-04-08"),
            held_on: Some(d("2026-04-14")),
            working_days_late: 4,
        };
        let changes = [
            // Before the last session held: another gap's story.
            change(ChangeAction::Cancelled, "2026-02-20", false),
            change(ChangeAction::Cancelled, "2026-03-30", false),
            // A move within the limit explains nothing.
            change(ChangeAction::Moved, "2026-04-01", false),
            change(ChangeAction::Moved, "2026-04-07", true),
            change(ChangeAction::Missed, "2026-04-08", false),
            // Planned after the due date: not the session that should have kept the limit.
            change(ChangeAction::Cancelled, "2026-04-10", false),
        ];
        let reasons = explain(&breach, &changes);
        assert_eq!(
            reasons,
            vec![
                BreachReason::Cancelled {
                    session_id: "s-2026-03-30".into(),
                    reason: Some(ChangeReason::Sickness)
                },
                BreachReason::MovedPastDueBy {
                    session_id: "s-2026-04-07".into(),
                    reason: Some(ChangeReason::Sickness),
                    justification: Some("court all week".into())
                },
                BreachReason::Missed {
                    session_id: "s-2026-04-08".into()
                },
            ]
        );
        assert_eq!(explain(&breach, &[]), vec![BreachReason::NothingBooked]);
    }

    #[test]
    fn rpt1_share_within_the_limit() {
        assert!(within_limit(Status::OnTrack));
        assert!(within_limit(Status::AtRisk));
        assert!(within_limit(Status::NoBaseline));
        assert!(!within_limit(Status::Overdue));
        assert_eq!(share(3, 4), Some(0.75));
        assert_eq!(share(0, 0), None);
        let mut statuses = [
            Status::OnTrack,
            Status::NoBaseline,
            Status::Overdue,
            Status::AtRisk,
        ];
        statuses.sort_by_key(|s| severity(*s));
        assert_eq!(
            statuses,
            [
                Status::Overdue,
                Status::AtRisk,
                Status::NoBaseline,
                Status::OnTrack
            ]
        );
    }

    #[test]
    fn grp1_months_without_group_supervision_are_not_met() {
        let figures = monthly_held(
            period("2026-04-01", "2026-06-30"),
            &[d("2026-04-15"), d("2026-04-29"), d("2026-06-03")],
        );
        let held: Vec<(u32, bool)> = figures.iter().map(|f| (f.held, f.met)).collect();
        assert_eq!(held, vec![(2, true), (0, false), (1, true)]);
    }

    proptest! {
        /// Breaches are in time order, never overlap, each ends after it began, and a
        /// supervisee seen weekly never breaches the 25-working-day limit.
        #[test]
        fn rpt1_breaches_are_ordered_and_weekly_sessions_never_breach(
            gaps in proptest::collection::vec(1u64..70, 0..20),
            start in 0u64..3000,
            weekly_from in 0u64..3000,
        ) {
            let profile = shipped_profile("default").unwrap();
            let first = d("2018-01-01") + Days::new(start);
            let mut held = vec![first];
            for gap in &gaps {
                let next = *held.last().unwrap() + Days::new(*gap);
                held.push(next);
            }
            let p = Period { starts_on: first, ends_on: *held.last().unwrap() + Days::new(90) };
            let found = breaches(&calendar(), &profile, &worker(), Some(first), &held[1..], p, p.ends_on).unwrap();
            for pair in found.windows(2) {
                prop_assert!(pair[0].due_by < pair[1].due_by);
                prop_assert!(pair[0].held_on.is_some_and(|h| h <= pair[1].due_by));
            }
            for b in &found {
                prop_assert!(b.held_on.is_none_or(|h| h > b.due_by));
                // Late by at least a working day, unless it ended on the weekend straight after.
                let until = b.held_on.unwrap_or(p.ends_on);
                let ended_on_working_day = calendar().is_working_day(until).unwrap();
                prop_assert!(b.working_days_late >= i32::from(ended_on_working_day));
                // Each breach is a gap over the limit between sessions actually held.
                let after = b.after_held.unwrap();
                prop_assert!(calendar().working_days_between(after, b.due_by).unwrap() == 25);
            }

            let weekly_start = d("2018-01-01") + Days::new(weekly_from);
            let weekly: Vec<NaiveDate> = (0..60).map(|w| weekly_start + Days::new(7 * w)).collect();
            let p = Period { starts_on: weekly_start, ends_on: weekly[59] };
            prop_assert!(breaches(&calendar(), &profile, &worker(), Some(weekly_start), &weekly[1..], p, p.ends_on).unwrap().is_empty());
        }
    }

    /// What became of one generated session.
    #[derive(Debug, Clone, Copy)]
    enum Fate {
        Held,
        Missed,
        Cancelled,
        /// Moved this many days later and held there.
        MovedAndHeld(u64),
        /// Still booked (if it lies after today).
        Booked,
    }

    fn fate() -> impl Strategy<Value = Fate> {
        prop_oneof![
            3 => Just(Fate::Held),
            1 => Just(Fate::Missed),
            1 => Just(Fate::Cancelled),
            1 => (1u64..20).prop_map(Fate::MovedAndHeld),
            1 => Just(Fate::Booked),
        ]
    }

    fn interval() -> impl Strategy<Value = Interval> {
        prop_oneof![
            (1u32..40).prop_map(Interval::MaxWorkingDays),
            (1u32..60).prop_map(Interval::MaxCalendarDays),
            (1u32..4).prop_map(Interval::EveryMonths),
        ]
    }

    proptest! {
        /// RPT-1 and FREQ-4 are one computation: evaluating the status each morning of the
        /// period (nothing held that day yet), the days it read `overdue` are exactly the
        /// days of the reported breaches, and no day is reported twice.
        #[test]
        fn rpt1_every_overdue_day_lies_in_a_reported_breach_and_every_breach_day_was_overdue(
            start in 0u64..36_890, // 1 January 1995 to 31 December 2095
            category in proptest::sample::select(StaffCategory::ALL.to_vec()),
            region in proptest::sample::select(Region::ALL.to_vec()),
            override_interval in proptest::option::of(interval()),
            sessions in proptest::collection::vec((1u64..70, fate()), 0..25),
            closures in proptest::collection::vec(0u64..900, 0..20),
            period_from in 0u64..700,
            period_days in 0u64..400,
            today_at in 0u64..1_000,
        ) {
            let first = d("1995-01-01") + Days::new(start);
            let closures: Vec<NaiveDate> = closures.iter().map(|c| first + Days::new(*c)).collect();
            let calendar = Calendar::new(region, &closures);
            let profile = shipped_profile("default").unwrap();
            let today = first + Days::new(today_at);
            // Planned dates from the start; what was held by today, and what is still booked.
            let mut planned = first;
            let mut held = Vec::new();
            let mut booked = Vec::new();
            for (gap, fate) in &sessions {
                planned = planned + Days::new(*gap);
                let (on, fate) = match fate {
                    Fate::MovedAndHeld(later) => (planned + Days::new(*later), Fate::Held),
                    other => (planned, *other),
                };
                match fate {
                    Fate::Held | Fate::Booked if on > today => booked.push(on),
                    Fate::Held => held.push(on),
                    _ => {}
                }
            }
            let facts = Facts {
                category,
                dates: PersonDates {
                    employment_start: Some(first),
                    asye_start: Some(first),
                    placement_start: Some(first),
                    placement_end: None,
                },
                override_interval,
                baseline: first,
                last_held: None,
                next_booked: None,
            };
            let p = Period {
                starts_on: first + Days::new(period_from),
                ends_on: first + Days::new(period_from + period_days),
            };
            let previous = held.iter().copied().filter(|h| *h < p.starts_on).max();
            let within: Vec<NaiveDate> = held.iter().copied().filter(|h| p.contains(*h)).collect();
            let found = breaches(&calendar, &profile, &facts, previous, &within, p, today).unwrap();

            let mut reported = std::collections::BTreeSet::new();
            let last_day = p.ends_on.min(today);
            for b in &found {
                let mut day = (b.due_by + Days::new(1)).max(p.starts_on);
                let until = b.held_on.unwrap_or(last_day).min(last_day);
                prop_assert!(day <= until, "an empty breach {b:?}");
                prop_assert_eq!(
                    b.working_days_late,
                    calendar.working_days_between(b.due_by, until).unwrap()
                );
                while day <= until {
                    prop_assert!(reported.insert(day), "{day} reported twice");
                    day = day + Days::new(1);
                }
            }
            let mut overdue = std::collections::BTreeSet::new();
            let mut day = p.starts_on;
            while day <= last_day {
                let morning = Facts {
                    last_held: held.iter().copied().filter(|h| *h < day).max(),
                    next_booked: held.iter().chain(&booked).copied().filter(|b| *b >= day).min(),
                    ..facts.clone()
                };
                let status = crate::domain::supervision::report(&calendar, &profile, &morning, day)
                    .unwrap()
                    .status;
                if status == Status::Overdue {
                    overdue.insert(day);
                }
                day = day + Days::new(1);
            }
            prop_assert_eq!(overdue, reported);
        }
    }
}
