//! People and line management. Administrators create and change people; everyone else sees
//! themselves and the people they manage, directly or through others. Anyone else's id
//! answers 404, never 403, so ids cannot be probed (ACC-5).

use actix_web::{get, patch, post, web, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::visibility;
use crate::auth::password;
use crate::domain::dates::Day;
use crate::domain::line_management::LinkRefusal;
use crate::domain::people::{
    check_placement, organisation_today, parse_time_zone, Email, StaffCategory, DEFAULT_TIME_ZONE,
};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::Paged;
use crate::http::views::{nullable, utc};
use crate::http::AppState;
use crate::store::audit;
use crate::store::line_management::{self as links, NewLink, StoredLink};
use crate::store::people::{self, NewPerson, Person};
use crate::store::{teams, DbConnection, StoreError, StoreResult};

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
    pub employment_start: Option<NaiveDate>,
    pub asye_start: Option<NaiveDate>,
    pub placement_start: Option<NaiveDate>,
    pub placement_end: Option<NaiveDate>,
    /// IANA time zone (CAL-4).
    pub time_zone: String,
    pub active: bool,
    pub is_admin: bool,
    pub is_auditor: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
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

/// The 412 for a stale write, carrying the person as they are now.
pub async fn stale(state: &AppState, id: String) -> ApiError {
    match state.db.read(move |conn| people::find(conn, &id)).await {
        Ok(person) => ApiError::PreconditionFailed {
            current: serde_json::to_value(PersonView::from(person)).ok(),
        },
        Err(err) => err.into(),
    }
}

/// Whether the caller may see this person (`app::visibility`; until the routes that ask this
/// call the application layer).
pub(crate) fn may_see(
    conn: &mut DbConnection,
    caller: &Caller,
    person_id: &str,
) -> StoreResult<bool> {
    visibility::may_see(conn, caller, person_id)
}

pub(crate) fn find_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> StoreResult<Person> {
    if may_see(conn, caller, id)? {
        people::find(conn, id)
    } else {
        Err(StoreError::NotFound)
    }
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
    if query.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(Invalid::field("q", "must be at most 200 characters").into());
    }
    let (items, total) = state
        .db
        .read(move |conn| {
            let only_ids = if caller.is_admin || caller.is_auditor {
                None
            } else {
                let mut ids =
                    links::hierarchy(conn)?.reports_of(&caller.person_id, organisation_today());
                ids.push(caller.person_id.clone());
                Some(ids)
            };
            let filter = people::Filter {
                team_id: query.team_id,
                staff_category: query.staff_category,
                active: query.active,
                search: query.q.filter(|q| !q.trim().is_empty()),
                only_ids,
            };
            people::list(conn, &filter, page)
        })
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
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    pub employment_start: Option<Day>,
    pub asye_start: Option<Day>,
    pub placement_start: Option<Day>,
    pub placement_end: Option<Day>,
    /// IANA time zone; default Europe/London.
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

fn check_team(conn: &mut DbConnection, team_id: Option<&str>) -> StoreResult<Result<(), Invalid>> {
    match team_id {
        None => Ok(Ok(())),
        Some(id) => match teams::find(conn, id) {
            Ok(_) => Ok(Ok(())),
            Err(StoreError::NotFound) => Ok(Err(Invalid::field("team_id", "no such team"))),
            Err(other) => Err(other),
        },
    }
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
    caller.require_admin()?;
    let body = body.0;
    let mut invalid = Invalid::default();
    let email = invalid.check(Email::parse("email", &body.email));
    let display_name = invalid.check(bounded_text("display_name", &body.display_name, 1, 200));
    let time_zone = invalid.check(parse_time_zone(
        "time_zone",
        body.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE),
    ));
    invalid.check(check_placement(
        body.placement_start.map(Day::date),
        body.placement_end.map(Day::date),
    ));
    let (Some(email), Some(display_name), Some(time_zone)) = (email, display_name, time_zone)
    else {
        return Err(invalid.into());
    };
    invalid.into_result(|| ())?;
    let one_time = password::one_time();
    let hash = {
        let one_time = one_time.clone();
        web::block(move || password::hash(&one_time))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let actor = caller.for_audit();
    let created = state
        .db
        .write(move |conn| {
            if let Err(invalid) = check_team(conn, body.team_id.as_deref())? {
                return Ok(Err(invalid));
            }
            let person = people::insert(
                conn,
                NewPerson {
                    email: email.into_string(),
                    display_name,
                    staff_category: body.staff_category,
                    team_id: body.team_id,
                    employment_start: body.employment_start.map(Day::date),
                    asye_start: body.asye_start.map(Day::date),
                    placement_start: body.placement_start.map(Day::date),
                    placement_end: body.placement_end.map(Day::date),
                    time_zone: time_zone.name().to_string(),
                    is_admin: body.is_admin,
                    is_auditor: body.is_auditor,
                    password_hash: hash,
                    must_change_password: true,
                },
            )?;
            audit::record(
                conn,
                &actor,
                "person.created",
                "person",
                Some(&person.id),
                json!({
                    "email": person.email,
                    "staff_category": person.staff_category.as_str(),
                    "is_admin": person.is_admin,
                    "is_auditor": person.is_auditor,
                }),
            )?;
            Ok(Ok(person))
        })
        .await??;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/people/{}", created.id)))
        .insert_header(("ETag", etag(created.version)))
        .json(CreatedPerson {
            person: created.into(),
            one_time_password: one_time,
        }))
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
    let id = id.into_inner();
    let person = state
        .db
        .read(move |conn| find_visible(conn, &caller, &id))
        .await?;
    Ok(person_response(HttpResponse::Ok(), person))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "staff_category": "social_worker", "active": true}))]
