//! The performance and development review (PDR-1, policy 000 §4): a yearly cycle with goals
//! agreed in its first month, a mid-year review and a year-end review; SMART goals with a
//! status; a pro-rata number of goals for someone who starts part-way through; and where a
//! person's cycle stands. Each review is a session of kind `pdr` with its own record.

use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::periods::{month, months_after, pdr_cycle, pro_rata, Period};
use super::records::RecordStatus;
use super::sessions::{text_enum, SessionStatus};
use super::validation::long_text;
use super::validation::{bounded_text, Invalid};

/// The organisation settings' names for the cycle, used in validation errors.
pub const GOALS_MONTH_FIELD: &str = "pdr_goals_month";
pub const MID_YEAR_MONTH_FIELD: &str = "pdr_midyear_month";
pub const YEAR_END_MONTH_FIELD: &str = "pdr_yearend_month";
pub const GOALS_PER_YEAR_FIELD: &str = "pdr_goals_per_year";

/// Goals a full cycle asks for unless the organisation says otherwise.
pub const DEFAULT_GOALS_PER_YEAR: u32 = 5;
/// The most goals a cycle may ask for, and hold (API-5: lists are bounded).
pub const MAX_GOALS_PER_CYCLE: u32 = 20;

/// The three milestones of a cycle (000 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    /// Expectations for the year, SMART goals, behaviours, support and the development plan.
    Goals,
    /// Progress of goals and development, two-way feedback, support with any under-performance.
    MidYear,
    /// A joint review of achievements, feedback, career aspirations.
    YearEnd,
}

impl MilestoneKind {
    /// How a reminder or a page names the milestone.
    pub fn describe(self) -> &'static str {
        match self {
            MilestoneKind::Goals => "goals and development plan",
            MilestoneKind::MidYear => "mid-year review",
            MilestoneKind::YearEnd => "year-end review",
        }
    }
}

/// Where the organisation puts the cycle's milestones, as months 1 to 12. The cycle starts on
/// the first of the goals month; the mid-year and year-end months follow it in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"goals_month": 4, "mid_year_month": 10, "year_end_month": 3}))]
pub struct CycleMonths {
    pub goals_month: u32,
    pub mid_year_month: u32,
    pub year_end_month: u32,
}

impl Default for CycleMonths {
    /// 000 §4: goals in April, the mid-year review in October, the year-end review in March.
    fn default() -> CycleMonths {
        CycleMonths {
            goals_month: 4,
            mid_year_month: 10,
            year_end_month: 3,
        }
    }
}

fn month_number(field: &str, value: i32) -> Result<u32, Invalid> {
    match u32::try_from(value) {
        Ok(m) if (1..=12).contains(&m) => Ok(m),
        _ => Err(Invalid::field(field, "must be a month from 1 to 12")),
    }
}

impl CycleMonths {
    /// Three distinct months, in order within the cycle year counted from the goals month.
    /// Errors name the organisation settings' fields.
    pub fn new(goals: i32, mid_year: i32, year_end: i32) -> Result<CycleMonths, Invalid> {
        let mut invalid = Invalid::default();
        let goals = invalid.check(month_number(GOALS_MONTH_FIELD, goals));
        let mid_year = invalid.check(month_number(MID_YEAR_MONTH_FIELD, mid_year));
        let year_end = invalid.check(month_number(YEAR_END_MONTH_FIELD, year_end));
        let (Some(goals_month), Some(mid_year_month), Some(year_end_month)) =
            (goals, mid_year, year_end)
        else {
            return Err(invalid);
        };
        let months = CycleMonths {
            goals_month,
            mid_year_month,
            year_end_month,
        };
        let (mid, end) = (months.offset(mid_year_month), months.offset(year_end_month));
        if mid == 0 {
            invalid.push(MID_YEAR_MONTH_FIELD, "must differ from the goals month");
        }
        if end == 0 {
            invalid.push(YEAR_END_MONTH_FIELD, "must differ from the goals month");
        } else if mid != 0 && end <= mid {
            invalid.push(
                YEAR_END_MONTH_FIELD,
                format!(
                    "must come after the mid-year month ({mid_year_month}) in a cycle that starts in month {goals_month}"
                ),
            );
        }
        invalid.into_result(|| months)
    }

