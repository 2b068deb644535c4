//! The assessed and supported year in employment (ASYE-1): its timeline of reviews, pushed
//! back by pauses; the evidence checklist; protected development time.

use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sessions::text_enum;
use super::validation::Invalid;

/// A pause in the programme (leave, part-time spells), half-open: paused from `starts_on`
/// up to the day before `ends_on`. No `ends_on`: still paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"starts_on": "2026-01-05", "ends_on": "2026-02-04"}))]
pub struct Pause {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// A review point: a session of its own, with its record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"month": 9, "optional": true, "due_on": "2026-06-01"}))]
pub struct ReviewPoint {
    /// Months into the programme, not counting pauses.
    pub month: u32,
    pub optional: bool,
    pub due_on: NaiveDate,
}

/// ASYE-1: where a person's programme stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "starts_on": "2025-09-01", "programme_months": 12, "paused_days": 0, "paused_now": false,
    "expected_end": "2026-09-01",
    "reviews": [
        {"month": 3, "optional": false, "due_on": "2025-12-01"},
        {"month": 6, "optional": false, "due_on": "2026-03-01"},
        {"month": 9, "optional": true, "due_on": "2026-06-01"},
        {"month": 12, "optional": false, "due_on": "2026-09-01"}
    ],
    "days_in_programme": 120
}))]
pub struct Timeline {
    pub starts_on: NaiveDate,
    pub programme_months: u32,
    /// Days paused so far, an open pause counted up to today.
    pub paused_days: i64,
    pub paused_now: bool,
    pub expected_end: NaiveDate,
    pub reviews: Vec<ReviewPoint>,
    /// Days from the start to today (or the expected end, if sooner), less the days paused.
    pub days_in_programme: i64,
}

/// Pauses as sorted, disjoint `[start, end)` day ranges from the programme start on; an
/// open pause runs to `today`, so dates keep moving while someone is paused.
fn paused_ranges(
    starts_on: NaiveDate,
    pauses: &[Pause],
    today: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = pauses
        .iter()
        .map(|p| {
            let start = p.starts_on.max(starts_on);
            (start, p.ends_on.unwrap_or(today).max(start))
        })
        .filter(|(start, end)| start < end)
        .collect();
    ranges.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// ASYE-1: the reviews and expected end of a programme of `programme_months` (12, or 24 for
/// a two-year induction): reviews at 3, 6 and 9 months (9 optional), then every 12 months
/// and at the end. Each date is the start plus its months, pushed later by every pause that
/// starts before the pushed date.
pub fn timeline(
    starts_on: NaiveDate,
    programme_months: u32,
    pauses: &[Pause],
    today: NaiveDate,
) -> Timeline {
    let paused = paused_ranges(starts_on, pauses, today);
    // In start order, so a pause pushed past by an earlier one is counted too.
    let pushed = |months: u32| {
        paused
            .iter()
            .fold(starts_on + Months::new(months), |date, (start, end)| {
                if *start < date {
                    date + Days::new(days(*start, *end) as u64)
                } else {
                    date
                }
            })
    };
    let mut months: Vec<u32> = [3, 6, 9]
        .into_iter()
        .chain((12..programme_months).step_by(12))
        .filter(|m| *m < programme_months)
        .collect();
    if programme_months > 0 {
        months.push(programme_months);
    }
    let reviews = months
        .into_iter()
        .map(|month| ReviewPoint {
            month,
            optional: month == 9 && month != programme_months,
            due_on: pushed(month),
        })
        .collect();
    let expected_end = pushed(programme_months);
    let until = today.min(expected_end).max(starts_on);
    let paused_before: i64 = paused
        .iter()
        .map(|(start, end)| days(*start, (*end).min(until)).max(0))
        .sum();
    Timeline {
        starts_on,
        programme_months,
        paused_days: paused.iter().map(|(start, end)| days(*start, *end)).sum(),
        paused_now: pauses
            .iter()
            .any(|p| p.starts_on <= today && p.ends_on.is_none_or(|end| today < end)),
        expected_end,
        reviews,
        days_in_programme: days(starts_on, until) - paused_before,
    }
}

/// ASYE-1: checks a new pause against the person's other pauses. Field paths `starts_on`
/// and `ends_on`.
pub fn check_pause(
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    asye_start: NaiveDate,
    existing: &[Pause],
) -> Result<(), Invalid> {
    let mut invalid = Invalid::default();
    if starts_on < asye_start {
        invalid.push(
            "starts_on",
            format!("must not be before the ASYE starts on {asye_start}"),
        );
    }
    if ends_on.is_some_and(|end| end <= starts_on) {
        invalid.push("ends_on", "must be after the pause starts");
    }
    // Half-open ranges, open ones endless: they overlap when each starts before the other ends.
    let before_end = |date: NaiveDate, end: Option<NaiveDate>| end.is_none_or(|end| date < end);
    if ends_on.is_none() && existing.iter().any(|p| p.ends_on.is_none()) {
        invalid.push("ends_on", "another pause is still open; end it first");
    } else if let Some(other) = existing
        .iter()
        .find(|p| before_end(starts_on, p.ends_on) && before_end(p.starts_on, ends_on))
    {
        invalid.push(
            "starts_on",
            format!("overlaps the pause from {}", other.starts_on),
        );
    }
    invalid.into_result(|| ())
}

/// ASYE-1: evidence the framework asks for, beside direct observations (counted from OBS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Feedback from people who use services.
    ServiceUserFeedback,
    /// Feedback from other professionals.
    ProfessionalFeedback,
    #[serde(rename = "critical_reflection_6")]
    CriticalReflection6,
    #[serde(rename = "critical_reflection_12")]
    CriticalReflection12,
}

