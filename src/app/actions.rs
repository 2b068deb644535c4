//! Actions agreed in signed records, tracked until done (REC-2).

use serde_json::json;

use super::{Actor, AppError, AppResult};
use crate::store::records::{self as store, TrackedAction, ACTION_DONE, ACTION_OPEN};
use crate::store::{audit, DbConnection, Page};

fn status(done: bool) -> &'static str {
    if done {
        ACTION_DONE
    } else {
        ACTION_OPEN
    }
}

/// The actions the actor owns across their signed records, open or done, soonest due first.
pub fn mine(
    conn: &mut DbConnection,
    actor: &Actor,
    done: bool,
    page: Page,
) -> AppResult<(Vec<TrackedAction>, i64)> {
    Ok(store::actions_of_owner(
        conn,
        &actor.person_id,
        Some(status(done)),
        page,
    )?)
}

/// Marks an action done, or open again: its owner, or either party of its record; to anyone
/// else it does not exist.
pub fn set_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    done: bool,
) -> AppResult<TrackedAction> {
    let action = store::action(conn, id)?;
    let record = store::find(conn, &action.record_id)?;
    let owner = action.owner_person_id.as_deref() == Some(actor.person_id.as_str());
    if !owner && !record.is_party(&actor.person_id) {
        return Err(AppError::NotFound);
    }
    let updated = store::set_action_status(conn, id, done, &actor.person_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "record_action.status",
        "record_action",
        Some(id),
        json!({"status": status(done)}),
    )?;
    Ok(updated)
}
