//! Background work that runs beside the API.

pub mod housekeeping;
pub mod reminders;
