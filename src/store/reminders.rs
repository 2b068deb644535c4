//! Durable reminders (REM-5): each planned reminder is a row, keyed by recipient, kind,
//! subject and fire time; firing writes it to the inbox and queues one delivery per device;
//! deliveries are claimed, sent and their outcome recorded. On PostgreSQL several instances
//! share the work by claiming rows with `FOR UPDATE SKIP LOCKED`; on SQLite writes are
//! serialised, so one claimer at a time is all there is.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::notifications::{self, NewNotification};
use super::schema::{
    devices, reminder_deliveries, reminder_preferences, reminder_schedule, reminders,
};
use super::{devices as device_store, new_id, DbConnection, StoreError, StoreResult};
use crate::domain::push::Delivery;
use crate::domain::reminder_plan::Planned;
use crate::domain::reminders::{Preferences, ReminderKind};

pub const PLANNED: &str = "planned";
pub const FIRED: &str = "fired";

/// Delivery states.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const GONE: &str = "gone";
pub const REJECTED: &str = "rejected";
/// Past the reminder's `deliver_by` (REM-5): not sent, or not tried again.
pub const EXPIRED: &str = "expired";

type Key = (String, String, String, NaiveDateTime);

fn key(p: &Planned) -> Key {
    (
        p.person_id.clone(),
        p.kind.as_str().to_string(),
        p.subject_id.clone(),
        p.fire_at.naive_utc(),
    )
}

