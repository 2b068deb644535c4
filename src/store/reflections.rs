//! Reflective log entries (REF-1), their sharing with named supervisors and comments
//! (REF-2), and CPD records (REF-3). Every query is scoped to the author or to a supervisor
//! the entry is shared with: privacy is in the SQL, not in a filter after it.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{entry_comments, entry_shares, reflective_entries};
use super::{new_id, now, DbConnection, Page, StoreError, StoreResult};
use crate::domain::reflection::CpdRecord;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(
        what.to_string().into(),
    ))
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = reflective_entries)]
struct Row {
    id: String,
    author_id: String,
    entry_date: NaiveDate,
    title: String,
    model: String,
    sections: String,
    status: String,
    tags: String,
    session_id: Option<String>,
    observation_id: Option<String>,
    case_reference: Option<String>,
    cpd: Option<String>,
    cpd_peer_reflection: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub author_id: String,
    pub entry_date: NaiveDate,
    pub title: String,
    pub model: String,
    pub sections: BTreeMap<String, String>,
    /// `draft` or `complete`.
    pub status: String,
    pub tags: Vec<String>,
    pub session_id: Option<String>,
    pub observation_id: Option<String>,
    pub case_reference: Option<String>,
    pub cpd: Option<CpdRecord>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl TryFrom<Row> for Entry {
    type Error = StoreError;

    fn try_from(row: Row) -> StoreResult<Entry> {
        Ok(Entry {
            sections: serde_json::from_str(&row.sections).map_err(corrupt)?,
            tags: serde_json::from_str(&row.tags).map_err(corrupt)?,
            cpd: row
                .cpd
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(corrupt)?,
            id: row.id,
            author_id: row.author_id,
            entry_date: row.entry_date,
            title: row.title,
            model: row.model,
            status: row.status,
            session_id: row.session_id,
            observation_id: row.observation_id,
            case_reference: row.case_reference,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

/// An entry's content as the author writes it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub entry_date: NaiveDate,
    pub title: String,
    pub model: String,
    pub sections: BTreeMap<String, String>,
    pub status: String,
    pub tags: Vec<String>,
    pub session_id: Option<String>,
    pub observation_id: Option<String>,
    pub case_reference: Option<String>,
    pub cpd: Option<CpdRecord>,
}

impl Draft {
    /// Whether the entry already says exactly this: a retried save changes nothing.
    pub fn same_as(&self, entry: &Entry) -> bool {
        self.entry_date == entry.entry_date
            && self.title == entry.title
            && self.model == entry.model
            && self.sections == entry.sections
            && self.status == entry.status
            && self.tags == entry.tags
            && self.session_id == entry.session_id
            && self.observation_id == entry.observation_id
            && self.case_reference == entry.case_reference
            && self.cpd == entry.cpd
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("entry data serialises")
}

pub fn insert(conn: &mut DbConnection, author_id: &str, draft: &Draft) -> StoreResult<Entry> {
    let id = new_id();
    let at = now();
    diesel::insert_into(reflective_entries::table)
        .values((
            reflective_entries::id.eq(&id),
            reflective_entries::author_id.eq(author_id),
            reflective_entries::entry_date.eq(draft.entry_date),
            reflective_entries::title.eq(&draft.title),
            reflective_entries::model.eq(&draft.model),
            reflective_entries::sections.eq(json(&draft.sections)),
            reflective_entries::status.eq(&draft.status),
            reflective_entries::tags.eq(json(&draft.tags)),
            reflective_entries::session_id.eq(&draft.session_id),
            reflective_entries::observation_id.eq(&draft.observation_id),
            reflective_entries::case_reference.eq(&draft.case_reference),
            reflective_entries::cpd.eq(draft.cpd.as_ref().map(json)),
            reflective_entries::cpd_peer_reflection.eq(has_peer(draft)),
            reflective_entries::created_at.eq(at),
            reflective_entries::updated_at.eq(at),
            reflective_entries::version.eq(1),
        ))
        .execute(conn)?;
    find(conn, &id)
}

fn has_peer(draft: &Draft) -> bool {
    draft
        .cpd
        .as_ref()
        .is_some_and(|cpd| cpd.peer_reflection.is_some())
}

/// Replaces the entry's content if it is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    draft: &Draft,
) -> StoreResult<Entry> {
    let changed = diesel::update(
        reflective_entries::table
            .filter(reflective_entries::id.eq(id))
            .filter(reflective_entries::version.eq(expected_version)),
    )
    .set((
        reflective_entries::entry_date.eq(draft.entry_date),
        reflective_entries::title.eq(&draft.title),
        reflective_entries::model.eq(&draft.model),
        reflective_entries::sections.eq(json(&draft.sections)),
        reflective_entries::status.eq(&draft.status),
        reflective_entries::tags.eq(json(&draft.tags)),
        reflective_entries::session_id.eq(&draft.session_id),
        reflective_entries::observation_id.eq(&draft.observation_id),
        reflective_entries::case_reference.eq(&draft.case_reference),
        reflective_entries::cpd.eq(draft.cpd.as_ref().map(json)),
        reflective_entries::cpd_peer_reflection.eq(has_peer(draft)),
        reflective_entries::updated_at.eq(now()),
        reflective_entries::version.eq(reflective_entries::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: find(conn, id)?.version,
        });
    }
    find(conn, id)
}

/// An entry by id, whoever it belongs to: callers decide who may see it.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Entry> {
    let row: Row = reflective_entries::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    row.try_into()
}

/// Whose entries a list reads: the author's own, or those shared with a supervisor.
#[derive(Debug, Clone)]
pub enum Reader {
    Author(String),
    SharedWith(String),
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub model: Option<String>,
    pub status: Option<String>,
    pub tag: Option<String>,
    pub cpd: Option<bool>,
    /// Entry date on or after.
    pub from: Option<NaiveDate>,
    /// Entry date on or before.
    pub to: Option<NaiveDate>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    reader: &Reader,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<Entry>, i64)> {
    let query = || {
        let mut query = reflective_entries::table.into_boxed();
        query = match reader {
            Reader::Author(author) => {
                query.filter(reflective_entries::author_id.eq(author.clone()))
            }
            Reader::SharedWith(supervisor) => query.filter(
                reflective_entries::id.eq_any(
                    entry_shares::table
                        .filter(entry_shares::supervisor_id.eq(supervisor.clone()))
                        .select(entry_shares::entry_id),
                ),
            ),
        };
        if let Some(model) = &filter.model {
            query = query.filter(reflective_entries::model.eq(model.clone()));
        }
        if let Some(status) = &filter.status {
            query = query.filter(reflective_entries::status.eq(status.clone()));
        }
        if let Some(tag) = &filter.tag {
            // Tags are stored as a JSON array of plain lower-case strings (see check_tags),
            // so the quoted tag matches exactly one element.
            let quoted = json(tag)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            query = query.filter(
                reflective_entries::tags
                    .like(format!("%{quoted}%"))
                    .escape('\\'),
            );
        }
        match filter.cpd {
            Some(true) => query = query.filter(reflective_entries::cpd.is_not_null()),
            Some(false) => query = query.filter(reflective_entries::cpd.is_null()),
            None => {}
        }
        if let Some(from) = filter.from {
            query = query.filter(reflective_entries::entry_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(reflective_entries::entry_date.le(to));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let rows: Vec<Row> = query()
        .order((
            reflective_entries::entry_date.desc(),
            reflective_entries::id.desc(),
        ))
        .select(Row::as_select())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    let entries = rows
        .into_iter()
        .map(Entry::try_from)
        .collect::<StoreResult<_>>()?;
    Ok((entries, total))
}

/// The author's CPD records in a period: (date, has a peer reflection).
pub fn cpd_dates(
    conn: &mut DbConnection,
    author_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<Vec<(NaiveDate, bool)>> {
    Ok(reflective_entries::table
        .filter(reflective_entries::author_id.eq(author_id))
        .filter(reflective_entries::cpd.is_not_null())
        .filter(reflective_entries::entry_date.ge(from))
        .filter(reflective_entries::entry_date.le(to))
        .select((
            reflective_entries::entry_date,
            reflective_entries::cpd_peer_reflection,
        ))
        .load(conn)?)
}

// ---- Sharing and comments (REF-2) ----

pub fn shared_with(conn: &mut DbConnection, entry_id: &str) -> StoreResult<Vec<String>> {
    Ok(entry_shares::table
        .filter(entry_shares::entry_id.eq(entry_id))
        .order(entry_shares::shared_at.asc())
        .select(entry_shares::supervisor_id)
        .load(conn)?)
}

pub fn is_shared_with(
    conn: &mut DbConnection,
    entry_id: &str,
    supervisor_id: &str,
) -> StoreResult<bool> {
    let count: i64 = entry_shares::table
        .filter(entry_shares::entry_id.eq(entry_id))
        .filter(entry_shares::supervisor_id.eq(supervisor_id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Shares the entry (again sharing changes nothing).
pub fn share(conn: &mut DbConnection, entry_id: &str, supervisor_id: &str) -> StoreResult<()> {
    if !is_shared_with(conn, entry_id, supervisor_id)? {
        diesel::insert_into(entry_shares::table)
            .values((
                entry_shares::entry_id.eq(entry_id),
                entry_shares::supervisor_id.eq(supervisor_id),
                entry_shares::shared_at.eq(now()),
            ))
            .execute(conn)
            .map_err(|e| StoreError::unique_as_conflict(e, "shared at the same moment"))?;
    }
    Ok(())
}

/// Whether there was a share to remove.
pub fn unshare(conn: &mut DbConnection, entry_id: &str, supervisor_id: &str) -> StoreResult<bool> {
    let removed = diesel::delete(
        entry_shares::table
            .filter(entry_shares::entry_id.eq(entry_id))
            .filter(entry_shares::supervisor_id.eq(supervisor_id)),
    )
    .execute(conn)?;
    Ok(removed > 0)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = entry_comments)]
pub struct Comment {
    pub id: String,
    pub entry_id: String,
    pub author_id: String,
    pub text: String,
    pub created_at: NaiveDateTime,
}

pub fn add_comment(
    conn: &mut DbConnection,
    entry_id: &str,
    author_id: &str,
    text: &str,
) -> StoreResult<()> {
    diesel::insert_into(entry_comments::table)
        .values((
            entry_comments::id.eq(new_id()),
            entry_comments::entry_id.eq(entry_id),
            entry_comments::author_id.eq(author_id),
            entry_comments::text.eq(text),
            entry_comments::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Oldest first. `visible_to` limits them to what one reader may see: a supervisor sees
/// the author's comments and their own, not another supervisor's.
pub fn comments(
    conn: &mut DbConnection,
    entry_id: &str,
    visible_to: Option<(&str, &str)>,
) -> StoreResult<Vec<Comment>> {
    let mut query = entry_comments::table
        .filter(entry_comments::entry_id.eq(entry_id))
        .into_boxed();
    if let Some((author, reader)) = visible_to {
        query = query.filter(
            entry_comments::author_id
                .eq(author.to_string())
                .or(entry_comments::author_id.eq(reader.to_string())),
        );
    }
    Ok(query
        .order((entry_comments::created_at.asc(), entry_comments::id.asc()))
        .select(Comment::as_select())
        .load(conn)?)
}
