//! Records of supervision (REC): templates, records and their immutable versions, the
//! sign-off timeline, addenda, tracked actions and third-party reads (ACC-2). The rules live
//! in `domain::records`; triggers in the migrations keep signed content as signed.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    record_access, record_actions, record_addenda, record_events, record_templates,
    record_versions, records,
};
use super::{new_id, now, DbConnection, Page, StoreError, StoreResult};
use crate::domain::records::{
    default_template, ActionItem, ActionOwner, Content, RecordStatus, TemplateSection,
};

/// The key of the shipped pro-forma template (REC-1).
pub const DEFAULT_TEMPLATE_KEY: &str = "default";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(
        what.to_string().into(),
    ))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("record data serialises")
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(corrupt)
}

// ---- Templates ----

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: String,
    pub key: String,
    pub version: i32,
    pub name: String,
    pub sections: Vec<TemplateSection>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

type TemplateRow = (
    String,
    String,
    i32,
    String,
    String,
    Option<String>,
    NaiveDateTime,
);

fn template_from(row: TemplateRow) -> StoreResult<Template> {
    let (id, key, version, name, sections, created_by, created_at) = row;
    Ok(Template {
        sections: from_json(&sections)?,
        id,
        key,
        version,
        name,
        created_by,
        created_at,
    })
}

/// Puts the shipped pro-forma in place on a new database (idempotent).
pub fn ensure_default_template(conn: &mut DbConnection) -> StoreResult<()> {
    let exists: i64 = record_templates::table
        .filter(record_templates::template_key.eq(DEFAULT_TEMPLATE_KEY))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        add_template(
            conn,
            DEFAULT_TEMPLATE_KEY,
            "Supervision record (pro-forma)",
            &default_template(),
            None,
        )?;
    }
    Ok(())
}

/// Every version of every template, newest version of each key first.
pub fn templates(conn: &mut DbConnection) -> StoreResult<Vec<Template>> {
    let rows: Vec<TemplateRow> = record_templates::table
        .select(record_templates::all_columns)
        .order((
            record_templates::template_key.asc(),
            record_templates::version.desc(),
        ))
        .load(conn)?;
    rows.into_iter().map(template_from).collect()
}

pub fn template(conn: &mut DbConnection, id: &str) -> StoreResult<Template> {
    let row: Option<TemplateRow> = record_templates::table
        .find(id)
        .select(record_templates::all_columns)
        .get_result(conn)
        .optional()?;
    template_from(row.ok_or(StoreError::NotFound)?)
}

/// The newest version of the template with this key.
pub fn latest_template(conn: &mut DbConnection, key: &str) -> StoreResult<Template> {
    let row: Option<TemplateRow> = record_templates::table
        .filter(record_templates::template_key.eq(key))
        .order(record_templates::version.desc())
        .select(record_templates::all_columns)
        .limit(1)
        .load(conn)?
        .pop();
    template_from(row.ok_or(StoreError::NotFound)?)
}

/// A new template, or the next version of the template with this key.
pub fn add_template(
    conn: &mut DbConnection,
    key: &str,
    name: &str,
    sections: &[TemplateSection],
    created_by: Option<&str>,
) -> StoreResult<Template> {
    let latest: Option<i32> = record_templates::table
        .filter(record_templates::template_key.eq(key))
        .select(diesel::dsl::max(record_templates::version))
        .get_result(conn)?;
    let id = new_id();
    diesel::insert_into(record_templates::table)
        .values((
            record_templates::id.eq(&id),
            record_templates::template_key.eq(key),
            record_templates::version.eq(latest.unwrap_or(0) + 1),
            record_templates::name.eq(name),
            record_templates::sections.eq(to_json(&sections)),
            record_templates::created_by.eq(created_by),
            record_templates::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            StoreError::unique_as_conflict(e, "a template version was added at the same time")
        })?;
    template(conn, &id)
}

