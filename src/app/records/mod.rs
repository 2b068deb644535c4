//! Records of supervision: opening one for a held session (REC-1, REC-2), reading it (its
//! parties and their successors directly, anyone above only with a stated reason: ACC-2..ACC-5),
//! lists with lateness (REC-5) and the printable signed copy. The sign-off steps (REC-4) are
//! in [`signoff`]. The rules are in `domain::records`: the standing a relation gives, the
//! sign-off state machine, lateness; this module loads, authorises, writes and audits.

pub mod signoff;

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code};
use crate::domain::people::organisation_today;
use crate::domain::records::{
    self, content_hash, lateness, review_of_actions_text, AccessReason, Content, Lateness,
    RecordStatus, Relation, SignedVersion, Standing, REVIEW_OF_ACTIONS,
};
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::{Party, SessionStatus};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::line_management as links;
use crate::store::notifications::{self, NewNotification};
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::records::{
    self as store, Access, Addendum, Event, NewRecord, Record, Template, TrackedAction, Version,
};
use crate::store::sessions::{self, Session};
use crate::store::status::zone;
use crate::store::{audit, new_id, people, DbConnection, Page, StoreError, StoreResult};

/// A record with how late it is (REC-5), as lists show it.
pub struct RecordState {
    pub record: Record,
    pub late: Lateness,
}

impl RecordState {
    fn new(record: Record, calendars: &CalendarSet) -> RecordState {
        let late = lateness(
            calendars.organisation(),
            record.due_by,
            record.first_sent_on,
            organisation_today(),
        );
        RecordState { record, late }
    }
}

/// A read by someone other than the two parties, with its reason (ACC-2).
pub struct ThirdPartyRead {
    pub access: Access,
    pub reason: AccessReason,
}

impl TryFrom<Access> for ThirdPartyRead {
    type Error = StoreError;

    fn try_from(access: Access) -> StoreResult<ThirdPartyRead> {
        Ok(ThirdPartyRead {
            reason: access.reason.parse().map_err(|_| StoreError::NotFound)?,
            access,
        })
    }
}

/// A record in full, as someone with this standing sees it.
pub struct RecordDetail {
    pub state: RecordState,
    pub standing: Standing,
    /// The template of the current version.
    pub template: Template,
    pub current: Version,
    /// Open actions from the supervisee's other signed records (REC-2).
    pub carried_actions: Vec<TrackedAction>,
    /// This record's actions as tracked since it was signed.
    pub actions: Vec<TrackedAction>,
    pub addenda: Vec<Addendum>,
    pub timeline: Vec<Event>,
    /// Shown to the parties only (ACC-2).
    pub third_party_reads: Vec<ThirdPartyRead>,
}

fn detail(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    record: Record,
    standing: Standing,
) -> AppResult<RecordDetail> {
    let current = store::version(conn, &record.id, record.current_version)?;
    let template = store::template(conn, &current.template_id)?;
    let carried_actions =
        store::open_actions_of_supervisee(conn, &record.supervisee_id, &record.id)?;
    let third_party_reads = if standing.is_party() {
        store::accesses(conn, &record.id)?
            .into_iter()
            .map(ThirdPartyRead::try_from)
            .collect::<StoreResult<_>>()?
    } else {
        Vec::new()
    };
    Ok(RecordDetail {
        standing,
        template,
        current,
        carried_actions,
        actions: store::actions_of_record(conn, &record.id)?,
        addenda: store::addenda(conn, &record.id)?,
        timeline: store::events(conn, &record.id)?,
        third_party_reads,
        state: RecordState::new(record, calendars),
    })
}

// ---- Who may do what ----

/// The actor's standing to a record today (ACC-2, ACC-3).
fn standing_of(
    conn: &mut DbConnection,
    actor: &Actor,
    record: &Record,
) -> StoreResult<Option<Standing>> {
    if actor.is(&record.supervisee_id) {
        return Ok(Some(Standing::Supervisee));
    }
    let today = organisation_today();
    let line_manager = links::manager_on(conn, &record.supervisee_id, today)?;
    let oversight = actor.is_admin
        || actor.is_auditor
        || links::is_above(conn, &actor.person_id, &record.supervisor_id, today)?
        || links::is_above(conn, &actor.person_id, &record.supervisee_id, today)?;
    Ok(records::standing(Relation {
        is_supervisor: actor.is(&record.supervisor_id),
        is_supervisee: false,
        supervisor_still_supervises: visibility::supervises_on(
            conn,
            &record.supervisor_id,
            &record.supervisee_id,
            today,
        )?,
        // ACC-3: the person's line manager from the date of the change.
        caller_supervises_supervisee: line_manager.as_deref() == Some(actor.person_id.as_str()),
        oversight,
    }))
}

