//! Reflective logs (REF-1), sharing with named supervisors and their comments (REF-2), CPD
//! records and the registration-year count (REF-3), and the author's export.
//!
//! Privacy: an entry is found only by its author or by a supervisor it is shared with;
//! everyone else, administrators included, gets not found.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::people::StaffCategory;
use crate::domain::periods::registration_year;
use crate::domain::records::CaseReferencePattern;
use crate::domain::reflection::{
    check_cpd, check_sections, check_tags, cpd_status, model, CpdRecord, CpdStatus,
};
use crate::domain::validation::long_text;
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::organisation::Calendars;
use crate::store::reflections::{self, Comment, Draft, Entry, Reader};
use crate::store::{audit, observations, people, sessions, DbConnection, Page, StoreResult};

pub use crate::store::reflections::Filter;

/// An entry as one reader sees it: who it is shared with and the comments they may read.
pub struct EntryState {
    pub entry: Entry,
    /// The author sees every supervisor; a supervisor sees themselves.
    pub shared_with: Vec<String>,
    pub comments: Vec<Comment>,
}

/// How the actor may see an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Author,
    SharedSupervisor,
}

fn state(
    conn: &mut DbConnection,
    entry: Entry,
    access: Access,
    reader: &str,
) -> StoreResult<EntryState> {
    let (shared_with, comments) = match access {
        Access::Author => (
            reflections::shared_with(conn, &entry.id)?,
            reflections::comments(conn, &entry.id, None)?,
        ),
        Access::SharedSupervisor => (
            vec![reader.to_string()],
            reflections::comments(conn, &entry.id, Some((&entry.author_id, reader)))?,
        ),
    };
    Ok(EntryState {
        entry,
        shared_with,
        comments,
    })
}

/// The entry if the actor is its author or a supervisor it is shared with; not found otherwise.
fn find_for(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<(Entry, Access)> {
    let entry = reflections::find(conn, id)?;
    if actor.is(&entry.author_id) {
        Ok((entry, Access::Author))
    } else if reflections::is_shared_with(conn, id, &actor.person_id)? {
        Ok((entry, Access::SharedSupervisor))
    } else {
        Err(AppError::NotFound)
    }
}

/// The entry, for its author only.
fn find_own(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    what: &'static str,
) -> AppResult<Entry> {
    match find_for(conn, actor, id)? {
        (entry, Access::Author) => Ok(entry),
        _ => Err(AppError::refuse(Code::AuthorOnly, what)),
    }
}

/// An entry as its author writes it.
pub struct EntryRequest {
    pub entry_date: NaiveDate,
    pub title: String,
    pub model: String,
    pub sections: BTreeMap<String, String>,
    /// `complete` needs every required section of the model; otherwise a draft.
    pub complete: bool,
    pub tags: Vec<String>,
    pub session_id: Option<String>,
    pub observation_id: Option<String>,
    pub case_reference: Option<String>,
    pub cpd: Option<CpdRecord>,
}

/// Checks a request against its model and the organisation's rules, naming each bad field.
fn check(
    conn: &mut DbConnection,
    calendars: &Calendars,
    author: &str,
    today: NaiveDate,
    request: EntryRequest,
) -> AppResult<Draft> {
    let mut invalid = Invalid::default();
    let title = invalid.check(bounded_text("title", &request.title, 1, 200));
    let sections = match model(&request.model) {
        Some(model) => invalid.check(check_sections(model, &request.sections, request.complete)),
        None => {
            invalid.push("model", "is not a model of /reflection-models");
            None
        }
    };
    let tags = invalid.check(check_tags(&request.tags));
    let cpd = match &request.cpd {
        Some(cpd) => invalid.check(check_cpd(cpd)).map(Some),
        None => Some(None),
    };
    if request.entry_date > today {
        invalid.push("entry_date", "must not be in the future");
    }
    let case_reference = request
        .case_reference
        .as_deref()
        .map(str::trim)
        .map(str::to_string);
    if let Some(reference) = &case_reference {
        let pattern: Result<CaseReferencePattern, _> = calendars
            .load(conn)?
            .settings
            .case_reference_pattern
            .parse();
        if !pattern.is_ok_and(|p| p.matches(reference)) {
            invalid.push(
                "case_reference",
                "must be a case reference in the organisation's format, never a name",
            );
        }
    }
    if let Some(session) = &request.session_id {
        let mine = sessions::find(conn, session).ok().is_some_and(|s| {
            s.supervisor_id == author || s.supervisee_id.as_deref() == Some(author)
        });
        if !mine {
            invalid.push("session_id", "not a session of yours");
        }
    }
    if let Some(observation) = &request.observation_id {
        let mine = observations::find(conn, observation)
            .ok()
            .is_some_and(|o| o.supervisee_id == author);
        if !mine {
            invalid.push("observation_id", "not an observation of your practice");
        }
    }
    Ok(invalid.into_result(|| Draft {
        entry_date: request.entry_date,
        title: title.unwrap_or_default(),
        model: request.model,
        sections: sections.unwrap_or_default(),
        status: if request.complete {
            "complete"
        } else {
            "draft"
        }
        .to_string(),
        tags: tags.unwrap_or_default(),
        session_id: request.session_id,
        observation_id: request.observation_id,
        case_reference,
        cpd: cpd.flatten(),
    })?)
}

/// Writes a reflective log entry (REF-1); entries are private until shared.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    request: EntryRequest,
) -> AppResult<EntryState> {
    let draft = check(conn, calendars, &actor.person_id, today, request)?;
    let entry = reflections::insert(conn, &actor.person_id, &draft)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "reflection.created",
        "reflection",
        Some(&entry.id),
        json!({"model": entry.model, "status": entry.status, "version": entry.version}),
    )?;
    Ok(state(conn, entry, Access::Author, &actor.person_id)?)
}

