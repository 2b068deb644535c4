//! Case supervision (CASE-1): how often a case must be discussed in supervision, by its
//! status (002 Appendix 7), and the child protection plan's nine-month discussion six weeks
//! before its review conference (001 §5.3).
//!
//! Where the policies leave things open, these rules decide:
//! - The clock runs from the later of the last discussion and the day the status began: a
//!   new status (a child placed, a plan made) starts its own count, so a discussion held
//!   under the old status does not make the new one overdue at once.
//! - The interval is the one in force on the due date: a foster or residential placement is
//!   monthly while its first 3 months run, then every 2 months, and every 3 months once the
//!   permanence plan is in place (002: "stable placement").
//! - A child protection plan's review conference is at 9 months from the plan's start unless
//!   its date is known. The case is flagged two weeks before the discussion is due (8 weeks
//!   before the conference); the discussion is due 6 weeks before it. Any discussion from
//!   the flag to the conference counts.

use std::str::FromStr;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::Calendar;
use super::periods::months_after;
use super::sessions::text_enum;
use super::validation::Invalid;

/// A case's status for supervision (002 Appendix 7's case status table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseCategory {
    /// Child in need: every 2 months.
    ChildInNeed,
    /// Child in need with the Children with Disabilities team, open only to support the
    /// parents or carers (no deficits, low risk) or for Direct Payments (low risk), reduced
    /// by agreement with the team manager: every 6 months.
    ChildInNeedReduced,
    /// Child protection plan: every 2 months, and the nine-month discussion (001 §5.3).
    ChildProtection,
    /// Pre-proceedings (PLO): every month.
    PreProceedings,
    /// Public law (care) proceedings: every month.
    PublicLawProceedings,
    /// Child looked after, placed with parents: every month.
    PlacementWithParents,
    /// Child placed for adoption: every month.
    PlacedForAdoption,
    /// Child looked after in foster care: monthly for 3 months, then every 2 months until
    /// the permanence plan is in place, then every 3 months.
    FosterPlacement,
    /// Child looked after in a residential placement: as foster care.
    ResidentialPlacement,
}

text_enum!(CaseCategory {
    ChildInNeed => "child_in_need",
    ChildInNeedReduced => "child_in_need_reduced",
    ChildProtection => "child_protection",
    PreProceedings => "pre_proceedings",
    PublicLawProceedings => "public_law_proceedings",
    PlacementWithParents => "placement_with_parents",
    PlacedForAdoption => "placed_for_adoption",
    FosterPlacement => "foster_placement",
    ResidentialPlacement => "residential_placement",
});

/// The first months of a new placement, discussed monthly.
pub const NEW_PLACEMENT_MONTHS: u32 = 3;
/// The longest interval of any status, in months.
const LONGEST_INTERVAL_MONTHS: u32 = 6;
/// 001 §5.3: the review conference at month 9, discussed 6 weeks before.
pub const CP_REVIEW_MONTHS: u32 = 9;
pub const CP_DISCUSS_DAYS_BEFORE: u64 = 42;
/// The case is flagged this long before the nine-month discussion is due.
pub const CP_FLAG_DAYS_AHEAD: u64 = 14;
/// Due within this many working days is "due soon", as the reminder warns.
pub const DUE_SOON_WORKING_DAYS: i32 = 5;

impl CaseCategory {
    /// A foster or residential placement, whose interval changes as it settles.
    pub fn is_placement(self) -> bool {
        matches!(
            self,
            CaseCategory::FosterPlacement | CaseCategory::ResidentialPlacement
        )
    }
}

/// What the frequency of one case depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseTerms {
    pub category: CaseCategory,
    /// The day the status began (the placement's start, the plan's start).
    pub status_since: NaiveDate,
    /// The day a placement's permanence plan was in place.
    pub permanence_plan_on: Option<NaiveDate>,
    /// The child protection plan's review conference, when its date is known.
    pub review_conference_on: Option<NaiveDate>,
}

impl CaseTerms {
    /// The interval in months in force on `date` (002 Appendix 7).
    pub fn interval_on(&self, date: NaiveDate) -> u32 {
        use CaseCategory::*;
        match self.category {
            ChildInNeed | ChildProtection => 2,
            ChildInNeedReduced => 6,
            PreProceedings | PublicLawProceedings | PlacementWithParents | PlacedForAdoption => 1,
            FosterPlacement | ResidentialPlacement => {
                if date <= months_after(self.status_since, NEW_PLACEMENT_MONTHS) {
                    1
                } else if self.permanence_plan_on.is_some_and(|plan| plan <= date) {
                    3
                } else {
                    2
                }
            }
        }
    }