    /// Months from the start of the cycle to `month`.
    fn offset(&self, month: u32) -> u32 {
        (month + 12 - self.goals_month) % 12
    }

    /// The cycle containing `date`.
    pub fn cycle(&self, date: NaiveDate) -> Period {
        pdr_cycle(date, self.goals_month)
    }

    /// Each milestone with its month number, in cycle order.
    pub fn each(&self) -> [(MilestoneKind, u32); 3] {
        [
            (MilestoneKind::Goals, self.goals_month),
            (MilestoneKind::MidYear, self.mid_year_month),
            (MilestoneKind::YearEnd, self.year_end_month),
        ]
    }

    /// The days PDR milestone reminders fall on (REM-2): the first of each milestone month.
    pub fn reminder_dates(&self) -> [(u32, u32); 3] {
        self.each().map(|(_, month)| (month, 1))
    }

    /// The calendar month of each milestone within `cycle` (a period [`CycleMonths::cycle`]
    /// returned).
    pub fn milestones(&self, cycle: Period) -> [Milestone; 3] {
        self.each().map(|(kind, m)| Milestone {
            kind,
            month: month(months_after(cycle.starts_on, self.offset(m))),
        })
    }
}

/// One milestone of one cycle: its month; it is due from the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub month: Period,
}

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Its month has not begun and nothing is booked.
    Upcoming,
    /// In its month with nothing booked.
    Due,
    /// A PDR session is booked in its month.
    Booked,
    /// The session was held; its record is not signed yet.
    Held,
    /// Held, and the record is signed by both.
    Recorded,
    /// Its month is over without a held session.
    Overdue,
    /// Its month was over before the person started.
    NotApplicable,
}

/// How well a session in a milestone's month answers it: held beats booked beats missed;
/// cancelled sessions do not count.
pub fn match_rank(status: SessionStatus) -> Option<u8> {
    match status {
        SessionStatus::Held => Some(0),
        SessionStatus::Scheduled | SessionStatus::ReschedulePending => Some(1),
        SessionStatus::Missed => Some(2),
        SessionStatus::Cancelled => None,
    }
}

/// Where a milestone in `month` stands on `today`, given the session matched to it (its status
/// and its record's) and when the person started.
pub fn milestone_state(
    month: Period,
    today: NaiveDate,
    started_on: Option<NaiveDate>,
    session: Option<(SessionStatus, Option<RecordStatus>)>,
) -> MilestoneState {
    match session {
        Some((SessionStatus::Held, Some(RecordStatus::Signed))) => MilestoneState::Recorded,
        Some((SessionStatus::Held, _)) => MilestoneState::Held,
        Some((status, _)) if status.is_booked() && today <= month.ends_on => MilestoneState::Booked,
        _ if started_on.is_some_and(|start| start > month.ends_on) => MilestoneState::NotApplicable,
        _ if today < month.starts_on => MilestoneState::Upcoming,
        _ if today <= month.ends_on => MilestoneState::Due,
        _ => MilestoneState::Overdue,
    }
}

/// A goal's status, kept up to date through the year and settled at the year-end review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Achieved,
    PartlyAchieved,
    NotAchieved,
    /// No longer pursued (the work changed); kept for the record, not counted.
    Dropped,
}

text_enum!(GoalStatus {
    NotStarted => "not_started",
    InProgress => "in_progress",
    Achieved => "achieved",
    PartlyAchieved => "partly_achieved",
    NotAchieved => "not_achieved",
    Dropped => "dropped",
});

