//! The signed-in person's own profile and password.

use chrono::NaiveDateTime;
use serde_json::json;

use super::auth::{issue_tokens, Issuer, Tokens};
use super::{Actor, AppResult, Expected};
use crate::auth::password;
use crate::domain::people::{check_password, parse_time_zone, PASSWORD_INPUT_MAX_CHARS};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::people::{self, Person};
use crate::store::{audit, DbConnection};

/// The actor's own profile.
pub fn profile(conn: &mut DbConnection, actor: &Actor) -> AppResult<Person> {
    Ok(people::find(conn, &actor.person_id)?)
}

/// What a person may change about themselves.
pub struct ProfileChanges {
    pub display_name: Option<String>,
    /// IANA time zone; reminders and "today" follow it (CAL-4).
    pub time_zone: Option<String>,
}

/// Changes the actor's display name or time zone.
pub fn update_profile(
    conn: &mut DbConnection,
    actor: &Actor,
    expected: Expected,
    changes: ProfileChanges,
) -> AppResult<Person> {
    let mut invalid = Invalid::default();
    let changes = people::Changes {
        display_name: changes
            .display_name
            .as_deref()
            .and_then(|v| invalid.check(bounded_text("display_name", v, 1, 200))),
        time_zone: changes
            .time_zone
            .as_deref()
            .and_then(|v| invalid.check(parse_time_zone("time_zone", v)))
            .map(|tz| tz.name().to_string()),
        ..people::Changes::default()
    };
    invalid.into_result(|| ())?;
    let id = &actor.person_id;
    let expected = expected.expect_with(|| people::find(conn, id).map(|p| p.version))?;
    let person = people::update(conn, id, expected, &changes)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "person.updated",
        "person",
        Some(id),
        json!({ "self": true }),
    )?;
    Ok(person)
}

/// The new password's own rules, checked before anything is read or hashed.
pub fn check_new_password(current: &str, new: &str) -> Result<(), Invalid> {
    if current.chars().count() > PASSWORD_INPUT_MAX_CHARS {
        return Err(Invalid::field("current_password", "is wrong"));
    }
    check_password("new_password", new)?;
    if new == current {
        return Err(Invalid::field(
            "new_password",
            "must differ from the current password",
        ));
    }
    Ok(())
}

/// The actor's stored password hash, for [`new_password_hash`].
pub fn password_hash(conn: &mut DbConnection, actor: &Actor) -> AppResult<Option<String>> {
    Ok(people::password_hash(conn, &actor.person_id)?)
}

/// The new password's hash, if the current one is right. argon2 is slow on purpose: run this
/// off the async workers and outside any transaction.
pub fn new_password_hash(
    current: &str,
    stored: Option<&str>,
    new: &str,
) -> Result<String, Invalid> {
    if password::verify(current, stored) {
        Ok(password::hash(new))
    } else {
        Err(Invalid::field("current_password", "is wrong"))
    }
}

/// Sets the actor's new password, signs out every other device and issues fresh tokens for
/// this one.
pub fn change_password(
    conn: &mut DbConnection,
    actor: &Actor,
    issuer: &Issuer,
    now: NaiveDateTime,
    new_hash: &str,
) -> AppResult<Tokens> {
    let id = &actor.person_id;
    people::set_password(conn, id, new_hash, false)?;
    people::sign_out_everywhere(conn, id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "person.password_changed",
        "person",
        Some(id),
        json!({}),
    )?;
    let person = people::find(conn, id)?;
    Ok(issue_tokens(conn, issuer, now, &person, None)?)
}
