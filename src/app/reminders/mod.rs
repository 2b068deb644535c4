//! Each person's reminder settings (REM-2, REM-3), their private calendar feed (REM-7), and
//! the plan the reminder sweep keeps for them. Everyone manages only their own settings and
//! feed; a feed is opened by its secret alone (calendar apps cannot sign in).

pub mod facts;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::json;

use super::{Actor, AppError, AppResult, Expected};
use crate::auth::tokens;
use crate::domain::ical::{feed, Event};
use crate::domain::reminder_plan::plan;
use crate::domain::reminders::{check_preferences, Preferences};
use crate::domain::sessions::SessionStatus;
use crate::store::organisation::CalendarSet;
use crate::store::people::{self, Person};
use crate::store::reminders as store;
use crate::store::sessions::{self, Filter, Session, Whose};
use crate::store::status::zone;
use crate::store::{audit, DbConnection, Page, StoreResult};

/// A person's reminder settings and their version (0 while the defaults apply).
#[derive(Debug, Clone)]
pub struct Settings {
    pub preferences: Preferences,
    pub version: i32,
}

/// The actor's reminder settings.
pub fn preferences(conn: &mut DbConnection, actor: &Actor) -> AppResult<Settings> {
    let (preferences, version) = store::preferences(conn, &actor.person_id)?;
    Ok(Settings {
        preferences,
        version,
    })
}

/// Changes the actor's reminder settings, at the version they read.
pub fn set_preferences(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    expected: Expected,
    preferences: Preferences,
) -> AppResult<Settings> {
    let preferences = check_preferences(preferences)?;
    let expected =
        expected.expect_with(|| store::preferences(conn, &actor.person_id).map(|p| p.1))?;
    let version = store::set_preferences(conn, &actor.person_id, expected, &preferences, now)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "reminders.preferences_set",
        "person",
        Some(&actor.person_id),
        json!({}),
    )?;
    Ok(Settings {
        preferences,
        version,
    })
}

/// When the actor's calendar feed was made, if they have one.
pub fn feed_made(conn: &mut DbConnection, actor: &Actor) -> AppResult<Option<NaiveDateTime>> {
    Ok(store::feed_of(conn, &actor.person_id)?)
}

/// A feed just made: its secret, shown once.
#[derive(Debug)]
pub struct NewFeed {
    pub secret: String,
    pub created_at: NaiveDateTime,
}

/// Makes the actor's calendar feed, or a new one in place of the old (whose link stops
/// working).
pub fn create_feed(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<NewFeed> {
    let (secret, hash) = tokens::new_opaque_token();
    store::set_feed(conn, &actor.person_id, &hash, now)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "calendar_feed.created",
        "person",
        Some(&actor.person_id),
        json!({}),
    )?;
    Ok(NewFeed {
        secret,
        created_at: now,
    })
}

/// Stops the actor's calendar feed; not found when they have none.
pub fn revoke_feed(conn: &mut DbConnection, actor: &Actor) -> AppResult<()> {
    if !store::remove_feed(conn, &actor.person_id)? {
        return Err(AppError::NotFound);
    }
    audit::record(
        conn,
        &actor.for_audit(),
        "calendar_feed.revoked",
        "person",
        Some(&actor.person_id),
        json!({}),
    )?;
    Ok(())
}

/// Sessions from this far back stay in the feed, so a cancelled one shows as cancelled.
const FEED_PAST_DAYS: i64 = 60;
const FEED_AHEAD_DAYS: i64 = 400;
/// Makes UIDs globally unique: `<session id>@supervision`.
const UID_HOST: &str = "supervision";

/// The calendar (RFC 5545) of the feed whose secret this is: its owner's sessions from
/// [`FEED_PAST_DAYS`] back to [`FEED_AHEAD_DAYS`] ahead. Not found for an unknown or revoked
/// secret.
pub fn calendar(conn: &mut DbConnection, secret: &str, now: NaiveDateTime) -> AppResult<String> {
    let owner = store::feed_owner(conn, &tokens::hash_opaque_token(secret))?;
    let person = people::find(conn, &owner)?;
    let (list, _) = sessions::list(
        conn,
        &Filter {
            from: Some(now - Duration::days(FEED_PAST_DAYS)),
            to: Some(now + Duration::days(FEED_AHEAD_DAYS)),
            ..Filter::new(Whose::Person(person.id.clone()))
        },
        Page {
            limit: 2_000,
            offset: 0,
        },
    )?;
    let events = list
        .into_iter()
        .map(|session| event(conn, &person, session))
        .collect::<StoreResult<Vec<Event>>>()?;
    Ok(feed(
        &format!("Supervision: {}", person.display_name),
        UID_HOST,
        zone(&person),
        &events,
        now.and_utc(),
    ))
}

/// One session in a person's feed, named after the other party.
fn event(conn: &mut DbConnection, person: &Person, session: Session) -> StoreResult<Event> {
    let other = if session.supervisor_id == person.id {
        session.supervisee_id.clone()
    } else {
        Some(session.supervisor_id.clone())
    };
    let with = match other {
        Some(id) => format!(" with {}", people::find(conn, &id)?.display_name),
        None => String::new(),
    };
    let starts_at: DateTime<Utc> = session.starts_at.and_utc();
    Ok(Event {
        summary: format!("Supervision{with}"),
        location: session.place.clone(),
        description: format!("{} supervision.", session.kind.as_str().replace('_', " ")),
        ends_at: starts_at + Duration::minutes(i64::from(session.duration_minutes)),
        starts_at,
        cancelled: matches!(session.status, SessionStatus::Cancelled),
        sequence: session.version,
        updated_at: session.updated_at.and_utc(),
        id: session.id,
    })
}

/// Plans one person's reminders firing from `at` up to `horizon` (REM-2) and keeps only
/// those: an inactive person's are all removed. Returns how many were added and removed.
pub fn replan(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person_id: &str,
    at: NaiveDateTime,
    horizon: NaiveDateTime,
) -> StoreResult<(usize, usize)> {
    let person = people::find(conn, person_id)?;
    let wanted = if person.active {
        let facts = facts::gather(conn, calendars, &person, at, horizon)?;
        plan(&facts, calendars.organisation())
    } else {
        Vec::new()
    };
    store::replace_plan(conn, person_id, &wanted, at)
}
