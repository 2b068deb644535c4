//! Record templates (REC-1), versioned as data, and a person's coverage of the four functions
//! of supervision over a period.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::find_visible;
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::records::{check_key, check_template, Coverage, TemplateSection};
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{Caller, Json, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::records::{self as store, Template};
use crate::store::{audit, Page};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_templates)
        .service(get_template)
        .service(add_template)
        .service(function_coverage);
}

/// One version of a record template.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4e10", "key": "default", "version": 1,
    "name": "Supervision record (pro-forma)",
    "sections": [{"key": "issues_discussed", "title": "Issues discussed and agreed goals", "guidance": "What was discussed and what was agreed.", "functions": ["management", "support"]}],
    "created_at": "2026-11-25T09:00:00Z"
}))]
pub struct TemplateView {
    pub id: String,
    /// Versions of one template share a key.
    pub key: String,
    pub version: i32,
    pub name: String,
    pub sections: Vec<TemplateSection>,
    pub created_at: DateTime<Utc>,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> TemplateView {
        TemplateView {
            id: t.id,
            key: t.key,
            version: t.version,
            name: t.name,
            sections: t.sections,
            created_at: utc(t.created_at),
        }
    }
}

/// Every version of every record template, newest version of each first. The shipped
/// `default` is the pro-forma of the supervision policy (REC-1).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<TemplateView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/record-templates")]
async fn list_templates(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let templates = state.db.read(store::templates).await?;
    let views: Vec<TemplateView> = templates.into_iter().map(TemplateView::from).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// One version of a record template.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Template version id")),
    responses(
        (status = 200, body = TemplateView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/record-templates/{id}")]
async fn get_template(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let template = state
        .db
        .read(move |conn| store::template(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(TemplateView::from(template)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "asye", "name": "ASYE supervision record",
    "sections": [
        {"key": "review_of_actions", "title": "Review of actions", "guidance": "", "functions": ["management"]},
        {"key": "reflection", "title": "Reflection on practice", "guidance": "Link to the PCF domains.", "functions": ["development", "support"]}
    ]
}))]
pub struct NewTemplate {
    /// Lower-case letters, digits and underscores. An existing key gets a new version;
    /// records keep the version they were written on.
    #[schema(min_length = 1, max_length = 40)]
    pub key: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// 1 to 30 sections. A section keyed `review_of_actions` receives open actions.
    #[schema(min_items = 1, max_items = 30)]
    pub sections: Vec<TemplateSection>,
}

/// Add a template, or a new version of one (administrators). A `key` already in use adds
/// that template's next version.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = NewTemplate,
    responses(
        (status = 201, body = TemplateView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another version was added at the same moment; retry", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad key, name or section", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/record-templates")]
async fn add_template(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<NewTemplate>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let NewTemplate {
        key,
        name,
        sections,
    } = body.0;
    let mut invalid = Invalid::default();
    invalid.check(check_key("key", &key));
    let name = invalid.check(bounded_text("name", &name, 1, 200));
    let sections = invalid.check(check_template(&sections));
    let (name, sections) = invalid.into_result(|| (name, sections))?;
    let (name, sections) = (name.unwrap_or_default(), sections.unwrap_or_default());
    let actor = caller.for_audit();
    let template = state
        .db
        .write(move |conn| {
            let template =
                store::add_template(conn, &key, &name, &sections, Some(&caller.person_id))?;
            audit::record(
                conn,
                &actor,
                "record_template.added",
                "record_template",
                Some(&template.id),
                json!({"key": template.key, "version": template.version}),
            )?;
            Ok(template)
        })
        .await?;
    Ok(HttpResponse::Created().json(TemplateView::from(template)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Sessions held on or after this date (default: a year before `to`).
    pub from: Option<Day>,
    /// Sessions held before this date (default: tomorrow).
    pub to: Option<Day>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "from": "2025-11-26", "to": "2026-11-26",
    "coverage": {"records": 11, "management": 11, "development": 7, "support": 9, "mediation": 3}
}))]
pub struct CoverageView {
    pub person_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Of the person's records of sessions in the period, how many covered each function:
    /// text in at least one section tagged with it (the signed version once signed).
    pub coverage: Coverage,
}

/// Longest period one coverage question may span (API-5).
const MAX_COVERAGE_YEARS: u32 = 10;

/// How a person's supervision covered the four functions (management, development, support,
/// mediation) over a period (REC-1). For the person, their managers, auditors and
/// administrators; it counts sections, never shows their text.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id"), CoverageQuery),
    responses(
        (status = 200, body = CoverageView),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad date range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/supervision-functions")]
async fn function_coverage(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: Query<CoverageQuery>,
) -> ApiResult<HttpResponse> {
    let to = query
        .0
        .to
        .map_or_else(|| organisation_today() + chrono::Days::new(1), Day::date);
    let from = query.0.from.map_or_else(
        || to.checked_sub_months(Months::new(12)).unwrap_or(to),
        Day::date,
    );
    if from > to {
        return Err(Invalid::field("to", "must not be before from").into());
    }
    if to
        .checked_sub_months(Months::new(12 * MAX_COVERAGE_YEARS))
        .is_some_and(|limit| from < limit)
    {
        return Err(Invalid::field(
            "from",
            format!("the period may span at most {MAX_COVERAGE_YEARS} years"),
        )
        .into());
    }
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let person = find_visible(conn, &caller, &id)?;
            let filter = store::Filter {
                supervisee_id: Some(person.id.clone()),
                from: Some(from),
                to: Some(to),
                ..store::Filter::default()
            };
            // Ten years of weekly sessions is about 520 records.
            let (records, _) = store::list(
                conn,
                &filter,
                Page {
                    limit: 1_000,
                    offset: 0,
                },
            )?;
            let mut coverage = Coverage::default();
            for record in &records {
                let number = record.signed_version.unwrap_or(record.current_version);
                let version = store::version(conn, &record.id, number)?;
                let template = store::template(conn, &version.template_id)?;
                coverage.add(&template.sections, &version.content);
            }
            Ok(CoverageView {
                person_id: person.id,
                from,
                to,
                coverage,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
