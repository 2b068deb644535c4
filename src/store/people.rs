//! People: the only table that holds credentials; deactivation never deletes a row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::people;
use super::stamp::{Day, Stamp};
use super::{now, DbConnection, Page, StoreError, StoreResult};
use crate::domain::people::StaffCategory;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

pub(super) type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<Day>,
    Option<Day>,
    Option<Day>,
    Option<Day>,
    String,
    bool,
    bool,
    bool,
    bool,
    Stamp,
    Stamp,
    i32,
);

pub(super) type Columns = (
    people::id,
    people::email,
    people::display_name,
    people::staff_category,
    people::team_id,
    people::employment_start,
    people::asye_start,
    people::placement_start,
    people::placement_end,
    people::time_zone,
    people::active,
    people::is_admin,
    people::is_auditor,
    people::must_change_password,
    people::created_at,
    people::updated_at,
    people::version,
);

/// Every column but the password hash, which only [`credentials_by_email`] reads.
pub(super) const COLUMNS: Columns = (
    people::id,
    people::email,
    people::display_name,
    people::staff_category,
    people::team_id,
    people::employment_start,
    people::asye_start,
    people::placement_start,
    people::placement_end,
    people::time_zone,
    people::active,
    people::is_admin,
    people::is_auditor,
    people::must_change_password,
    people::created_at,
    people::updated_at,
    people::version,
);

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    pub employment_start: Option<NaiveDate>,
    pub asye_start: Option<NaiveDate>,
    pub placement_start: Option<NaiveDate>,
    pub placement_end: Option<NaiveDate>,
    pub time_zone: String,
    pub active: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub must_change_password: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

pub(super) fn from_row(row: Row) -> StoreResult<Person> {
    let staff_category = row.3.parse().map_err(|e: String| {
        StoreError::Database(diesel::result::Error::DeserializationError(e.into()))
    })?;
    Ok(Person {
        id: row.0,
        email: row.1,
        display_name: row.2,
        staff_category,
        team_id: row.4,
        employment_start: row.5.map(Into::into),
        asye_start: row.6.map(Into::into),
        placement_start: row.7.map(Into::into),
        placement_end: row.8.map(Into::into),
        time_zone: row.9,
        active: row.10,
        is_admin: row.11,
        is_auditor: row.12,
        must_change_password: row.13,
        created_at: row.14.into(),
        updated_at: row.15.into(),
        version: row.16,
    })
}

