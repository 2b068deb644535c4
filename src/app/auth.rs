//! Signing in and out (ACC-1): password sign-in, refresh-token rotation with reuse detection,
//! signing out of one sign-in or of every device.
//!
//! A refused sign-in or refresh is an answer ([`Admission::Refused`]), not an error: what it
//! writes on the way (the failed attempt's audit record, the revoked family of a replayed
//! token) must stay committed, and `Db::transact` rolls back on an error.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::{Actor, AppError, AppResult, Code};
use crate::auth::{password, tokens};
use crate::domain::same_origin::{self, RequestSite};
use crate::store::audit;
use crate::store::people::{self, Person};
use crate::store::{new_id, refresh_tokens, DbConnection, StoreResult};

const BAD_CREDENTIALS: &str = "the e-mail or password is wrong";

/// What signing tokens takes: the keys and how long a refresh token lives.
pub struct Issuer<'a> {
    pub keys: &'a tokens::TokenKeys,
    pub refresh_ttl: Duration,
}

/// Tokens for a signed-in person.
pub struct Tokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub person_id: String,
    /// Only the profile and the password change are allowed until the password is changed.
    pub must_change_password: bool,
}

/// Starts a refresh-token family (or continues one) and signs an access token, inside the
/// caller's transaction.
pub fn issue_tokens(
    conn: &mut DbConnection,
    issuer: &Issuer,
    now: NaiveDateTime,
    person: &Person,
    family_id: Option<&str>,
) -> StoreResult<Tokens> {
    let family = family_id.map_or_else(new_id, str::to_string);
    let (refresh_token, hash) = tokens::new_opaque_token();
    refresh_tokens::insert(
        conn,
        &family,
        &person.id,
        &hash,
        now,
        now + issuer.refresh_ttl,
    )?;
    let epoch = people::access(conn, &person.id)?.epoch;
    Ok(Tokens {
        access_token: issuer.keys.issue(&person.id, epoch, now.and_utc()),
        expires_in: issuer.keys.access_ttl_seconds,
        refresh_token,
        refresh_expires_in: issuer.refresh_ttl.num_seconds(),
        person_id: person.id.clone(),
        must_change_password: person.must_change_password,
    })
}

/// Tokens, or why not (for a 401).
pub enum Admission {
    Admitted(Tokens),
    Refused(&'static str),
}

/// The person with this e-mail and their password hash, if there is one.
pub fn credentials(
    conn: &mut DbConnection,
    email: &str,
) -> AppResult<Option<(Person, Option<String>)>> {
    Ok(people::credentials_by_email(conn, email)?)
}

/// The person, if the password is theirs and they are active. argon2 is slow on purpose: run
/// this off the async workers and outside any transaction.
pub fn verify(password: &str, found: Option<(Person, Option<String>)>) -> Option<Person> {
    let (person, hash) = found.map_or((None, None), |(p, h)| (Some(p), h));
    // Verified even without a person, so a wrong e-mail takes as long as a wrong password.
    let verified = password::verify(password, hash.as_deref());
    person.filter(|p| verified && p.active)
}

/// Signs in the person [`verify`] found, or audits the failed attempt and refuses. The
/// failure's audit record is committed: the refusal is an answer, not an error.
pub fn sign_in(
    conn: &mut DbConnection,
    issuer: &Issuer,
    now: NaiveDateTime,
    address: String,
    email: &str,
    person: Option<Person>,
) -> AppResult<Admission> {
    let actor = audit::Actor {
        person_id: person.as_ref().map(|p| p.id.clone()),
        address: Some(address),
    };
    let Some(person) = person else {
        audit::record(
            conn,
            &actor,
            "auth.login_failed",
            "person",
            None,
            json!({ "email": email }),
        )?;
        return Ok(Admission::Refused(BAD_CREDENTIALS));
    };
    audit::record(
        conn,
        &actor,
        "auth.login",
        "person",
        Some(&person.id),
        json!({}),
    )?;
    Ok(Admission::Admitted(issue_tokens(
        conn, issuer, now, &person, None,
    )?))
}

/// Exchanges a refresh token for new tokens. Each works once: presenting a spent one again
/// revokes every token of that sign-in, since one of the two holders is a thief. The
/// revocation (and its audit record) is committed with the refusal.
pub fn refresh(
    conn: &mut DbConnection,
    issuer: &Issuer,
    now: NaiveDateTime,
    address: String,
    refresh_token: &str,
) -> AppResult<Admission> {
    let hash = tokens::hash_opaque_token(refresh_token.trim());
    let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? else {
        return Ok(Admission::Refused("the refresh token is not valid"));
    };
    let actor = audit::Actor {
        person_id: Some(token.person_id.clone()),
        address: Some(address),
    };
    if token.revoked_at.is_some() {
        return Ok(Admission::Refused(
            "the refresh token was revoked; sign in again",
        ));
    }
    // A token used before (or by a request racing this one) is being replayed.
    if token.used_at.is_some() || !refresh_tokens::spend(conn, &token.id, now)? {
        refresh_tokens::revoke_family(conn, &token.family_id, now)?;
        audit::record(
            conn,
            &actor,
            "auth.refresh_reuse",
            "person",
            Some(&token.person_id),
            json!({ "family_id": token.family_id }),
        )?;
        return Ok(Admission::Refused(
            "the refresh token was already used; sign in again",
        ));
    }
    if token.expires_at <= now {
        return Ok(Admission::Refused(
            "the refresh token has expired; sign in again",
        ));
    }
    let person = people::find(conn, &token.person_id)?;
    if !person.active {
        refresh_tokens::revoke_family(conn, &token.family_id, now)?;
        return Ok(Admission::Refused("the account is inactive"));
    }
    let issued = issue_tokens(conn, issuer, now, &person, Some(&token.family_id))?;
    audit::record(
        conn,
        &actor,
        "auth.refreshed",
        "person",
        Some(&person.id),
        json!({ "family_id": token.family_id }),
    )?;
    Ok(Admission::Admitted(issued))
}

/// Signs out one sign-in: revokes the refresh token's whole family. An unknown token is
/// already signed out.
pub fn sign_out(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    address: String,
    refresh_token: &str,
) -> AppResult<()> {
    let hash = tokens::hash_opaque_token(refresh_token.trim());
    if let Some(token) = refresh_tokens::find_by_hash(conn, &hash)? {
        refresh_tokens::revoke_family(conn, &token.family_id, now)?;
        let actor = audit::Actor {
            person_id: Some(token.person_id.clone()),
            address: Some(address),
        };
        audit::record(
            conn,
            &actor,
            "auth.logout",
            "person",
            Some(&token.person_id),
            json!({}),
        )?;
    }
    Ok(())
}

/// Signs the actor out of every device: every refresh token is revoked and every access token
/// issued so far stops working.
pub fn sign_out_everywhere(conn: &mut DbConnection, actor: &Actor) -> AppResult<()> {
    people::sign_out_everywhere(conn, &actor.person_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "auth.logout_everywhere",
        "person",
        Some(&actor.person_id),
        json!({}),
    )?;
    Ok(())
}

/// Refuses a request that reads or sets the browser's refresh cookie unless it comes from
/// this site's own pages (CSRF; ACC-1).
pub fn from_this_site(site: RequestSite) -> AppResult<()> {
    same_origin::check(site).map_err(|why| AppError::refuse(Code::CrossSiteRequest, why.detail()))
}