text_enum!(EvidenceKind {
    ServiceUserFeedback => "service_user_feedback",
    ProfessionalFeedback => "professional_feedback",
    CriticalReflection6 => "critical_reflection_6",
    CriticalReflection12 => "critical_reflection_12",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"required": 3, "done": 2, "complete": false}))]
pub struct ChecklistItem {
    pub required: u32,
    pub done: u32,
    pub complete: bool,
}

impl ChecklistItem {
    fn new(required: u32, done: u32) -> ChecklistItem {
        ChecklistItem {
            required,
            done,
            complete: done >= required,
        }
    }
}

/// ASYE-1: the framework's evidence, item by item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "direct_observations": {"required": 3, "done": 3, "complete": true},
    "service_user_feedback": {"required": 3, "done": 1, "complete": false},
    "professional_feedback": {"required": 3, "done": 3, "complete": true},
    "critical_reflection_6": {"required": 1, "done": 1, "complete": true},
    "critical_reflection_12": {"required": 1, "done": 0, "complete": false},
    "complete": false
}))]
pub struct Checklist {
    pub direct_observations: ChecklistItem,
    pub service_user_feedback: ChecklistItem,
    pub professional_feedback: ChecklistItem,
    pub critical_reflection_6: ChecklistItem,
    pub critical_reflection_12: ChecklistItem,
    pub complete: bool,
}

/// ASYE-1: 3 direct observations, 3 pieces of feedback from people who use services, 3 from
/// other professionals, and a critical reflection at 6 and at 12 months.
pub fn checklist(direct_observations: u32, evidence: &[EvidenceKind]) -> Checklist {
    let count = |kind| evidence.iter().filter(|e| **e == kind).count() as u32;
    let items = [
        ChecklistItem::new(3, direct_observations),
        ChecklistItem::new(3, count(EvidenceKind::ServiceUserFeedback)),
        ChecklistItem::new(3, count(EvidenceKind::ProfessionalFeedback)),
        ChecklistItem::new(1, count(EvidenceKind::CriticalReflection6)),
        ChecklistItem::new(1, count(EvidenceKind::CriticalReflection12)),
    ];
    Checklist {
        direct_observations: items[0],
        service_user_feedback: items[1],
        professional_feedback: items[2],
        critical_reflection_6: items[3],
        critical_reflection_12: items[4],
        complete: items.iter().all(|i| i.complete),
    }
}

/// ASYE-1: protected development time logged against what is due so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"logged_minutes": 2400, "expected_minutes": 3600, "shortfall_minutes": 1200}))]
pub struct ProtectedTime {
    pub logged_minutes: i64,
    pub expected_minutes: i64,
    pub shortfall_minutes: i64,
}

