//! Records of supervision: opening one for a held session (REC-1, REC-2).

use super::{AppError, AppResult, Code};
use crate::domain::records::{
    self, content_hash, review_of_actions_text, Content, SignedVersion, REVIEW_OF_ACTIONS,
};
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::SessionStatus;
use crate::store::organisation::CalendarSet;
use crate::store::records::{self as store, NewRecord, Record, Template};
use crate::store::sessions::Session;
use crate::store::status::zone;
use crate::store::{new_id, people, DbConnection};

/// Opens the record of a held 1:1 session on a template, with the open actions of the
/// supervisee's earlier records written into the review section (REC-1, REC-2). Returns the
/// record already open, if there is one, and whether it was opened now.
pub fn open_for_session(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    session: &Session,
    template: Option<Template>,
    author_id: &str,
) -> AppResult<(Record, bool)> {
    if let Some(existing) = store::for_session(conn, &session.id)? {
        return Ok((existing, false));
    }
    let Some(supervisee_id) = session.supervisee_id.as_deref() else {
        return Err(AppError::refuse(
            Code::GroupSession,
            "a group session is recorded with the group, not as a two-party record",
        ));
    };
    if session.status != SessionStatus::Held {
        return Err(AppError::refuse(
            Code::SessionNotHeld,
            "mark the session held before writing its record",
        ));
    }
    let template = match template {
        Some(template) => template,
        None => store::latest_template(conn, store::DEFAULT_TEMPLATE_KEY)?,
    };
    let supervisee = people::find(conn, supervisee_id)?;
    let held_on = utc_to_local_date(session.starts_at, zone(&supervisee));
    let Ok(due_by) = records::due_by(calendars.organisation(), held_on) else {
        return Err(AppError::refuse(
            Code::OutsideCalendar,
            "the session date is outside the calendar's range",
        ));
    };
    let mut content = Content::default();
    if template.sections.iter().any(|s| s.key == REVIEW_OF_ACTIONS) {
        let open = match store::previous_signed(conn, supervisee_id, held_on)? {
            Some(previous) => store::actions_of_record(conn, &previous.id)?
                .into_iter()
                .filter(|a| a.status == store::ACTION_OPEN)
                .collect(),
            None => Vec::new(),
        };
        let text = review_of_actions_text(open.iter().map(|a| (a.description.as_str(), a.due_on)));
        if !text.is_empty() {
            content.sections.insert(REVIEW_OF_ACTIONS.to_string(), text);
        }
    }
    let id = new_id();
    let hash = content_hash(&SignedVersion {
        record_id: &id,
        session_id: &session.id,
        supervisor_id: &session.supervisor_id,
        supervisee_id,
        held_on,
        template_id: &template.id,
        version: 1,
        content: &content,
    });
    let record = store::create(
        conn,
        NewRecord {
            id: &id,
            session_id: &session.id,
            supervisor_id: &session.supervisor_id,
            supervisee_id,
            template_id: &template.id,
            held_on,
            due_by,
            content: &content,
            content_hash: hash,
            author_id,
        },
    )?;
    Ok((record, true))
}
