//! Sign-off of a record (REC-4): the supervisor writes and sends, the supervisee signs or asks
//! for amendments, either records a disagreement; after the lock, addenda. Every step asks the
//! state machine in `domain::records` and runs under If-Match.

use chrono::NaiveDate;
use serde_json::json;

use super::{
    detail, find_for, hash_of, notify_about, refused, require_direct_reading, RecordDetail,
};
use crate::app::{Actor, AppError, AppResult, Code, Expected};
use crate::domain::people::organisation_today;
use crate::domain::records::{
    self, check_complete, check_content, content_hash, may_add_addendum, may_countersign, next,
    CaseReferencePattern, Content, DisagreementProposal, RecordStatus, SignedAddendum, Standing,
    Step, MAX_ADDENDUM_CHARS,
};
use crate::domain::sessions::Party;
use crate::domain::validation::{long_text, Invalid};
use crate::store::line_management as links;
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::records::{self as store, Change, Record};
use crate::store::{audit, new_id, DbConnection, StoreError};

/// A step's outcome: the record as it now is, or, when the client's version is stale, as it
/// is (for the 412's `current`) with nothing written.
pub enum Stepped {
    Done(RecordDetail),
    Stale(RecordDetail),
}

/// The party acting, or why the actor may not act on the record.
fn acting_party(standing: Standing) -> AppResult<Party> {
    standing.party().ok_or(AppError::refuse(
        Code::RecordReadOnly,
        "you may read this record but not change it",
    ))
}

/// Runs one step for the party acting, under If-Match.
fn step<F>(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    work: F,
) -> AppResult<Stepped>
where
    F: FnOnce(&mut DbConnection, &CalendarSet, &Record, Party) -> AppResult<Record>,
{
    let (record, standing) = find_for(conn, actor, id)?;
    require_direct_reading(standing)?;
    let party = acting_party(standing)?;
    let calendars = calendars.load(conn)?;
    if expected.expect(record.version) != record.version {
        return Ok(Stepped::Stale(detail(conn, &calendars, record, standing)?));
    }
    let record = work(conn, &calendars, &record, party)?;
    Ok(Stepped::Done(detail(conn, &calendars, record, standing)?))
}

/// The state after this step, or the state machine's refusal.
fn advance(record: &Record, party: Party, step: Step) -> AppResult<RecordStatus> {
    next(record.status, party, step).map_err(refused)
}

/// Field paths relative to the body: `content.sections.x`.
fn prefix(root: &str, invalid: Invalid) -> Invalid {
    let mut out = Invalid::default();
    for error in invalid.0 {
        out.push(format!("{root}.{}", error.field), error.message);
    }
    out
}

/// Text the person must write: trimmed, at most `max` characters, not empty.
fn required_text(field: &str, text: &str, max: usize, missing: &str) -> Result<String, Invalid> {
    let text = long_text(field, text, max)?;
    if text.is_empty() {
        return Err(Invalid::field(field, missing));
    }
    Ok(text)
}

/// The step's event and audit entry, under the same action name.
fn log(
    conn: &mut DbConnection,
    actor: &Actor,
    record: &Record,
    action: &str,
    version_number: Option<i32>,
    comment: Option<&str>,
    details: serde_json::Value,
) -> AppResult<()> {
    store::add_event(
        conn,
        &record.id,
        action,
        version_number,
        &actor.person_id,
        comment,
        None,
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        &format!("record.{action}"),
        "record",
        Some(&record.id),
        details,
    )?;
    Ok(())
}

/// A new version of the record's content.
pub struct Edit {
    /// Another template version (before the record is signed).
    pub template_id: Option<String>,
    pub content: Content,
}

