//! What the API shows, where more than one route module shows it.

pub mod agreements;
pub mod asye;
pub mod auth;
pub mod calendar;
pub mod pdr;
pub mod people;
pub mod records;
pub mod reflections;
pub mod rfc3339;
pub mod sessions;
pub mod status;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A stored instant (UTC without zone) as the API writes it.
pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// `null` in JSON clears a field; a missing key leaves it alone.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// One page of a list (API-3).
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T: ToSchema> Paged<T> {
    pub fn new(items: Vec<T>, total: i64, page: crate::store::Page) -> Paged<T> {
        Paged {
            items,
            total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}