/// Makes `planned_for`'s reminders that have not fired match `plan`: new ones are added,
/// ones no longer planned (a session moved, a record signed) are removed, changed delivery
/// times and texts are updated. A reminder that has fired is never added again (its key is
/// taken). Returns (added, removed).
pub fn replace_plan(
    conn: &mut DbConnection,
    planned_for: &str,
    plan: &[Planned],
    now: NaiveDateTime,
) -> StoreResult<(usize, usize)> {
    let existing: Vec<(String, String, String, String, NaiveDateTime)> = reminders::table
        .filter(reminders::planned_for.eq(planned_for))
        .filter(reminders::state.eq(PLANNED))
        .select((
            reminders::id,
            reminders::person_id,
            reminders::kind,
            reminders::subject_id,
            reminders::fire_at,
        ))
        .load(conn)?;
    let wanted: std::collections::HashMap<Key, &Planned> =
        plan.iter().map(|p| (key(p), p)).collect();
    let mut removed = 0;
    let mut kept = std::collections::HashSet::new();
    for (id, person, kind, subject, fire_at) in existing {
        let k = (person, kind, subject, fire_at);
        match wanted.get(&k) {
            Some(p) => {
                diesel::update(reminders::table.find(&id))
                    .set((
                        reminders::deliver_at.eq(p.deliver_at.naive_utc()),
                        reminders::deliver_by.eq(p.deliver_by.naive_utc()),
                        reminders::title.eq(&p.title),
                        reminders::body.eq(&p.body),
                        reminders::link.eq(&p.link),
                    ))
                    .execute(conn)?;
                kept.insert(k);
            }
            None => {
                removed += diesel::delete(reminders::table.find(&id)).execute(conn)?;
            }
        }
    }
    let mut added = 0;
    for p in plan.iter().filter(|p| !kept.contains(&key(p))) {
        // A savepoint per insert: a key already taken (the reminder fired, or another plan
        // made it) must not abort the whole transaction on PostgreSQL.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(reminders::table)
                .values((
                    reminders::id.eq(new_id()),
                    reminders::person_id.eq(&p.person_id),
                    reminders::kind.eq(p.kind.as_str()),
                    reminders::subject_id.eq(&p.subject_id),
                    reminders::fire_at.eq(p.fire_at.naive_utc()),
                    reminders::deliver_at.eq(p.deliver_at.naive_utc()),
                    reminders::deliver_by.eq(p.deliver_by.naive_utc()),
                    reminders::planned_for.eq(planned_for),
                    reminders::title.eq(&p.title),
                    reminders::body.eq(&p.body),
                    reminders::link.eq(&p.link),
                    reminders::state.eq(PLANNED),
                    reminders::created_at.eq(now),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(n) => added += n,
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok((added, removed))
}

/// Ids of up to `limit` rows of `table` due at `now`, locked for this transaction on
/// PostgreSQL so other instances skip them.
macro_rules! due_ids {
    ($conn:expr, $query:expr, $column:expr, $limit:expr) => {
        match $conn {
            DbConnection::Postgres(pg) => $query
                .select($column)
                .limit($limit)
                .for_update()
                .skip_locked()
                .load::<String>(pg)?,
            DbConnection::Sqlite(sqlite) => $query
                .select($column)
                .limit($limit)
                .load::<String>(sqlite)?,
        }
    };
}

/// Fires reminders due at `now`: each goes into the recipient's inbox (REM-4) and gets one
/// pending delivery per device, to be pushed at its `deliver_at` (REM-3). Returns how many.
pub fn fire_due(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> StoreResult<usize> {
    let ids = due_ids!(
        conn,
        reminders::table
            .filter(reminders::state.eq(PLANNED))
            .filter(reminders::fire_at.le(now))
            .order(reminders::fire_at.asc()),
        reminders::id,
        limit
    );
    for id in &ids {
        let (person, kind, subject, deliver_at, title, body, link): (
            String,
            String,
            String,
            NaiveDateTime,
            String,
            String,
            String,
        ) = reminders::table
            .find(id)
            .select((
                reminders::person_id,
                reminders::kind,
                reminders::subject_id,
                reminders::deliver_at,
                reminders::title,
                reminders::body,
                reminders::link,
            ))
            .get_result(conn)?;
        notifications::notify(
            conn,
            NewNotification {
                person_id: &person,
                kind: &kind,
                title: &title,
                body: &body,
                link: &link,
                subject_type: "reminder",
                subject_id: &subject,
            },
        )?;
        let device_ids: Vec<String> = devices::table
            .filter(devices::person_id.eq(&person))
            .select(devices::id)
            .load(conn)?;
        for device in device_ids {
            diesel::insert_into(reminder_deliveries::table)
                .values((
                    reminder_deliveries::reminder_id.eq(id),
                    reminder_deliveries::device_id.eq(&device),
                    reminder_deliveries::state.eq(PENDING),
                    reminder_deliveries::attempts.eq(0),
                    reminder_deliveries::next_attempt_at.eq(deliver_at),
                    reminder_deliveries::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        diesel::update(reminders::table.find(id))
            .set((reminders::state.eq(FIRED), reminders::fired_at.eq(now)))
            .execute(conn)?;
    }
    Ok(ids.len())
}

/// A delivery claimed for sending, with what it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub reminder_id: String,
    pub device_id: String,
    pub attempts: i32,
    pub kind: ReminderKind,
    pub person_id: String,
    pub subject_id: String,
    pub fire_at: NaiveDateTime,
    pub title: String,
    pub body: String,
    pub link: String,
    pub device: Option<device_store::Device>,
    /// The claim is this instance's until then; its outcome is recorded only if it still is.
    pub claimed_until: NaiveDateTime,
    pub deliver_by: NaiveDateTime,
}

/// What one claim took: deliveries to send, and how many it found past their deadline and
/// recorded `expired` instead.
#[derive(Debug, Default)]
pub struct Claims {
    pub claimed: Vec<Claimed>,
    pub expired: usize,
}

/// Claims up to `limit` deliveries due at `now` for `instance` until `now + lease`. A claim
/// that outlives its lease (the instance died mid-send) is taken over. Those past their
/// reminder's `deliver_by` are recorded `expired`, not claimed (REM-5).
pub fn claim_deliveries(
    conn: &mut DbConnection,
    instance: &str,
    now: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> StoreResult<Claims> {
    let due = reminder_deliveries::table
        .filter(reminder_deliveries::state.eq(PENDING))
        .filter(reminder_deliveries::next_attempt_at.le(now))
        .filter(
            reminder_deliveries::claimed_until
                .is_null()
                .or(reminder_deliveries::claimed_until.lt(now)),
        )
        .order(reminder_deliveries::next_attempt_at.asc());
    let columns = (
        reminder_deliveries::reminder_id,
        reminder_deliveries::device_id,
        reminder_deliveries::attempts,
    );
    let keys: Vec<(String, String, i32)> = match conn {
        DbConnection::Postgres(pg) => due
            .select(columns)
            .limit(limit)
            .for_update()
            .skip_locked()
            .load(pg)?,
        DbConnection::Sqlite(sqlite) => due.select(columns).limit(limit).load(sqlite)?,
    };
    // At the precision both backends store, so recording can match it exactly.
    let claimed_until = super::truncate_to_micros(now + lease);
    let mut claims = Claims::default();
    for (reminder_id, device_id, attempts) in keys {
        let (person_id, kind, subject_id, fire_at, deliver_by, title, body, link): (
            String,
            String,
            String,
            NaiveDateTime,
            NaiveDateTime,
            String,
            String,
            String,
        ) = reminders::table
            .find(&reminder_id)
            .select((
                reminders::person_id,
                reminders::kind,
                reminders::subject_id,
                reminders::fire_at,
                reminders::deliver_by,
                reminders::title,
                reminders::body,
                reminders::link,
            ))
            .get_result(conn)?;
        let row = reminder_deliveries::table.find((&reminder_id, &device_id));
        if deliver_by <= now {
            diesel::update(row)
                .set((
                    reminder_deliveries::state.eq(EXPIRED),
                    reminder_deliveries::updated_at.eq(now),
                ))
                .execute(conn)?;
            claims.expired += 1;
            continue;
        }
        diesel::update(row)
            .set((
                reminder_deliveries::claimed_by.eq(instance),
                reminder_deliveries::claimed_until.eq(claimed_until),
            ))
            .execute(conn)?;
        let device = device_store::find(conn, &device_id).ok();
        claims.claimed.push(Claimed {
            kind: kind
                .parse()
                .map_err(|e: String| StoreError::Conflict(format!("stored reminder kind: {e}")))?,
            reminder_id,
            device_id,
            attempts,
            person_id,
            subject_id,
            fire_at,
            title,
            body,
            link,
            device,
            claimed_until,
            deliver_by,
        });
    }
    Ok(claims)
}

/// Records what the push service said, if the claim is still this one (a claim taken over
/// after its lease belongs to the instance that took it, and its outcome to that instance).
/// A retry due after the reminder's `deliver_by` is not made: the delivery is `expired`.
pub fn record_delivery(
    conn: &mut DbConnection,
    claimed: &Claimed,
    instance: &str,
    outcome: &Delivery,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let row = reminder_deliveries::table
        .filter(reminder_deliveries::reminder_id.eq(&claimed.reminder_id))
        .filter(reminder_deliveries::device_id.eq(&claimed.device_id))
        .filter(reminder_deliveries::claimed_by.eq(instance))
        .filter(reminder_deliveries::claimed_until.eq(claimed.claimed_until))
        .filter(reminder_deliveries::state.eq(PENDING));
    let attempts = claimed.attempts + 1;
    let (state, next, status): (&str, NaiveDateTime, Option<i32>) = match outcome {
        Delivery::Delivered => (DELIVERED, now, Some(201)),
        Delivery::Gone { status } => (GONE, now, status.map(i32::from)),
        Delivery::TooLarge => (REJECTED, now, Some(413)),
        Delivery::Retry { at } if at.naive_utc() < claimed.deliver_by => {
            (PENDING, at.naive_utc(), None)
        }
        Delivery::Retry { .. } => (EXPIRED, now, None),
    };
    let changed = diesel::update(row)
        .set((
            reminder_deliveries::state.eq(state),
            reminder_deliveries::attempts.eq(attempts),
            reminder_deliveries::next_attempt_at.eq(next),
            reminder_deliveries::claimed_by.eq(None::<String>),
            reminder_deliveries::claimed_until.eq(None::<NaiveDateTime>),
            reminder_deliveries::last_status.eq(status),
            reminder_deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(());
    }
    device_store::record_outcome(conn, &claimed.device_id, outcome)?;
    if matches!(outcome, Delivery::Gone { .. }) {
        // The device's other queued pushes will not arrive either.
        diesel::update(
            reminder_deliveries::table
                .filter(reminder_deliveries::device_id.eq(&claimed.device_id))
                .filter(reminder_deliveries::state.eq(PENDING)),
        )
        .set((
            reminder_deliveries::state.eq(GONE),
            reminder_deliveries::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(())
}

// ---- When each person is planned ----

/// Plans the person at the next tick: called by writes that change what they should be
/// reminded of.
pub fn touch(conn: &mut DbConnection, person_id: &str, now: NaiveDateTime) -> StoreResult<()> {
    let changed = diesel::update(reminder_schedule::table.find(person_id))
        .set(reminder_schedule::next_plan_at.eq(now))
        .execute(conn)?;
    if changed == 0 {
        conn.transaction(|conn| {
            diesel::insert_into(reminder_schedule::table)
                .values((
                    reminder_schedule::person_id.eq(person_id),
                    reminder_schedule::next_plan_at.eq(now),
                ))
                .execute(conn)
        })
        .or_else(|e| match e {
            // Someone else scheduled them first: they will be planned either way.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Ok(0),
            other => Err(other),
        })?;
    }
    Ok(())
}

/// Puts everyone active without a schedule on it, due now: once at start, for people who
/// were there before reminders were.
pub fn schedule_everyone(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    use super::schema::people;
    let missing: Vec<String> = people::table
        .filter(people::active.eq(true))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            reminder_schedule::table.filter(reminder_schedule::person_id.eq(people::id)),
        )))
        .select(people::id)
        .load(conn)?;
    for person in &missing {
        touch(conn, person, now)?;
    }
    Ok(missing.len())
}

/// Claims up to `limit` people due for planning and sets their next planning to `next`.
pub fn claim_people(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    next: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<String>> {
    let ids = due_ids!(
        conn,
        reminder_schedule::table
            .filter(reminder_schedule::next_plan_at.le(now))
            .order(reminder_schedule::next_plan_at.asc()),
        reminder_schedule::person_id,
        limit
    );
    diesel::update(reminder_schedule::table.filter(reminder_schedule::person_id.eq_any(&ids)))
        .set(reminder_schedule::next_plan_at.eq(next))
        .execute(conn)?;
    Ok(ids)
}

// ---- Preferences (REM-2, REM-3) ----

/// The person's preferences and their version (0: the defaults, never saved).
pub fn preferences(conn: &mut DbConnection, person_id: &str) -> StoreResult<(Preferences, i32)> {
    let row: Option<(String, i32)> = reminder_preferences::table
        .find(person_id)
        .select((
            reminder_preferences::preferences,
            reminder_preferences::version,
        ))
        .get_result(conn)
        .optional()?;
    match row {
        Some((text, version)) => Ok((
            serde_json::from_str(&text).map_err(|e| {
                StoreError::Database(diesel::result::Error::DeserializationError(e.into()))
            })?,
            version,
        )),
        None => Ok((Preferences::default(), 0)),
    }
}

/// Saves preferences if they are still at `expected_version`.
pub fn set_preferences(
    conn: &mut DbConnection,
    person_id: &str,
    expected_version: i32,
    preferences: &Preferences,
    now: NaiveDateTime,
) -> StoreResult<i32> {
    let (_, current) = self::preferences(conn, person_id)?;
    if current != expected_version {
        return Err(StoreError::VersionMismatch { current });
    }
    let text = serde_json::to_string(preferences).expect("preferences serialise");
    if current == 0 {
        diesel::insert_into(reminder_preferences::table)
            .values((
                reminder_preferences::person_id.eq(person_id),
                reminder_preferences::preferences.eq(&text),
                reminder_preferences::updated_at.eq(now),
                reminder_preferences::version.eq(1),
            ))
            .execute(conn)
            .map_err(|e| StoreError::unique_as_conflict(e, "saved at the same moment"))?;
    } else {
        let changed = diesel::update(
            reminder_preferences::table
                .filter(reminder_preferences::person_id.eq(person_id))
                .filter(reminder_preferences::version.eq(expected_version)),
        )
        .set((
            reminder_preferences::preferences.eq(&text),
            reminder_preferences::updated_at.eq(now),
            reminder_preferences::version.eq(expected_version + 1),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::VersionMismatch {
                current: self::preferences(conn, person_id)?.1,
            });
        }
    }
    touch(conn, person_id, now)?;
    Ok(expected_version + 1)
}

/// Deliveries of one reminder, for tests and support: (device, state, attempts).
pub fn deliveries_of(
    conn: &mut DbConnection,
    person_id: &str,
    kind: ReminderKind,
) -> StoreResult<Vec<(String, String, String, i32)>> {
    Ok(reminder_deliveries::table
        .inner_join(reminders::table)
        .filter(reminders::person_id.eq(person_id))
        .filter(reminders::kind.eq(kind.as_str()))
        .select((
            reminders::subject_id,
            reminder_deliveries::device_id,
            reminder_deliveries::state,
            reminder_deliveries::attempts,
        ))
        .load(conn)?)
}

// ---- Calendar feeds (REM-7) ----

/// Sets the person's feed token (replacing any earlier one, which stops working).
pub fn set_feed(
    conn: &mut DbConnection,
    person_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    use super::schema::calendar_feeds;
    diesel::delete(calendar_feeds::table.find(person_id)).execute(conn)?;
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::person_id.eq(person_id),
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Revokes the person's feed; false when there was none.
pub fn remove_feed(conn: &mut DbConnection, person_id: &str) -> StoreResult<bool> {
    use super::schema::calendar_feeds;
    Ok(diesel::delete(calendar_feeds::table.find(person_id)).execute(conn)? > 0)
}

/// When the person's feed was made, if they have one.
pub fn feed_of(conn: &mut DbConnection, person_id: &str) -> StoreResult<Option<NaiveDateTime>> {
    use super::schema::calendar_feeds;
    Ok(calendar_feeds::table
        .find(person_id)
        .select(calendar_feeds::created_at)
        .get_result(conn)
        .optional()?)
}

/// Whose feed a token opens.
pub fn feed_owner(conn: &mut DbConnection, token_hash: &str) -> StoreResult<String> {
    use super::schema::calendar_feeds;
    calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .select(calendar_feeds::person_id)
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}
