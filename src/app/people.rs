//! People and line management. Administrators create and change people and record who
//! manages whom; everyone else sees themselves and the people they manage, directly or
//! through others (ACC-5, through [`visibility`]).

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::auth::password;
use crate::domain::line_management::LinkRefusal;
use crate::domain::people::{
    check_placement, organisation_today, parse_time_zone, Email, StaffCategory, DEFAULT_TIME_ZONE,
};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::line_management::{self as links, NewLink, StoredLink};
use crate::store::people::{self, NewPerson, Person};
use crate::store::{audit, teams, DbConnection, Page, StoreError};

/// Which people to list.
pub struct Listing {
    pub team_id: Option<String>,
    pub staff_category: Option<StaffCategory>,
    pub active: Option<bool>,
    /// Part of a name or e-mail, case-insensitive.
    pub q: Option<String>,
    pub page: Page,
}

/// People the actor may see: everyone for administrators and auditors; otherwise themselves
/// and the people they manage today, as [`visibility::may_see`] decides one by one.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    listing: Listing,
) -> AppResult<(Vec<Person>, i64)> {
    if listing.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(Invalid::field("q", "must be at most 200 characters").into());
    }
    let only_ids = if actor.is_admin || actor.is_auditor {
        None
    } else {
        let mut ids = links::hierarchy(conn)?.reports_of(&actor.person_id, organisation_today());
        ids.push(actor.person_id.clone());
        Some(ids)
    };
    let filter = people::Filter {
        team_id: listing.team_id,
        staff_category: listing.staff_category,
        active: listing.active,
        search: listing.q.filter(|q| !q.trim().is_empty()),
        only_ids,
    };
    Ok(people::list(conn, &filter, listing.page)?)
}

/// One person the actor may see.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Person> {
    visibility::person(conn, actor, id)
}

/// A person to create, as asked.
pub struct Creation {
    pub email: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    pub employment_start: Option<NaiveDate>,
    pub asye_start: Option<NaiveDate>,
    pub placement_start: Option<NaiveDate>,
    pub placement_end: Option<NaiveDate>,
    /// IANA time zone; default Europe/London.
    pub time_zone: Option<String>,
    pub is_admin: bool,
    pub is_auditor: bool,
}

/// A person to create whose fields passed [`check_creation`]: all that is missing is the
/// password hash.
pub struct Checked(NewPerson);

/// Checks who asks and what they ask for, before any password is hashed: administrators only,
/// every field valid.
pub fn check_creation(actor: &Actor, creation: Creation) -> AppResult<Checked> {
    actor.require_admin()?;
    let mut invalid = Invalid::default();
    let email = invalid.check(Email::parse("email", &creation.email));
    let display_name = invalid.check(bounded_text("display_name", &creation.display_name, 1, 200));
    let time_zone = invalid.check(parse_time_zone(
        "time_zone",
        creation.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE),
    ));
    invalid.check(check_placement(
        creation.placement_start,
        creation.placement_end,
    ));
    let (Some(email), Some(display_name), Some(time_zone)) = (email, display_name, time_zone)
    else {
        return Err(invalid.into());
    };
    invalid.into_result(|| ())?;
    Ok(Checked(NewPerson {
        email: email.into_string(),
        display_name,
        staff_category: creation.staff_category,
        team_id: creation.team_id,
        employment_start: creation.employment_start,
        asye_start: creation.asye_start,
        placement_start: creation.placement_start,
        placement_end: creation.placement_end,
        time_zone: time_zone.name().to_string(),
        is_admin: creation.is_admin,
        is_auditor: creation.is_auditor,
        password_hash: String::new(),
        must_change_password: true,
    }))
}

/// A one-time password to hand over, and its hash to store.
pub struct OneTimePassword {
    pub shown: String,
    pub hash: String,
}

/// A fresh one-time password. argon2 is slow on purpose: run this off the async workers and
/// outside any transaction.
pub fn one_time_password() -> OneTimePassword {
    let shown = password::one_time();
    let hash = password::hash(&shown);
    OneTimePassword { shown, hash }
}

