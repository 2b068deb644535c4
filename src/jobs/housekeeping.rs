//! Hourly clean-up: expired idempotency keys (API-4 keeps them 24 hours) and refresh tokens
//! past their expiry. A failed run is logged and the next one tries again.

use std::time::Duration;

use crate::store::{idempotency, now, refresh_tokens, Db, StoreResult};

const EVERY: Duration = Duration::from_secs(60 * 60);

/// Removes what has expired; returns (idempotency keys, refresh tokens) removed.
pub async fn run_once(db: &Db) -> StoreResult<(usize, usize)> {
    db.write(|conn| {
        let at = now();
        Ok((
            idempotency::purge_expired(conn, at)?,
            refresh_tokens::purge_expired(conn, at)?,
        ))
    })
    .await
}

/// Runs [`run_once`] every hour until the task is dropped.
pub fn spawn(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            match run_once(&db).await {
                Ok((keys, tokens)) => tracing::debug!(keys, tokens, "housekeeping done"),
                Err(err) => tracing::warn!(%err, "housekeeping failed; will retry"),
            }
        }
    })
}
