//! Who may see whom (ACC-1, ACC-5): the one place the rule lives. Anyone the actor may not see
//! answers "not found", never "forbidden", so ids cannot be probed.

use chrono::NaiveDate;

use crate::app::{Actor, AppError, AppResult};
use crate::domain::people::organisation_today;
use crate::store::agreements;
use crate::store::line_management as links;
use crate::store::people::{self, Person};
use crate::store::{DbConnection, StoreResult};

/// Whether the actor may see this person: themselves, administrators, auditors, and anyone
/// above them in line management today.
pub fn may_see(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> StoreResult<bool> {
    if actor.is(person_id) || actor.is_admin || actor.is_auditor {
        return Ok(true);
    }
    links::is_above(conn, &actor.person_id, person_id, organisation_today())
}

/// Whom the actor sees among the staff, for a list: `None` (everyone) for administrators and
/// auditors, otherwise the people below them in line management on `date`.
pub fn people_below(
    conn: &mut DbConnection,
    actor: &Actor,
    date: NaiveDate,
) -> StoreResult<Option<Vec<String>>> {
    if actor.is_admin || actor.is_auditor {
        return Ok(None);
    }
    Ok(Some(
        links::hierarchy(conn)?.reports_of(&actor.person_id, date),
    ))
}

/// The person, if the actor may see them; otherwise not found.
pub fn person(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> AppResult<Person> {
    if may_see(conn, actor, person_id)? {
        Ok(people::find(conn, person_id)?)
    } else {
        Err(AppError::NotFound)
    }
}

/// Fails with not found unless the actor may see the person.
pub fn require_sight(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> AppResult<()> {
    if may_see(conn, actor, person_id)? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether the actor supervises the person today (ACC-3); see [`supervises_on`].
pub fn supervises(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> StoreResult<bool> {
    supervises_on(conn, &actor.person_id, person_id, organisation_today())
}

/// Whether `supervisor_id` supervises `person_id` on `date`: as line manager, or under an
/// agreement (a practice educator, say) in force that day: signed by both, started and not
/// ended (AGR-3). Every access rule that reads "supervises" asks this function.
pub fn supervises_on(
    conn: &mut DbConnection,
    supervisor_id: &str,
    person_id: &str,
    date: NaiveDate,
) -> StoreResult<bool> {
    if supervisor_id == person_id {
        return Ok(false);
    }
    if links::manager_on(conn, person_id, date)?.as_deref() == Some(supervisor_id) {
        return Ok(true);
    }
    Ok(agreements::for_person(conn, person_id)?.iter().any(|a| {
        a.supervisor_id == supervisor_id && a.supervisee_id == person_id && a.in_force(date)
    }))
}

/// Everyone `supervisor_id` supervises on `date`, by the same rule as [`supervises_on`]: their
/// direct reports and the supervisees of their agreements in force. Sorted, without repeats.
pub fn supervisees_of(
    conn: &mut DbConnection,
    supervisor_id: &str,
    date: NaiveDate,
) -> StoreResult<Vec<String>> {
    let mut ids = links::direct_reports(conn, supervisor_id, date)?;
    ids.extend(
        agreements::for_person(conn, supervisor_id)?
            .into_iter()
            .filter(|a| a.supervisor_id == supervisor_id && a.in_force(date))
            .map(|a| a.supervisee_id),
    );
    ids.sort();
    ids.dedup();
    Ok(ids)
}