    /// When the case must next be discussed: the first date, counting whole months from
    /// the later of `last_discussed` and the status's start, on which the months counted
    /// reach the interval in force that day.
    pub fn next_discussion_due(&self, last_discussed: Option<NaiveDate>) -> NaiveDate {
        let anchor = last_discussed.map_or(self.status_since, |d| d.max(self.status_since));
        (1..=LONGEST_INTERVAL_MONTHS)
            .map(|months| (months, months_after(anchor, months)))
            .find(|&(months, due)| self.interval_on(due) <= months)
            .map_or_else(
                || months_after(anchor, LONGEST_INTERVAL_MONTHS),
                |(_, due)| due,
            )
    }

    /// 001 §5.3: the nine-month discussion of a child protection plan; none for any other
    /// status.
    pub fn cp_review(
        &self,
        last_discussed: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Option<CpReview> {
        if self.category != CaseCategory::ChildProtection {
            return None;
        }
        let conference_on = self
            .review_conference_on
            .unwrap_or_else(|| months_after(self.status_since, CP_REVIEW_MONTHS));
        let discuss_by = conference_on - Days::new(CP_DISCUSS_DAYS_BEFORE);
        let flagged_on = discuss_by - Days::new(CP_FLAG_DAYS_AHEAD);
        let discussed_on = last_discussed.filter(|d| (flagged_on..=conference_on).contains(d));
        let standing = if discussed_on.is_some() {
            CpReviewStanding::Discussed
        } else if today < flagged_on {
            CpReviewStanding::Upcoming
        } else if today <= discuss_by {
            CpReviewStanding::Due
        } else if today < conference_on {
            CpReviewStanding::Overdue
        } else {
            CpReviewStanding::Missed
        };
        Some(CpReview {
            conference_on,
            discuss_by,
            flagged_on,
            discussed_on,
            standing,
        })
    }
}

/// Where the nine-month discussion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CpReviewStanding {
    /// Not flagged yet.
    Upcoming,
    /// Flagged: discuss the case by `discuss_by`.
    Due,
    /// Past `discuss_by` with no discussion; the conference is still to come.
    Overdue,
    /// Discussed between the flag and the conference.
    Discussed,
    /// The conference came without the discussion.
    Missed,
}

impl CpReviewStanding {
    /// Still wanting the discussion, so still worth a reminder.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            CpReviewStanding::Upcoming | CpReviewStanding::Due | CpReviewStanding::Overdue
        )
    }
}

/// 001 §5.3: a child protection plan approaching 9 months, to be discussed in supervision
/// six weeks before its review conference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "conference_on": "2027-08-10", "discuss_by": "2027-06-29", "flagged_on": "2027-06-15",
    "discussed_on": null, "standing": "upcoming"
}))]
pub struct CpReview {
    /// The review child protection conference: the date given, or 9 months from the plan's start.
    pub conference_on: NaiveDate,
    /// Six weeks before the conference.
    pub discuss_by: NaiveDate,
    /// Two weeks before `discuss_by`, when the case is flagged.
    pub flagged_on: NaiveDate,
    /// The discussion that counts, from the flag to the conference.
    pub discussed_on: Option<NaiveDate>,
    pub standing: CpReviewStanding,
}

/// Where a case stands against its next discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStanding {
    OnTrack,
    /// Due within [`DUE_SOON_WORKING_DAYS`] working days.
    DueSoon,
    /// Past its due date without a discussion.
    Overdue,
    /// Closed: no longer tracked.
    Closed,
}

/// The standing of an open case due on `due` as of `today`. Outside the calendar's years,
/// weekdays stand in for working days.
pub fn standing(due: NaiveDate, today: NaiveDate, calendar: &Calendar) -> CaseStanding {
    if today > due {
        return CaseStanding::Overdue;
    }
    let working_days = calendar
        .working_days_between(today, due)
        .unwrap_or_else(|_| {
            let weekdays = today
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= due)
                .filter(|d| chrono::Datelike::weekday(d).num_days_from_monday() < 5)
                .take(DUE_SOON_WORKING_DAYS as usize + 1)
                .count();
            weekdays as i32
        });
    if working_days <= DUE_SOON_WORKING_DAYS {
        CaseStanding::DueSoon
    } else {
        CaseStanding::OnTrack
    }
}

