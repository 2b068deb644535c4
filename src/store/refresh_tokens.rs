//! Refresh tokens, stored as hashes in families: every rotation stays in the family of the
//! sign-in it came from, so reuse of a spent token can revoke the whole family (ACC-1).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::refresh_tokens;
use super::{DbConnection, StoreResult};

#[derive(Debug, Clone, Queryable)]
pub struct RefreshToken {
    pub id: String,
    pub family_id: String,
    pub person_id: String,
    pub token_hash: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut DbConnection,
    family_id: &str,
    person_id: &str,
    token_hash: &str,
    issued_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(super::new_id()),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::person_id.eq(person_id),
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::issued_at.eq(issued_at),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_by_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> StoreResult<Option<RefreshToken>> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(refresh_tokens::all_columns)
        .get_result(conn)
        .optional()?)
}

/// Marks a token spent; false when another request spent it first.
pub fn spend(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> StoreResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_family(
    conn: &mut DbConnection,
    family_id: &str,
    at: NaiveDateTime,
) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?)
}

pub fn revoke_person(
    conn: &mut DbConnection,
    person_id: &str,
    at: NaiveDateTime,
) -> StoreResult<usize> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::person_id.eq(person_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?)
}

/// Deletes tokens that expired before `before`; they can no longer be used or reused.
pub fn purge_expired(conn: &mut DbConnection, before: NaiveDateTime) -> StoreResult<usize> {
    Ok(
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(before)))
            .execute(conn)?,
    )
}
