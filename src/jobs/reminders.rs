//! The reminder sweep and dispatcher (REM-2 to REM-5), run every minute.
//!
//! A tick (1) plans the people due for planning (indexed by their next planning time, never
//! a scan of everyone), writing each wanted reminder once under its unique key and removing
//! the ones no longer wanted; (2) fires the reminders whose time has come into the inbox and
//! queues a delivery per device; (3) claims due deliveries, pushes them and records each
//! outcome. Before (2), devices not registered again for 60 days are dropped and those near
//! it warned (REM-1). Every step works on rows claimed in the database, so a restart or a second
//! instance loses and doubles nothing; a crash between a push service's acceptance and the
//! database's acknowledgement sends that push at most once more, with the same Topic.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use futures_util::stream::{self, StreamExt};
use web_push::Urgency;

use crate::domain::push::{
    topic, Delivery, Payload, EXPIRY_WARNING_DAYS, SUBSCRIPTION_LIFETIME_DAYS,
};
use crate::domain::reminder_plan::plan;
use crate::domain::reminders::ReminderKind;
use crate::push::{Message, Sender};
use crate::store::organisation::Calendars;
use crate::store::reminders::{self as store, Claimed};
use crate::store::{devices, now, people, reminder_facts, Db, StoreResult};

/// How far ahead a plan reaches; re-planning every [`REPLAN_HOURS`] keeps it ahead.
pub const HORIZON_HOURS: i64 = 26;
pub const REPLAN_HOURS: i64 = 6;
/// People planned per tick; the rest wait a minute. 100,000 people re-planned every six
/// hours is under 300 a minute; 500 keeps a tick near half a second on SQLite.
pub const PEOPLE_PER_TICK: i64 = 500;
pub const FIRED_PER_TICK: i64 = 5_000;
pub const SENT_PER_TICK: i64 = 2_000;
/// How long a claimed delivery is this instance's; after that another may take it over.
pub const LEASE_SECONDS: i64 = 120;
/// Pushes in flight at once.
pub const CONCURRENCY: usize = 64;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub planned_people: usize,
    pub added: usize,
    pub removed: usize,
    pub fired: usize,
    pub sent: usize,
    pub delivered: usize,
}

/// Plans whoever is due: steps (1) of the tick.
pub async fn plan_due(db: &Db, calendars: &Arc<Calendars>, at: NaiveDateTime) -> StoreResult<Tick> {
    let calendars = calendars.clone();
    db.write(move |conn| {
        let due = store::claim_people(
            conn,
            at,
            at + Duration::hours(REPLAN_HOURS),
            PEOPLE_PER_TICK,
        )?;
        let calendars = calendars.load(conn)?;
        let mut tick = Tick {
            planned_people: due.len(),
            ..Tick::default()
        };
        for person_id in due {
            let person = people::find(conn, &person_id)?;
            let wanted = if person.active {
                let facts = reminder_facts::gather(
                    conn,
                    &calendars,
                    &person,
                    at,
                    at + Duration::hours(HORIZON_HOURS),
                )?;
                plan(&facts, calendars.organisation())
            } else {
                Vec::new()
            };
            let (added, removed) = store::replace_plan(conn, &person_id, &wanted, at)?;
            tick.added += added;
            tick.removed += removed;
        }
        Ok(tick)
    })
    .await
}

fn urgency(kind: ReminderKind) -> Urgency {
    match kind.urgency() {
        "high" => Urgency::High,
        "low" => Urgency::Low,
        _ => Urgency::Normal,
    }
}

/// Sends one claimed delivery.
async fn send(sender: &Sender, claimed: &Claimed) -> Delivery {
    let Some(device) = &claimed.device else {
        return Delivery::Gone { status: None };
    };
    let payload = Payload {
        title: claimed.title.clone(),
        body: claimed.body.clone(),
        link: claimed.link.clone(),
        tag: format!("{}-{}", claimed.kind.as_str(), claimed.subject_id),
    };
    let bytes = match payload.encode() {
        Ok(bytes) => bytes,
        Err(invalid) => {
            tracing::error!(%invalid, kind = claimed.kind.as_str(), "a reminder's push does not fit: the wording must shrink");
            return Delivery::TooLarge;
        }
    };
    let key = format!(
        "{}/{}/{}/{}",
        claimed.person_id,
        claimed.kind.as_str(),
        claimed.subject_id,
        claimed.fire_at
    );
    sender
        .send(
            &device.subscription(),
            Message {
                payload: &bytes,
                ttl: claimed.kind.ttl_seconds(),
                urgency: urgency(claimed.kind),
                topic: Some(topic(&key)),
            },
            claimed.attempts.max(0) as u32,
        )
        .await
}

