//! The ASYE year as the API shows it; review sessions are shared with the PDR.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::utc;
use crate::app::asye::{Asye, Review, ReviewState};
use crate::domain::asye::{Checklist, EvidenceKind, ProtectedTime, Timeline};
use crate::domain::records::RecordStatus;
use crate::domain::sessions::SessionStatus;
use crate::store::asye::{Evidence, StoredPause};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c10", "starts_at": "2027-03-04T10:00:00Z", "status": "scheduled", "record_id": null, "record_status": null}))]
pub struct ReviewSession {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    pub status: SessionStatus,
    /// The review's record, once the session is held.
    pub record_id: Option<String>,
    pub record_status: Option<RecordStatus>,
}

/// A review's session with its record, for the ASYE's and the PDR's review points.
impl From<Review> for ReviewSession {
    fn from(review: Review) -> ReviewSession {
        ReviewSession {
            starts_at: utc(review.session.starts_at),
            status: review.session.status,
            record_id: review.record_id,
            record_status: review.record_status,
            id: review.session.id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"month": 3, "optional": false, "due_on": "2026-12-01", "session": null}))]
pub struct ReviewView {
    pub month: u32,
    /// The 9-month review is optional.
    pub optional: bool,
    pub due_on: NaiveDate,
    /// The `asye_review` session nearest the due date (within six weeks), if booked.
    pub session: Option<ReviewSession>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c20", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "reason": "Sick leave"}))]
pub struct PauseView {
    pub id: String,
    pub starts_on: NaiveDate,
    /// None while still paused.
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
}

impl From<StoredPause> for PauseView {
    fn from(p: StoredPause) -> PauseView {
        PauseView {
            id: p.id,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            reason: p.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4c30", "kind": "service_user_feedback", "title": "Feedback from a parent after the CIN review", "received_on": "2026-11-02", "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "created_at": "2026-11-02T12:00:00Z"}))]
pub struct EvidenceView {
    pub id: String,
    pub kind: EvidenceKind,
    pub title: String,
    pub received_on: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> EvidenceView {
        EvidenceView {
            id: e.id,
            kind: e.kind,
            title: e.title,
            received_on: e.received_on,
            created_by: e.created_by,
            created_at: utc(e.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "asye_start": "2026-09-01",
    "programme_months": 12, "weekly_minutes": 2220, "version": 0,
    "timeline": {"starts_on": "2026-09-01", "programme_months": 12, "paused_days": 0, "paused_now": false, "expected_end": "2027-09-01", "reviews": [], "days_in_programme": 85},
    "reviews": [{"month": 3, "optional": false, "due_on": "2026-12-01", "session": null}],
    "pauses": [], "evidence": [],
    "checklist": {"direct_observations": {"required": 3, "done": 1, "complete": false}, "service_user_feedback": {"required": 3, "done": 0, "complete": false}, "professional_feedback": {"required": 3, "done": 0, "complete": false}, "critical_reflection_6": {"required": 1, "done": 0, "complete": false}, "critical_reflection_12": {"required": 1, "done": 0, "complete": false}, "complete": false},
    "protected_time": {"logged_minutes": 600, "expected_minutes": 2698, "shortfall_minutes": 2098}
}))]
pub struct AsyeView {
    pub person_id: String,
    pub asye_start: NaiveDate,
    pub programme_months: i32,
    /// Contracted minutes a week, for the 10 % of protected time.
    pub weekly_minutes: i32,
    /// Version of the programme settings (0 while the defaults apply); the ETag.
    pub version: i32,
    pub timeline: Timeline,
    pub reviews: Vec<ReviewView>,
    pub pauses: Vec<PauseView>,
    pub evidence: Vec<EvidenceView>,
    pub checklist: Checklist,
    pub protected_time: ProtectedTime,
}

impl From<ReviewState> for ReviewView {
    fn from(review: ReviewState) -> ReviewView {
        ReviewView {
            month: review.point.month,
            optional: review.point.optional,
            due_on: review.point.due_on,
            session: review.session.map(ReviewSession::from),
        }
    }
}

impl From<Asye> for AsyeView {
    fn from(asye: Asye) -> AsyeView {
        AsyeView {
            person_id: asye.person_id,
            asye_start: asye.asye_start,
            programme_months: asye.programme_months,
            weekly_minutes: asye.weekly_minutes,
            version: asye.version,
            timeline: asye.timeline,
            reviews: asye.reviews.into_iter().map(ReviewView::from).collect(),
            pauses: asye.pauses.into_iter().map(PauseView::from).collect(),
            evidence: asye.evidence.into_iter().map(EvidenceView::from).collect(),
            checklist: asye.checklist,
            protected_time: asye.protected_time,
        }
    }
}
