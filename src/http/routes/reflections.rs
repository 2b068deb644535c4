//! Reflective logs (REF-1), sharing with named supervisors and their comments (REF-2), CPD
//! records and the registration-year count (REF-3), and the author's export.
//!
//! Privacy: an entry is found only by its author or by a supervisor it is shared with;
//! everyone else, administrators included, gets 404.

use std::collections::BTreeMap;

use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::visibility::supervises_on as supervises;
use crate::domain::dates::Day;
use crate::domain::people::{organisation_today, StaffCategory};
use crate::domain::periods::registration_year;
use crate::domain::records::{long_text, CaseReferencePattern};
use crate::domain::reflection::{
    check_cpd, check_sections, check_tags, cpd_status, model, models, CpdRecord, CpdStatus, Model,
};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::reflections::{self, Comment, Draft, Entry, Filter, Reader};
use crate::store::{
    audit, observations, people, sessions, DbConnection, Page, StoreError, StoreResult,
};

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

/// `draft` while writing; `complete` needs every required section of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Draft,
    Complete,
}

impl EntryStatus {
    fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Complete => "complete",
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4b10",
    "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "entry_date": "2026-11-20", "title": "A hard home visit", "model": "gibbs",
    "sections": {"description": "Visit to a family under a CP plan.", "feelings": "Anxious at first."},
    "status": "draft", "tags": ["pcf-5", "risk"],
    "session_id": null, "observation_id": null, "case_reference": "CH-204518",
    "cpd": null, "shared_with": ["019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"], "comments": [],
    "created_at": "2026-11-20T18:00:00Z", "updated_at": "2026-11-20T18:05:00Z", "version": 2
}))]
pub struct EntryView {
    pub id: String,
    pub author_id: String,
    pub entry_date: NaiveDate,
    pub title: String,
    /// The id of a model from `/reflection-models`.
    pub model: String,
    /// Section key to text.
    pub sections: BTreeMap<String, String>,
    pub status: EntryStatus,
    pub tags: Vec<String>,
    pub session_id: Option<String>,
    pub observation_id: Option<String>,
    pub case_reference: Option<String>,
    /// Present when the entry is a CPD record (REF-3).
    pub cpd: Option<CpdRecord>,
    /// Supervisors it is shared with (the author sees all; a supervisor sees themselves).
    pub shared_with: Vec<String>,
    pub comments: Vec<CommentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the ETag.
    pub version: i32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4b20", "author_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "text": "Good analysis; bring this to supervision.", "created_at": "2026-11-21T09:00:00Z"
}))]
pub struct CommentView {
    pub id: String,
    pub author_id: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl From<Comment> for CommentView {
    fn from(c: Comment) -> CommentView {
        CommentView {
            id: c.id,
            author_id: c.author_id,
            text: c.text,
            created_at: utc(c.created_at),
        }
    }
}

/// How the caller may see an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Author,
    SharedSupervisor,
}

fn entry_view(
    conn: &mut DbConnection,
    entry: Entry,
    access: Access,
    reader: &str,
) -> StoreResult<EntryView> {
    let (shared_with, comments) = match access {
        Access::Author => (
            reflections::shared_with(conn, &entry.id)?,
            reflections::comments(conn, &entry.id, None)?,
        ),
        Access::SharedSupervisor => (
            vec![reader.to_string()],
            reflections::comments(conn, &entry.id, Some((&entry.author_id, reader)))?,
        ),
    };
    Ok(summary(entry, shared_with, comments))
}

fn summary(entry: Entry, shared_with: Vec<String>, comments: Vec<Comment>) -> EntryView {
    EntryView {
        status: if entry.status == EntryStatus::Complete.as_str() {
            EntryStatus::Complete
        } else {
            EntryStatus::Draft
        },
        id: entry.id,
        author_id: entry.author_id,
        entry_date: entry.entry_date,
        title: entry.title,
        model: entry.model,
        sections: entry.sections,
        tags: entry.tags,
        session_id: entry.session_id,
        observation_id: entry.observation_id,
        case_reference: entry.case_reference,
        cpd: entry.cpd,
        shared_with,
        comments: comments.into_iter().map(CommentView::from).collect(),
        created_at: utc(entry.created_at),
        updated_at: utc(entry.updated_at),
        version: entry.version,
    }
}

fn respond(status: actix_web::http::StatusCode, view: EntryView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", etag(view.version)))
        .json(view)
}

