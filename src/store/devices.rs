//! Devices: each person's Web Push subscriptions (REM-1).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::devices;
use super::{new_id, now, DbConnection, StoreError, StoreResult};
use crate::domain::push::{
    Delivery, Subscription, EXPIRY_WARNING_DAYS, SUBSCRIPTION_LIFETIME_DAYS,
};

/// More than a person could be using at once; stops a looping client filling the table.
pub const MAX_PER_PERSON: i64 = 20;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = devices)]
pub struct Device {
    pub id: String,
    pub person_id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub label: String,
    pub created_at: NaiveDateTime,
    pub last_success_at: Option<NaiveDateTime>,
    pub last_failure_at: Option<NaiveDateTime>,
    /// When the app last registered it; it expires [`SUBSCRIPTION_LIFETIME_DAYS`] after.
    pub refreshed_at: NaiveDateTime,
    /// When the device was told it would expire (once per refresh).
    pub expiry_warned_at: Option<NaiveDateTime>,
}

impl Device {
    pub fn subscription(&self) -> Subscription {
        Subscription {
            endpoint: self.endpoint.clone(),
            p256dh: self.p256dh.clone(),
            auth: self.auth.clone(),
        }
    }
}

/// What registering a subscription did.
#[derive(Debug)]
pub enum Registered {
    Added(Device),
    /// The person's own endpoint again: keys and label updated, its lifetime restarted.
    Refreshed(Device),
    /// The person already has the most live devices allowed.
    TooMany,
    /// Someone else registered this endpoint first; it stays theirs.
    OwnedByAnother,
}

/// Registered before this are dead, whether or not the sweep has removed them yet.
fn live_since(now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::days(SUBSCRIPTION_LIFETIME_DAYS)
}

/// Registers a subscription for the person. The same endpoint again (the app re-subscribing)
/// refreshes that row rather than adding one; another person's endpoint is not taken over
/// (a copied subscription must not redirect someone's reminders), unless it has expired.
pub fn register(
    conn: &mut DbConnection,
    person_id: &str,
    subscription: &Subscription,
    label: &str,
) -> StoreResult<Registered> {
    let now = now();
    let existing: Option<Device> = devices::table
        .filter(devices::endpoint.eq(&subscription.endpoint))
        .select(Device::as_select())
        .get_result(conn)
        .optional()?;
    match existing {
        Some(device) if device.person_id == person_id => {
            diesel::update(devices::table.find(&device.id))
                .set((
                    devices::p256dh.eq(&subscription.p256dh),
                    devices::auth.eq(&subscription.auth),
                    devices::label.eq(label),
                    devices::refreshed_at.eq(now),
                    devices::expiry_warned_at.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            return Ok(Registered::Refreshed(find(conn, &device.id)?));
        }
        Some(device) if device.refreshed_at >= live_since(now) => {
            return Ok(Registered::OwnedByAnother);
        }
        Some(dead) => {
            remove(conn, &dead.id)?;
        }
        None => {}
    }
    let live: i64 = devices::table
        .filter(devices::person_id.eq(person_id))
        .filter(devices::refreshed_at.ge(live_since(now)))
        .count()
        .get_result(conn)?;
    if live >= MAX_PER_PERSON {
        return Ok(Registered::TooMany);
    }
    let id = new_id();
    diesel::insert_into(devices::table)
        .values((
            devices::id.eq(&id),
            devices::person_id.eq(person_id),
            devices::endpoint.eq(&subscription.endpoint),
            devices::p256dh.eq(&subscription.p256dh),
            devices::auth.eq(&subscription.auth),
            devices::label.eq(label),
            devices::created_at.eq(now),
            devices::refreshed_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| StoreError::unique_as_conflict(e, "registered at the same moment; retry"))?;
    Ok(Registered::Added(find(conn, &id)?))
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Device> {
    devices::table
        .find(id)
        .select(Device::as_select())
        .get_result(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// One of the person's devices; someone else's is not found.
pub fn find_own(conn: &mut DbConnection, person_id: &str, id: &str) -> StoreResult<Device> {
    let device = find(conn, id)?;
    if device.person_id == person_id {
        Ok(device)
    } else {
        Err(StoreError::NotFound)
    }
}

pub fn of_person(conn: &mut DbConnection, person_id: &str) -> StoreResult<Vec<Device>> {
    Ok(devices::table
        .filter(devices::person_id.eq(person_id))
        .order(devices::created_at.asc())
        .select(Device::as_select())
        .load(conn)?)
}

/// Removes a device; false when it was already gone.
pub fn remove(conn: &mut DbConnection, id: &str) -> StoreResult<bool> {
    Ok(diesel::delete(devices::table.find(id)).execute(conn)? > 0)
}

/// Notes what a push to the device came to: a dead subscription is removed (true), and the
/// last success or failure is kept.
pub fn record_outcome(conn: &mut DbConnection, id: &str, outcome: &Delivery) -> StoreResult<bool> {
    let target = devices::table.find(id);
    match outcome {
        Delivery::Gone { .. } => return remove(conn, id),
        Delivery::Delivered => diesel::update(target)
            .set(devices::last_success_at.eq(now()))
            .execute(conn)?,
        Delivery::Retry { .. } | Delivery::TooLarge => diesel::update(target)
            .set(devices::last_failure_at.eq(now()))
            .execute(conn)?,
    };
    Ok(false)
}

/// Removes the devices not registered again for [`SUBSCRIPTION_LIFETIME_DAYS`] (REM-1).
pub fn remove_expired(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(
        diesel::delete(devices::table.filter(devices::refreshed_at.lt(live_since(now))))
            .execute(conn)?,
    )
}

/// Claims up to `limit` devices to warn that they expire soon: each once per refresh, and
/// marked before the push so a second instance or a crash sends no second warning.
pub fn claim_expiry_warnings(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<Device>> {
    let due: Vec<Device> = devices::table
        .filter(devices::expiry_warned_at.is_null())
        .filter(devices::refreshed_at.lt(now - Duration::days(EXPIRY_WARNING_DAYS)))
        .filter(devices::refreshed_at.ge(live_since(now)))
        .order(devices::refreshed_at.asc())
        .limit(limit)
        .select(Device::as_select())
        .load(conn)?;
    let mut claimed = Vec::with_capacity(due.len());
    for device in due {
        let marked = diesel::update(
            devices::table
                .find(&device.id)
                .filter(devices::expiry_warned_at.is_null()),
        )
        .set(devices::expiry_warned_at.eq(now))
        .execute(conn)?;
        if marked == 1 {
            claimed.push(device);
        }
    }
    Ok(claimed)
}