/// Fires due reminders and pushes due deliveries: steps (2) and (3) of the tick.
pub async fn dispatch(
    db: &Db,
    sender: &Sender,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    // First, so nothing is queued for a device that has just expired.
    expire_devices(db, sender, at).await?;
    let fired = db
        .write(move |conn| store::fire_due(conn, at, FIRED_PER_TICK))
        .await?;
    let owner = instance.to_string();
    let claimed = db
        .write(move |conn| {
            store::claim_deliveries(
                conn,
                &owner,
                at,
                Duration::seconds(LEASE_SECONDS),
                SENT_PER_TICK,
            )
        })
        .await?;
    let outcomes: Vec<(Claimed, Delivery)> = stream::iter(claimed)
        .map(|claimed| async move {
            let outcome = send(sender, &claimed).await;
            (claimed, outcome)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let sent = outcomes.len();
    let delivered = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == Delivery::Delivered)
        .count();
    let owner = instance.to_string();
    db.write(move |conn| {
        let recorded_at = now();
        for (claimed, outcome) in &outcomes {
            store::record_delivery(conn, claimed, &owner, outcome, recorded_at)?;
        }
        Ok(())
    })
    .await?;
    Ok(Tick {
        fired,
        sent,
        delivered,
        ..Tick::default()
    })
}

/// Drops the subscriptions not registered again for 60 days, and warns each device a few
/// days before with one push (REM-1). Fixed wording only (REM-6).
async fn expire_devices(db: &Db, sender: &Sender, at: NaiveDateTime) -> StoreResult<()> {
    let warn = db
        .write(move |conn| {
            devices::remove_expired(conn, at)?;
            devices::claim_expiry_warnings(conn, at, SENT_PER_TICK)
        })
        .await?;
    if warn.is_empty() {
        return Ok(());
    }
    let days_left = SUBSCRIPTION_LIFETIME_DAYS - EXPIRY_WARNING_DAYS;
    let payload = Payload {
        title: "Reminders on this device are ending".into(),
        body: format!(
            "Open the supervision app on this device within {days_left} days to keep getting reminders here."
        ),
        link: "/settings/devices".into(),
        tag: "device-expiry".into(),
    }
    .encode()
    .expect("the fixed warning fits one push");
    let outcomes: Vec<(String, Delivery)> = stream::iter(warn)
        .map(|device| {
            let payload = &payload;
            async move {
                let message = Message {
                    payload,
                    ttl: 3 * 24 * 60 * 60,
                    urgency: Urgency::Low,
                    topic: Some(topic(&format!("device-expiry/{}", device.id))),
                };
                let outcome = sender.send(&device.subscription(), message, 0).await;
                (device.id, outcome)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    db.write(move |conn| {
        for (device, outcome) in &outcomes {
            devices::record_outcome(conn, device, outcome)?;
        }
        Ok(())
    })
    .await
}

/// One whole tick at `at`.
pub async fn tick(
    db: &Db,
    calendars: &Arc<Calendars>,
    sender: &Sender,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    let planned = plan_due(db, calendars, at).await?;
    let dispatched = dispatch(db, sender, instance, at).await?;
    Ok(Tick {
        fired: dispatched.fired,
        sent: dispatched.sent,
        delivered: dispatched.delivered,
        ..planned
    })
}

/// Runs a tick every minute, on the minute in UTC, until the returned scheduler is dropped.
/// tokio-cron-scheduler only signals: the tick itself runs on this thread (actix's HTTP
/// client is not Send) and one at a time, so a slow tick delays the next instead of
/// overlapping it. Local times (08:00 Europe/London) are worked out by the planner, never
/// by cron expressions.
pub async fn spawn(
    db: Db,
    calendars: Arc<Calendars>,
    sender: Arc<Sender>,
) -> Result<tokio_cron_scheduler::JobScheduler, tokio_cron_scheduler::JobSchedulerError> {
    use tokio_cron_scheduler::{Job, JobScheduler};
    // People added before reminders existed (new ones are scheduled as they are added).
    let at = now();
    if let Err(error) = db
        .write(move |conn| store::schedule_everyone(conn, at))
        .await
    {
        tracing::warn!(%error, "could not schedule everyone for reminders; new changes still are");
    }
    // A bound of one: a signal while a tick runs waits; more are dropped, not queued.
    let (signal, mut ticks) = tokio::sync::mpsc::channel::<()>(1);
    let scheduler = JobScheduler::new().await?;
    scheduler
        .add(Job::new("0 * * * * *", move |_, _| {
            let _ = signal.try_send(());
        })?)
        .await?;
    scheduler.start().await?;
    let instance = crate::store::new_id();
    actix_web::rt::spawn(async move {
        while ticks.recv().await.is_some() {
            match tick(&db, &calendars, &sender, &instance, now()).await {
                Ok(done) => tracing::debug!(?done, "reminder tick"),
                Err(error) => tracing::warn!(%error, "reminder tick failed; the next one retries"),
            }
        }
    });
    Ok(scheduler)
}
