//! Web Push devices (REM-1): each person registers, lists, removes and tests their own; a
//! device of someone else's is not found. A device's label is its owner's words and stays
//! out of the audit log (ACC-4).

use serde_json::json;

use super::{Actor, AppError, AppResult, Code};
use crate::domain::push::{check_subscription, topic, Delivery, Payload, PushPolicy, Subscription};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::audit;
use crate::store::devices::{self, Device, MAX_PER_PERSON};
use crate::store::DbConnection;

/// A subscription as a browser's `PushSubscription.toJSON()` gives it, and a label.
#[derive(Debug, Clone, Copy)]
pub struct NewDevice<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    /// 1 to 100 characters; "Device" when not given.
    pub label: Option<&'a str>,
}

/// A subscription and label that keep the rules, ready to register.
#[derive(Debug, Clone)]
pub struct Checked {
    pub subscription: Subscription,
    pub label: String,
}

/// Checks a new device against the rules and the push services `policy` allows. Whether
/// its endpoint resolves to a private address is for the caller, who can resolve it, to ask.
pub fn check(new: NewDevice<'_>, policy: &PushPolicy) -> Result<Checked, Invalid> {
    let mut invalid = Invalid::default();
    let subscription = invalid.check(check_subscription(
        new.endpoint,
        new.p256dh,
        new.auth,
        policy,
    ));
    let label = invalid.check(bounded_text("label", new.label.unwrap_or("Device"), 1, 100));
    invalid.into_result(|| Checked {
        subscription: subscription.expect("checked"),
        label: label.expect("checked"),
    })
}

/// What registering did.
#[derive(Debug)]
pub enum Registered {
    Added(Device),
    /// The actor's own endpoint again: keys and label updated, its 60 days restarted.
    Refreshed(Device),
}

/// Registers a checked subscription as one of the actor's devices, or refreshes it if it is
/// theirs already. Refused when they have [`MAX_PER_PERSON`] devices, or when someone else
/// registered the endpoint first (it stays theirs).
pub fn register(conn: &mut DbConnection, actor: &Actor, device: &Checked) -> AppResult<Registered> {
    let (registered, action) =
        match devices::register(conn, &actor.person_id, &device.subscription, &device.label)? {
            devices::Registered::Added(device) => (Registered::Added(device), "device.registered"),
            devices::Registered::Refreshed(device) => {
                (Registered::Refreshed(device), "device.updated")
            }
            devices::Registered::TooMany => {
                return Err(AppError::refuse(
                    Code::TooManyDevices,
                    format!("at most {MAX_PER_PERSON} devices; remove one first"),
                ))
            }
            devices::Registered::OwnedByAnother => {
                return Err(AppError::refuse(
                    Code::SubscriptionTaken,
                    "this push subscription is registered to someone else; unsubscribe on this device and subscribe afresh",
                ))
            }
        };
    let (Registered::Added(device) | Registered::Refreshed(device)) = &registered;
    audit::record(
        conn,
        &actor.for_audit(),
        action,
        "device",
        Some(&device.id),
        json!({}),
    )?;
    Ok(registered)
}

/// The actor's devices.
pub fn devices(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<Device>> {
    Ok(devices::of_person(conn, &actor.person_id)?)
}

/// One of the actor's devices.
pub fn device(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Device> {
    Ok(devices::find_own(conn, &actor.person_id, id)?)
}

/// Removes one of the actor's devices: it gets no more pushes.
pub fn remove(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<()> {
    let device = devices::find_own(conn, &actor.person_id, id)?;
    devices::remove(conn, &device.id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "device.removed",
        "device",
        Some(id),
        json!({}),
    )?;
    Ok(())
}

/// A test push for a device: its encrypted-to-be payload and its Topic.
#[derive(Debug, Clone)]
pub struct TestPush {
    pub payload: Vec<u8>,
    pub topic: String,
}

/// The fixed test notification for `device`.
pub fn test_push(device: &Device) -> TestPush {
    let payload = Payload {
        title: "Test notification".into(),
        body: "Reminders from the supervision service will appear like this.".into(),
        link: "/reminders".into(),
        tag: "test".into(),
    }
    .encode()
    .expect("the fixed test notification fits one push");
    TestPush {
        payload,
        topic: topic(&format!("test/{}", device.id)),
    }
}

/// Records how a test push to one of the actor's devices went: audited, and the device's
/// outcome kept (a dead subscription's device is removed).
pub fn record_test(
    conn: &mut DbConnection,
    actor: &Actor,
    device_id: &str,
    delivery: &Delivery,
) -> AppResult<()> {
    audit::record(
        conn,
        &actor.for_audit(),
        "device.tested",
        "device",
        Some(device_id),
        json!({ "delivered": *delivery == Delivery::Delivered }),
    )?;
    devices::record_outcome(conn, device_id, delivery)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_notification_fits_one_push() {
        let device = Device {
            id: "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d10".into(),
            person_id: "p".into(),
            endpoint: "https://push.example/x".into(),
            p256dh: String::new(),
            auth: String::new(),
            label: "Phone".into(),
            created_at: chrono::NaiveDateTime::default(),
            last_success_at: None,
            last_failure_at: None,
            refreshed_at: chrono::NaiveDateTime::default(),
            expiry_warned_at: None,
        };
        let push = test_push(&device);
        assert!(!push.payload.is_empty());
        assert_eq!(
            push.topic,
            topic("test/019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4d10")
        );
    }
}