/// Writes a new version (the supervisor, until it is signed). Editing a record sent for
/// signature takes it back to draft, so the supervisee only signs what they were sent; case
/// discussions name cases only in the organisation's reference format (REC-3).
pub fn edit(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    edit: Edit,
) -> AppResult<Stepped> {
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, calendars, record, party| {
            let status = advance(record, party, Step::Edit)?;
            let template = store::template(
                conn,
                edit.template_id.as_deref().unwrap_or(&record.template_id),
            )?;
            // The pattern is checked when the settings are saved: failing here is a broken store.
            let pattern: CaseReferencePattern =
                calendars
                    .settings
                    .case_reference_pattern
                    .parse()
                    .map_err(|e: String| AppError::Store(StoreError::Conflict(e)))?;
            let content = check_content(edit.content, &template.sections, &pattern)
                .map_err(|invalid| prefix("content", invalid))?;
            let number = record.current_version + 1;
            let hash = hash_of(record, &template.id, number, &content);
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    new_version: Some((&template.id, &content, hash)),
                    ..Change::default()
                },
                &actor.person_id,
            )?;
            let details = json!({"version_number": number});
            log(conn, actor, record, "edited", Some(number), None, details)?;
            Ok(updated)
        },
    )
}

/// Sends the record to the supervisee for signature (the supervisor; sending is their
/// signature). The first send, on `today`, settles whether it was late (REC-5); the supervisee
/// is notified.
pub fn send(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
    expected: Expected,
) -> AppResult<Stepped> {
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, _, record, party| {
            let status = advance(record, party, Step::Send)?;
            let current = store::version(conn, &record.id, record.current_version)?;
            check_complete(&current.content).map_err(|invalid| prefix("content", invalid))?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    sent_on: Some(today),
                    ..Change::default()
                },
                &actor.person_id,
            )?;
            let number = record.current_version;
            let details = json!({"version_number": number});
            log(conn, actor, record, "sent", Some(number), None, details)?;
            notify_about(
                conn,
                &record.supervisee_id,
                record,
                "record_awaiting_signature",
                "A supervision record is ready to sign",
                &format!(
                    "Your supervisor sent the record of your session on {}.",
                    record.held_on
                ),
            )?;
            Ok(updated)
        },
    )
}

/// Signs the record as sent (the supervisee). Signed by both, it is locked: its hash is
/// stored, its actions are tracked, and only addenda follow.
pub fn sign(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
) -> AppResult<Stepped> {
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, _, record, party| {
            let status = advance(record, party, Step::Sign)?;
            let signed = store::version(conn, &record.id, record.current_version)?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    signed: Some((signed.number, signed.content_hash.clone())),
                    ..Change::default()
                },
                &actor.person_id,
            )?;
            store::track_actions(conn, &updated, &signed.content.actions)?;
            let details =
                json!({"version_number": signed.number, "content_hash": signed.content_hash});
            log(
                conn,
                actor,
                record,
                "signed",
                Some(signed.number),
                None,
                details,
            )?;
            notify_about(
                conn,
                &record.supervisor_id,
                record,
                "record_signed",
                "A supervision record is signed",
                &format!(
                    "The record of the session on {} is signed by both of you.",
                    record.held_on
                ),
            )?;
            Ok(updated)
        },
    )
}

/// Asks for amendments (the supervisee), saying what should change (1 to 2,000 characters);
/// the supervisor is notified.
pub fn request_amendments(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    comment: &str,
) -> AppResult<Stepped> {
    let comment = required_text("comment", comment, 2_000, "say what should change")?;
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, _, record, party| {
            let status = advance(record, party, Step::RequestAmendments)?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change {
                    status: Some(status),
                    ..Change::default()
                },
                &actor.person_id,
            )?;
            let number = record.current_version;
            let details = json!({"version_number": number});
            let comment = Some(comment.as_str());
            log(
                conn,
                actor,
                record,
                "amendments_requested",
                Some(number),
                comment,
                details,
            )?;
            notify_about(
                conn,
                &record.supervisor_id,
                record,
                "record_amendments_requested",
                "Amendments asked for",
                &format!(
                    "Your supervisee asked for changes to the record of {}.",
                    record.held_on
                ),
            )?;
            Ok(updated)
        },
    )
}

