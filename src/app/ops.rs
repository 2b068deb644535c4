//! Operations: whether this instance can serve.

use std::sync::Arc;

use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::{self, DbConnection, StoreResult};

/// Ready means the database answers and the working-day calendars load: every due date
/// needs them.
pub fn readiness(conn: &mut DbConnection, calendars: &Calendars) -> StoreResult<Arc<CalendarSet>> {
    store::ping(conn)?;
    calendars.load(conn)
}