pub struct UpdatePerson {
    #[schema(min_length = 3, max_length = 254)]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
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
    caller.require_admin()?;
    let id = id.into_inner();
    let body = body.0;
    let mut invalid = Invalid::default();
    if id == caller.person_id && (body.is_admin == Some(false) || body.active == Some(false)) {
        invalid.push(
            if body.active == Some(false) {
                "active"
            } else {
                "is_admin"
            },
            "you cannot remove your own administrator access",
        );
    }
    let date = |given: Option<Option<Day>>| given.map(|day| day.map(Day::date));
    let changes = people::Changes {
        email: body
            .email
            .as_deref()
            .and_then(|v| invalid.check(Email::parse("email", v)))
            .map(Email::into_string),
        display_name: body
            .display_name
            .as_deref()
            .and_then(|v| invalid.check(bounded_text("display_name", v, 1, 200))),
        staff_category: body.staff_category.map(|c| c.as_str().to_string()),
        team_id: body.team_id.clone(),
        employment_start: date(body.employment_start),
        asye_start: date(body.asye_start),
        placement_start: date(body.placement_start),
        placement_end: date(body.placement_end),
        time_zone: body
            .time_zone
            .as_deref()
            .and_then(|v| invalid.check(parse_time_zone("time_zone", v)))
            .map(|tz| tz.name().to_string()),
        active: body.active,
        is_admin: body.is_admin,
        is_auditor: body.is_auditor,
    };
    invalid.into_result(|| ())?;
    let actor = caller.for_audit();
    let target = id.clone();
    let updated = state
        .db
        .write(move |conn| {
            let before = people::find(conn, &target)?;
            if let Err(invalid) = check_team(conn, changes.team_id.clone().flatten().as_deref())? {
                return Ok(Err(invalid));
            }
            let placement_start = changes.placement_start.unwrap_or(before.placement_start);
            let placement_end = changes.placement_end.unwrap_or(before.placement_end);
            if let Err(invalid) = check_placement(placement_start, placement_end) {
                return Ok(Err(invalid));
            }
            let after = people::update(conn, &target, version.expect(before.version), &changes)?;
            audit::record(
                conn,
                &actor,
                "person.updated",
                "person",
                Some(&target),
                json!({ "version": after.version }),
            )?;
            let permissions_changed = before.is_admin != after.is_admin
                || before.is_auditor != after.is_auditor
                || before.active != after.active;
            if permissions_changed {
                audit::record(
                    conn,
                    &actor,
                    "person.permissions_changed",
                    "person",
                    Some(&target),
                    json!({
                        "before": {"active": before.active, "is_admin": before.is_admin, "is_auditor": before.is_auditor},
                        "after": {"active": after.active, "is_admin": after.is_admin, "is_auditor": after.is_auditor},
                    }),
                )?;
            }
            if before.active && !after.active {
                people::sign_out_everywhere(conn, &target)?;
            }
            Ok(Ok(after))
        })
        .await;
    match updated {
        Ok(Ok(person)) => {
            // Roles and deactivation bite on the person's next request (ACC-1).
            state.access.forget(&person.id);
            Ok(person_response(HttpResponse::Ok(), person))
        }
        Ok(Err(invalid)) => Err(invalid.into()),
        Err(StoreError::VersionMismatch { .. }) => Err(stale(&state, id).await),
        Err(other) => Err(other.into()),
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
    caller.require_admin()?;
    let id = id.into_inner();
    let one_time = password::one_time();
    let hash = {
        let one_time = one_time.clone();
        web::block(move || password::hash(&one_time))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let actor = caller.for_audit();
    state
        .db
        .write({
            let id = id.clone();
            move |conn| {
                people::set_password(conn, &id, &hash, true)?;
                people::sign_out_everywhere(conn, &id)?;
                audit::record(
                    conn,
                    &actor,
                    "person.password_reset",
                    "person",
                    Some(&id),
                    json!({}),
                )
            }
        })
        .await?;
    state.access.forget(&id);
    Ok(web::Json(PasswordReset {
        one_time_password: one_time,
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
    let id = id.into_inner();
    let items = state
        .db
        .read(move |conn| {
            find_visible(conn, &caller, &id)?;
            links::for_supervisee(conn, &id)
        })
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
    caller.require_admin()?;
    let supervisee = id.into_inner();
    let body = body.0;
    let (starts_on, ends_on) = (body.starts_on.date(), body.ends_on.map(Day::date));
    let actor = caller.for_audit();
    let outcome = state
        .db
        .write(move |conn| {
            people::find(conn, &supervisee)?;
            match people::find(conn, &body.manager_id) {
                Ok(manager) if manager.active => {}
                Ok(_) => return Ok(Err(LinkRefusal::Invalid(Invalid::field("manager_id", "the manager is inactive")))),
                Err(StoreError::NotFound) => return Ok(Err(LinkRefusal::Invalid(Invalid::field("manager_id", "no such person")))),
                Err(other) => return Err(other),
            }
            let plan = match links::hierarchy(conn)?.plan_link(&supervisee, &body.manager_id, starts_on, ends_on) {
                Ok(plan) => plan,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let link = links::insert(
                conn,
                NewLink {
                    supervisee_id: &supervisee,
                    manager_id: &body.manager_id,
                    starts_on,
                    ends_on,
                    created_by: actor.person_id.as_deref(),
                },
                plan.ends_link.as_deref(),
            )?;
            audit::record(
                conn,
                &actor,
                "line_management.created",
                "person",
                Some(&supervisee),
                json!({ "manager_id": link.manager_id, "starts_on": link.starts_on, "ends_on": link.ends_on, "ended_link": plan.ends_link }),
            )?;
            Ok(Ok(link))
        })
        .await?;
    match outcome {
        Ok(link) => Ok(HttpResponse::Created().json(LinkView::from(link))),
        Err(LinkRefusal::Invalid(invalid)) => Err(invalid.into()),
        Err(LinkRefusal::Overlaps { starts_on }) => Err(ApiError::Conflict(format!(
            "the period overlaps line management that starts on {starts_on}"
        ))),
    }
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
    let id = id.into_inner();
    let on = query.0.on.map_or_else(organisation_today, Day::date);
    let chain = state
        .db
        .read(move |conn| {
            find_visible(conn, &caller, &id)?;
            let chain = links::hierarchy(conn)?.chain_of_managers(&id, on);
            chain
                .iter()
                .enumerate()
                .map(|(i, manager_id)| {
                    let manager = people::find(conn, manager_id)?;
                    Ok(ChainEntry {
                        level: i + 1,
                        id: manager.id,
                        display_name: manager.display_name,
                        email: manager.email,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()
        })
        .await?;
    Ok(web::Json(chain))
}
