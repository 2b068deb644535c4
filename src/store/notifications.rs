//! The in-app inbox (REM-4): what the service told a person, read or not. Push delivery
//! builds on these rows; a phone without push, or a desk client, reads the same list.

use chrono::NaiveDateTime;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::schema::notifications;
use super::stamp::{MaybeStamp, Stamp};
use super::{new_id, now, DbConnection, Page, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: String,
    pub person_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub subject_type: String,
    pub subject_id: String,
    #[diesel(deserialize_as = Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = MaybeStamp)]
    pub read_at: Option<NaiveDateTime>,
}

/// A notification to write. Title and body never hold case references or record content
/// (REM-6): the app fetches those after it authenticates.
pub struct NewNotification<'a> {
    pub person_id: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
}

pub fn notify(conn: &mut DbConnection, new: NewNotification<'_>) -> StoreResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(new_id()),
            notifications::person_id.eq(new.person_id),
            notifications::kind.eq(new.kind),
            notifications::title.eq(new.title),
            notifications::body.eq(new.body),
            notifications::link.eq(new.link),
            notifications::subject_type.eq(new.subject_type),
            notifications::subject_id.eq(new.subject_id),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

// The person's notifications again, inside a query of their notifications, to count them.
diesel::alias!(notifications as COUNTED: Counted);

/// A page of the person's inbox, newest first, with the total and the unread count. One
/// statement, a round trip on PostgreSQL: each row carries the counts, made by subqueries
/// that run once (not a window over every row, which SQLite would copy aside first); only an
/// empty page past the first needs a second statement for them.
pub fn inbox(
    conn: &mut DbConnection,
    person_id: &str,
    unread_only: bool,
    page: Page,
) -> StoreResult<(Vec<Notification>, i64, i64)> {
    let mine = || notifications::table.filter(notifications::person_id.eq(person_id.to_string()));
    let counted = || {
        COUNTED.filter(
            COUNTED
                .field(notifications::person_id)
                .eq(person_id.to_string()),
        )
    };
    // "Unread only" is a bound flag, not a filter added to a boxed query: the statement keeps
    // one shape, which diesel finds in its cache by type instead of rendering the SQL of a
    // boxed query to look it up on every read (a quarter of an empty inbox's work, issue 18).
    let rows: Vec<(Notification, Option<i64>, Option<i64>)> = mine()
        .filter(
            notifications::read_at
                .is_null()
                .or((!unread_only).into_sql::<Bool>()),
        )
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .select((
            Notification::as_select(),
            counted().select(count_star()).single_value(),
            counted()
                .select(count(COUNTED.field(notifications::read_at)))
                .single_value(),
        ))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    let (all, read) = match rows.first() {
        Some(&(_, all, read)) => (all.unwrap_or(0), read.unwrap_or(0)),
        None if page.offset > 0 => mine()
            .select((count_star(), count(notifications::read_at)))
            .get_result(conn)?,
        None => (0, 0),
    };
    let unread = all - read;
    let total = if unread_only { unread } else { all };
    let items = rows.into_iter().map(|(item, _, _)| item).collect();
    Ok((items, total, unread))
}

/// Marks one of the person's notifications read; someone else's is not found.
pub fn mark_read(conn: &mut DbConnection, person_id: &str, id: &str) -> StoreResult<Notification> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::person_id.eq(person_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now()))
    .execute(conn)?;
    notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::person_id.eq(person_id))
        .select(Notification::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Marks read the person's notifications about one subject (the demo's people read what
/// they acted on); returns how many.
pub fn mark_read_about(
    conn: &mut DbConnection,
    person_id: &str,
    subject_type: &str,
    subject_id: &str,
) -> StoreResult<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::person_id.eq(person_id))
            .filter(notifications::subject_type.eq(subject_type))
            .filter(notifications::subject_id.eq(subject_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now()))
    .execute(conn)?)
}