pub const TITLE_MAX: usize = 200;
pub const SMART_TEXT_MAX: usize = 2_000;
pub const PROGRESS_MAX: usize = 5_000;

/// A SMART goal as written (the what), with the behaviours that help achieve it (the how).
#[derive(Debug, Clone, Copy)]
pub struct GoalText<'a> {
    pub title: &'a str,
    pub specific: &'a str,
    pub measurable: &'a str,
    pub achievable: &'a str,
    pub relevant: &'a str,
    pub behaviours: &'a str,
}

/// A goal that passed [`check_goal`]: text trimmed, due within its cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartGoal {
    pub title: String,
    pub specific: String,
    pub measurable: String,
    pub achievable: String,
    pub relevant: String,
    pub behaviours: String,
    pub due_on: NaiveDate,
}

/// Checks a goal: a title, what exactly is to be done (specific) and how it will be known
/// (measurable) are required; why it is achievable and relevant, and the behaviours, may be
/// left empty; it is time-bound by a due date within `window` (its cycle, or for a new goal
/// this cycle and the next).
pub fn check_goal(
    text: GoalText<'_>,
    due_on: NaiveDate,
    window: Period,
) -> Result<SmartGoal, Invalid> {
    let mut invalid = Invalid::default();
    let title = invalid.check(bounded_text("title", text.title, 1, TITLE_MAX));
    let mut required = |field: &str, value: &str| {
        let checked = invalid.check(long_text(field, value, SMART_TEXT_MAX));
        if checked.as_deref() == Some("") {
            invalid.push(field, "must not be empty");
        }
        checked
    };
    let specific = required("specific", text.specific);
    let measurable = required("measurable", text.measurable);
    let achievable = invalid.check(long_text("achievable", text.achievable, SMART_TEXT_MAX));
    let relevant = invalid.check(long_text("relevant", text.relevant, SMART_TEXT_MAX));
    let behaviours = invalid.check(long_text("behaviours", text.behaviours, SMART_TEXT_MAX));
    if !window.contains(due_on) {
        invalid.push(
            "due_on",
            format!(
                "must be between {} and {}",
                window.starts_on, window.ends_on
            ),
        );
    }
    invalid.into_result(|| SmartGoal {
        title: title.unwrap_or_default(),
        specific: specific.unwrap_or_default(),
        measurable: measurable.unwrap_or_default(),
        achievable: achievable.unwrap_or_default(),
        relevant: relevant.unwrap_or_default(),
        behaviours: behaviours.unwrap_or_default(),
        due_on,
    })
}

/// Notes on a goal's progress, for the reviews.
pub fn check_progress(progress: &str) -> Result<String, Invalid> {
    long_text("progress", progress, PROGRESS_MAX)
}

/// The organisation's number of goals for a full cycle.
pub fn check_goals_per_year(value: i32) -> Result<u32, Invalid> {
    match u32::try_from(value) {
        Ok(n) if (1..=MAX_GOALS_PER_CYCLE).contains(&n) => Ok(n),
        _ => Err(Invalid::field(
            GOALS_PER_YEAR_FIELD,
            format!("must be between 1 and {MAX_GOALS_PER_CYCLE}"),
        )),
    }
}

/// A cycle's goals against what it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"expected": 3, "agreed": 2, "achieved": 1, "short": 1}))]
pub struct GoalsSummary {
    /// The organisation's number, pro rata for someone who started during the cycle.
    pub expected: u32,
    /// Goals not dropped.
    pub agreed: u32,
    pub achieved: u32,
    /// Goals still to agree.
    pub short: u32,
}