/// A save's outcome: the entry as saved, or, when the client's version is stale and the
/// content differs, the entry as it is (for the 412's `current`) with nothing written.
pub enum Saved {
    Done(EntryState),
    Stale(EntryState),
}

/// Saves an entry (its author) under If-Match; a retried save of exactly the same content
/// succeeds even with the old version, so a phone that lost the first answer loses nothing.
pub fn edit(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    id: &str,
    expected: Expected,
    request: EntryRequest,
) -> AppResult<Saved> {
    let entry = find_own(conn, actor, id, "only the author changes an entry")?;
    let draft = check(conn, calendars, &actor.person_id, today, request)?;
    let current = entry.version;
    if expected.expect(current) != current {
        return Ok(if draft.same_as(&entry) {
            Saved::Done(state(conn, entry, Access::Author, &actor.person_id)?)
        } else {
            Saved::Stale(state(conn, entry, Access::Author, &actor.person_id)?)
        });
    }
    let updated = reflections::update(conn, id, current, &draft)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "reflection.updated",
        "reflection",
        Some(id),
        json!({"model": updated.model, "status": updated.status, "version": updated.version}),
    )?;
    Ok(Saved::Done(state(
        conn,
        updated,
        Access::Author,
        &actor.person_id,
    )?))
}

/// One entry, for its author or a supervisor it is shared with.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<EntryState> {
    let (entry, access) = find_for(conn, actor, id)?;
    Ok(state(conn, entry, access, &actor.person_id)?)
}

/// Whose entries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    /// The actor's own log.
    Mine,
    /// Entries shared with the actor (REF-2).
    SharedWithMe,
}

/// The actor's entries, or those shared with them, newest first. Lists carry no comments;
/// open an entry for those.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    shelf: Shelf,
    filter: &Filter,
    page: Page,
) -> AppResult<(Vec<EntryState>, i64)> {
    let me = actor.person_id.clone();
    let reader = match shelf {
        Shelf::Mine => Reader::Author(me.clone()),
        Shelf::SharedWithMe => Reader::SharedWith(me.clone()),
    };
    let (entries, total) = reflections::list(conn, &reader, filter, page)?;
    let items = entries
        .into_iter()
        .map(|entry| EntryState {
            entry,
            shared_with: match shelf {
                Shelf::Mine => Vec::new(),
                Shelf::SharedWithMe => vec![me.clone()],
            },
            comments: Vec::new(),
        })
        .collect();
    Ok((items, total))
}

/// Shares an entry with someone who supervises its author now (its author only).
pub fn share(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    supervisor_id: &str,
) -> AppResult<EntryState> {
    let entry = find_own(conn, actor, id, "only the author shares an entry")?;
    if !visibility::supervises_on(conn, supervisor_id, &actor.person_id, today)? {
        return Err(Invalid::field("supervisor_id", "does not supervise you").into());
    }
    reflections::share(conn, id, supervisor_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "reflection.shared",
        "reflection",
        Some(id),
        json!({"supervisor_id": supervisor_id}),
    )?;
    Ok(state(conn, entry, Access::Author, &actor.person_id)?)
}

/// Stops sharing an entry with a supervisor (its author only): they lose access at once.
pub fn unshare(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    supervisor_id: &str,
) -> AppResult<()> {
    find_own(conn, actor, id, "only the author unshares an entry")?;
    if !reflections::unshare(conn, id, supervisor_id)? {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        &actor.for_audit(),
        "reflection.unshared",
        "reflection",
        Some(id),
        json!({"supervisor_id": supervisor_id}),
    )?;
    Ok(())
}

/// Comments on an entry: a supervisor it is shared with, or its author replying.
pub fn comment(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    text: &str,
) -> AppResult<EntryState> {
    let text = long_text("text", text, 2_000)?;
    if text.is_empty() {
        return Err(Invalid::field("text", "must not be empty").into());
    }
    let (entry, access) = find_for(conn, actor, id)?;
    reflections::add_comment(conn, id, &actor.person_id, &text)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "reflection.commented",
        "reflection",
        Some(id),
        json!({"as": if access == Access::Author { "author" } else { "supervisor" }}),
    )?;
    Ok(state(conn, entry, access, &actor.person_id)?)
}

/// The actor's CPD records this registration year (REF-3).
pub struct CpdStanding {
    /// Students are not registered with Social Work England and need no CPD records.
    pub registered: bool,
    pub status: CpdStatus,
}

/// The actor's own CPD count this registration year against the regulator's requirement.
pub fn cpd(conn: &mut DbConnection, actor: &Actor, today: NaiveDate) -> AppResult<CpdStanding> {
    let person = people::find(conn, &actor.person_id)?;
    let year = registration_year(today);
    let dates = reflections::cpd_dates(conn, &person.id, year.starts_on, year.ends_on)?;
    Ok(CpdStanding {
        registered: person.staff_category != StaffCategory::Student,
        status: cpd_status(&dates, today),
    })
}

/// The most entries one export holds: years of weekly reflection.
const MAX_EXPORT: i64 = 5_000;

/// The actor's log as evidence for registration: their name and their entries, oldest first,
/// with every comment.
pub fn export(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<(String, Vec<EntryState>)> {
    let author = &actor.person_id;
    let reader = Reader::Author(author.clone());
    let page = Page {
        limit: MAX_EXPORT,
        offset: 0,
    };
    let (entries, _) = reflections::list(conn, &reader, filter, page)?;
    let mut states = entries
        .into_iter()
        .map(|entry| state(conn, entry, Access::Author, author))
        .collect::<StoreResult<Vec<_>>>()?;
    states.reverse();
    Ok((people::find(conn, author)?.display_name, states))
}
