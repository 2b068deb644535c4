//! Supervision agreements (AGR-1..AGR-3).

use super::{visibility, Actor, AppError, AppResult};
use crate::store::agreements::{self, Agreement};
use crate::store::DbConnection;

/// The parties, administrators, auditors and managers above the supervisee may see an
/// agreement; anyone else gets not found (ACC-5).
pub fn find_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Agreement> {
    let agreement = agreements::find(conn, id)?;
    if agreement.party(&actor.person_id).is_some()
        || visibility::may_see(conn, actor, &agreement.supervisee_id)?
    {
        Ok(agreement)
    } else {
        Err(AppError::NotFound)
    }
}