/// PDR-1: someone who starts part-way through the cycle agrees a share of the goals by the
/// months left, their first month counted, rounded up (at least one while `per_year` is).
pub fn goals_summary(
    per_year: u32,
    cycle: Period,
    started_on: Option<NaiveDate>,
    statuses: &[GoalStatus],
) -> GoalsSummary {
    let expected = pro_rata(per_year, cycle, started_on);
    let count = |keep: fn(&GoalStatus) -> bool| statuses.iter().filter(|s| keep(s)).count() as u32;
    let agreed = count(|s| *s != GoalStatus::Dropped);
    GoalsSummary {
        expected,
        agreed,
        achieved: count(|s| *s == GoalStatus::Achieved),
        short: expected.saturating_sub(agreed),
    }
}

/// A cycle is complete when every milestone that applies is recorded and enough goals agreed.
pub fn cycle_complete(states: &[MilestoneState], goals: &GoalsSummary) -> bool {
    goals.short == 0
        && states
            .iter()
            .all(|s| matches!(s, MilestoneState::Recorded | MilestoneState::NotApplicable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reminders::PDR_MILESTONES;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fields(result: Result<CycleMonths, Invalid>) -> Vec<String> {
        result
            .err()
            .map(|e| e.0.into_iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    fn text<'a>(title: &'a str, specific: &'a str, measurable: &'a str) -> GoalText<'a> {
        GoalText {
            title,
            specific,
            measurable,
            achievable: "",
            relevant: "",
            behaviours: "",
        }
    }

    /// PDR-1, REM-2: the default cycle is 000 §4's April, October and March, reminded on the
    /// first of each.
    #[test]
    fn pdr1_default_cycle_is_april_october_march() {
        let months = CycleMonths::default();
        assert_eq!(CycleMonths::new(4, 10, 3), Ok(months));
        assert_eq!(months.reminder_dates(), PDR_MILESTONES);
        let cycle = months.cycle(d(2026, 12, 2));
        assert_eq!(
            (cycle.starts_on, cycle.ends_on),
            (d(2026, 4, 1), d(2027, 3, 31))
        );
        let [goals, mid, end] = months.milestones(cycle);
        assert_eq!(goals.kind, MilestoneKind::Goals);
        assert_eq!(
            (goals.month.starts_on, goals.month.ends_on),
            (d(2026, 4, 1), d(2026, 4, 30))
        );
        assert_eq!(
            (mid.kind, mid.month.starts_on),
            (MilestoneKind::MidYear, d(2026, 10, 1))
        );
        assert_eq!(
            (end.kind, end.month.starts_on),
            (MilestoneKind::YearEnd, d(2027, 3, 1))
        );
        assert_eq!(end.month.ends_on, cycle.ends_on);
    }

    /// PDR-1: the organisation can move the cycle; the months must be distinct and in order
    /// counted from the goals month.
    #[test]
    fn pdr1_cycle_months_are_validated_naming_the_field() {
        let moved = CycleMonths::new(1, 7, 12).unwrap();
        let [goals, mid, end] = moved.milestones(moved.cycle(d(2026, 12, 2)));
        assert_eq!(
            [
                goals.month.starts_on,
                mid.month.starts_on,
                end.month.starts_on
            ],
            [d(2026, 1, 1), d(2026, 7, 1), d(2026, 12, 1)]
        );
        assert!(CycleMonths::new(9, 2, 8).is_ok(), "wraps over the new year");
        assert_eq!(fields(CycleMonths::new(0, 10, 3)), [GOALS_MONTH_FIELD]);
        assert_eq!(
            fields(CycleMonths::new(4, 13, -1)),
            [MID_YEAR_MONTH_FIELD, YEAR_END_MONTH_FIELD]
        );
        assert_eq!(fields(CycleMonths::new(4, 4, 3)), [MID_YEAR_MONTH_FIELD]);
        assert_eq!(fields(CycleMonths::new(4, 10, 4)), [YEAR_END_MONTH_FIELD]);
        assert_eq!(fields(CycleMonths::new(4, 10, 10)), [YEAR_END_MONTH_FIELD]);
        // March comes before October in a cycle that starts in April.
        assert_eq!(fields(CycleMonths::new(4, 3, 10)), [YEAR_END_MONTH_FIELD]);
        assert_eq!(
            fields(CycleMonths::new(4, 4, 4)),
            [MID_YEAR_MONTH_FIELD, YEAR_END_MONTH_FIELD]
        );
    }

    /// PDR-1: a milestone is booked, held, recorded, due or overdue by its session and month;
    /// a month over before the person started does not apply.
    #[test]
    fn pdr1_milestone_states() {
        use SessionStatus::*;
        let october = month(d(2026, 10, 1));
        let state = |today, session| milestone_state(october, today, None, session);
        assert_eq!(state(d(2026, 9, 30), None), MilestoneState::Upcoming);
        assert_eq!(state(d(2026, 10, 1), None), MilestoneState::Due);
        assert_eq!(state(d(2026, 11, 1), None), MilestoneState::Overdue);
        assert_eq!(
            state(d(2026, 9, 1), Some((Scheduled, None))),
            MilestoneState::Booked
        );
        assert_eq!(
            state(d(2026, 10, 31), Some((ReschedulePending, None))),
            MilestoneState::Booked
        );
        assert_eq!(
            state(d(2026, 11, 1), Some((Scheduled, None))),
            MilestoneState::Overdue,
            "never marked held"
        );
        assert_eq!(
            state(d(2026, 11, 1), Some((Missed, None))),
            MilestoneState::Overdue
        );
        assert_eq!(
            state(d(2026, 10, 9), Some((Held, Some(RecordStatus::Draft)))),
            MilestoneState::Held
        );
        assert_eq!(
            state(d(2027, 1, 9), Some((Held, Some(RecordStatus::Signed)))),
            MilestoneState::Recorded
        );
        let starter =
            |session| milestone_state(october, d(2026, 12, 1), Some(d(2026, 11, 2)), session);
        assert_eq!(starter(None), MilestoneState::NotApplicable);
        assert_eq!(starter(Some((Held, None))), MilestoneState::Held);
        assert_eq!(match_rank(Held), Some(0));
        assert!(match_rank(Scheduled) < match_rank(Missed));
        assert_eq!(match_rank(Cancelled), None);
    }

    /// PDR-1: SMART goals need a title, specific and measurable text and a due date within
    /// the cycle; each failure names its field.
    #[test]
    fn pdr1_smart_goals_are_checked() {
        let cycle = CycleMonths::default().cycle(d(2026, 6, 1));
        let goal = check_goal(
            text(
                " Lead the CIN audit ",
                "Audit 10 CIN plans",
                "Audit report to the team",
            ),
            d(2027, 1, 31),
            cycle,
        )
        .unwrap();
        assert_eq!(goal.title, "Lead the CIN audit");
        assert_eq!(goal.achievable, "");
        let err = check_goal(text("", " ", "ok"), d(2027, 4, 1), cycle).unwrap_err();
        let named: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["title", "specific", "due_on"]);
        assert_eq!(
            err.0[2].message,
            "must be between 2026-04-01 and 2027-03-31"
        );
        let long = "x".repeat(SMART_TEXT_MAX + 1);
        let mut too_long = text("t", "s", "m");
        too_long.behaviours = &long;
        let err = check_goal(too_long, d(2026, 4, 1), cycle).unwrap_err();
        assert_eq!(err.0[0].field, "behaviours");
        assert!(check_goal(text("t", "s\nover lines", "m"), d(2027, 3, 31), cycle).is_ok());
        assert!(check_progress(&"p".repeat(PROGRESS_MAX + 1)).is_err());
        assert_eq!(check_goals_per_year(5), Ok(5));
        assert_eq!(
            check_goals_per_year(0).unwrap_err().0[0].field,
            GOALS_PER_YEAR_FIELD
        );
        assert!(check_goals_per_year(21).is_err());
    }

    /// PDR-1: goal statuses read and write as the API spells them.
    #[test]
    fn pdr1_goal_statuses_as_text() {
        for status in GoalStatus::ALL {
            assert_eq!(status.as_str().parse::<GoalStatus>(), Ok(*status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert!("done".parse::<GoalStatus>().is_err());
    }

    /// PDR-1: a mid-year starter agrees a pro-rata number of goals; dropped goals do not count.
    #[test]
    fn pdr1_a_mid_year_starter_owes_pro_rata_goals() {
        use GoalStatus::*;
        let cycle = CycleMonths::default().cycle(d(2026, 12, 1));
        let starter = goals_summary(5, cycle, Some(d(2026, 10, 12)), &[InProgress, Dropped]);
        assert_eq!(
            starter,
            GoalsSummary {
                expected: 3,
                agreed: 1,
                achieved: 0,
                short: 2
            }
        );
        let settled = goals_summary(2, cycle, None, &[Achieved, PartlyAchieved, NotAchieved]);
        assert_eq!(
            (
                settled.expected,
                settled.agreed,
                settled.achieved,
                settled.short
            ),
            (2, 3, 1, 0)
        );
        assert_eq!(
            goals_summary(5, cycle, Some(d(2027, 3, 2)), &[]).expected,
            1
        );
        let states = [
            MilestoneState::NotApplicable,
            MilestoneState::Recorded,
            MilestoneState::Recorded,
        ];
        assert!(cycle_complete(&states, &settled));
        assert!(!cycle_complete(&states, &starter));
        assert!(!cycle_complete(&[MilestoneState::Held], &settled));
    }

    proptest! {
        /// PDR-1: any accepted months give three milestones in order inside their cycle, the
        /// first opening it; the months are accepted exactly when they are distinct and in
        /// order from the goals month.
        #[test]
        fn pdr1_milestones_fall_in_order_within_the_cycle(
            goals in 1i32..=12, mid in 1i32..=12, end in 1i32..=12, days in 0i64..40_000,
        ) {
            let date = d(1990, 1, 1) + chrono::Duration::days(days);
            let offset = |m: i32| (m - goals).rem_euclid(12);
            let ordered = 0 < offset(mid) && offset(mid) < offset(end);
            let months = CycleMonths::new(goals, mid, end);
            prop_assert_eq!(months.is_ok(), ordered);
            if let Ok(months) = months {
                let cycle = months.cycle(date);
                prop_assert!(cycle.contains(date));
                prop_assert_eq!(months.cycle(cycle.end_exclusive()).starts_on, cycle.end_exclusive());
                let milestones = months.milestones(cycle);
                prop_assert_eq!(milestones[0].month.starts_on, cycle.starts_on);
                for pair in milestones.windows(2) {
                    prop_assert!(pair[0].month.ends_on < pair[1].month.starts_on);
                }
                for (milestone, (_, number)) in milestones.iter().zip(months.each()) {
                    prop_assert!(cycle.contains(milestone.month.starts_on));
                    prop_assert!(cycle.contains(milestone.month.ends_on));
                    prop_assert_eq!(chrono::Datelike::month(&milestone.month.starts_on), number);
                }
            }
        }

        /// PDR-1: a starter during the cycle owes at least one goal and no more than a full
        /// cycle, fewer the later they start.
        #[test]
        fn pdr1_pro_rata_goals_shrink_with_a_later_start(
            per_year in 1u32..=MAX_GOALS_PER_CYCLE, start in 0i64..365, later in 0i64..365,
        ) {
            let cycle = CycleMonths::default().cycle(d(2026, 6, 1));
            let day = |n: i64| cycle.starts_on + chrono::Duration::days(n);
            let first = goals_summary(per_year, cycle, Some(day(start)), &[]).expected;
            let second = goals_summary(per_year, cycle, Some(day(start.max(later))), &[]).expected;
            prop_assert!((1..=per_year).contains(&first));
            prop_assert!(second <= first);
        }
    }
}
