//! Dated line-management links; the rules about them live in `domain::line_management`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::line_management;
use super::{now, DbConnection, StoreResult};
use crate::domain::line_management::{Hierarchy, Link, MAX_CHAIN};

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct StoredLink {
    pub id: String,
    pub supervisee_id: String,
    pub manager_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub created_by: Option<String>,
}

impl From<StoredLink> for Link {
    fn from(stored: StoredLink) -> Link {
        Link {
            id: stored.id,
            supervisee_id: stored.supervisee_id,
            manager_id: stored.manager_id,
            starts_on: stored.starts_on,
            ends_on: stored.ends_on,
        }
    }
}

/// Every link, as the hierarchy that answers "who manages whom on date d". Links are few
/// (about one a person a year), so loading them all is cheaper than recursive SQL on two
/// dialects.
pub fn hierarchy(conn: &mut DbConnection) -> StoreResult<Hierarchy> {
    let links: Vec<StoredLink> = line_management::table
        .select(line_management::all_columns)
        .load(conn)?;
    Ok(Hierarchy::new(links.into_iter().map(Link::from)))
}

pub fn for_supervisee(
    conn: &mut DbConnection,
    supervisee_id: &str,
) -> StoreResult<Vec<StoredLink>> {
    Ok(line_management::table
        .filter(line_management::supervisee_id.eq(supervisee_id))
        .select(line_management::all_columns)
        .order(line_management::starts_on.asc())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<StoredLink> {
    line_management::table
        .find(id)
        .select(line_management::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or(super::StoreError::NotFound)
}

pub struct NewLink<'a> {
    pub supervisee_id: &'a str,
    pub manager_id: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_by: Option<&'a str>,
}

/// Ends `ends_link` (if any) on the new link's start and inserts the new link.
pub fn insert(
    conn: &mut DbConnection,
    new: NewLink<'_>,
    ends_link: Option<&str>,
) -> StoreResult<StoredLink> {
    if let Some(old) = ends_link {
        diesel::update(line_management::table.find(old))
            .set(line_management::ends_on.eq(Some(new.starts_on)))
            .execute(conn)?;
    }
    let id = super::new_id();
    diesel::insert_into(line_management::table)
        .values((
            line_management::id.eq(&id),
            line_management::supervisee_id.eq(new.supervisee_id),
            line_management::manager_id.eq(new.manager_id),
            line_management::starts_on.eq(new.starts_on),
            line_management::ends_on.eq(new.ends_on),
            line_management::created_at.eq(now()),
            line_management::created_by.eq(new.created_by),
        ))
        .execute(conn)?;
    // A new manager changes who hears of the supervisee's breaches.
    super::reminders::touch(conn, new.supervisee_id, now())?;
    find(conn, &id)
}

/// The person's line manager on `date`: one indexed lookup, for callers that need one
/// answer rather than the whole hierarchy.
pub fn manager_on(
    conn: &mut DbConnection,
    person_id: &str,
    date: NaiveDate,
) -> StoreResult<Option<String>> {
    Ok(line_management::table
        .filter(line_management::supervisee_id.eq(person_id))
        .filter(line_management::starts_on.le(date))
        .filter(
            line_management::ends_on
                .is_null()
                .or(line_management::ends_on.gt(date)),
        )
        .select(line_management::manager_id)
        .load::<String>(conn)?
        .pop())
}

/// Whether `manager_id` is anywhere above `person_id` on `date`, walking up one indexed
/// lookup a level (the same answer as `Hierarchy::is_above`, without loading every link).
pub fn is_above(
    conn: &mut DbConnection,
    manager_id: &str,
    person_id: &str,
    date: NaiveDate,
) -> StoreResult<bool> {
    let mut seen: Vec<String> = Vec::new();
    let mut current = person_id.to_string();
    while seen.len() < MAX_CHAIN {
        let Some(manager) = manager_on(conn, &current, date)? else {
            return Ok(false);
        };
        if manager == manager_id {
            return Ok(true);
        }
        // A cycle in the data ends the walk, as it does for the hierarchy.
        if manager == person_id || seen.contains(&manager) {
            return Ok(false);
        }
        seen.push(manager.clone());
        current = manager;
    }
    Ok(false)
}

/// Who the manager directly manages on `date`.
pub fn direct_reports(
    conn: &mut DbConnection,
    manager_id: &str,
    date: NaiveDate,
) -> StoreResult<Vec<String>> {
    Ok(line_management::table
        .filter(line_management::manager_id.eq(manager_id))
        .filter(line_management::starts_on.le(date))
        .filter(
            line_management::ends_on
                .is_null()
                .or(line_management::ends_on.gt(date)),
        )
        .select(line_management::supervisee_id)
        .load(conn)?)
}