/// Creates the person with the one-time password's hash; they must change it at first
/// sign-in.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    checked: Checked,
    password_hash: String,
) -> AppResult<Person> {
    let Checked(new) = checked;
    check_team(conn, new.team_id.as_deref())?;
    let person = people::insert(
        conn,
        NewPerson {
            password_hash,
            ..new
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "person.created",
        "person",
        Some(&person.id),
        json!({
            "email": person.email,
            "staff_category": person.staff_category.as_str(),
            "is_admin": person.is_admin,
            "is_auditor": person.is_auditor,
        }),
    )?;
    Ok(person)
}

fn check_team(conn: &mut DbConnection, team_id: Option<&str>) -> AppResult<()> {
    match team_id.map(|id| teams::find(conn, id)) {
        None | Some(Ok(_)) => Ok(()),
        Some(Err(StoreError::NotFound)) => Err(Invalid::field("team_id", "no such team").into()),
        Some(Err(other)) => Err(other.into()),
    }
}

/// Changes to a person; `Some(None)` clears a field.
#[derive(Default)]
pub struct Changes {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub staff_category: Option<StaffCategory>,
    pub team_id: Option<Option<String>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub asye_start: Option<Option<NaiveDate>>,
    pub placement_start: Option<Option<NaiveDate>>,
    pub placement_end: Option<Option<NaiveDate>>,
    pub time_zone: Option<String>,
    pub active: Option<bool>,
    pub is_admin: Option<bool>,
    pub is_auditor: Option<bool>,
}

/// The changes as the store takes them, every field checked.
fn checked_changes(actor: &Actor, id: &str, changes: Changes) -> Result<people::Changes, Invalid> {
    let mut invalid = Invalid::default();
    // Administrators cannot remove their own access, so the organisation is never left
    // without one by accident.
    if actor.is(id) && (changes.is_admin == Some(false) || changes.active == Some(false)) {
        let field = if changes.active == Some(false) {
            "active"
        } else {
            "is_admin"
        };
        invalid.push(field, "you cannot remove your own administrator access");
    }
    let checked = people::Changes {
        email: changes
            .email
            .as_deref()
            .and_then(|v| invalid.check(Email::parse("email", v)))
            .map(Email::into_string),
        display_name: changes
            .display_name
            .as_deref()
            .and_then(|v| invalid.check(bounded_text("display_name", v, 1, 200))),
        staff_category: changes.staff_category.map(|c| c.as_str().to_string()),
        team_id: changes.team_id,
        employment_start: changes.employment_start,
        asye_start: changes.asye_start,
        placement_start: changes.placement_start,
        placement_end: changes.placement_end,
        time_zone: changes
            .time_zone
            .as_deref()
            .and_then(|v| invalid.check(parse_time_zone("time_zone", v)))
            .map(|tz| tz.name().to_string()),
        active: changes.active,
        is_admin: changes.is_admin,
        is_auditor: changes.is_auditor,
    };
    invalid.into_result(|| checked)
}

/// Changes a person (administrators). Deactivating signs them out everywhere; changed roles
/// or activity are audited with before and after.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    changes: Changes,
) -> AppResult<Person> {
    actor.require_admin()?;
    let changes = checked_changes(actor, id, changes)?;
    let before = people::find(conn, id)?;
    check_team(conn, changes.team_id.clone().flatten().as_deref())?;
    check_placement(
        changes.placement_start.unwrap_or(before.placement_start),
        changes.placement_end.unwrap_or(before.placement_end),
    )?;
    let after = people::update(conn, id, expected.expect(before.version), &changes)?;
    let actor = actor.for_audit();
    audit::record(
        conn,
        &actor,
        "person.updated",
        "person",
        Some(id),
        json!({ "version": after.version }),
    )?;
    let permissions_changed = before.is_admin != after.is_admin
        || before.is_auditor != after.is_auditor
        || before.active != after.active;
    if permissions_changed {
        audit::record(
            conn,
            &actor,
            "person.permissions_changed",
            "person",
            Some(id),
            json!({
                "before": {"active": before.active, "is_admin": before.is_admin, "is_auditor": before.is_auditor},
                "after": {"active": after.active, "is_admin": after.is_admin, "is_auditor": after.is_auditor},
            }),
        )?;
    }
    if before.active && !after.active {
        people::sign_out_everywhere(conn, id)?;
    }
    Ok(after)
}

/// Gives a person a new one-time password (administrators) and signs them out everywhere.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    password_hash: &str,
) -> AppResult<()> {
    actor.require_admin()?;
    people::set_password(conn, id, password_hash, true)?;
    people::sign_out_everywhere(conn, id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "person.password_reset",
        "person",
        Some(id),
        json!({}),
    )?;
    Ok(())
}

/// The person's line managers over time, oldest first.
pub fn line_management(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<Vec<StoredLink>> {
    visibility::person(conn, actor, id)?;
    Ok(links::for_supervisee(conn, id)?)
}

/// A period of line management to record, `[starts_on, ends_on)`.
pub struct Link {
    pub manager_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Records a (new) line manager from a date (administrators). The current link, if any, ends
/// on that date; a period that overlaps another, or that would make a loop, is refused.
pub fn link(
    conn: &mut DbConnection,
    actor: &Actor,
    supervisee_id: &str,
    link: Link,
) -> AppResult<StoredLink> {
    actor.require_admin()?;
    people::find(conn, supervisee_id)?;
    match people::find(conn, &link.manager_id) {
        Ok(manager) if manager.active => {}
        Ok(_) => return Err(Invalid::field("manager_id", "the manager is inactive").into()),
        Err(StoreError::NotFound) => {
            return Err(Invalid::field("manager_id", "no such person").into())
        }
        Err(other) => return Err(other.into()),
    }
    let plan = links::hierarchy(conn)?
        .plan_link(
            supervisee_id,
            &link.manager_id,
            link.starts_on,
            link.ends_on,
        )
        .map_err(|refusal| match refusal {
            LinkRefusal::Invalid(invalid) => AppError::Invalid(invalid),
            LinkRefusal::Overlaps { starts_on } => AppError::refuse(
                Code::LineManagementOverlaps,
                format!("the period overlaps line management that starts on {starts_on}"),
            ),
        })?;
    let stored = links::insert(
        conn,
        NewLink {
            supervisee_id,
            manager_id: &link.manager_id,
            starts_on: link.starts_on,
            ends_on: link.ends_on,
            created_by: Some(&actor.person_id),
        },
        plan.ends_link.as_deref(),
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "line_management.created",
        "person",
        Some(supervisee_id),
        json!({ "manager_id": stored.manager_id, "starts_on": stored.starts_on, "ends_on": stored.ends_on, "ended_link": plan.ends_link }),
    )?;
    Ok(stored)
}

/// The chain of managers above a person on a date, nearest first.
pub fn managers(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    on: NaiveDate,
) -> AppResult<Vec<Person>> {
    visibility::person(conn, actor, id)?;
    let chain = links::hierarchy(conn)?.chain_of_managers(id, on);
    Ok(chain
        .iter()
        .map(|manager_id| people::find(conn, manager_id))
        .collect::<Result<_, _>>()?)
}
