//! The reminder sweep and dispatcher (REM-2 to REM-5), run every minute.
//!
//! A tick (1) plans the people due for planning (indexed by their next planning time, never
//! a scan of everyone), writing each wanted reminder once under its unique key and removing
//! the ones no longer wanted; (2) fires the reminders whose time has come into the inbox and
//! queues a delivery per device; (3) claims due deliveries a few at a time, pushes them and
//! records each outcome as its push service answers. Every step works on rows claimed in the
//! database, so a restart or a second instance loses and doubles nothing; a crash sends again
//! only the pushes in flight at that moment (their push service may have accepted them
//! before the database heard), at most once more and with the same Topic.
//! Before (2), devices not registered again for 60 days are dropped and those near it warned
//! (REM-1).

use std::cell::Cell;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use web_push::Urgency;

use crate::app::reminders::replan;
use crate::domain::push::{
    classify, topic, Delivery, Payload, EXPIRY_WARNING_DAYS, SUBSCRIPTION_LIFETIME_DAYS,
};
use crate::domain::reminders::ReminderKind;
use crate::push::{Message, Sender};
use crate::store::organisation::Calendars;
use crate::store::reminders::{self as store, Claimed};
use crate::store::{devices, now, Db, StoreResult};

/// How far ahead a plan reaches; re-planning every [`REPLAN_HOURS`] keeps it ahead.
pub const HORIZON_HOURS: i64 = 26;
pub const REPLAN_HOURS: i64 = 6;
/// People planned per tick; the rest wait a minute. 100,000 people re-planned every six
/// hours is under 300 a minute; 500 keeps a tick near half a second on SQLite.
pub const PEOPLE_PER_TICK: i64 = 500;
pub const FIRED_PER_TICK: i64 = 5_000;
pub const SENT_PER_TICK: i64 = 2_000;
/// How long a claimed delivery is this instance's; after that another may take it over.
pub const LEASE_SECONDS: u64 = 120;
/// Pushes in flight at once.
pub const CONCURRENCY: usize = 64;

/// How long a claim is this instance's, and how long one push may take (REM-5). Claims are
/// sized so that their pushes end within half the lease even if every one takes the whole
/// timeout, and a push that could not end before its claim does is not started (it waits for
/// whoever claims it next). So no delivery is claimed twice while its push is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub length: std::time::Duration,
    /// A push without an answer by then counts as no answer (retried with backoff).
    pub push_timeout: std::time::Duration,
}

impl Lease {
    /// [`LEASE_SECONDS`], or twice the push timeout if that is longer, so that a claim of
    /// [`CONCURRENCY`] pushes always fits.
    pub fn for_push_timeout(push_timeout: std::time::Duration) -> Lease {
        Lease {
            length: std::time::Duration::from_secs(LEASE_SECONDS).max(push_timeout * 2),
            push_timeout,
        }
    }

    /// Deliveries claimed at a time: [`CONCURRENCY`] × ⌊lease / (2 × push timeout)⌋, and at
    /// least [`CONCURRENCY`] (a lease too short for that is made safe by [`Lease::fits`]).
    /// 384 for the defaults (two minutes, ten seconds).
    pub fn claim_size(&self) -> i64 {
        let waves = self.length.as_millis() / (2 * self.push_timeout.as_millis()).max(1);
        CONCURRENCY as i64 * i64::try_from(waves).unwrap_or(i64::MAX / 64).max(1)
    }

    /// Whether a push started at `now` ends (answered or timed out) while its claim, held
    /// until `until`, is still this instance's.
    fn fits(&self, now: NaiveDateTime, until: NaiveDateTime) -> bool {
        Duration::from_std(self.push_timeout).is_ok_and(|timeout| now + timeout < until)
    }
}

