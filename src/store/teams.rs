//! Teams: a group of people under a team manager, the unit of group supervision (GRP-1).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::teams;
use super::{now, DbConnection, Page, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

const DUPLICATE: &str = "a team with this name already exists";

pub fn insert(conn: &mut DbConnection, name: &str) -> StoreResult<Team> {
    let id = super::new_id();
    let at = now();
    diesel::insert_into(teams::table)
        .values((
            teams::id.eq(&id),
            teams::name.eq(name),
            teams::active.eq(true),
            teams::created_at.eq(at),
            teams::updated_at.eq(at),
            teams::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| StoreError::unique_as_conflict(e, DUPLICATE))?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Team> {
    teams::table
        .find(id)
        .select(teams::all_columns)
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn list(
    conn: &mut DbConnection,
    active: Option<bool>,
    page: Page,
) -> StoreResult<(Vec<Team>, i64)> {
    let query = || {
        let mut query = teams::table.into_boxed();
        if let Some(active) = active {
            query = query.filter(teams::active.eq(active));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(teams::all_columns)
        .order((teams::name.asc(), teams::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok((items, total))
}

#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = teams)]
pub struct Changes {
    pub name: Option<String>,
    pub active: Option<bool>,
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    changes: &Changes,
) -> StoreResult<Team> {
    let changed = diesel::update(
        teams::table
            .filter(teams::id.eq(id))
            .filter(teams::version.eq(expected_version)),
    )
    .set((
        changes,
        teams::updated_at.eq(now()),
        teams::version.eq(teams::version + 1),
    ))
    .execute(conn)
    .map_err(|e| StoreError::unique_as_conflict(e, DUPLICATE))?;
    if changed == 0 {
        let current = find(conn, id)?;
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    find(conn, id)
}
