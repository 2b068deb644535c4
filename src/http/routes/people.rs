//! People and line management. Administrators create and change people; everyone else sees
//! themselves and the people they manage, directly or through others. Anyone else's id
//! answers 404, never 403, so ids cannot be probed (ACC-5).

use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::people::{self, Changes, Creation, Link, Listing};
use crate::domain::dates::Day;
use crate::domain::people::{organisation_today, StaffCategory, TimeZoneName};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::people::{person_response, refused_change, PersonView};
use crate::http::views::Paged;
use crate::http::views::{nullable, utc};
use crate::http::AppState;
use crate::store::line_management::StoredLink;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_people)
        .service(create_person)
        .service(get_person)
        .service(update_person)
        .service(reset_password)
        .service(list_links)
        .service(create_link)
        .service(managers);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    pub team_id: Option<String>,
    pub staff_category: Option<StaffCategory>,
    pub active: Option<bool>,
    /// Part of a name or e-mail, case-insensitive.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// People you may see: everyone for administrators and auditors; otherwise yourself and the
/// people you manage.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(PeopleQuery),
    responses(
        (status = 200, body = Paged<PersonView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people")]
async fn list_people(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<PeopleQuery>,
) -> ApiResult<web::Json<Paged<PersonView>>> {
    let query = query.0;
    let page = page(query.limit, query.offset)?;
    let listing = Listing {
        team_id: query.team_id,
        staff_category: query.staff_category,
        active: query.active,
        q: query.q,
        page,
    };
    let (items, total) = state
        .db
        .query(move |conn| people::list(conn, &caller, listing))
        .await?;
    Ok(web::Json(Paged::new(
        items.into_iter().map(PersonView::from).collect(),
        total,
        page,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "new.worker@council.example",
    "display_name": "New Worker",
    "staff_category": "asye",
    "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51",
    "employment_start": "2026-09-07",
    "asye_start": "2026-09-07"
}))]
pub struct CreatePerson {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    pub employment_start: Option<Day>,
    pub asye_start: Option<Day>,
    pub placement_start: Option<Day>,
    pub placement_end: Option<Day>,
    /// IANA time zone; default Europe/London.
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
    #[serde(default)]
    pub is_auditor: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "person": {
        "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f52", "email": "new.worker@council.example",
        "display_name": "New Worker", "staff_category": "asye",
        "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "employment_start": "2026-09-07",
        "asye_start": "2026-09-07", "placement_start": null, "placement_end": null,
        "time_zone": "Europe/London", "active": true, "is_admin": false, "is_auditor": false,
        "must_change_password": true, "created_at": "2026-11-25T09:30:00Z",
        "updated_at": "2026-11-25T09:30:00Z", "version": 1
    },
    "one_time_password": "h3Kq9TzLw2XbV7mR4sPd"
}))]
pub struct CreatedPerson {
    pub person: PersonView,
    /// Shown once: give it to the person; they must change it at first sign-in.
    pub one_time_password: String,
}

/// Create a person (administrators). Returns a one-time password to hand over.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    request_body = CreatePerson,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice")),
    responses(
        (status = 201, body = CreatedPerson),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail already in use", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people")]
async fn create_person(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreatePerson>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let creation = Creation {
        email: body.email,
        display_name: body.display_name,
        staff_category: body.staff_category,
        team_id: body.team_id,
        employment_start: body.employment_start.map(Day::date),
        asye_start: body.asye_start.map(Day::date),
        placement_start: body.placement_start.map(Day::date),
        placement_end: body.placement_end.map(Day::date),
        time_zone: body.time_zone,
        is_admin: body.is_admin,
        is_auditor: body.is_auditor,
    };
    // Checked before the slow hash, so a refused request costs no argon2.
    let checked = people::check_creation(&caller, creation)?;
    let password = one_time_password().await?;
    let hash = password.hash;
    let created = state
        .db
        .transact(move |conn| people::create(conn, &caller, checked, hash))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/people/{}", created.id)))
        .insert_header(("ETag", etag(created.version)))
        .json(CreatedPerson {
            person: created.into(),
            one_time_password: password.shown,
        }))
}

/// A fresh one-time password, hashed off the async workers.
async fn one_time_password() -> ApiResult<people::OneTimePassword> {
    web::block(people::one_time_password)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// One person, if you may see them (else 404).
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}")]
async fn get_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let person = state
        .db
        .query(move |conn| people::get(conn, &caller, &id))
        .await?;
    Ok(person_response(HttpResponse::Ok(), person))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "staff_category": "social_worker", "active": true}))]
pub struct UpdatePerson {
    #[schema(min_length = 3, max_length = 254)]
    pub email: Option<String>,
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    pub staff_category: Option<StaffCategory>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub team_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub employment_start: Option<Option<Day>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub asye_start: Option<Option<Day>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub placement_start: Option<Option<Day>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Day>)]
    pub placement_end: Option<Option<Day>>,
    #[schema(value_type = Option<TimeZoneName>)]
    pub time_zone: Option<String>,
    /// false deactivates: the person can no longer sign in; their history stays.
    pub active: Option<bool>,
    pub is_admin: Option<bool>,
    pub is_auditor: Option<bool>,
}

/// Change a person (administrators). Needs `If-Match`; deactivating signs the person out
/// everywhere. Administrators cannot remove their own administrator flag or deactivate
/// themselves, so the organisation is never left without one by accident.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    request_body = UpdatePerson,
    params(
        ("id" = String, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = PersonView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail already in use", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the person now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/people/{id}")]