/// What a party disputes, and how to settle it.
pub struct Disagreement {
    /// 1 to 2,000 characters.
    pub comment: String,
    pub proposal: DisagreementProposal,
}

/// Records a disagreement (either party, at any stage), to be resolved between the two or
/// escalated to the supervisor's line manager, who is notified (REC-4). The content does not
/// change, so no If-Match.
pub fn disagree(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    disagreement: Disagreement,
) -> AppResult<RecordDetail> {
    let Disagreement { comment, proposal } = disagreement;
    let comment = required_text("comment", &comment, 2_000, "say what is disputed")?;
    let (record, standing) = find_for(conn, actor, id)?;
    require_direct_reading(standing)?;
    acting_party(standing)?;
    store::add_event(
        conn,
        &record.id,
        "disagreement",
        Some(record.current_version),
        &actor.person_id,
        Some(&comment),
        Some(proposal.as_str()),
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "record.disagreement",
        "record",
        Some(&record.id),
        json!({"proposal": proposal}),
    )?;
    if proposal == DisagreementProposal::Escalate {
        if let Some(manager) = links::manager_on(conn, &record.supervisor_id, organisation_today())?
        {
            notify_about(
                conn,
                &manager,
                &record,
                "record_disagreement_escalated",
                "A supervision disagreement was escalated",
                &format!(
                    "A disagreement about the record of {} was escalated to you.",
                    record.held_on
                ),
            )?;
        }
    }
    let calendars = calendars.load(conn)?;
    detail(conn, &calendars, record, standing)
}

/// Adds an addendum to a signed record (either party; writing it is the author's signature).
/// The other party is notified and countersigns.
pub fn add_addendum(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    text: &str,
) -> AppResult<Stepped> {
    let text = required_text("text", text, MAX_ADDENDUM_CHARS, "must not be empty")?;
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, _, record, party| {
            may_add_addendum(record.status)
                .map_err(|refusal| AppError::refuse(Code::RecordNotSigned, refusal.message()))?;
            let addendum_id = new_id();
            let hash = content_hash(&SignedAddendum {
                record_id: &record.id,
                addendum_id: &addendum_id,
                author_id: &actor.person_id,
                text: &text,
            });
            store::add_addendum(
                conn,
                &addendum_id,
                &record.id,
                &actor.person_id,
                &text,
                &hash,
            )?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change::default(),
                &actor.person_id,
            )?;
            let details = json!({"addendum_id": addendum_id, "content_hash": hash});
            log(conn, actor, record, "addendum_added", None, None, details)?;
            let other = match party {
                Party::Supervisor => &record.supervisee_id,
                Party::Supervisee => &record.supervisor_id,
            };
            notify_about(
                conn,
                other,
                record,
                "record_addendum",
                "An addendum to countersign",
                &format!("An addendum was added to the record of {}.", record.held_on),
            )?;
            Ok(updated)
        },
    )
}

/// Countersigns an addendum (the party who did not write it), once.
pub fn countersign(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    addendum_id: &str,
) -> AppResult<Stepped> {
    step(
        conn,
        actor,
        calendars,
        id,
        expected,
        |conn, _, record, party| {
            let addendum = store::addendum(conn, &record.id, addendum_id)?;
            let author = if addendum.author_id == record.supervisor_id {
                Party::Supervisor
            } else {
                Party::Supervisee
            };
            may_countersign(author, party, addendum.countersigned_at.is_some()).map_err(
                |refusal| match refusal {
                    records::Refusal::Locked => AppError::refuse(
                        Code::AlreadyCountersigned,
                        "the addendum is already countersigned",
                    ),
                    other => refused(other),
                },
            )?;
            store::countersign(conn, &record.id, addendum_id, &actor.person_id)?;
            let updated = store::update(
                conn,
                record,
                record.version,
                Change::default(),
                &actor.person_id,
            )?;
            let details = json!({"addendum_id": addendum_id});
            log(
                conn,
                actor,
                record,
                "addendum_countersigned",
                None,
                None,
                details,
            )?;
            Ok(updated)
        },
    )
}
