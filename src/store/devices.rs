//! Devices: each person's Web Push subscriptions (REM-1).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::devices;
use super::{new_id, now, DbConnection, StoreError, StoreResult};
use crate::domain::push::Subscription;

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

/// Registers a subscription for the person. The same endpoint again (the app re-subscribing,
/// or a phone that changed hands) updates that row rather than adding one. `Ok(None)` when
/// the person already has the most devices allowed.
pub fn register(
    conn: &mut DbConnection,
    person_id: &str,
    subscription: &Subscription,
    label: &str,
) -> StoreResult<Option<(Device, bool)>> {
    let existing: Option<Device> = devices::table
        .filter(devices::endpoint.eq(&subscription.endpoint))
        .select(Device::as_select())
        .get_result(conn)
        .optional()?;
    if let Some(device) = existing {
        diesel::update(devices::table.find(&device.id))
            .set((
                devices::person_id.eq(person_id),
                devices::p256dh.eq(&subscription.p256dh),
                devices::auth.eq(&subscription.auth),
                devices::label.eq(label),
            ))
            .execute(conn)?;
        return Ok(Some((find(conn, &device.id)?, false)));
    }
    let count: i64 = devices::table
        .filter(devices::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    if count >= MAX_PER_PERSON {
        return Ok(None);
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
            devices::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| StoreError::unique_as_conflict(e, "registered at the same moment; retry"))?;
    Ok(Some((find(conn, &id)?, true)))
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

/// Notes the outcome of a delivery attempt.
pub fn record_outcome(conn: &mut DbConnection, id: &str, delivered: bool) -> StoreResult<()> {
    let target = devices::table.find(id);
    if delivered {
        diesel::update(target)
            .set(devices::last_success_at.eq(now()))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set(devices::last_failure_at.eq(now()))
            .execute(conn)?;
    }
    Ok(())
}
