//! Reflective logs (REF-1), sharing with named supervisors and their comments (REF-2), CPD
//! records and the registration-year count (REF-3), and the author's export.
//!
//! Privacy: an entry is found only by its author or by a supervisor it is shared with;
//! everyone else, administrators included, gets 404.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::reflections::{self, CpdStanding, EntryRequest, EntryState, Filter, Saved, Shelf};
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::reflection::{
    models, CpdRecord, CpdStatus, Model, MAX_SECTION_CHARS, MAX_TAGS, MAX_TAG_CHARS,
};
use crate::domain::validation::text_values;
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::reflections::{EntryStatus, EntryView};
use crate::http::views::Paged;
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_models)
        .service(create_entry)
        .service(my_entries)
        .service(shared_with_me)
        .service(export)
        .service(my_cpd_status)
        .service(get_entry)
        .service(edit_entry)
        .service(share)
        .service(unshare)
        .service(comment);
}

/// The reflective models an entry can follow (Kolb, Gibbs, Driscoll, the CPD three questions,
/// free text), with their sections and limits. Models are data
/// (`src/domain/reflection_models.json`).
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Model>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reflection-models")]
async fn list_models(_caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(models())
}

/// An entry with its version as the ETag.
fn respond(status: StatusCode, state: EntryState) -> HttpResponse {
    let view = EntryView::from(state);
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.version)))
        .json(view)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "entry_date": "2026-11-20", "title": "A hard home visit", "model": "gibbs",
    "sections": {"description": "Visit to a family under a CP plan.", "feelings": "Anxious at first."},
    "status": "draft", "tags": ["pcf-5", "risk"], "case_reference": "CH-204518"
}))]
pub struct EntryBody {
    pub entry_date: Day,
    /// 1 to 200 characters.
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub title: String,
    /// A model's id from `GET /reflection-models`.
    pub model: String,
    #[serde(default)]
    #[schema(schema_with = section_texts)]
    pub sections: BTreeMap<String, String>,
    pub status: EntryStatus,
    #[serde(default)]
    #[schema(schema_with = tags)]
    pub tags: Vec<String>,
    /// A session you were part of.
    pub session_id: Option<String>,
    /// An observation of your practice.
    pub observation_id: Option<String>,
    /// A case reference in the organisation's format; never a name.
    pub case_reference: Option<String>,
    /// Mark the entry as a CPD record with the regulator's fields (REF-3).
    pub cpd: Option<CpdRecord>,
}

fn section_texts() -> utoipa::openapi::schema::Object {
    text_values(
        MAX_SECTION_CHARS,
        "Section key to its text. Keys and each section's `max_chars` come from the model.",
    )
}

/// Capability domains or themes, grouped without regard to case.
fn tags() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::Custom("one-line".into())))
                .min_length(Some(1))
                .max_length(Some(MAX_TAG_CHARS)),
        )
        .max_items(Some(MAX_TAGS))
        .build()
}

impl From<EntryBody> for EntryRequest {
    fn from(body: EntryBody) -> EntryRequest {
        EntryRequest {
            entry_date: body.entry_date.date(),
            title: body.title,
            model: body.model,
            sections: body.sections,
            complete: body.status == EntryStatus::Complete,
            tags: body.tags,
            session_id: body.session_id,
            observation_id: body.observation_id,
            case_reference: body.case_reference,
            cpd: body.cpd,
        }
    }
}

