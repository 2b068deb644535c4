//! Sessions as the API shows them; shared by the sessions, agreements and groups routes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{rfc3339, utc};
use crate::domain::sessions::{SessionKind, SessionStatus};
use crate::store::sessions::{Change, Session};

/// One entry of a session's history (SES-3: who, when, from, to, why, who confirmed).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f91", "action": "proposed", "state": "pending",
    "from_starts_at": "2026-12-03T10:00:00Z", "to_starts_at": "2026-12-10T10:00:00Z",
    "reason": "annual_leave", "reason_text": null, "due_by": "2026-12-08",
    "needs_manager": true, "breach": false,
    "actor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "acted_at": "2026-11-25T10:00:00Z",
    "decided_by": null, "decided_at": null, "justification": null, "comment": null
}))]
pub struct ChangeView {
    pub id: String,
    /// booked, moved, proposed, cancelled, held or missed.
    pub action: String,
    /// done; for proposals pending, confirmed or rejected.
    pub state: String,
    /// When the session was planned for before this change: a move's old time, or the time
    /// of the session cancelled, held or missed.
    #[serde(serialize_with = "rfc3339::text")]
    pub from_starts_at: Option<DateTime<Utc>>,
    /// A move's new time, or a cancelled session's replacement.
    #[serde(serialize_with = "rfc3339::text")]
    pub to_starts_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    /// The limit the move was judged against.
    #[serde(serialize_with = "rfc3339::text")]
    pub due_by: Option<NaiveDate>,
    /// The move lands after `due_by`: a manager above the supervisor must confirm.
    pub needs_manager: bool,
    /// Confirmed beyond the limit: reported as a breach.
    pub breach: bool,
    pub actor_id: String,
    #[serde(serialize_with = "rfc3339::text")]
    pub acted_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "rfc3339::text")]
    pub decided_at: Option<DateTime<Utc>>,
    pub justification: Option<String>,
    pub comment: Option<String>,
}

impl From<Change> for ChangeView {
    fn from(c: Change) -> ChangeView {
        ChangeView {
            id: c.id,
            action: c.action,
            state: c.state,
            from_starts_at: c.from_starts_at.map(utc),
            to_starts_at: c.to_starts_at.map(utc),
            reason: c.reason,
            reason_text: c.reason_text,
            due_by: c.due_by,
            needs_manager: c.needs_manager,
            breach: c.breach,
            actor_id: c.actor_id,
            acted_at: utc(c.acted_at),
            decided_by: c.decided_by,
            decided_at: c.decided_at.map(utc),
            justification: c.justification,
            comment: c.comment,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90",
    "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "team_id": null,
    "kind": "one_to_one",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "starts_at": "2026-12-03T10:00:00Z", "ends_at": "2026-12-03T11:30:00Z",
    "duration_minutes": 90, "place": "Room 2, Shire Hall", "status": "scheduled",
    "replaces_id": null, "pending_change": null, "recorded_after_the_fact": false,
    "version": 1, "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z"
}))]
pub struct SessionView {
    pub id: String,
    pub agreement_id: Option<String>,
    pub team_id: Option<String>,
    pub kind: SessionKind,
    pub supervisor_id: String,
    pub supervisee_id: Option<String>,
    #[serde(serialize_with = "rfc3339::text")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339::text")]
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: String,
    pub status: SessionStatus,
    /// The cancelled session this one replaces (SES-4).
    pub replaces_id: Option<String>,
    /// A proposed move waiting for a decision.
    pub pending_change: Option<ChangeView>,
    /// Entered later as history: held before the service was used for it (SES-6).
    pub recorded_after_the_fact: bool,
    /// Also the ETag; send it as If-Match to change the session.
    pub version: i32,
    #[serde(serialize_with = "rfc3339::text")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339::text")]
    pub updated_at: DateTime<Utc>,
}

impl SessionView {
    pub fn from_session(s: Session, pending: Option<Change>) -> SessionView {
        let starts_at = utc(s.starts_at);
        SessionView {
            ends_at: starts_at + chrono::Duration::minutes(i64::from(s.duration_minutes)),
            starts_at,
            id: s.id,
            agreement_id: s.agreement_id,
            team_id: s.team_id,
            kind: s.kind,
            supervisor_id: s.supervisor_id,
            supervisee_id: s.supervisee_id,
            duration_minutes: s.duration_minutes,
            place: s.place,
            status: s.status,
            replaces_id: s.replaces_id,
            pending_change: pending.map(ChangeView::from),
            recorded_after_the_fact: s.recorded_after_the_fact,
            version: s.version,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        }
    }
}