async fn update_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<UpdatePerson>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.0;
    let date = |given: Option<Option<Day>>| given.map(|day| day.map(Day::date));
    let changes = Changes {
        email: body.email,
        display_name: body.display_name,
        staff_category: body.staff_category,
        team_id: body.team_id,
        employment_start: date(body.employment_start),
        asye_start: date(body.asye_start),
        placement_start: date(body.placement_start),
        placement_end: date(body.placement_end),
        time_zone: body.time_zone,
        active: body.active,
        is_admin: body.is_admin,
        is_auditor: body.is_auditor,
    };
    let (actor, target) = (caller.clone(), id.clone());
    let updated = state
        .db
        .transact(move |conn| people::update(conn, &actor, &target, version, changes))
        .await;
    match updated {
        Ok(person) => {
            // Roles and deactivation bite on the person's next request (ACC-1).
            state.access.forget(&person.id);
            Ok(person_response(HttpResponse::Ok(), person))
        }
        Err(err) => Err(refused_change(&state, caller, id, err).await),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"one_time_password": "h3Kq9TzLw2XbV7mR4sPd"}))]
pub struct PasswordReset {
    /// Shown once; the person must change it at their next sign-in.
    pub one_time_password: String,
}

/// Give a person a new one-time password (administrators); signs them out everywhere.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Person id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response"),
    ),
    responses(
        (status = 200, body = PasswordReset),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/password-reset")]
async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<PasswordReset>> {
    // Refused before the slow hash, so a refused request costs no argon2.
    caller.require_admin()?;
    let id = id.into_inner();
    let password = one_time_password().await?;
    let (target, hash) = (id.clone(), password.hash);
    state
        .db
        .transact(move |conn| people::reset_password(conn, &caller, &target, &hash))
        .await?;
    state.access.forget(&id);
    Ok(web::Json(PasswordReset {
        one_time_password: password.shown,
    }))
}

/// One period of line management, `[starts_on, ends_on)`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f60",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "manager_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "starts_on": "2026-09-01",
    "ends_on": null,
    "created_at": "2026-09-01T08:00:00Z",
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f10"
}))]
pub struct LinkView {
    pub id: String,
    pub supervisee_id: String,
    pub manager_id: String,
    pub starts_on: NaiveDate,
    /// The first day this manager no longer manages the person; null while current.
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
}

impl From<StoredLink> for LinkView {
    fn from(l: StoredLink) -> LinkView {
        LinkView {
            id: l.id,
            supervisee_id: l.supervisee_id,
            manager_id: l.manager_id,
            starts_on: l.starts_on,
            ends_on: l.ends_on,
            created_at: utc(l.created_at),
            created_by: l.created_by,
        }
    }
}

/// The person's line managers over time, oldest first.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<LinkView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/line-management")]
async fn list_links(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<LinkView>>> {
    let items = state
        .db
        .query(move |conn| people::line_management(conn, &caller, &id))
        .await?;
    Ok(web::Json(items.into_iter().map(LinkView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"manager_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40", "starts_on": "2026-12-01"}))]
pub struct CreateLink {
    pub manager_id: String,
    /// From this date the manager manages the person; a current link ends on this date.
    pub starts_on: Day,
    pub ends_on: Option<Day>,
}

/// Record a (new) line manager from a date (administrators). The current link, if any, ends
/// on that date; a period that overlaps another, or that would make a loop, is refused.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    request_body = CreateLink,
    params(
        ("id" = String, Path, description = "Person id of the supervisee"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response"),
    ),
    responses(
        (status = 201, body = LinkView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Overlaps an existing period", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid manager or dates", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/line-management")]
async fn create_link(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<CreateLink>,
) -> ApiResult<HttpResponse> {
    let link = Link {
        manager_id: body.0.manager_id,
        starts_on: body.0.starts_on.date(),
        ends_on: body.0.ends_on.map(Day::date),
    };
    let created = state
        .db
        .transact(move |conn| people::link(conn, &caller, &id, link))
        .await?;
    Ok(HttpResponse::Created().json(LinkView::from(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OnDate {
    /// The date to ask about (default today).
    pub on: Option<Day>,
}

/// A manager in the chain above a person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"level": 1, "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40", "display_name": "Tom Reed", "email": "tom.reed@demo.council.example"}))]
pub struct ChainEntry {
    /// 1 is the line manager, 2 their manager, and so on.
    pub level: usize,
    pub id: String,
    pub display_name: String,
    pub email: String,
}

/// The chain of managers above a person on a date, nearest first.
#[utoipa::path(
    tag = "people",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), OnDate),
    responses(
        (status = 200, body = Vec<ChainEntry>),
        (status = 400, description = "Malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/managers")]
async fn managers(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<OnDate>,
) -> ApiResult<web::Json<Vec<ChainEntry>>> {
    let on = query.0.on.map_or_else(organisation_today, Day::date);
    let chain = state
        .db
        .query(move |conn| people::managers(conn, &caller, &id, on))
        .await?;
    Ok(web::Json(
        chain
            .into_iter()
            .enumerate()
            .map(|(i, manager)| ChainEntry {
                level: i + 1,
                id: manager.id,
                display_name: manager.display_name,
                email: manager.email,
            })
            .collect(),
    ))
}
