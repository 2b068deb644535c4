//! Domain rules as plain types and functions: no actix, no diesel, no storage, no use cases
//! (`tests/layering.rs`). Each rule sits beside its tests and names the SPEC id it implements.

pub mod asye;
pub mod calendar;
pub mod cases;
pub mod compliance;
pub mod dates;
pub mod ical;
pub mod line_management;
pub mod observations;
pub mod pdr;
pub mod people;
pub mod periods;
pub mod policy;
pub mod push;
pub mod records;
pub mod reflection;
pub mod reminder_plan;
pub mod reminders;
pub mod same_origin;
pub mod scheduling;
pub mod sessions;
pub mod supervision;
pub mod validation;