/// The record and the actor's standing; a stranger gets not found whether or not it exists
/// (ACC-5).
fn find_for(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<(Record, Standing)> {
    let record = store::find(conn, id)?;
    match standing_of(conn, actor, &record)? {
        Some(standing) => Ok((record, standing)),
        None => Err(AppError::NotFound),
    }
}

/// ACC-2: a manager above, an auditor or an administrator reads only with a stated reason.
fn require_direct_reading(standing: Standing) -> AppResult<()> {
    if standing.reads_directly() {
        Ok(())
    } else {
        Err(AppError::refuse(
            Code::AccessReasonRequired,
            "reading this record needs an access request with a reason (POST .../access)",
        ))
    }
}

/// The record for someone who reads it without a reason: its parties, its writer and the
/// supervisee's line manager. A read by the line manager who did not write it is logged
/// (ACC-4); a third party is told to make an access request.
fn find_readable(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<(Record, Standing)> {
    let (record, standing) = find_for(conn, actor, id)?;
    require_direct_reading(standing)?;
    if !standing.is_party() {
        audit::record(
            conn,
            &actor.for_audit(),
            "record.read",
            "record",
            Some(&record.id),
            json!({"standing": standing}),
        )?;
    }
    Ok((record, standing))
}

/// The sign-off state machine's refusal as the application's.
fn refused(refusal: records::Refusal) -> AppError {
    let code = match refusal {
        records::Refusal::NotYourStep => Code::NotYourStep,
        records::Refusal::Locked => Code::RecordLocked,
        records::Refusal::NotNow(_) => Code::StepNotNow,
    };
    AppError::refuse(code, refusal.message())
}

/// The hash of one version of the record's content, over its identity and parties.
fn hash_of(record: &Record, template_id: &str, number: i32, content: &Content) -> String {
    content_hash(&SignedVersion {
        record_id: &record.id,
        session_id: &record.session_id,
        supervisor_id: &record.supervisor_id,
        supervisee_id: &record.supervisee_id,
        held_on: record.held_on,
        template_id,
        version: number,
        content,
    })
}

fn notify_about(
    conn: &mut DbConnection,
    person_id: &str,
    record: &Record,
    kind: &str,
    title: &str,
    body: &str,
) -> StoreResult<()> {
    notifications::notify(
        conn,
        NewNotification {
            person_id,
            kind,
            title,
            body,
            link: &format!("/records/{}", record.id),
            subject_type: "record",
            subject_id: &record.id,
        },
    )
}

// ---- Opening a record ----

/// Opens the record of a held session on a template, or the newest default one (its
/// supervisor; the other party and those above learn they may not, anyone else that there is
/// no such session). Returns the record already open, if there is one, and whether it was
/// opened now.
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    session_id: &str,
    template_id: Option<&str>,
) -> AppResult<(RecordDetail, bool)> {
    let session = sessions::find(conn, session_id)?;
    if !actor.is(&session.supervisor_id) {
        let party = session.supervisee_id.as_deref() == Some(actor.person_id.as_str());
        return Err(
            if party || visibility::may_see(conn, actor, &session.supervisor_id)? {
                AppError::refuse(Code::SupervisorOnly, "the supervisor opens the record")
            } else {
                AppError::NotFound
            },
        );
    }
    let template = template_id
        .map(|id| store::template(conn, id))
        .transpose()?;
    let calendars = calendars.load(conn)?;
    let (record, created) =
        open_for_session(conn, &calendars, &session, template, &actor.person_id)?;
    if created {
        audit::record(
            conn,
            &actor.for_audit(),
            "record.opened",
            "record",
            Some(&record.id),
            json!({"session_id": session.id, "template_id": record.template_id}),
        )?;
    }
    Ok((
        detail(conn, &calendars, record, Standing::Supervisor)?,
        created,
    ))
}

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

// ---- Reading ----

/// A record in full, for those who read it without a reason (ACC-2, ACC-3); a read by anyone
/// but the parties is logged in the same transaction.
pub fn get(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
) -> AppResult<RecordDetail> {
    let (record, standing) = find_readable(conn, actor, id)?;
    let calendars = calendars.load(conn)?;
    detail(conn, &calendars, record, standing)
}

/// The record of a session, as [`get`].
pub fn of_session(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    session_id: &str,
) -> AppResult<RecordDetail> {
    let record = store::for_session(conn, session_id)?.ok_or(AppError::NotFound)?;
    get(conn, actor, calendars, &record.id)
}

/// Every version of the record, oldest first (REC-4: every version is kept).
pub fn versions(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<(Record, Vec<Version>)> {
    let (record, _) = find_readable(conn, actor, id)?;
    let versions = store::versions(conn, &record.id)?;
    Ok((record, versions))
}

/// One version of the record.
pub fn version(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    number: i32,
) -> AppResult<(Record, Version)> {
    let (record, _) = find_readable(conn, actor, id)?;
    let version = store::version(conn, &record.id, number)?;
    Ok((record, version))
}

/// What a printed copy of a signed record shows.
pub struct Printout {
    pub record: Record,
    pub supervisor: String,
    pub supervisee: String,
    pub template: Template,
    pub signed: Version,
    pub events: Vec<Event>,
    pub addenda: Vec<Addendum>,
}

/// A signed record for printing. The inner refusal (not signed by both yet) keeps the read
/// logged, as the read happened; only the outer error rolls the transaction back.
pub fn printout(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<AppResult<Printout>> {
    let (record, _) = find_readable(conn, actor, id)?;
    let Some(signed_number) = record.signed_version else {
        return Ok(Err(AppError::refuse(
            Code::RecordNotSigned,
            "only a record signed by both can be printed",
        )));
    };
    let signed = store::version(conn, &record.id, signed_number)?;
    Ok(Ok(Printout {
        template: store::template(conn, &signed.template_id)?,
        supervisor: people::find(conn, &record.supervisor_id)?.display_name,
        supervisee: people::find(conn, &record.supervisee_id)?.display_name,
        events: store::events(conn, &record.id)?,
        addenda: store::addenda(conn, &record.id)?,
        signed,
        record,
    }))
}

// ---- Third-party access (ACC-2) ----

/// Why a third party reads a record.
pub struct AccessRequest {
    pub reason: AccessReason,
    /// In words, 10 to 1,000 characters.
    pub detail: String,
}

/// The read granted, and the record.
pub struct Granted {
    pub read: ThirdPartyRead,
    pub record: RecordDetail,
}

/// A read by a manager above, an auditor or an administrator with a stated reason (ACC-2):
/// written to the audit log and the record's list of reads, and the supervisee is notified.
/// Those who read the record directly are told to do that instead.
pub fn request_access(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    request: AccessRequest,
) -> AppResult<Granted> {
    let detail_text = bounded_text("detail", &request.detail, 10, 1_000)?;
    let reason = request.reason;
    let (record, standing) = find_for(conn, actor, id)?;
    if standing.reads_directly() {
        return Err(AppError::refuse(
            Code::ReasonNotNeeded,
            "you read this record without a reason; GET it instead",
        ));
    }
    let access = store::record_access(
        conn,
        &record.id,
        &actor.person_id,
        reason.as_str(),
        &detail_text,
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "record.read",
        "record",
        Some(&record.id),
        json!({"standing": standing, "reason": reason}),
    )?;
    notify_about(
        conn,
        &record.supervisee_id,
        &record,
        "record_accessed",
        "Your supervision record was read",
        &format!(
            "The record of your session on {} was read for this reason: {}.",
            record.held_on,
            reason.as_str()
        ),
    )?;
    let calendars = calendars.load(conn)?;
    Ok(Granted {
        read: ThirdPartyRead::try_from(access)?,
        record: detail(conn, &calendars, record, standing)?,
    })
}

// ---- Lists ----

/// Which records to list.
pub struct Listing {
    pub status: Option<RecordStatus>,
    /// Only records sent after their due date, or unsent and past it (REC-5).
    pub late: bool,
    /// Held on or after.
    pub from: Option<NaiveDate>,
    /// Held before.
    pub to: Option<NaiveDate>,
    pub page: Page,
}

impl Listing {
    fn filter(&self) -> Result<store::Filter, Invalid> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(Invalid::field("to", "must not be before from"));
            }
        }
        Ok(store::Filter {
            statuses: self.status.into_iter().collect(),
            from: self.from,
            to: self.to,
            late_on: self.late.then(organisation_today),
            ..store::Filter::default()
        })
    }
}