/// Where one case stands on `today`, given its last discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    /// None once the case is closed.
    pub next_discussion_due: Option<NaiveDate>,
    pub standing: CaseStanding,
    pub cp_review: Option<CpReview>,
}

/// CASE-1 for one case: its next discussion, its standing and, for a child protection
/// plan, the nine-month discussion. A closed case is no longer tracked.
pub fn assess(
    terms: &CaseTerms,
    closed: bool,
    last_discussed: Option<NaiveDate>,
    today: NaiveDate,
    calendar: &Calendar,
) -> Assessment {
    if closed {
        return Assessment {
            next_discussion_due: None,
            standing: CaseStanding::Closed,
            cp_review: None,
        };
    }
    let due = terms.next_discussion_due(last_discussed);
    Assessment {
        next_discussion_due: Some(due),
        standing: standing(due, today, calendar),
        cp_review: terms.cp_review(last_discussed, today),
    }
}

/// The earliest date a status may start: the calendar's first year.
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(date) => date,
    None => panic!("a real date"),
};
/// A review conference is booked within this many months of the plan's start.
const LONGEST_TO_CONFERENCE_MONTHS: u32 = 15;

/// Checks the terms a supervisor registers or changes, naming each bad field: dates not in
/// the future, a permanence plan only for a placement and a review conference only for a
/// child protection plan, each after the status began.
pub fn check_terms(terms: CaseTerms, today: NaiveDate) -> Result<CaseTerms, Invalid> {
    let mut invalid = Invalid::default();
    let since = terms.status_since;
    if since > today {
        invalid.push("status_since", "must not be in the future");
    }
    if since < EARLIEST {
        invalid.push("status_since", "must be in 1990 or later");
    }
    if let Some(plan) = terms.permanence_plan_on {
        if !terms.category.is_placement() {
            invalid.push(
                "permanence_plan_on",
                "only for a foster or residential placement",
            );
        } else if plan < since || plan > today {
            invalid.push(
                "permanence_plan_on",
                "must be between the placement's start and today",
            );
        }
    }
    if let Some(conference) = terms.review_conference_on {
        if terms.category != CaseCategory::ChildProtection {
            invalid.push("review_conference_on", "only for a child protection plan");
        } else if conference <= since
            || conference > months_after(since, LONGEST_TO_CONFERENCE_MONTHS)
        {
            invalid.push(
                "review_conference_on",
                format!(
                    "must be after the plan's start and within {LONGEST_TO_CONFERENCE_MONTHS} months of it"
                ),
            );
        }
    }
    invalid.into_result(|| terms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Region;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calendar() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar::new(Region::EnglandAndWales, &[]))
    }

    fn terms(category: CaseCategory, since: NaiveDate) -> CaseTerms {
        CaseTerms {
            category,
            status_since: since,
            permanence_plan_on: None,
            review_conference_on: None,
        }
    }

    #[test]
    fn case1_categories_round_trip_through_text_and_serde() {
        for &category in CaseCategory::ALL {
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
            assert_eq!(category.as_str().parse::<CaseCategory>(), Ok(category));
        }
        assert_eq!(CaseCategory::ALL.len(), 9);
    }

    /// CASE-1: 002 Appendix 7's fixed intervals, counted from the last discussion.
    #[test]
    fn case1_fixed_frequencies_by_status() {
        use CaseCategory::*;
        let since = d(2026, 1, 10);
        let last = Some(d(2026, 3, 5));
        for (category, due) in [
            (ChildInNeed, d(2026, 5, 5)),
            (ChildProtection, d(2026, 5, 5)),
            (ChildInNeedReduced, d(2026, 9, 5)),
            (PreProceedings, d(2026, 4, 5)),
            (PublicLawProceedings, d(2026, 4, 5)),
            (PlacementWithParents, d(2026, 4, 5)),
            (PlacedForAdoption, d(2026, 4, 5)),
        ] {
            assert_eq!(
                terms(category, since).next_discussion_due(last),
                due,
                "{category:?}"
            );
        }
        // Never discussed: from the status's start.
        assert_eq!(
            terms(ChildInNeed, since).next_discussion_due(None),
            d(2026, 3, 10)
        );
        // Month ends clamp: 31 January plus a month is the end of February.
        assert_eq!(
            terms(PreProceedings, d(2028, 1, 31)).next_discussion_due(None),
            d(2028, 2, 29)
        );
    }

    /// CASE-1: a discussion before the status began does not count against the new status.
    #[test]
    fn case1_a_new_status_starts_its_own_count() {
        let pre = terms(CaseCategory::PreProceedings, d(2026, 3, 1));
        assert_eq!(pre.next_discussion_due(Some(d(2026, 1, 20))), d(2026, 4, 1));
        assert_eq!(
            pre.next_discussion_due(Some(d(2026, 3, 20))),
            d(2026, 4, 20)
        );
    }

    /// CASE-1: foster and residential placements: monthly for 3 months, every 2 months until
    /// the permanence plan, then every 3 months.
    #[test]
    fn case1_placements_settle_from_monthly_to_quarterly() {
        for category in [
            CaseCategory::FosterPlacement,
            CaseCategory::ResidentialPlacement,
        ] {
            let mut t = terms(category, d(2026, 1, 1));
            // The first 3 months (to 1 April): monthly.
            assert_eq!(t.next_discussion_due(None), d(2026, 2, 1));
            assert_eq!(t.next_discussion_due(Some(d(2026, 2, 20))), d(2026, 3, 20));
            assert_eq!(t.next_discussion_due(Some(d(2026, 3, 1))), d(2026, 4, 1));
            // A month on lands after the first 3 months: every 2 months applies.
            assert_eq!(t.next_discussion_due(Some(d(2026, 3, 15))), d(2026, 5, 15));
            assert_eq!(t.next_discussion_due(Some(d(2026, 6, 10))), d(2026, 8, 10));
            // With the permanence plan in place: every 3 months.
            t.permanence_plan_on = Some(d(2026, 6, 1));
            assert_eq!(t.next_discussion_due(Some(d(2026, 6, 10))), d(2026, 9, 10));
            // Still monthly in the first 3 months, plan or not.
            t.permanence_plan_on = Some(d(2026, 1, 15));
            assert_eq!(t.next_discussion_due(Some(d(2026, 2, 1))), d(2026, 3, 1));
            // A plan in place only after two months on counts from when it is.
            t.permanence_plan_on = Some(d(2026, 9, 1));
            assert_eq!(t.next_discussion_due(Some(d(2026, 6, 10))), d(2026, 8, 10));
            assert_eq!(t.next_discussion_due(Some(d(2026, 7, 10))), d(2026, 10, 10));
        }
    }

    /// CASE-1 (001 §5.3): the plan's review conference at 9 months, discussed 6 weeks before.
    #[test]
    fn case1_cp_plan_flagged_for_discussion_six_weeks_before_its_review() {
        let mut t = terms(CaseCategory::ChildProtection, d(2026, 1, 15));
        let review = t.cp_review(None, d(2026, 6, 1)).unwrap();
        assert_eq!(review.conference_on, d(2026, 10, 15));
        assert_eq!(review.discuss_by, d(2026, 9, 3));
        assert_eq!(review.flagged_on, d(2026, 8, 20));
        assert_eq!(review.standing, CpReviewStanding::Upcoming);
        let on = |last, today| t.cp_review(last, today).unwrap().standing;
        assert_eq!(on(None, d(2026, 8, 20)), CpReviewStanding::Due);
        assert_eq!(on(None, d(2026, 9, 3)), CpReviewStanding::Due);
        assert_eq!(on(None, d(2026, 9, 4)), CpReviewStanding::Overdue);
        assert_eq!(on(None, d(2026, 10, 15)), CpReviewStanding::Missed);
        // A regular discussion before the flag does not count; one after it does.
        assert_eq!(
            on(Some(d(2026, 8, 1)), d(2026, 9, 1)),
            CpReviewStanding::Due
        );
        assert_eq!(
            on(Some(d(2026, 8, 25)), d(2026, 9, 1)),
            CpReviewStanding::Discussed
        );
        // A known conference date wins.
        t.review_conference_on = Some(d(2026, 10, 1));
        assert_eq!(
            t.cp_review(None, d(2026, 6, 1)).unwrap().discuss_by,
            d(2026, 8, 20)
        );
        // Only child protection plans have one.
        assert!(terms(CaseCategory::ChildInNeed, d(2026, 1, 15))
            .cp_review(None, d(2026, 6, 1))
            .is_none());
    }

    #[test]
    fn case1_standing_counts_working_days_to_the_due_date() {
        // Due Friday 11 December 2026.
        let due = d(2026, 12, 11);
        assert_eq!(
            standing(due, d(2026, 12, 1), calendar()),
            CaseStanding::OnTrack
        );
        assert_eq!(
            standing(due, d(2026, 12, 4), calendar()),
            CaseStanding::DueSoon
        );
        assert_eq!(standing(due, due, calendar()), CaseStanding::DueSoon);
        assert_eq!(
            standing(due, d(2026, 12, 12), calendar()),
            CaseStanding::Overdue
        );
        // Beyond the calendar, weekdays count.
        assert_eq!(
            standing(d(2101, 1, 7), d(2101, 1, 3), calendar()),
            CaseStanding::DueSoon
        );
        assert_eq!(
            standing(d(2101, 2, 7), d(2101, 1, 3), calendar()),
            CaseStanding::OnTrack
        );
    }

    #[test]
    fn case1_terms_are_checked_field_by_field() {
        let today = d(2026, 6, 1);
        let fields = |t: CaseTerms| -> Vec<String> {
            check_terms(t, today)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let mut cin = terms(CaseCategory::ChildInNeed, d(2026, 7, 1));
        cin.permanence_plan_on = Some(d(2026, 5, 1));
        cin.review_conference_on = Some(d(2026, 9, 1));
        assert_eq!(
            fields(cin),
            ["status_since", "permanence_plan_on", "review_conference_on"]
        );
        let mut foster = terms(CaseCategory::FosterPlacement, d(2026, 3, 1));
        foster.permanence_plan_on = Some(d(2026, 2, 1));
        assert_eq!(fields(foster), ["permanence_plan_on"]);
        foster.permanence_plan_on = Some(d(2026, 5, 1));
        assert_eq!(check_terms(foster, today), Ok(foster));
        let mut cp = terms(CaseCategory::ChildProtection, d(2026, 3, 1));
        cp.review_conference_on = Some(d(2027, 9, 1));
        assert_eq!(fields(cp), ["review_conference_on"]);
        cp.review_conference_on = Some(d(2026, 12, 1));
        assert!(check_terms(cp, today).is_ok());
        assert_eq!(
            fields(terms(CaseCategory::ChildInNeed, d(1989, 12, 31))),
            ["status_since"]
        );
    }

    fn category() -> impl Strategy<Value = CaseCategory> {
        (0..CaseCategory::ALL.len()).prop_map(|i| CaseCategory::ALL[i])
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        (0i64..40_000).prop_map(|days| d(1990, 1, 1) + chrono::Duration::days(days))
    }

    proptest! {
        /// CASE-1: the next discussion is at least a month and at most the status's longest
        /// interval after the clock's start, and a later discussion never brings it forward.
        #[test]
        fn case1_due_dates_are_bounded_and_monotonic(
            category in category(),
            since in date(),
            plan_after in proptest::option::of(0i64..800),
            first in 0i64..1_000,
            gap in 0i64..400,
        ) {
            let t = CaseTerms {
                category,
                status_since: since,
                permanence_plan_on: plan_after
                    .filter(|_| category.is_placement())
                    .map(|days| since + chrono::Duration::days(days)),
                review_conference_on: None,
            };
            let earlier = since + chrono::Duration::days(first);
            let later = earlier + chrono::Duration::days(gap);
            let due = t.next_discussion_due(Some(earlier));
            prop_assert!(due >= months_after(earlier, 1));
            let longest = if category.is_placement() { 3 } else { t.interval_on(since) };
            prop_assert!(due <= months_after(earlier, longest));
            prop_assert!(t.next_discussion_due(Some(later)) >= due);
            // Never discussed counts as discussed the day the status began.
            prop_assert_eq!(t.next_discussion_due(None), t.next_discussion_due(Some(since)));
            // It is exactly the interval in force on the due date after the clock's start.
            prop_assert_eq!(due, months_after(earlier, t.interval_on(due)));
        }

        /// CASE-1: the nine-month discussion is due 6 weeks before the conference and flagged
        /// 2 weeks before that, whatever the plan's start.
        #[test]
        fn case1_cp_review_dates_keep_their_distances(since in date(), today in date()) {
            let t = terms(CaseCategory::ChildProtection, since);
            let review = t.cp_review(None, today).unwrap();
            prop_assert_eq!((review.conference_on - review.discuss_by).num_days(), 42);
            prop_assert_eq!((review.discuss_by - review.flagged_on).num_days(), 14);
            prop_assert_eq!(review.conference_on, months_after(since, 9));
            prop_assert!(review.standing != CpReviewStanding::Discussed);
        }
    }
}