/// ASYE-1: 10 % of contracted time (half a day a week full time), accrued over the days in
/// the programme so far, rounded down.
pub fn protected_time(
    weekly_minutes: i64,
    timeline: &Timeline,
    logged_minutes: i64,
) -> ProtectedTime {
    let expected_minutes = (timeline.days_in_programme * weekly_minutes).div_euclid(70);
    ProtectedTime {
        logged_minutes,
        expected_minutes,
        shortfall_minutes: (expected_minutes - logged_minutes).max(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pause(from: NaiveDate, to: Option<NaiveDate>) -> Pause {
        Pause {
            starts_on: from,
            ends_on: to,
        }
    }

    fn dues(t: &Timeline) -> Vec<(u32, bool, NaiveDate)> {
        t.reviews
            .iter()
            .map(|r| (r.month, r.optional, r.due_on))
            .collect()
    }

    /// ASYE-1: without pauses, reviews fall 3, 6, 9 (optional) and 12 months on.
    #[test]
    fn asye1_plain_twelve_months() {
        let t = timeline(d(2025, 9, 1), 12, &[], d(2025, 12, 30));
        assert_eq!(
            dues(&t),
            [
                (3, false, d(2025, 12, 1)),
                (6, false, d(2026, 3, 1)),
                (9, true, d(2026, 6, 1)),
                (12, false, d(2026, 9, 1)),
            ]
        );
        assert_eq!(t.expected_end, d(2026, 9, 1));
        assert_eq!((t.paused_days, t.paused_now), (0, false));
        assert_eq!(t.days_in_programme, 120);
        let before = timeline(d(2025, 9, 1), 12, &[], d(2025, 8, 1));
        assert_eq!(before.days_in_programme, 0);
        let after = timeline(d(2025, 9, 1), 12, &[], d(2027, 1, 1));
        assert_eq!(after.days_in_programme, 365);
    }

    /// ASYE-1: a 30-day pause after the 3-month review pushes the later reviews and the end
    /// by 30 days, not the 3-month review.
    #[test]
    fn asye1_pause_pushes_later_reviews() {
        let pauses = [pause(d(2026, 1, 5), Some(d(2026, 2, 4)))];
        let t = timeline(d(2025, 9, 1), 12, &pauses, d(2026, 5, 1));
        assert_eq!(
            dues(&t),
            [
                (3, false, d(2025, 12, 1)),
                (6, false, d(2026, 3, 31)),
                (9, true, d(2026, 7, 1)),
                (12, false, d(2026, 10, 1)),
            ]
        );
        assert_eq!(t.expected_end, d(2026, 10, 1));
        assert_eq!((t.paused_days, t.paused_now), (30, false));
        assert_eq!(t.days_in_programme, days(d(2025, 9, 1), d(2026, 5, 1)) - 30);
        // Paused on its first day, back on `ends_on`.
        assert!(timeline(d(2025, 9, 1), 12, &pauses, d(2026, 1, 5)).paused_now);
        assert!(!timeline(d(2025, 9, 1), 12, &pauses, d(2026, 2, 4)).paused_now);
    }

    /// ASYE-1: a pause that starts before a pushed date pushes it too, though it starts after
    /// the unpushed one.
    #[test]
    fn asye1_pauses_chain() {
        let pauses = [
            pause(d(2025, 11, 1), Some(d(2025, 12, 1))),
            pause(d(2025, 12, 15), Some(d(2025, 12, 25))),
        ];
        let t = timeline(d(2025, 9, 1), 12, &pauses, d(2026, 1, 1));
        // 1 December + 30 days = 31 December, after the second pause starts: + 10 more.
        assert_eq!(t.reviews[0].due_on, d(2026, 1, 10));
        assert_eq!(t.paused_days, 40);
    }

    /// ASYE-1: an open pause counts up to today, so the dates move on while it lasts.
    #[test]
    fn asye1_open_pause_moves_dates_daily() {
        let pauses = [pause(d(2026, 1, 5), None)];
        let t = timeline(d(2025, 9, 1), 12, &pauses, d(2026, 1, 15));
        assert!(t.paused_now);
        assert_eq!(t.paused_days, 10);
        assert_eq!(t.expected_end, d(2026, 9, 11));
        assert_eq!(t.days_in_programme, days(d(2025, 9, 1), d(2026, 1, 5)));
        let tomorrow = timeline(d(2025, 9, 1), 12, &pauses, d(2026, 1, 16));
        assert_eq!(tomorrow.expected_end, d(2026, 9, 12));
        assert_eq!(tomorrow.days_in_programme, t.days_in_programme);
    }

    /// ASYE-1: overlapping pauses, in any order, count their days once.
    #[test]
    fn asye1_overlapping_pauses_count_once() {
        let pauses = [
            pause(d(2026, 1, 20), Some(d(2026, 2, 4))),
            pause(d(2026, 1, 5), Some(d(2026, 1, 25))),
            pause(d(2026, 1, 10), Some(d(2026, 1, 12))),
        ];
        let t = timeline(d(2025, 9, 1), 12, &pauses, d(2026, 5, 1));
        assert_eq!(t.paused_days, 30);
        assert_eq!(t.expected_end, d(2026, 10, 1));
    }

    /// ASYE-1: a two-year programme reviews at 3, 6, 9 (optional), 12 and 24 months.
    #[test]
    fn asye1_two_year_programme() {
        let t = timeline(d(2025, 9, 1), 24, &[], d(2025, 9, 1));
        let months: Vec<(u32, bool)> = t.reviews.iter().map(|r| (r.month, r.optional)).collect();
        assert_eq!(
            months,
            [(3, false), (6, false), (9, true), (12, false), (24, false)]
        );
        assert_eq!(t.expected_end, d(2027, 9, 1));
        let t = timeline(d(2025, 9, 1), 18, &[], d(2025, 9, 1));
        let months: Vec<u32> = t.reviews.iter().map(|r| r.month).collect();
        assert_eq!(months, [3, 6, 9, 12, 18]);
    }

    /// ASYE-1: a pause must end after it starts, not start before the ASYE, and not overlap.
    #[test]
    fn asye1_check_pause_refusals() {
        let start = d(2025, 9, 1);
        let existing = [
            pause(d(2026, 1, 5), Some(d(2026, 2, 4))),
            pause(d(2026, 6, 1), None),
        ];
        let fields = |from, to, existing: &[Pause]| -> Vec<String> {
            check_pause(from, to, start, existing)
                .err()
                .map(|e| e.0.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert!(fields(d(2026, 2, 4), Some(d(2026, 3, 1)), &existing).is_empty());
        assert!(fields(d(2025, 12, 1), Some(d(2026, 1, 5)), &existing).is_empty());
        assert!(fields(d(2026, 3, 1), None, &existing[..1]).is_empty());
        assert_eq!(
            fields(d(2025, 8, 1), Some(d(2025, 8, 10)), &[]),
            ["starts_on"]
        );
        assert_eq!(fields(d(2026, 3, 1), Some(d(2026, 3, 1)), &[]), ["ends_on"]);
        assert_eq!(
            fields(d(2026, 2, 3), Some(d(2026, 3, 1)), &existing),
            ["starts_on"]
        );
        assert_eq!(
            fields(d(2025, 12, 1), Some(d(2026, 1, 6)), &existing),
            ["starts_on"]
        );
        assert_eq!(
            fields(d(2026, 7, 1), Some(d(2026, 7, 9)), &existing),
            ["starts_on"]
        );
        assert_eq!(fields(d(2026, 3, 1), None, &existing), ["ends_on"]);
        // An open pause cannot start before a later, closed one.
        assert_eq!(fields(d(2025, 12, 1), None, &existing[..1]), ["starts_on"]);
        let err = check_pause(d(2026, 2, 3), Some(d(2026, 3, 1)), start, &existing).unwrap_err();
        assert_eq!(err.0[0].message, "overlaps the pause from 2026-01-05");
    }

    /// ASYE-1: each checklist item counts its own evidence.
    #[test]
    fn asye1_checklist_counts() {
        use EvidenceKind::*;
        let evidence = [
            ServiceUserFeedback,
            ProfessionalFeedback,
            ProfessionalFeedback,
            ProfessionalFeedback,
            ProfessionalFeedback,
            CriticalReflection6,
        ];
        let c = checklist(2, &evidence);
        assert_eq!(c.direct_observations, ChecklistItem::new(3, 2));
        assert!(!c.direct_observations.complete);
        assert_eq!(
            (c.service_user_feedback.done, c.professional_feedback.done),
            (1, 4)
        );
        assert!(c.professional_feedback.complete && c.critical_reflection_6.complete);
        assert!(!c.critical_reflection_12.complete && !c.complete);
        let all = [
            [ServiceUserFeedback; 3].as_slice(),
            &[ProfessionalFeedback; 3],
            &[CriticalReflection6, CriticalReflection12],
        ]
        .concat();
        assert!(checklist(3, &all).complete);
        assert!(!checklist(2, &all).complete);
        assert_eq!(
            serde_json::to_value(CriticalReflection6).unwrap(),
            "critical_reflection_6"
        );
        for kind in EvidenceKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
    }

    /// ASYE-1: a tenth of contracted time accrues per day in the programme, rounded down.
    #[test]
    fn asye1_protected_time() {
        let t = timeline(d(2025, 9, 1), 12, &[], d(2025, 9, 15));
        assert_eq!(t.days_in_programme, 14);
        // Full time, 37 hours a week: 2 weeks owe 2 x 222 minutes.
        let full = protected_time(37 * 60, &t, 300);
        assert_eq!(
            full,
            ProtectedTime {
                logged_minutes: 300,
                expected_minutes: 444,
                shortfall_minutes: 144
            }
        );
        assert_eq!(protected_time(37 * 60, &t, 500).shortfall_minutes, 0);
        let t = timeline(d(2025, 9, 1), 12, &[], d(2025, 9, 4));
        // 3 days x 1110 / 70 = 47.57 -> 47.
        assert_eq!(protected_time(1_110, &t, 0).expected_minutes, 47);
    }
}
