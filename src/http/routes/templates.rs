//! Record templates (REC-1), versioned as data, and a person's coverage of the four functions
//! of supervision over a period.

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::templates::{self, FunctionCoverage, NewTemplate as Adding};
use crate::domain::dates::Day;
use crate::domain::records::{Coverage, TemplateSection};
use crate::http::extract::{Caller, Json, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::records::TemplateView;
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(list_templates)
        .service(get_template)
        .service(add_template)
        .service(function_coverage);
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
    let templates = state.db.query(templates::list).await?;
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
    let template = state
        .db
        .query(move |conn| templates::get(conn, &id))
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
    #[schema(format = "key", min_length = 1, max_length = 40)]
    pub key: String,
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
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
    let NewTemplate {
        key,
        name,
        sections,
    } = body.0;
    let new = Adding {
        key,
        name,
        sections,
    };
    let template = state
        .db
        .transact(move |conn| templates::add(conn, &caller, new))
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

impl From<FunctionCoverage> for CoverageView {
    fn from(found: FunctionCoverage) -> CoverageView {
        CoverageView {
            person_id: found.person_id,
            from: found.from,
            to: found.to,
            coverage: found.coverage,
        }
    }
}

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
    let (from, to) = (query.0.from.map(Day::date), query.0.to.map(Day::date));
    let found = state
        .db
        .query(move |conn| templates::coverage(conn, &caller, &id, from, to))
        .await?;
    Ok(HttpResponse::Ok().json(CoverageView::from(found)))
}
