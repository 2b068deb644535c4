//! The application layer: one module per aggregate, one function per use case.
//!
//! A use case takes a connection (inside the transaction the caller opened), the [`Actor`],
//! the clock and the calendars as arguments; it loads what it needs, authorises through
//! [`visibility`] (the one home of "who may see whom"), asks the domain whether the change is
//! allowed, writes through the store and audits, and answers with a value or an [`AppError`]
//! whose refusals carry stable codes.
//!
//! What this layer may know: `crate::domain` (the rules) and `crate::store` (persistence).
//! What it may not: actix, HTTP status codes, headers or `crate::http` — the HTTP layer
//! parses requests, calls one use case and maps its answer. `tests/layering.rs` holds both
//! sides to this.

pub mod actions;
pub mod agreements;
pub mod asye;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod demo;
pub mod error;
pub mod groups;
pub mod me;
pub mod observations;
pub mod ops;
pub mod organisation;
pub mod pdr;
pub mod people;
pub mod push;
pub mod records;
pub mod reflections;
pub mod reminders;
pub mod reports;
pub mod sessions;
pub mod status;
pub mod templates;
pub mod visibility;

pub use error::{AppError, AppResult, Code};

use crate::store::audit;

/// Who is acting: the signed-in person with today's roles, and where the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person_id: String,
    pub is_admin: bool,
    pub is_auditor: bool,
    /// Where the request came from, for the audit log.
    pub address: String,
}

impl Actor {
    /// The actor as the audit log records them.
    pub fn for_audit(&self) -> audit::Actor {
        audit::Actor {
            person_id: Some(self.person_id.clone()),
            address: Some(self.address.clone()),
        }
    }

    pub fn require_admin(&self) -> AppResult<()> {
        if self.is_admin {
            Ok(())
        } else {
            Err(AppError::refuse(
                Code::AdminOnly,
                "this needs an administrator",
            ))
        }
    }

    pub fn is(&self, person_id: &str) -> bool {
        self.person_id == person_id
    }
}

/// The version a change expects (If-Match): exactly the one the client read, or, with `*`,
/// whatever is current (RFC 9110).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected(Option<i32>);

impl Expected {
    pub const ANY: Expected = Expected(None);

    pub fn version(version: i32) -> Expected {
        Expected(Some(version))
    }

    /// The version to write against, given the one the resource has now.
    pub fn expect(self, current: i32) -> i32 {
        self.0.unwrap_or(current)
    }

    /// [`Expected::expect`] for a resource not loaded yet: `current` reads its version only
    /// when any version will do.
    pub fn expect_with<E>(self, current: impl FnOnce() -> Result<i32, E>) -> Result<i32, E> {
        self.0.map_or_else(current, Ok)
    }

    /// Stale unless the resource is still at the expected version.
    pub fn check(self, current: i32) -> AppResult<()> {
        if self.expect(current) == current {
            Ok(())
        } else {
            Err(AppError::Stale { current: None })
        }
    }
}