// ---- Records ----

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = records)]
pub struct Record {
    pub id: String,
    pub session_id: String,
    pub supervisor_id: String,
    pub supervisee_id: String,
    pub template_id: String,
    pub held_on: NaiveDate,
    pub due_by: NaiveDate,
    #[diesel(deserialize_as = String)]
    pub status: RecordStatus,
    pub current_version: i32,
    /// The organisation-local date the supervisor first sent it (REC-5).
    pub first_sent_on: Option<NaiveDate>,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_version: Option<i32>,
    pub signed_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl Record {
    /// Whether this person is one of the two parties.
    pub fn is_party(&self, person_id: &str) -> bool {
        self.supervisor_id == person_id || self.supervisee_id == person_id
    }
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Record> {
    records::table
        .find(id)
        .select(Record::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn for_session(conn: &mut DbConnection, session_id: &str) -> StoreResult<Option<Record>> {
    Ok(records::table
        .filter(records::session_id.eq(session_id))
        .select(Record::as_select())
        .get_result(conn)
        .optional()?)
}

pub struct NewRecord<'a> {
    pub id: &'a str,
    pub session_id: &'a str,
    pub supervisor_id: &'a str,
    pub supervisee_id: &'a str,
    pub template_id: &'a str,
    pub held_on: NaiveDate,
    pub due_by: NaiveDate,
    pub content: &'a Content,
    pub content_hash: String,
    pub author_id: &'a str,
}

/// A draft record with its first version.
pub fn create(conn: &mut DbConnection, new: NewRecord<'_>) -> StoreResult<Record> {
    let id = new.id;
    let at = now();
    diesel::insert_into(records::table)
        .values((
            records::id.eq(id),
            records::session_id.eq(new.session_id),
            records::supervisor_id.eq(new.supervisor_id),
            records::supervisee_id.eq(new.supervisee_id),
            records::template_id.eq(new.template_id),
            records::held_on.eq(new.held_on),
            records::due_by.eq(new.due_by),
            records::status.eq(RecordStatus::Draft.as_str()),
            records::current_version.eq(1),
            records::created_at.eq(at),
            records::updated_at.eq(at),
            records::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| StoreError::unique_as_conflict(e, "the session already has a record"))?;
    insert_version(
        conn,
        id,
        1,
        new.template_id,
        new.content,
        &new.content_hash,
        new.author_id,
    )?;
    add_event(conn, id, "created", Some(1), new.author_id, None, None)?;
    super::cases::replace_discussions(conn, id, new.supervisee_id, new.held_on, new.content)?;
    find(conn, id)
}

fn insert_version(
    conn: &mut DbConnection,
    record_id: &str,
    number: i32,
    template_id: &str,
    content: &Content,
    content_hash: &str,
    author_id: &str,
) -> StoreResult<()> {
    diesel::insert_into(record_versions::table)
        .values((
            record_versions::id.eq(new_id()),
            record_versions::record_id.eq(record_id),
            record_versions::number.eq(number),
            record_versions::template_id.eq(template_id),
            record_versions::content.eq(to_json(content)),
            record_versions::content_hash.eq(content_hash),
            record_versions::author_id.eq(author_id),
            record_versions::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a write to a record changes besides its version.
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub status: Option<RecordStatus>,
    /// A new version of the content: its template, content and hash.
    pub new_version: Option<(&'a str, &'a Content, String)>,
    /// Sent today (the organisation's date): the first send settles lateness.
    pub sent_on: Option<NaiveDate>,
    /// The version signed by both and its hash.
    pub signed: Option<(i32, String)>,
}

/// Applies a change if the record is still at `expected_version` (REC-4 with SES-5's
/// optimistic concurrency): a concurrent edit or signature makes this fail, never vanish.
pub fn update(
    conn: &mut DbConnection,
    record: &Record,
    expected_version: i32,
    change: Change<'_>,
    actor_id: &str,
) -> StoreResult<Record> {
    if record.version != expected_version {
        return Err(StoreError::VersionMismatch {
            current: record.version,
        });
    }
    let at = now();
    let mut current_version = record.current_version;
    let mut template_id = record.template_id.clone();
    if let Some((template, content, hash)) = &change.new_version {
        current_version += 1;
        template_id = template.to_string();
        insert_version(
            conn,
            &record.id,
            current_version,
            template,
            content,
            hash,
            actor_id,
        )?;
        // CASE-1: the latest content says which cases the session discussed.
        super::cases::replace_discussions(
            conn,
            &record.id,
            &record.supervisee_id,
            record.held_on,
            content,
        )?;
    }
    let first_sent_on = record.first_sent_on.or(change.sent_on);
    let (signed_version, signed_hash, signed_at) = match change.signed {
        Some((number, hash)) => (Some(number), Some(hash), Some(at)),
        None => (
            record.signed_version,
            record.signed_hash.clone(),
            record.signed_at,
        ),
    };
    let changed = diesel::update(
        records::table
            .filter(records::id.eq(&record.id))
            .filter(records::version.eq(expected_version)),
    )
    .set((
        records::status.eq(change.status.unwrap_or(record.status).as_str()),
        records::current_version.eq(current_version),
        records::template_id.eq(&template_id),
        records::first_sent_on.eq(first_sent_on),
        records::signed_at.eq(signed_at),
        records::signed_version.eq(signed_version),
        records::signed_hash.eq(signed_hash),
        records::updated_at.eq(at),
        records::version.eq(records::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: find(conn, &record.id)?.version,
        });
    }
    // Sending, signing and amending change what both parties are reminded of.
    let at = now();
    super::reminders::touch(conn, &record.supervisor_id, at)?;
    super::reminders::touch(conn, &record.supervisee_id, at)?;
    find(conn, &record.id)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub number: i32,
    pub template_id: String,
    pub content: Content,
    pub content_hash: String,
    pub author_id: String,
    pub created_at: NaiveDateTime,
}

type VersionRow = (i32, String, String, String, String, NaiveDateTime);

fn version_columns() -> (
    record_versions::number,
    record_versions::template_id,
    record_versions::content,
    record_versions::content_hash,
    record_versions::author_id,
    record_versions::created_at,
) {
    (
        record_versions::number,
        record_versions::template_id,
        record_versions::content,
        record_versions::content_hash,
        record_versions::author_id,
        record_versions::created_at,
    )
}

fn version_from(row: VersionRow) -> StoreResult<Version> {
    let (number, template_id, content, content_hash, author_id, created_at) = row;
    Ok(Version {
        number,
        template_id,
        content: from_json(&content)?,
        content_hash,
        author_id,
        created_at,
    })
}

pub fn version(conn: &mut DbConnection, record_id: &str, number: i32) -> StoreResult<Version> {
    let row: Option<VersionRow> = record_versions::table
        .filter(record_versions::record_id.eq(record_id))
        .filter(record_versions::number.eq(number))
        .select(version_columns())
        .get_result(conn)
        .optional()?;
    version_from(row.ok_or(StoreError::NotFound)?)
}

/// Every version of a record, oldest first.
pub fn versions(conn: &mut DbConnection, record_id: &str) -> StoreResult<Vec<Version>> {
    let rows: Vec<VersionRow> = record_versions::table
        .filter(record_versions::record_id.eq(record_id))
        .order(record_versions::number.asc())
        .select(version_columns())
        .load(conn)?;
    rows.into_iter().map(version_from).collect()
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = record_events)]
pub struct Event {
    pub id: String,
    pub record_id: String,
    pub action: String,
    pub version_number: Option<i32>,
    pub actor_id: String,
    pub occurred_at: NaiveDateTime,
    pub comment: Option<String>,
    pub proposal: Option<String>,
}

pub fn add_event(
    conn: &mut DbConnection,
    record_id: &str,
    action: &str,
    version_number: Option<i32>,
    actor_id: &str,
    comment: Option<&str>,
    proposal: Option<&str>,
) -> StoreResult<()> {
    diesel::insert_into(record_events::table)
        .values((
            record_events::id.eq(new_id()),
            record_events::record_id.eq(record_id),
            record_events::action.eq(action),
            record_events::version_number.eq(version_number),
            record_events::actor_id.eq(actor_id),
            record_events::occurred_at.eq(now()),
            record_events::comment.eq(comment),
            record_events::proposal.eq(proposal),
        ))
        .execute(conn)?;
    Ok(())
}

/// The sign-off timeline, oldest first.
pub fn events(conn: &mut DbConnection, record_id: &str) -> StoreResult<Vec<Event>> {
    Ok(record_events::table
        .filter(record_events::record_id.eq(record_id))
        .order((record_events::occurred_at.asc(), record_events::id.asc()))
        .select(Event::as_select())
        .load(conn)?)
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Records this person is a party to.
    pub party: Option<String>,
    pub supervisor_id: Option<String>,
    pub supervisee_id: Option<String>,
    pub statuses: Vec<RecordStatus>,
    /// Held on or after.
    pub from: Option<NaiveDate>,
    /// Held before.
    pub to: Option<NaiveDate>,
    /// Only records not sent by their due date (REC-5), as of `late_on`.
    pub late_on: Option<NaiveDate>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<Record>, i64)> {
    let query = || {
        let mut query = records::table.into_boxed();
        if let Some(person) = &filter.party {
            query = query.filter(
                records::supervisor_id
                    .eq(person.clone())
                    .or(records::supervisee_id.eq(person.clone())),
            );
        }
        if let Some(supervisor) = &filter.supervisor_id {
            query = query.filter(records::supervisor_id.eq(supervisor.clone()));
        }
        if let Some(supervisee) = &filter.supervisee_id {
            query = query.filter(records::supervisee_id.eq(supervisee.clone()));
        }
        if !filter.statuses.is_empty() {
            let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
            query = query.filter(records::status.eq_any(statuses));
        }
        if let Some(from) = filter.from {
            query = query.filter(records::held_on.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(records::held_on.lt(to));
        }
        if let Some(today) = filter.late_on {
            // REC-5: sent after its due date, or not sent and past it.
            query = query.filter(
                records::first_sent_on
                    .is_null()
                    .and(records::due_by.lt(today))
                    .or(records::first_sent_on.gt(records::due_by.nullable())),
            );
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(Record::as_select())
        .order((records::held_on.desc(), records::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok((items, total))
}

// ---- Addenda ----

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = record_addenda)]
pub struct Addendum {
    pub id: String,
    pub record_id: String,
    pub author_id: String,
    pub text: String,
    pub content_hash: String,
    pub created_at: NaiveDateTime,
    pub countersigned_by: Option<String>,
    pub countersigned_at: Option<NaiveDateTime>,
}

pub fn addenda(conn: &mut DbConnection, record_id: &str) -> StoreResult<Vec<Addendum>> {
    Ok(record_addenda::table
        .filter(record_addenda::record_id.eq(record_id))
        .order((record_addenda::created_at.asc(), record_addenda::id.asc()))
        .select(Addendum::as_select())
        .load(conn)?)
}

pub fn addendum(conn: &mut DbConnection, record_id: &str, id: &str) -> StoreResult<Addendum> {
    record_addenda::table
        .filter(record_addenda::record_id.eq(record_id))
        .filter(record_addenda::id.eq(id))
        .select(Addendum::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn add_addendum(
    conn: &mut DbConnection,
    id: &str,
    record_id: &str,
    author_id: &str,
    text: &str,
    content_hash: &str,
) -> StoreResult<Addendum> {
    diesel::insert_into(record_addenda::table)
        .values((
            record_addenda::id.eq(id),
            record_addenda::record_id.eq(record_id),
            record_addenda::author_id.eq(author_id),
            record_addenda::text.eq(text),
            record_addenda::content_hash.eq(content_hash),
            record_addenda::created_at.eq(now()),
        ))
        .execute(conn)?;
    addendum(conn, record_id, id)
}

/// Countersigns once: a second countersignature finds nothing to update.
pub fn countersign(
    conn: &mut DbConnection,
    record_id: &str,
    id: &str,
    by: &str,
) -> StoreResult<Addendum> {
    let changed = diesel::update(
        record_addenda::table
            .filter(record_addenda::id.eq(id))
            .filter(record_addenda::countersigned_at.is_null()),
    )
    .set((
        record_addenda::countersigned_by.eq(by),
        record_addenda::countersigned_at.eq(now()),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::Conflict(
            "the addendum is already countersigned".into(),
        ));
    }
    addendum(conn, record_id, id)
}

// ---- Actions (REC-2) ----

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = record_actions)]
pub struct TrackedAction {
    pub id: String,
    pub record_id: String,
    pub supervisee_id: String,
    pub position: i32,
    pub description: String,
    #[diesel(deserialize_as = String)]
    pub owner_kind: ActionOwner,
    pub owner_person_id: Option<String>,
    pub owner_name: Option<String>,
    pub due_on: NaiveDate,
    pub status: String,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<String>,
}

pub const ACTION_OPEN: &str = "open";
pub const ACTION_DONE: &str = "done";

/// Starts tracking the actions of a record both people have signed.
pub fn track_actions(
    conn: &mut DbConnection,
    record: &Record,
    actions: &[ActionItem],
) -> StoreResult<()> {
    for (position, action) in actions.iter().enumerate() {
        let owner = match action.owner {
            ActionOwner::Supervisor => Some(record.supervisor_id.as_str()),
            ActionOwner::Supervisee => Some(record.supervisee_id.as_str()),
            ActionOwner::Other => action.owner_person_id.as_deref(),
        };
        diesel::insert_into(record_actions::table)
            .values((
                record_actions::id.eq(new_id()),
                record_actions::record_id.eq(&record.id),
                record_actions::supervisee_id.eq(&record.supervisee_id),
                record_actions::position.eq(position as i32),
                record_actions::description.eq(&action.description),
                record_actions::owner_kind.eq(action.owner.as_str()),
                record_actions::owner_person_id.eq(owner),
                record_actions::owner_name.eq(&action.owner_name),
                record_actions::due_on.eq(action.due_on),
                record_actions::status.eq(ACTION_OPEN),
            ))
            .execute(conn)?;
        if let Some(owner) = owner {
            super::reminders::touch(conn, owner, now())?;
        }
    }
    Ok(())
}

/// The most open actions a record shows as carried; older ones stay in `GET /me/actions`.
pub const MAX_CARRIED: i64 = 100;

/// The open actions of a supervisee's signed records other than `except`, soonest due first
/// (REC-2), at most [`MAX_CARRIED`].
pub fn open_actions_of_supervisee(
    conn: &mut DbConnection,
    supervisee_id: &str,
    except: &str,
) -> StoreResult<Vec<TrackedAction>> {
    Ok(record_actions::table
        .filter(record_actions::supervisee_id.eq(supervisee_id))
        .filter(record_actions::status.eq(ACTION_OPEN))
        .filter(record_actions::record_id.ne(except))
        .order((record_actions::due_on.asc(), record_actions::id.asc()))
        .select(TrackedAction::as_select())
        .limit(MAX_CARRIED)
        .load(conn)?)
}

/// The supervisee's latest signed record of a session before `held_on`: the "previous
/// record" whose open actions a new record reviews (REC-2).
pub fn previous_signed(
    conn: &mut DbConnection,
    supervisee_id: &str,
    held_on: NaiveDate,
) -> StoreResult<Option<Record>> {
    Ok(records::table
        .filter(records::supervisee_id.eq(supervisee_id))
        .filter(records::status.eq(RecordStatus::Signed.as_str()))
        .filter(records::held_on.le(held_on))
        .order((records::held_on.desc(), records::id.desc()))
        .select(Record::as_select())
        .limit(1)
        .load(conn)?
        .pop())
}

pub fn actions_of_record(
    conn: &mut DbConnection,
    record_id: &str,
) -> StoreResult<Vec<TrackedAction>> {
    Ok(record_actions::table
        .filter(record_actions::record_id.eq(record_id))
        .order(record_actions::position.asc())
        .select(TrackedAction::as_select())
        .load(conn)?)
}

/// A person's actions across records, soonest due first.
pub fn actions_of_owner(
    conn: &mut DbConnection,
    person_id: &str,
    status: Option<&str>,
    page: Page,
) -> StoreResult<(Vec<TrackedAction>, i64)> {
    let query = || {
        let mut query = record_actions::table
            .filter(record_actions::owner_person_id.eq(person_id.to_string()))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(record_actions::status.eq(status.to_string()));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .order((record_actions::due_on.asc(), record_actions::id.asc()))
        .select(TrackedAction::as_select())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok((items, total))
}

pub fn action(conn: &mut DbConnection, id: &str) -> StoreResult<TrackedAction> {
    record_actions::table
        .find(id)
        .select(TrackedAction::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Marks an action done or open again.
pub fn set_action_status(
    conn: &mut DbConnection,
    id: &str,
    done: bool,
    by: &str,
) -> StoreResult<TrackedAction> {
    let (status, done_at, done_by) = if done {
        (ACTION_DONE, Some(now()), Some(by))
    } else {
        (ACTION_OPEN, None, None)
    };
    diesel::update(record_actions::table.find(id))
        .set((
            record_actions::status.eq(status),
            record_actions::done_at.eq(done_at),
            record_actions::done_by.eq(done_by),
        ))
        .execute(conn)?;
    let updated = action(conn, id)?;
    if let Some(owner) = &updated.owner_person_id {
        super::reminders::touch(conn, owner, now())?;
    }
    Ok(updated)
}

// ---- Third-party reads (ACC-2) ----

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = record_access)]
pub struct Access {
    pub id: String,
    pub record_id: String,
    pub person_id: String,
    pub reason: String,
    pub detail: String,
    pub accessed_at: NaiveDateTime,
}

pub fn record_access(
    conn: &mut DbConnection,
    record_id: &str,
    person_id: &str,
    reason: &str,
    detail: &str,
) -> StoreResult<Access> {
    let id = new_id();
    diesel::insert_into(record_access::table)
        .values((
            record_access::id.eq(&id),
            record_access::record_id.eq(record_id),
            record_access::person_id.eq(person_id),
            record_access::reason.eq(reason),
            record_access::detail.eq(detail),
            record_access::accessed_at.eq(now()),
        ))
        .execute(conn)?;
    // The supervisee is told of the read (ACC-2) by push as well as in the inbox.
    let supervisee: String = records::table
        .find(record_id)
        .select(records::supervisee_id)
        .get_result(conn)?;
    super::reminders::touch(conn, &supervisee, now())?;
    Ok(record_access::table
        .find(&id)
        .select(Access::as_select())
        .get_result(conn)?)
}

/// Who else has read the record, newest first: the parties see this.
pub fn accesses(conn: &mut DbConnection, record_id: &str) -> StoreResult<Vec<Access>> {
    Ok(record_access::table
        .filter(record_access::record_id.eq(record_id))
        .order(record_access::accessed_at.desc())
        .select(Access::as_select())
        .load(conn)?)
}

/// The records the supervisor has not sent yet: (record, held on, due by).
pub fn unsent_of_supervisor(
    conn: &mut DbConnection,
    supervisor_id: &str,
) -> StoreResult<Vec<(String, NaiveDate, NaiveDate)>> {
    Ok(records::table
        .filter(records::supervisor_id.eq(supervisor_id))
        .filter(records::first_sent_on.is_null())
        .select((records::id, records::held_on, records::due_by))
        .load(conn)?)
}

/// The records waiting for the supervisee's signature, each with when it was last sent to
/// them (a record with no `sent` event is left out).
pub fn awaiting_supervisee(
    conn: &mut DbConnection,
    supervisee_id: &str,
) -> StoreResult<Vec<(String, NaiveDateTime)>> {
    let awaiting: Vec<String> = records::table
        .filter(records::supervisee_id.eq(supervisee_id))
        .filter(records::status.eq(RecordStatus::AwaitingSupervisee.as_str()))
        .select(records::id)
        .load(conn)?;
    let mut sent_at = Vec::with_capacity(awaiting.len());
    for record in awaiting {
        let sent: Option<NaiveDateTime> = record_events::table
            .filter(record_events::record_id.eq(&record))
            .filter(record_events::action.eq("sent"))
            .select(diesel::dsl::max(record_events::occurred_at))
            .get_result(conn)?;
        if let Some(sent) = sent {
            sent_at.push((record, sent));
        }
    }
    Ok(sent_at)
}

/// Reads of the supervisee's records through access requests (ACC-2) since `since`:
/// (record, read at).
pub fn reads_of_supervisee_since(
    conn: &mut DbConnection,
    supervisee_id: &str,
    since: NaiveDateTime,
) -> StoreResult<Vec<(String, NaiveDateTime)>> {
    Ok(record_access::table
        .inner_join(records::table)
        .filter(records::supervisee_id.eq(supervisee_id))
        .filter(record_access::accessed_at.ge(since))
        .select((records::id, record_access::accessed_at))
        .load(conn)?)
}
