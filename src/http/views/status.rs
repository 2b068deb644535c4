//! Supervision status (FREQ-4) as the API shows it; shared by the status and reports routes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rfc3339;
use crate::app::status::{Line, Listed};
use crate::domain::people::StaffCategory;
use crate::domain::policy::Interval;
use crate::domain::scheduling::Status;

/// One supervisee's status, last held session, `due_by` and next booked session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan",
    "staff_category": "social_worker", "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "status": "at_risk", "due_by": "2026-12-08", "last_held": "2026-11-03",
    "next_booked": null, "interval": {"max_working_days": 25}, "days_since_last_held": 22,
    "working_days_left": 3
}))]
pub struct StatusView {
    pub person_id: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    /// The agreement the status follows; null when none is active (the clock then runs
    /// from the start of employment).
    pub agreement_id: Option<String>,
    /// on_track, at_risk, overdue, no_baseline (FREQ-4) or ended (a student after their
    /// placement).
    pub status: Status,
    /// The next formal session must be held on or before this date.
    #[serde(serialize_with = "rfc3339::text")]
    pub due_by: NaiveDate,
    #[serde(serialize_with = "rfc3339::text")]
    pub last_held: Option<NaiveDate>,
    #[serde(serialize_with = "rfc3339::text")]
    pub next_booked: Option<NaiveDate>,
    /// The interval in force (policy, or a more frequent override).
    pub interval: Interval,
    pub days_since_last_held: Option<i64>,
    /// Working days from today to `due_by` in the organisation's calendar (its region's
    /// holidays and closure days, CAL-3): 0 on the day, negative once it has passed.
    pub working_days_left: i32,
    /// 1:1 sessions held in the 12 months to today; only when the profile sets a yearly
    /// minimum (FREQ-3).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub held_this_year: Option<u32>,
    /// The profile's fewest sessions a year (Cafcass: 8), when it sets one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_per_year: Option<u32>,
}

impl From<Line> for StatusView {
    fn from(line: Line) -> StatusView {
        StatusView {
            person_id: line.person.id,
            display_name: line.person.display_name,
            staff_category: line.person.staff_category,
            agreement_id: line.agreement_id,
            status: line.report.status,
            due_by: line.report.due_by,
            last_held: line.report.last_held,
            next_booked: line.report.next_booked,
            interval: line.report.interval,
            days_since_last_held: line.report.days_since_last_held,
            working_days_left: line.report.working_days_left,
            held_this_year: line.yearly.map(|(held, _)| held),
            min_per_year: line.yearly.map(|(_, min)| min),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"items": [], "total": 0, "limit": 200, "offset": 0, "counts": {"on_track": 0, "at_risk": 0, "overdue": 0, "no_baseline": 0, "ended": 0}}))]
pub struct StatusList {
    pub items: Vec<StatusView>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// How many are in each status, over all pages.
    pub counts: StatusCounts,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"on_track": 12, "at_risk": 2, "overdue": 1, "no_baseline": 0, "ended": 0}))]
pub struct StatusCounts {
    pub on_track: i64,
    pub at_risk: i64,
    pub overdue: i64,
    pub no_baseline: i64,
    /// The requirement has ended (a student after their placement).
    pub ended: i64,
}

impl StatusCounts {
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> StatusCounts {
        let mut counts = StatusCounts::default();
        for status in statuses {
            match status {
                Status::OnTrack => counts.on_track += 1,
                Status::AtRisk => counts.at_risk += 1,
                Status::Overdue => counts.overdue += 1,
                Status::NoBaseline => counts.no_baseline += 1,
                Status::Ended => counts.ended += 1,
            }
        }
        counts
    }
}

impl From<Listed> for StatusList {
    fn from(listed: Listed) -> StatusList {
        StatusList {
            items: listed.items.into_iter().map(StatusView::from).collect(),
            total: listed.total,
            limit: listed.limit,
            offset: listed.offset,
            counts: StatusCounts::of(listed.statuses),
        }
    }
}
