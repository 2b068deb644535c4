//! Idempotency keys (API-4): the first request with a key claims it; its response is stored
//! and replayed to retries with the same key and body.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// The key is new: go ahead, then complete or release it.
    Claimed,
    /// The same request ran before: send this again.
    Replay(StoredResponse),
    /// The key was used with another request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

type Row = (
    String,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
    NaiveDateTime,
);

pub fn claim(
    conn: &mut DbConnection,
    person_id: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> StoreResult<Claim> {
    let existing: Option<Row> = idempotency_keys::table
        .find((person_id, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::response_status,
            idempotency_keys::response_content_type,
            idempotency_keys::response_body,
            idempotency_keys::expires_at,
        ))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((_, _, _, _, expiry)) if expiry <= now => {
            diesel::delete(idempotency_keys::table.find((person_id, key))).execute(conn)?;
        }
        Some((stored_fingerprint, _, _, _, _)) if stored_fingerprint != fingerprint => {
            return Ok(Claim::Mismatch)
        }
        Some((_, Some(status), content_type, body, _)) => {
            return Ok(Claim::Replay(StoredResponse {
                status: u16::try_from(status).unwrap_or(500),
                content_type,
                body: body.unwrap_or_default(),
            }))
        }
        Some(_) => return Ok(Claim::InProgress),
        None => {}
    }
    let inserted = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::person_id.eq(person_id),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::created_at.eq(now),
            idempotency_keys::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::Claimed),
        // Another request claimed the key between our read and insert.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(Claim::InProgress),
        Err(other) => Err(other.into()),
    }
}

pub fn complete(
    conn: &mut DbConnection,
    person_id: &str,
    key: &str,
    response: &StoredResponse,
) -> StoreResult<()> {
    diesel::update(idempotency_keys::table.find((person_id, key)))
        .set((
            idempotency_keys::response_status.eq(Some(i32::from(response.status))),
            idempotency_keys::response_content_type.eq(&response.content_type),
            idempotency_keys::response_body.eq(Some(&response.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Frees a key whose request failed on the server's side, so a retry can run it again.
pub fn release(conn: &mut DbConnection, person_id: &str, key: &str) -> StoreResult<()> {
    diesel::delete(idempotency_keys::table.find((person_id, key))).execute(conn)?;
    Ok(())
}

pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now)))
            .execute(conn)?,
    )
}
