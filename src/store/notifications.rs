//! The in-app inbox (REM-4): what the service told a person, read or not. Push delivery
//! builds on these rows; a phone without push, or a desk client, reads the same list.

use chrono::NaiveDateTime;
use diesel::dsl::{count, count_star};
use diesel::prelude::*;

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

/// A page of the person's inbox, newest first, with the total and the unread count: two
/// statements, the counts taken together (`count(read_at)` counts the read ones).
pub fn inbox(
    conn: &mut DbConnection,
    person_id: &str,
    unread_only: bool,
    page: Page,
) -> StoreResult<(Vec<Notification>, i64, i64)> {
    let (all, read): (i64, i64) = notifications::table
        .filter(notifications::person_id.eq(person_id))
        .select((count_star(), count(notifications::read_at)))
        .get_result(conn)?;
    let unread = all - read;
    let mut query = notifications::table
        .filter(notifications::person_id.eq(person_id.to_string()))
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    let items = query
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .select(Notification::as_select())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    let total = if unread_only { unread } else { all };
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