/// Write a reflective log entry (REF-1). Entries are private until you share them.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    request_body = EntryBody,
    responses(
        (status = 201, body = EntryView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule (model, sections, tags, CPD fields, links)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/reflections")]
async fn create_entry(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<EntryBody>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let request = EntryRequest::from(body.0);
    let created = state
        .db
        .transact(move |conn| {
            reflections::create(conn, &caller, &calendars, organisation_today(), request)
        })
        .await?;
    Ok(respond(StatusCode::CREATED, created))
}

/// Save an entry (its author). Needs `If-Match`; a retried save of exactly the same content
/// succeeds even with the old ETag, so a phone that lost the first answer loses nothing.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    request_body = EntryBody,
    params(
        ("id" = String, Path, description = "Entry id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Shared with you, not yours to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the entry now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/reflections/{id}")]
async fn edit_entry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<EntryBody>,
) -> ApiResult<HttpResponse> {
    let calendars = state.calendars.clone();
    let request = EntryRequest::from(body.0);
    let saved = state
        .db
        .transact(move |conn| {
            let today = organisation_today();
            reflections::edit(conn, &caller, &calendars, today, &id, version, request)
        })
        .await?;
    match saved {
        Saved::Done(entry) => Ok(respond(StatusCode::OK, entry)),
        Saved::Stale(entry) => Err(ApiError::PreconditionFailed {
            current: serde_json::to_value(EntryView::from(entry)).ok(),
        }),
    }
}

/// One entry, for its author or a supervisor it is shared with.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or not shared with you", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reflections/{id}")]
async fn get_entry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let entry = state
        .db
        .query(move |conn| reflections::get(conn, &caller, &id))
        .await?;
    Ok(respond(StatusCode::OK, entry))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    pub model: Option<String>,
    pub status: Option<EntryStatus>,
    /// One tag, exactly.
    pub tag: Option<String>,
    /// `true`: CPD records only; `false`: the others.
    pub cpd: Option<bool>,
    /// Entry date on or after.
    pub from: Option<Day>,
    /// Entry date on or before.
    pub to: Option<Day>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

impl EntriesQuery {
    fn filter(&self) -> Filter {
        Filter {
            model: self.model.clone(),
            status: self.status.map(|s| s.as_str().to_string()),
            tag: self.tag.as_deref().map(|t| t.trim().to_lowercase()),
            cpd: self.cpd,
            from: self.from.map(Day::date),
            to: self.to.map(Day::date),
        }
    }
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    shelf: Shelf,
    query: EntriesQuery,
) -> ApiResult<HttpResponse> {
    let page = page(query.limit, query.offset)?;
    let filter = query.filter();
    let (entries, total) = state
        .db
        .query(move |conn| reflections::list(conn, &caller, shelf, &filter, page))
        .await?;
    let items: Vec<EntryView> = entries.into_iter().map(EntryView::from).collect();
    Ok(HttpResponse::Ok().json(Paged::new(items, total, page)))
}

/// Your reflective log, newest first, filtered by model, status, tag, CPD and date.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    params(EntriesQuery),
    responses(
        (status = 200, body = Paged<EntryView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/reflections")]
async fn my_entries(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<EntriesQuery>,
) -> ApiResult<HttpResponse> {
    list(state, caller, Shelf::Mine, query.0).await
}

/// Entries your supervisees have shared with you (REF-2), newest first.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    params(EntriesQuery),
    responses(
        (status = 200, body = Paged<EntryView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad paging", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/shared-reflections")]
async fn shared_with_me(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<EntriesQuery>,
) -> ApiResult<HttpResponse> {
    list(state, caller, Shelf::SharedWithMe, query.0).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"}))]
pub struct ShareBody {
    /// Someone who supervises you now: your line manager, or the supervisor of an agreement
    /// of yours (a practice educator, say).
    pub supervisor_id: String,
}

/// Share an entry with a supervisor (its author), who may then read and comment on it.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    request_body = ShareBody,
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 200, body = EntryView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your entry", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "That person does not supervise you", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reflections/{id}/shares")]
async fn share(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<ShareBody>,
) -> ApiResult<HttpResponse> {
    let supervisor = body.0.supervisor_id;
    let shared = state
        .db
        .transact(move |conn| {
            reflections::share(conn, &caller, organisation_today(), &id, &supervisor)
        })
        .await?;
    Ok(respond(StatusCode::OK, shared))
}

/// Stop sharing an entry with a supervisor (its author): they lose access at once.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Entry id"),
        ("supervisor_id" = String, Path, description = "The supervisor to remove"),
    ),
    responses(
        (status = 204, description = "No longer shared"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your entry", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or not shared with that person", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/reflections/{id}/shares/{supervisor_id}")]
async fn unshare(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, supervisor) = path.into_inner();
    state
        .db
        .transact(move |conn| reflections::unshare(conn, &caller, &id, &supervisor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Good analysis; bring this to supervision."}))]
pub struct CommentBody {
    /// 1 to 2,000 characters.
    #[schema(format = "multi-line", min_length = 1, max_length = 2000)]
    pub text: String,
}

/// Comment on an entry: a supervisor it is shared with, or its author replying.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    request_body = CommentBody,
    params(("id" = String, Path, description = "Entry id")),
    responses(
        (status = 201, body = EntryView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry, or not shared with you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/reflections/{id}/comments")]
async fn comment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<CommentBody>,
) -> ApiResult<HttpResponse> {
    let text = body.0.text;
    let entry = state
        .db
        .transact(move |conn| reflections::comment(conn, &caller, &id, &text))
        .await?;
    Ok(HttpResponse::Created().json(EntryView::from(entry)))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "registered": true,
    "status": {"year": {"starts_on": "2025-12-01", "ends_on": "2026-11-30"}, "records": 1, "with_peer_reflection": 0, "required": 2, "peer_reflections_required": 1, "met": false, "days_left": 6}
}))]
pub struct CpdView {
    /// Students are not registered with Social Work England and need no CPD records.
    pub registered: bool,
    pub status: CpdStatus,
}

/// Your CPD records this registration year (1 December to 30 November) against Social Work
/// England's two, at least one with a peer reflection, and the days left (REF-3). Only you
/// see this.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    responses(
        (status = 200, body = CpdView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/cpd-status")]
async fn my_cpd_status(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let CpdStanding { registered, status } = state
        .db
        .query(move |conn| reflections::cpd(conn, &caller, organisation_today()))
        .await?;
    Ok(HttpResponse::Ok().json(CpdView { registered, status }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Html,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default) or `html`, a printable page.
    pub format: Option<ExportFormat>,
    /// `true`: CPD records only.
    pub cpd: Option<bool>,
    pub from: Option<Day>,
    pub to: Option<Day>,
}

/// Export your log, or your CPD records, as evidence for registration (REF-2, REF-3): JSON,
/// or a printable HTML page. Comments from supervisors are included.
#[utoipa::path(
    tag = "reflections",
    security(("bearer" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The entries, oldest first: JSON (an array of entries), or with `format=html` a printable page", content(
            (Vec<EntryView> = "application/json"),
            (String = "text/html", example = json!("<!doctype html><html>...</html>"))
        )),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/reflections/export")]
async fn export(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.0;
    let filter = Filter {
        cpd: query.cpd.filter(|cpd| *cpd),
        from: query.from.map(Day::date),
        to: query.to.map(Day::date),
        ..Filter::default()
    };
    let (name, entries) = state
        .db
        .query(move |conn| reflections::export(conn, &caller, &filter))
        .await?;
    let entries: Vec<EntryView> = entries.into_iter().map(EntryView::from).collect();
    Ok(match query.format.unwrap_or(ExportFormat::Json) {
        ExportFormat::Json => HttpResponse::Ok()
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"reflective-log.json\"",
            ))
            .json(entries),
        ExportFormat::Html => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(crate::http::print::reflective_log_page(&name, &entries)),
    })
}