/// The entry if the caller is its author or a supervisor it is shared with; 404 otherwise.
fn find_for(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<(Entry, Access)> {
    let entry = reflections::find(conn, id)?;
    if entry.author_id == caller.person_id {
        Ok((entry, Access::Author))
    } else if reflections::is_shared_with(conn, id, &caller.person_id)? {
        Ok((entry, Access::SharedSupervisor))
    } else {
        Err(StoreError::NotFound)
    }
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
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub model: String,
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    pub status: EntryStatus,
    #[serde(default)]
    #[schema(max_items = 20)]
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

/// Checks a body against its model and the organisation's rules, naming each bad field.
fn check_body(
    conn: &mut DbConnection,
    calendars: &crate::store::organisation::Calendars,
    author: &str,
    body: EntryBody,
) -> StoreResult<Result<Draft, Invalid>> {
    let mut invalid = Invalid::default();
    let title = invalid.check(bounded_text("title", &body.title, 1, 200));
    let sections = match model(&body.model) {
        Some(model) => invalid.check(check_sections(
            model,
            &body.sections,
            body.status == EntryStatus::Complete,
        )),
        None => {
            invalid.push("model", "is not a model of /reflection-models");
            None
        }
    };
    let tags = invalid.check(check_tags(&body.tags));
    let cpd = match &body.cpd {
        Some(cpd) => invalid.check(check_cpd(cpd)).map(Some),
        None => Some(None),
    };
    if body.entry_date.date() > organisation_today() {
        invalid.push("entry_date", "must not be in the future");
    }
    let case_reference = body
        .case_reference
        .as_deref()
        .map(str::trim)
        .map(str::to_string);
    if let Some(reference) = &case_reference {
        let pattern: Result<CaseReferencePattern, _> = calendars
            .load(conn)?
            .settings
            .case_reference_pattern
            .parse();
        if !pattern.is_ok_and(|p| p.matches(reference)) {
            invalid.push(
                "case_reference",
                "must be a case reference in the organisation's format, never a name",
            );
        }
    }
    if let Some(session) = &body.session_id {
        let mine = sessions::find(conn, session).ok().is_some_and(|s| {
            s.supervisor_id == author || s.supervisee_id.as_deref() == Some(author)
        });
        if !mine {
            invalid.push("session_id", "not a session of yours");
        }
    }
    if let Some(observation) = &body.observation_id {
        let mine = observations::find(conn, observation)
            .ok()
            .is_some_and(|o| o.supervisee_id == author);
        if !mine {
            invalid.push("observation_id", "not an observation of your practice");
        }
    }
    Ok(invalid.into_result(|| Draft {
        entry_date: body.entry_date.date(),
        title: title.unwrap_or_default(),
        model: body.model,
        sections: sections.unwrap_or_default(),
        status: body.status.as_str().to_string(),
        tags: tags.unwrap_or_default(),
        session_id: body.session_id,
        observation_id: body.observation_id,
        case_reference,
        cpd: cpd.flatten(),
    }))
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
    let created = state
        .db
        .write(move |conn| {
            let draft = match check_body(conn, &calendars, &caller.person_id, body.0)? {
                Ok(draft) => draft,
                Err(invalid) => return Ok(Err(invalid.into())),
            };
            let entry = reflections::insert(conn, &caller.person_id, &draft)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "reflection.created",
                "reflection",
                Some(&entry.id),
                json!({"model": entry.model, "status": entry.status, "version": entry.version}),
            )?;
            Ok(Ok(entry_view(
                conn,
                entry,
                Access::Author,
                &caller.person_id,
            )?))
        })
        .await;
    Ok(respond(
        actix_web::http::StatusCode::CREATED,
        settle(created)?,
    ))
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
    let id = id.into_inner();
    let calendars = state.calendars.clone();
    let saved = state
        .db
        .write(move |conn| {
            let (entry, access) = find_for(conn, &caller, &id)?;
            if access != Access::Author {
                return Ok(Err(ApiError::Forbidden("only the author changes an entry")));
            }
            let draft = match check_body(conn, &calendars, &caller.person_id, body.0)? {
                Ok(draft) => draft,
                Err(invalid) => return Ok(Err(invalid.into())),
            };
            let saved = if entry.version != version.expect(entry.version) && draft.same_as(&entry) {
                entry
            } else if entry.version != version.expect(entry.version) {
                let current = entry_view(conn, entry, access, &caller.person_id)?;
                return Ok(Err(ApiError::PreconditionFailed {
                    current: serde_json::to_value(current).ok(),
                }));
            } else {
                let updated = reflections::update(conn, &id, version.expect(entry.version), &draft)?;
                audit::record(
                    conn,
                    &caller.for_audit(),
                    "reflection.updated",
                    "reflection",
                    Some(&id),
                    json!({"model": updated.model, "status": updated.status, "version": updated.version}),
                )?;
                updated
            };
            Ok(Ok(entry_view(conn, saved, access, &caller.person_id)?))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(saved)?))
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
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let (entry, access) = find_for(conn, &caller, &id)?;
            entry_view(conn, entry, access, &caller.person_id)
        })
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, view))
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
    reader: Reader,
    query: EntriesQuery,
) -> ApiResult<HttpResponse> {
    let page = page(query.limit, query.offset)?;
    let filter = query.filter();
    let listed = state
        .db
        .read(move |conn| {
            let (entries, total) = reflections::list(conn, &reader, &filter, page)?;
            // Lists carry no comments; open an entry for those.
            let items = entries
                .into_iter()
                .map(|e| match &reader {
                    Reader::SharedWith(me) => summary(e, vec![me.clone()], Vec::new()),
                    Reader::Author(_) => summary(e, Vec::new(), Vec::new()),
                })
                .collect();
            Ok(Paged::new(items, total, page))
        })
        .await?;
    Ok(HttpResponse::Ok().json(listed))
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
    list(state, Reader::Author(caller.person_id), query.0).await
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
    list(state, Reader::SharedWith(caller.person_id), query.0).await
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
    let id = id.into_inner();
    let supervisor = body.0.supervisor_id;
    let shared = state
        .db
        .write(move |conn| {
            let (entry, access) = find_for(conn, &caller, &id)?;
            if access != Access::Author {
                return Ok(Err(ApiError::Forbidden("only the author shares an entry")));
            }
            if !supervises(conn, &supervisor, &caller.person_id, organisation_today())? {
                return Ok(Err(Invalid::field(
                    "supervisor_id",
                    "does not supervise you",
                )
                .into()));
            }
            reflections::share(conn, &id, &supervisor)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "reflection.shared",
                "reflection",
                Some(&id),
                json!({"supervisor_id": supervisor}),
            )?;
            Ok(Ok(entry_view(conn, entry, access, &caller.person_id)?))
        })
        .await;
    Ok(respond(actix_web::http::StatusCode::OK, settle(shared)?))
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
    let done = state
        .db
        .write(move |conn| {
            let (_, access) = find_for(conn, &caller, &id)?;
            if access != Access::Author {
                return Ok(Err(ApiError::Forbidden(
                    "only the author unshares an entry",
                )));
            }
            if !reflections::unshare(conn, &id, &supervisor)? {
                return Err(StoreError::NotFound);
            }
            audit::record(
                conn,
                &caller.for_audit(),
                "reflection.unshared",
                "reflection",
                Some(&id),
                json!({"supervisor_id": supervisor}),
            )?;
            Ok(Ok(()))
        })
        .await;
    settle(done)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Good analysis; bring this to supervision."}))]