fn list(
    conn: &mut DbConnection,
    calendars: &Calendars,
    filter: &store::Filter,
    page: Page,
) -> AppResult<(Vec<RecordState>, i64)> {
    let calendars = calendars.load(conn)?;
    let (records, total) = store::list(conn, filter, page)?;
    let states = records
        .into_iter()
        .map(|record| RecordState::new(record, &calendars))
        .collect();
    Ok((states, total))
}

/// The records the actor is a party to, as either party or as this one, newest session
/// first (REC-5).
pub fn mine(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    role: Option<Party>,
    listing: &Listing,
) -> AppResult<(Vec<RecordState>, i64)> {
    let mut filter = listing.filter()?;
    let me = Some(actor.person_id.clone());
    match role {
        None => filter.party = me,
        Some(Party::Supervisor) => filter.supervisor_id = me,
        Some(Party::Supervisee) => filter.supervisee_id = me,
    }
    list(conn, calendars, &filter, listing.page)
}

/// A person's records as supervisee, for those who may see the person (ACC-5).
pub fn of_person(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    person_id: &str,
    listing: &Listing,
) -> AppResult<(Vec<RecordState>, i64)> {
    let mut filter = listing.filter()?;
    filter.supervisee_id = Some(person_id.to_string());
    visibility::require_sight(conn, actor, person_id)?;
    list(conn, calendars, &filter, listing.page)
}