impl Default for Lease {
    /// For the default push timeout.
    fn default() -> Lease {
        let timeout = crate::config::Settings::default().push_timeout_seconds;
        Lease::for_push_timeout(std::time::Duration::from_secs(timeout))
    }
}

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub planned_people: usize,
    pub added: usize,
    pub removed: usize,
    pub fired: usize,
    pub sent: usize,
    pub delivered: usize,
    /// Deliveries found past their reminder's deadline, recorded `expired` and not sent.
    pub expired: usize,
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
        let horizon = at + Duration::hours(HORIZON_HOURS);
        for person_id in due {
            let (added, removed) = replan(conn, &calendars, &person_id, at, horizon)?;
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

/// Fires due reminders and pushes due deliveries: steps (2) and (3) of the tick, with the
/// default [`Lease`].
pub async fn dispatch(
    db: &Db,
    sender: &Sender,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    dispatch_leased(db, sender, Lease::default(), instance, at).await
}

/// [`dispatch`] with claims held for `lease`. Claims [`Lease::claim_size`] deliveries at a
/// time until none are due or [`SENT_PER_TICK`] were taken.
pub async fn dispatch_leased(
    db: &Db,
    sender: &Sender,
    lease: Lease,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    // `at` moved on by the time spent, so a lease runs in real time even when `at` is not now
    // (tests and the bench dispatch at a chosen time).
    let started = std::time::Instant::now();
    // First, so nothing is queued for a device that has just expired.
    expire_devices(db, sender, at).await?;
    let clock = move || at + Duration::from_std(started.elapsed()).unwrap_or(Duration::zero());
    let length = Duration::from_std(lease.length)
        .map_err(|e| crate::store::StoreError::Unavailable(format!("lease: {e}")))?;
    let fired = db
        .write(move |conn| store::fire_due(conn, at, FIRED_PER_TICK))
        .await?;
    let mut tick = Tick {
        fired,
        ..Tick::default()
    };
    let mut taken = 0;
    while taken < SENT_PER_TICK {
        let limit = lease.claim_size().min(SENT_PER_TICK - taken);
        let owner = instance.to_string();
        let now = clock();
        let claims = db
            .write(move |conn| store::claim_deliveries(conn, &owner, now, length, limit))
            .await?;
        let found = (claims.claimed.len() + claims.expired) as i64;
        taken += found;
        tick.expired += claims.expired;
        let (sent, delivered) =
            push_claimed(db, sender, lease, instance, claims.claimed, &clock).await?;
        tick.sent += sent;
        tick.delivered += delivered;
        if found < limit {
            break;
        }
    }
    Ok(tick)
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
        link: "/reminders".into(),
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

/// Pushes one claim's deliveries, [`CONCURRENCY`] at a time, and records each outcome as soon
/// as its push service answers, so a crash loses only what is in flight. Returns how many
/// were sent and how many of those delivered.
async fn push_claimed(
    db: &Db,
    sender: &Sender,
    lease: Lease,
    instance: &str,
    claimed: Vec<Claimed>,
    clock: &impl Fn() -> NaiveDateTime,
) -> StoreResult<(usize, usize)> {
    let sent = Cell::new(0);
    let delivered = Cell::new(0);
    let (sent_ref, delivered_ref) = (&sent, &delivered);
    stream::iter(claimed.into_iter().map(Ok))
        .try_for_each_concurrent(CONCURRENCY, |claimed| async move {
            if !lease.fits(clock(), claimed.claimed_until) {
                // Its claim could lapse mid-push and another instance send it too.
                return Ok(());
            }
            let outcome = match actix_web::rt::time::timeout(
                lease.push_timeout,
                send(sender, &claimed),
            )
            .await
            {
                Ok(outcome) => outcome,
                Err(_) => classify(None, None, claimed.attempts.max(0) as u32, Utc::now()),
            };
            sent_ref.set(sent_ref.get() + 1);
            if outcome == Delivery::Delivered {
                delivered_ref.set(delivered_ref.get() + 1);
            }
            let owner = instance.to_string();
            db.write(move |conn| store::record_delivery(conn, &claimed, &owner, &outcome, now()))
                .await
        })
        .await?;
    Ok((sent.get(), delivered.get()))
}

/// One whole tick at `at`, with the default [`Lease`].
pub async fn tick(
    db: &Db,
    calendars: &Arc<Calendars>,
    sender: &Sender,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    tick_leased(db, calendars, sender, Lease::default(), instance, at).await
}

/// One whole tick at `at`, holding claims for `lease`.
pub async fn tick_leased(
    db: &Db,
    calendars: &Arc<Calendars>,
    sender: &Sender,
    lease: Lease,
    instance: &str,
    at: NaiveDateTime,
) -> StoreResult<Tick> {
    let planned = plan_due(db, calendars, at).await?;
    let dispatched = dispatch_leased(db, sender, lease, instance, at).await?;
    Ok(Tick {
        fired: dispatched.fired,
        sent: dispatched.sent,
        delivered: dispatched.delivered,
        expired: dispatched.expired,
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
    lease: Lease,
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
            match tick_leased(&db, &calendars, &sender, lease, &instance, now()).await {
                Ok(done) => tracing::debug!(?done, "reminder tick"),
                Err(error) => tracing::warn!(%error, "reminder tick failed; the next one retries"),
            }
        }
    });
    Ok(scheduler)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration as Std;

    #[test]
    fn rem5_a_claim_is_pushed_within_half_its_lease() {
        let default = Lease::default();
        assert_eq!(default.length, Std::from_secs(120));
        assert_eq!(default.claim_size(), 384);
        // Every allowed push timeout: each wave of CONCURRENCY pushes takes at most the
        // timeout, and the waves of one claim take at most half the lease.
        for seconds in 1..=120 {
            let lease = Lease::for_push_timeout(Std::from_secs(seconds));
            let waves = lease.claim_size() as u32 / CONCURRENCY as u32;
            assert!(waves >= 1);
            assert!(lease.push_timeout * waves * 2 <= lease.length, "{lease:?}");
        }
        let at = now();
        let until = at + Duration::seconds(120);
        assert!(default.fits(at, until));
        assert!(
            !default.fits(at + Duration::seconds(110), until),
            "would end after its claim"
        );
    }
}
