//! Record actions and templates as the API shows them; shared by the records, actions and
//! templates routes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::utc;
use crate::domain::people::organisation_today;
use crate::domain::records::{ActionOwner, TemplateSection};
use crate::store::records::{Template, TrackedAction, ACTION_OPEN};

/// An action tracked across records (REC-2).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fb0",
    "record_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4fa0",
    "description": "Book the Signs of Safety refresher", "owner": "supervisee",
    "owner_person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "owner_name": null,
    "due_on": "2026-12-18", "status": "open", "overdue": false, "done_at": null, "done_by": null
}))]
pub struct ActionView {
    pub id: String,
    pub record_id: String,
    pub description: String,
    pub owner: ActionOwner,
    /// The person who owns it, when they use the service.
    pub owner_person_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
    /// `open` or `done`.
    pub status: String,
    pub overdue: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
}

impl From<TrackedAction> for ActionView {
    fn from(a: TrackedAction) -> ActionView {
        ActionView {
            overdue: a.status == ACTION_OPEN && a.due_on < organisation_today(),
            id: a.id,
            record_id: a.record_id,
            description: a.description,
            owner: a.owner_kind,
            owner_person_id: a.owner_person_id,
            owner_name: a.owner_name,
            due_on: a.due_on,
            status: a.status,
            done_at: a.done_at.map(utc),
            done_by: a.done_by,
        }
    }
}

/// One version of a record template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10", "key": "default", "version": 1,
    "name": "Supervision record (pro-forma)",
    "sections": [{"key": "issues_discussed", "title": "Issues discussed and agreed goals", "guidance": "What was discussed and what was agreed.", "functions": ["management", "support"]}],
    "created_at": "2026-11-25T09:00:00Z"
}))]
pub struct TemplateView {
    pub id: String,
    /// Versions of one template share a key.
    pub key: String,
    pub version: i32,
    pub name: String,
    pub sections: Vec<TemplateSection>,
    pub created_at: DateTime<Utc>,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> TemplateView {
        TemplateView {
            id: t.id,
            key: t.key,
            version: t.version,
            name: t.name,
            sections: t.sections,
            created_at: utc(t.created_at),
        }
    }
}