/// A person to create; the caller has validated every field.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    pub employment_start: Option<NaiveDate>,
    pub asye_start: Option<NaiveDate>,
    pub placement_start: Option<NaiveDate>,
    pub placement_end: Option<NaiveDate>,
    pub time_zone: String,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub fn insert(conn: &mut DbConnection, new: NewPerson) -> StoreResult<Person> {
    let id = super::new_id();
    let at = now();
    diesel::insert_into(people::table)
        .values((
            people::id.eq(&id),
            people::email.eq(&new.email),
            people::display_name.eq(&new.display_name),
            people::staff_category.eq(new.staff_category.as_str()),
            people::team_id.eq(&new.team_id),
            people::employment_start.eq(new.employment_start),
            people::asye_start.eq(new.asye_start),
            people::placement_start.eq(new.placement_start),
            people::placement_end.eq(new.placement_end),
            people::time_zone.eq(&new.time_zone),
            people::active.eq(true),
            people::is_admin.eq(new.is_admin),
            people::is_auditor.eq(new.is_auditor),
            people::password_hash.eq(Some(&new.password_hash)),
            people::must_change_password.eq(new.must_change_password),
            people::created_at.eq(at),
            people::updated_at.eq(at),
            people::version.eq(1),
        ))
        .execute(conn)
        .map_err(|e| {
            StoreError::unique_as_conflict(e, "a person with this e-mail already exists")
        })?;
    // Everyone gets reminders from their first minute.
    super::reminders::touch(conn, &id, at)?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Person> {
    people::table
        .find(id)
        .select(COLUMNS)
        .get_result::<Row>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
        .and_then(from_row)
}

/// The person with this e-mail and their password hash, for sign-in.
pub fn credentials_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> StoreResult<Option<(Person, Option<String>)>> {
    let found = people::table
        .filter(people::email.eq(email))
        .select((COLUMNS, people::password_hash))
        .get_result::<(Row, Option<String>)>(conn)
        .optional()?;
    found
        .map(|(row, hash)| Ok((from_row(row)?, hash)))
        .transpose()
}

pub fn password_hash(conn: &mut DbConnection, id: &str) -> StoreResult<Option<String>> {
    people::table
        .find(id)
        .select(people::password_hash)
        .get_result::<Option<String>>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

pub fn set_password(
    conn: &mut DbConnection,
    id: &str,
    hash: &str,
    must_change: bool,
) -> StoreResult<()> {
    let changed = diesel::update(people::table.find(id))
        .set((
            people::password_hash.eq(Some(hash)),
            people::must_change_password.eq(must_change),
            people::updated_at.eq(now()),
            people::version.eq(people::version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// What decides a signed-in person's access on each request (ACC-1): read fresh, not taken
/// from the token, so that a change bites on the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub active: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub must_change_password: bool,
    pub epoch: i32,
}

pub fn access(conn: &mut DbConnection, id: &str) -> StoreResult<Access> {
    people::table
        .find(id)
        .select((
            people::active,
            people::is_admin,
            people::is_auditor,
            people::must_change_password,
            people::access_epoch,
        ))
        .get_result::<(bool, bool, bool, bool, i32)>(conn)
        .optional()?
        .map(
            |(active, is_admin, is_auditor, must_change_password, epoch)| Access {
                active,
                is_admin,
                is_auditor,
                must_change_password,
                epoch,
            },
        )
        .ok_or(StoreError::NotFound)
}

/// Signs the person out of every device (ACC-1): their refresh tokens are revoked and their
/// access epoch moves on, which ends every access token issued before now.
pub fn sign_out_everywhere(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    let changed = diesel::update(people::table.find(id))
        .set(people::access_epoch.eq(people::access_epoch + 1))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    super::refresh_tokens::revoke_person(conn, id, now())?;
    Ok(())
}

pub fn any_admin(conn: &mut DbConnection) -> StoreResult<bool> {
    let count: i64 = people::table
        .filter(people::is_admin.eq(true))
        .filter(people::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(people::table.count().get_result(conn)?)
}

/// Which people a list shows. `only_ids` scopes the list to what the caller may see.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub team_id: Option<String>,
    pub staff_category: Option<StaffCategory>,
    pub active: Option<bool>,
    pub search: Option<String>,
    pub only_ids: Option<Vec<String>>,
}

type Backend = <DbConnection as Connection>::Backend;

/// The people `filter` selects, unordered.
fn filtered(filter: &Filter) -> people::BoxedQuery<'static, Backend> {
    let mut query = people::table.into_boxed();
    if let Some(team) = &filter.team_id {
        query = query.filter(people::team_id.eq(team.clone()));
    }
    if let Some(category) = filter.staff_category {
        query = query.filter(people::staff_category.eq(category.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(people::active.eq(active));
    }
    if let Some(search) = &filter.search {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        query = query.filter(
            lower(people::display_name)
                .like(pattern.clone())
                .escape('\\')
                .or(people::email.like(pattern).escape('\\')),
        );
    }
    if let Some(ids) = &filter.only_ids {
        query = query.filter(people::id.eq_any(ids.clone()));
    }
    query
}

/// One page of the people `filter` selects, by name, and how many it selects in all.
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<Person>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .select(COLUMNS)
        .order((people::display_name.asc(), people::id.asc()))
        .limit(page.limit)
        .offset(page.offset)
        .load::<Row>(conn)?;
    let people = rows.into_iter().map(from_row).collect::<StoreResult<_>>()?;
    Ok((people, total))
}

/// Everyone `filter` selects, in no order: for reports, which order by their own figures.
pub fn all_matching(conn: &mut DbConnection, filter: &Filter) -> StoreResult<Vec<Person>> {
    let rows = filtered(filter).select(COLUMNS).load::<Row>(conn)?;
    rows.into_iter().map(from_row).collect()
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Changes to a person; `None` leaves a field as it is, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = people)]
pub struct Changes {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub staff_category: Option<String>,
    pub team_id: Option<Option<String>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub asye_start: Option<Option<NaiveDate>>,
    pub placement_start: Option<Option<NaiveDate>>,
    pub placement_end: Option<Option<NaiveDate>>,
    pub time_zone: Option<String>,
    pub active: Option<bool>,
    pub is_admin: Option<bool>,
    pub is_auditor: Option<bool>,
}

/// Applies changes if the row is still at `expected_version` (SES-5 style optimistic
/// concurrency): a stale version is refused, never overwritten.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    changes: &Changes,
) -> StoreResult<Person> {
    let changed = diesel::update(
        people::table
            .filter(people::id.eq(id))
            .filter(people::version.eq(expected_version)),
    )
    .set((
        changes,
        people::updated_at.eq(now()),
        people::version.eq(people::version + 1),
    ))
    .execute(conn)
    .map_err(|e| StoreError::unique_as_conflict(e, "a person with this e-mail already exists"))?;
    if changed == 0 {
        let current = find(conn, id)?;
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    find(conn, id)
}
