//! The PDR cycle and its goals as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::utc;
use crate::app::pdr::{Milestone, Pdr};
use crate::domain::pdr::{CycleMonths, GoalStatus, GoalsSummary, MilestoneKind, MilestoneState};
use crate::domain::periods::Period;
use crate::http::views::asye::ReviewSession;
use crate::store::pdr::Goal;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "mid_year",
    "month": {"starts_on": "2026-10-01", "ends_on": "2026-10-31"},
    "due_on": "2026-10-01", "state": "held",
    "session": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d10", "starts_at": "2026-10-15T10:00:00Z", "status": "held", "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d11", "record_status": "draft"}
}))]
pub struct MilestoneView {
    pub kind: MilestoneKind,
    /// The month the review is held in.
    pub month: Period,
    /// The first of the month, when it is due and reminded of (REM-2).
    pub due_on: NaiveDate,
    pub state: MilestoneState,
    /// The `pdr` session in the month (held before booked before missed), with its record.
    pub session: Option<ReviewSession>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d20",
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "title": "Lead the team's audit of child in need plans",
    "specific": "Audit ten CIN plans against the practice standards.",
    "measurable": "An audit report with findings presented at the team meeting.",
    "achievable": "Half a day a month protected for the audit.",
    "relevant": "The service plan's priority on CIN plan quality.",
    "behaviours": "Works openly with colleagues; shares learning.",
    "due_on": "2027-01-31", "status": "in_progress",
    "progress": "Six plans audited by the mid-year review.",
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "created_at": "2026-04-20T10:00:00Z", "updated_at": "2026-10-15T11:00:00Z", "version": 2
}))]
pub struct GoalView {
    pub id: String,
    pub person_id: String,
    pub title: String,
    /// What exactly is to be done.
    pub specific: String,
    /// How it will be known to be done.
    pub measurable: String,
    /// Why it can be done: the support and resources agreed.
    pub achievable: String,
    /// How it links to the role and the service's objectives.
    pub relevant: String,
    /// The behaviours that help achieve it (the how).
    pub behaviours: String,
    /// The goal is time-bound by this date, and belongs to the cycle it falls in.
    pub due_on: NaiveDate,
    pub status: GoalStatus,
    /// Notes on progress, for the reviews.
    pub progress: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

impl From<Goal> for GoalView {
    fn from(g: Goal) -> GoalView {
        GoalView {
            id: g.id,
            person_id: g.person_id,
            title: g.title,
            specific: g.specific,
            measurable: g.measurable,
            achievable: g.achievable,
            relevant: g.relevant,
            behaviours: g.behaviours,
            due_on: g.due_on,
            status: g.status,
            progress: g.progress,
            created_by: g.created_by,
            created_at: utc(g.created_at),
            updated_at: utc(g.updated_at),
            version: g.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "cycle": {"starts_on": "2026-04-01", "ends_on": "2027-03-31"},
    "months": {"goals_month": 4, "mid_year_month": 10, "year_end_month": 3},
    "milestones": [
        {"kind": "goals", "month": {"starts_on": "2026-04-01", "ends_on": "2026-04-30"}, "due_on": "2026-04-01", "state": "recorded", "session": {"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d09", "starts_at": "2026-04-20T10:00:00Z", "status": "held", "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d08", "record_status": "signed"}},
        {"kind": "mid_year", "month": {"starts_on": "2026-10-01", "ends_on": "2026-10-31"}, "due_on": "2026-10-01", "state": "overdue", "session": null},
        {"kind": "year_end", "month": {"starts_on": "2027-03-01", "ends_on": "2027-03-31"}, "due_on": "2027-03-01", "state": "upcoming", "session": null}
    ],
    "goals": [],
    "goals_summary": {"expected": 5, "agreed": 0, "achieved": 0, "short": 5},
    "complete": false
}))]
pub struct PdrView {
    pub person_id: String,
    /// From the first of the goals month to the day before the next cycle.
    pub cycle: Period,
    /// The organisation's milestone months (`PATCH /organisation`).
    pub months: CycleMonths,
    /// Goals, mid-year review and year-end review, in that order.
    pub milestones: Vec<MilestoneView>,
    /// Goals due within the cycle, by due date.
    pub goals: Vec<GoalView>,
    /// Goals against the organisation's number, pro rata for someone who started during the
    /// cycle (by `employment_start`).
    pub goals_summary: GoalsSummary,
    /// Every milestone that applies is recorded, and enough goals agreed.
    pub complete: bool,
}

impl From<Milestone> for MilestoneView {
    fn from(m: Milestone) -> MilestoneView {
        MilestoneView {
            kind: m.kind,
            month: m.month,
            due_on: m.month.starts_on,
            state: m.state,
            session: m.session.map(ReviewSession::from),
        }
    }
}

impl From<Pdr> for PdrView {
    fn from(pdr: Pdr) -> PdrView {
        PdrView {
            person_id: pdr.person_id,
            cycle: pdr.cycle,
            months: pdr.months,
            milestones: pdr
                .milestones
                .into_iter()
                .map(MilestoneView::from)
                .collect(),
            goals: pdr.goals.into_iter().map(GoalView::from).collect(),
            goals_summary: pdr.goals_summary,
            complete: pdr.complete,
        }
    }
}
