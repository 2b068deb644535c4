//! Agreements and their plans as the API shows them; the weekday is shared with the groups
//! routes.

use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::utc;
use crate::app::agreements::Plan;
use crate::domain::people::organisation_today;
use crate::domain::policy::Interval;
use crate::domain::sessions::{AgreementKind, AgreementStatus};
use crate::http::views::sessions::SessionView;
use crate::store::agreements::Agreement;

/// A weekday for the usual slot (sessions are held on working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
}

impl From<WeekdayName> for Weekday {
    fn from(day: WeekdayName) -> Weekday {
        match day {
            WeekdayName::Monday => Weekday::Mon,
            WeekdayName::Tuesday => Weekday::Tue,
            WeekdayName::Wednesday => Weekday::Wed,
            WeekdayName::Thursday => Weekday::Thu,
            WeekdayName::Friday => Weekday::Fri,
        }
    }
}

impl WeekdayName {
    fn from_weekday(day: Weekday) -> WeekdayName {
        match day {
            Weekday::Mon => WeekdayName::Monday,
            Weekday::Tue => WeekdayName::Tuesday,
            Weekday::Wed => WeekdayName::Wednesday,
            Weekday::Thu => WeekdayName::Thursday,
            // Stored agreements only ever hold Monday to Friday.
            Weekday::Fri | Weekday::Sat | Weekday::Sun => WeekdayName::Friday,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "kind": "line_management",
    "frequency": {"every_months": 1},
    "session_minutes": 90,
    "usual_weekday": "thursday",
    "usual_time": "10:00",
    "place": "Room 2, Shire Hall, or Teams",
    "agenda": "Case review, wellbeing, learning and development",
    "starts_on": "2026-12-01",
    "ends_on": null,
    "supervisor_signed_at": "2026-11-25T10:00:00Z",
    "supervisee_signed_at": null,
    "status": "awaiting_signatures",
    "end_reason": null,
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "created_at": "2026-11-25T10:00:00Z",
    "version": 2
}))]
pub struct AgreementView {
    pub id: String,
    pub supervisee_id: String,
    pub supervisor_id: String,
    pub kind: AgreementKind,
    /// How often the two meet; never less often than the policy requires.
    pub frequency: Interval,
    pub session_minutes: i32,
    pub usual_weekday: WeekdayName,
    /// Local time in the supervisee's time zone, HH:MM.
    pub usual_time: String,
    pub place: String,
    pub agenda: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub supervisor_signed_at: Option<DateTime<Utc>>,
    pub supervisee_signed_at: Option<DateTime<Utc>>,
    pub status: AgreementStatus,
    pub end_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<Agreement> for AgreementView {
    fn from(a: Agreement) -> AgreementView {
        AgreementView {
            status: a.status(organisation_today()),
            id: a.id,
            supervisee_id: a.supervisee_id,
            supervisor_id: a.supervisor_id,
            kind: a.kind,
            frequency: a.frequency,
            session_minutes: a.session_minutes,
            usual_weekday: WeekdayName::from_weekday(a.usual_weekday),
            usual_time: a.usual_time.format("%H:%M").to_string(),
            place: a.place,
            agenda: a.agenda,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            supervisor_signed_at: a.supervisor_signed_at.map(utc),
            supervisee_signed_at: a.supervisee_signed_at.map(utc),
            end_reason: a.end_reason,
            created_by: a.created_by,
            created_at: utc(a.created_at),
            version: a.version,
        }
    }
}

/// One session of a plan.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2026-12-03", "starts_at": "2026-12-03T10:00:00Z", "duration_minutes": 90, "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"}))]
pub struct PlannedSession {
    /// Local date in the supervisee's time zone.
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub agreement_id: String,
    pub supervisor_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "from": "2026-12-01", "until": "2027-11-30",
    "policy": {"max_working_days": 25},
    "sessions": [{"date": "2026-12-03", "starts_at": "2026-12-03T10:00:00Z", "duration_minutes": 90, "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"}]
}))]
pub struct PlanView {
    pub agreement_id: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The policy's interval for the supervisee at the start of the plan.
    pub policy: Interval,
    pub sessions: Vec<PlannedSession>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "sessions": []}))]
pub struct SavedPlan {
    pub agreement_id: String,
    pub sessions: Vec<SessionView>,
}

impl From<Plan> for PlanView {
    fn from(plan: Plan) -> PlanView {
        PlanView {
            agreement_id: plan.agreement_id,
            from: plan.from,
            until: plan.until,
            policy: plan.policy,
            sessions: plan
                .sessions
                .into_iter()
                .map(|s| PlannedSession {
                    date: s.date,
                    starts_at: utc(s.starts_at),
                    duration_minutes: s.duration_minutes,
                    agreement_id: s.agreement_id,
                    supervisor_id: s.supervisor_id,
                })
                .collect(),
        }
    }
}
