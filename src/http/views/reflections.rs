//! Reflective log entries as the API shows them; shared by the reflections routes and the
//! printable export (`http::print`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::utc;
use crate::app::reflections::EntryState;
use crate::domain::reflection::CpdRecord;
use crate::store::reflections::Comment;

/// `draft` while writing; `complete` needs every required section of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Draft,
    Complete,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Complete => "complete",
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4b10",
    "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "entry_date": "2026-11-20", "title": "A hard home visit", "model": "gibbs",
    "sections": {"description": "Visit to a family under a CP plan.", "feelings": "Anxious at first."},
    "status": "draft", "tags": ["pcf-5", "risk"],
    "session_id": null, "observation_id": null, "case_reference": "CH-204518",
    "cpd": null, "shared_with": ["019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"], "comments": [],
    "created_at": "2026-11-20T18:00:00Z", "updated_at": "2026-11-20T18:05:00Z", "version": 2
}))]
pub struct EntryView {
    pub id: String,
    pub author_id: String,
    pub entry_date: NaiveDate,
    pub title: String,
    /// The id of a model from `/reflection-models`.
    pub model: String,
    /// Section key to text.
    pub sections: BTreeMap<String, String>,
    pub status: EntryStatus,
    pub tags: Vec<String>,
    pub session_id: Option<String>,
    pub observation_id: Option<String>,
    pub case_reference: Option<String>,
    /// Present when the entry is a CPD record (REF-3).
    pub cpd: Option<CpdRecord>,
    /// Supervisors it is shared with (the author sees all; a supervisor sees themselves).
    pub shared_with: Vec<String>,
    pub comments: Vec<CommentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4b20", "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "text": "Good analysis; bring this to supervision.", "created_at": "2026-11-21T09:00:00Z"
}))]
pub struct CommentView {
    pub id: String,
    pub author_id: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<Comment> for CommentView {
    fn from(c: Comment) -> CommentView {
        CommentView {
            id: c.id,
            author_id: c.author_id,
            text: c.text,
            created_at: utc(c.created_at),
        }
    }
}

impl From<EntryState> for EntryView {
    fn from(state: EntryState) -> EntryView {
        let entry = state.entry;
        EntryView {
            status: if entry.status == EntryStatus::Complete.as_str() {
                EntryStatus::Complete
            } else {
                EntryStatus::Draft
            },
            id: entry.id,
            author_id: entry.author_id,
            entry_date: entry.entry_date,
            title: entry.title,
            model: entry.model,
            sections: entry.sections,
            tags: entry.tags,
            session_id: entry.session_id,
            observation_id: entry.observation_id,
            case_reference: entry.case_reference,
            cpd: entry.cpd,
            shared_with: state.shared_with,
            comments: state.comments.into_iter().map(CommentView::from).collect(),
            created_at: utc(entry.created_at),
            updated_at: utc(entry.updated_at),
            version: entry.version,
        }
    }
}
