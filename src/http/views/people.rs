//! People as the API shows them; shared by the people and me routes.

use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{rfc3339, utc};
use crate::app::{self, Actor, AppError};
use crate::domain::people::StaffCategory;
use crate::http::extract::etag;
use crate::http::problem::ApiError;
use crate::http::AppState;
use crate::store::people::Person;

/// A person as the API shows them (never the password hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "email": "aisha.khan@demo.council.example",
    "display_name": "Aisha Khan",
    "staff_category": "social_worker",
    "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51",
    "employment_start": "2023-09-01",
    "asye_start": null,
    "placement_start": null,
    "placement_end": null,
    "time_zone": "Europe/London",
    "active": true,
    "is_admin": false,
    "is_auditor": false,
    "must_change_password": false,
    "created_at": "2026-11-25T09:30:00Z",
    "updated_at": "2026-11-25T09:30:00Z",
    "version": 1
}))]
pub struct PersonView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    #[serde(serialize_with = "rfc3339::text")]
    pub employment_start: Option<NaiveDate>,
    #[serde(serialize_with = "rfc3339::text")]
    pub asye_start: Option<NaiveDate>,
    #[serde(serialize_with = "rfc3339::text")]
    pub placement_start: Option<NaiveDate>,
    #[serde(serialize_with = "rfc3339::text")]
    pub placement_end: Option<NaiveDate>,
    /// IANA time zone (CAL-4).
    pub time_zone: String,
    pub active: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub must_change_password: bool,
    #[serde(serialize_with = "rfc3339::text")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "rfc3339::text")]
    pub updated_at: DateTime<Utc>,
    /// Also sent as the ETag; send it back in If-Match to change the person.
    pub version: i32,
}

impl From<Person> for PersonView {
    fn from(p: Person) -> PersonView {
        PersonView {
            id: p.id,
            email: p.email,
            display_name: p.display_name,
            staff_category: p.staff_category,
            team_id: p.team_id,
            employment_start: p.employment_start,
            asye_start: p.asye_start,
            placement_start: p.placement_start,
            placement_end: p.placement_end,
            time_zone: p.time_zone,
            active: p.active,
            is_admin: p.is_admin,
            is_auditor: p.is_auditor,
            must_change_password: p.must_change_password,
            created_at: utc(p.created_at),
            updated_at: utc(p.updated_at),
            version: p.version,
        }
    }
}

/// A person as JSON with their ETag.
pub fn person_response(mut builder: HttpResponseBuilder, person: Person) -> HttpResponse {
    builder
        .insert_header(("ETag", etag(person.version)))
        .json(PersonView::from(person))
}

/// The error for a refused change of a person: a stale write becomes a 412 carrying the
/// person as they are now (read afresh, after the refused transaction), anything else maps
/// as usual.
pub async fn refused_change(state: &AppState, actor: Actor, id: String, err: AppError) -> ApiError {
    let AppError::Stale { .. } = err else {
        return err.into();
    };
    let current = state
        .db
        .query(move |conn| app::people::get(conn, &actor, &id))
        .await;
    match current {
        Ok(person) => ApiError::PreconditionFailed {
            current: serde_json::to_value(PersonView::from(person)).ok(),
        },
        Err(err) => err.into(),
    }
}