pub struct CommentBody {
    /// 1 to 2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
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
    let text = long_text("text", &body.0.text, 2_000)?;
    if text.is_empty() {
        return Err(Invalid::field("text", "must not be empty").into());
    }
    let id = id.into_inner();
    let view = state
        .db
        .write(move |conn| {
            let (entry, access) = find_for(conn, &caller, &id)?;
            reflections::add_comment(conn, &id, &caller.person_id, &text)?;
            audit::record(
                conn,
                &caller.for_audit(),
                "reflection.commented",
                "reflection",
                Some(&id),
                json!({"as": if access == Access::Author { "author" } else { "supervisor" }}),
            )?;
            entry_view(conn, entry, access, &caller.person_id)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
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
    let view = state
        .db
        .read(move |conn| {
            let person = people::find(conn, &caller.person_id)?;
            let today = organisation_today();
            let year = registration_year(today);
            let dates = reflections::cpd_dates(conn, &person.id, year.starts_on, year.ends_on)?;
            Ok(CpdView {
                registered: person.staff_category != StaffCategory::Student,
                status: cpd_status(&dates, today),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
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

/// The most entries one export holds: years of weekly reflection.
const MAX_EXPORT: i64 = 5_000;

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
    let author = caller.person_id.clone();
    let (entries, name) = state
        .db
        .read(move |conn| {
            let reader = Reader::Author(author.clone());
            let (entries, _) = reflections::list(
                conn,
                &reader,
                &filter,
                Page {
                    limit: MAX_EXPORT,
                    offset: 0,
                },
            )?;
            let mut views = entries
                .into_iter()
                .map(|entry| entry_view(conn, entry, Access::Author, &author))
                .collect::<StoreResult<Vec<_>>>()?;
            views.reverse();
            Ok((views, people::find(conn, &author)?.display_name))
        })
        .await?;
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
