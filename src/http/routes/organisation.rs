//! The organisation's settings (holiday region, policy profile), the shipped policy profiles
//! (FREQ-3), and one person's more frequent supervision interval (FREQ-3).

use actix_web::{delete, get, patch, put, web, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::organisation::{self, OverrideState, SettingsRequest};
use crate::app::AppError;
use crate::domain::policy::{Anchor, CategoryRule, Interval, Phase, Profile};
use crate::http::extract::{etag, page, Caller, IfMatch, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::calendar::HolidayRegion;
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::organisation::Settings;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_organisation)
        .service(update_organisation)
        .service(list_profiles)
        .service(get_profile)
        .service(get_override)
        .service(set_override)
        .service(clear_override);
}

// ---- Settings ----

/// The organisation's settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "holiday_region": "england-and-wales",
    "policy_profile": "default",
    "case_reference_pattern": "[A-Z]{0,4}-?[0-9]{4,12}",
    "pdr_goals_month": 4,
    "pdr_midyear_month": 10,
    "pdr_yearend_month": 3,
    "pdr_goals_per_year": 5,
    "case_supervision": false,
    "version": 1,
    "updated_at": "2026-11-25T09:30:00Z"
}))]
pub struct OrganisationView {
    /// Whose public holidays count for due dates and plans (CAL-1). The public `calendar`
    /// helpers still default to `england-and-wales` unless asked for a region.
    pub holiday_region: HolidayRegion,
    /// Id of the policy profile in force (see `/policy-profiles`).
    pub policy_profile: String,
    /// The regular expression a case reference in a record must match in full (REC-3).
    pub case_reference_pattern: String,
    /// The PDR cycle (PDR-1) starts on the first of this month, with goals (default 4, April).
    pub pdr_goals_month: u32,
    /// The month of the PDR mid-year review (default 10, October).
    pub pdr_midyear_month: u32,
    /// The month of the PDR year-end review (default 3, March).
    pub pdr_yearend_month: u32,
    /// Goals a full PDR cycle asks for; a starter during the cycle owes a share (default 5).
    pub pdr_goals_per_year: u32,
    /// The optional case supervision module (CASE-1, `/cases`) is on.
    pub case_supervision: bool,
    /// Also sent as the ETag; send it back in If-Match to change the settings.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<Settings> for OrganisationView {
    fn from(s: Settings) -> OrganisationView {
        OrganisationView {
            holiday_region: s.holiday_region.into(),
            policy_profile: s.policy_profile,
            case_reference_pattern: s.case_reference_pattern,
            pdr_goals_month: s.pdr_months.goals_month,
            pdr_midyear_month: s.pdr_months.mid_year_month,
            pdr_yearend_month: s.pdr_months.year_end_month,
            pdr_goals_per_year: s.pdr_goals_per_year,
            case_supervision: s.case_supervision,
            version: s.version,
            updated_at: utc(s.updated_at),
        }
    }
}

fn organisation_response(mut builder: HttpResponseBuilder, settings: Settings) -> HttpResponse {
    builder
        .insert_header(("ETag", etag(settings.version)))
        .json(OrganisationView::from(settings))
}

/// The organisation's holiday region and policy profile.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    responses(
        (status = 200, body = OrganisationView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organisation")]
async fn get_organisation(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let settings = state.db.query(organisation::settings).await?;
    Ok(organisation_response(HttpResponse::Ok(), settings))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"holiday_region": "scotland", "policy_profile": "cafcass", "case_reference_pattern": "LL[0-9]{6}"}))]
pub struct UpdateOrganisation {
    pub holiday_region: Option<HolidayRegion>,
    /// The id of a shipped policy profile (`default`, `cafcass`).
    pub policy_profile: Option<String>,
    /// A regular expression (at most 200 characters) that a case reference must match in
    /// full (REC-3). Choose one no name can match.
    #[schema(min_length = 1, max_length = 200)]
    pub case_reference_pattern: Option<String>,
    /// PDR months, 1 to 12 (PDR-1): distinct, and in the order goals, mid-year, year-end
    /// counted from the goals month. One may change alone; the others keep their values.
    #[schema(minimum = 1, maximum = 12)]
    pub pdr_goals_month: Option<i32>,
    #[schema(minimum = 1, maximum = 12)]
    pub pdr_midyear_month: Option<i32>,
    #[schema(minimum = 1, maximum = 12)]
    pub pdr_yearend_month: Option<i32>,
    /// 1 to 20.
    #[schema(minimum = 1, maximum = 20)]
    pub pdr_goals_per_year: Option<i32>,
    /// Turns the case supervision module (CASE-1) on or off. Off, `/cases` answers 409
    /// `module-off` and no case reminders go out; registered cases are kept.
    pub case_supervision: Option<bool>,
}

/// Change the holiday region or the policy profile (administrators). Needs `If-Match`. Due
/// dates, statuses and plans follow the new settings at once.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    request_body = UpdateOrganisation,
    params(("If-Match" = String, Header, description = "ETag from the last read")),
    responses(
        (status = 200, body = OrganisationView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body, unknown field or unknown region", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read; `current` holds the settings now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown policy profile, a case reference pattern that is not a valid regular expression, or PDR months or goals out of range or order", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organisation")]
async fn update_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    version: IfMatch,
    body: Json<UpdateOrganisation>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let request = SettingsRequest {
        holiday_region: body.holiday_region.map(Into::into),
        policy_profile: body.policy_profile,
        case_reference_pattern: body.case_reference_pattern,
        pdr_goals_month: body.pdr_goals_month,
        pdr_midyear_month: body.pdr_midyear_month,
        pdr_yearend_month: body.pdr_yearend_month,
        pdr_goals_per_year: body.pdr_goals_per_year,
        case_supervision: body.case_supervision,
    };
    let updated = state
        .calendars
        .transact(&state.db, move |conn| {
            organisation::update_settings(conn, &caller, version, request)
        })
        .await;
    match updated {
        Ok(settings) => Ok(organisation_response(HttpResponse::Ok(), settings)),
        // Read afresh after the refused transaction: the settings as they are now.
        Err(AppError::Stale { .. }) => {
            let current = state.db.query(organisation::settings).await?;
            Err(ApiError::PreconditionFailed {
                current: serde_json::to_value(OrganisationView::from(current)).ok(),
            })
        }
        Err(other) => Err(other.into()),
    }
}

// ---- Policy profiles ----

/// One stretch of weeks from the category's anchor date with its requirement.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from_week": 0,
    "to_week": 6,
    "interval": {"max_calendar_days": 7},
    "min_per_year": null,
    "min_duration_minutes": null,
    "alternate_supervisors": false
}))]
pub struct PhaseView {
    /// First week of the phase; week 0 is the 7 days from the anchor date.
    pub from_week: u32,
    /// The week after the phase (exclusive); null on the last phase, which is open-ended.
    pub to_week: Option<u32>,
    /// The longest gap allowed between sessions.
    #[schema(inline)]
    pub interval: Interval,
    /// Fewest sessions in a year, where the policy counts them.
    pub min_per_year: Option<u32>,
    /// Shortest session that counts, in minutes.
    pub min_duration_minutes: Option<u32>,
    /// Sessions alternate between two supervisors (a student's placement supervisor and
    /// practice educator).
    pub alternate_supervisors: bool,
}

impl From<&Phase> for PhaseView {
    fn from(p: &Phase) -> PhaseView {
        PhaseView {
            from_week: p.from_week,
            to_week: p.to_week,
            interval: p.interval,
            min_per_year: p.min_per_year,
            min_duration_minutes: p.min_duration_minutes,
            alternate_supervisors: p.alternate_supervisors,
        }
    }
}

/// One staff category's requirement: the date its weeks count from, and its phases.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "anchor": "asye_start",
    "phases": [
        {"from_week": 0, "to_week": 6, "interval": {"max_calendar_days": 7}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false},
        {"from_week": 6, "to_week": 12, "interval": {"max_calendar_days": 14}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false},
        {"from_week": 12, "to_week": null, "interval": {"max_working_days": 25}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}
    ]
}))]
pub struct CategoryRuleView {
    pub anchor: Anchor,
    pub phases: Vec<PhaseView>,
}

impl From<&CategoryRule> for CategoryRuleView {
    fn from(rule: &CategoryRule) -> CategoryRuleView {
        CategoryRuleView {
            anchor: rule.anchor,
            phases: rule.phases.iter().map(PhaseView::from).collect(),
        }
    }
}

/// A rule for every staff category, keyed by the category's id.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "social_worker": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_working_days": 25}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
    "asye": {"anchor": "asye_start", "phases": [{"from_week": 0, "to_week": 6, "interval": {"max_calendar_days": 7}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
    "student": {"anchor": "placement_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 7}, "min_per_year": null, "min_duration_minutes": 90, "alternate_supervisors": true}]},
    "cp_chair_iro": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 28}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
    "operational_manager": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_working_days": 25}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
    "non_operational_staff": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"every_months": 2}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
    "other_staff": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"every_months": 3}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]}
}))]
pub struct CategoryRulesView {
    pub social_worker: CategoryRuleView,
    pub asye: CategoryRuleView,
    pub student: CategoryRuleView,
    pub cp_chair_iro: CategoryRuleView,
    pub operational_manager: CategoryRuleView,
    pub non_operational_staff: CategoryRuleView,
    pub other_staff: CategoryRuleView,
}

/// A policy profile (FREQ-3): how often each staff category must have 1:1 supervision.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "cafcass",
    "name": "Cafcass-style",
    "description": "From the Cafcass policy (003): supervision every 6 weeks, at least 8 sessions a year, each at least 90 minutes.",
    "categories": {
        "social_worker": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 42}, "min_per_year": 8, "min_duration_minutes": 90, "alternate_supervisors": false}]},
        "asye": {"anchor": "asye_start", "phases": [{"from_week": 0, "to_week": 6, "interval": {"max_calendar_days": 7}, "min_per_year": null, "min_duration_minutes": null, "alternate_supervisors": false}]},
        "student": {"anchor": "placement_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 7}, "min_per_year": null, "min_duration_minutes": 90, "alternate_supervisors": true}]},
        "cp_chair_iro": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 42}, "min_per_year": 8, "min_duration_minutes": 90, "alternate_supervisors": false}]},
        "operational_manager": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 42}, "min_per_year": 8, "min_duration_minutes": 90, "alternate_supervisors": false}]},
        "non_operational_staff": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 42}, "min_per_year": 8, "min_duration_minutes": 90, "alternate_supervisors": false}]},
        "other_staff": {"anchor": "employment_start", "phases": [{"from_week": 0, "to_week": null, "interval": {"max_calendar_days": 42}, "min_per_year": 8, "min_duration_minutes": 90, "alternate_supervisors": false}]}
    },
    "group_supervision": {"every_months": 1},
    "observations_per_year": 2,
    "observation_settings_required": ["direct_work_with_child", "direct_work_with_adult"]
}))]
pub struct PolicyProfileView {
    /// Stable id, as used in the organisation's `policy_profile`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub categories: CategoryRulesView,
    /// How often each team holds group supervision (GRP-1).
    #[schema(inline)]
    pub group_supervision: Interval,
    /// Observations of practice required each practice year (OBS-2).
    pub observations_per_year: u32,
    /// Settings the year's observations must each cover at least once.
    pub observation_settings_required: Vec<String>,
}

impl From<&Profile> for PolicyProfileView {
    fn from(profile: &Profile) -> PolicyProfileView {
        let c = profile.categories();
        PolicyProfileView {
            id: profile.id().to_string(),
            name: profile.name().to_string(),
            description: profile.description().to_string(),
            categories: CategoryRulesView {
                social_worker: (&c.social_worker).into(),
                asye: (&c.asye).into(),
                student: (&c.student).into(),
                cp_chair_iro: (&c.cp_chair_iro).into(),
                operational_manager: (&c.operational_manager).into(),
                non_operational_staff: (&c.non_operational_staff).into(),
                other_staff: (&c.other_staff).into(),
            },
            group_supervision: profile.group_supervision(),
            observations_per_year: profile.observations_per_year(),
            observation_settings_required: profile.observation_settings_required().to_vec(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProfilesQuery {
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// The policy profiles shipped with the product (FREQ-3), with their full rules: `default`
/// (the FREQ-2 table) and `cafcass`.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(ProfilesQuery),
    responses(
        (status = 200, body = Paged<PolicyProfileView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/policy-profiles")]
async fn list_profiles(
    _caller: Caller,
    query: Query<ProfilesQuery>,
) -> ApiResult<web::Json<Paged<PolicyProfileView>>> {
    let page = page(query.0.limit, query.0.offset)?;
    let (profiles, total) = organisation::profiles(page);
    let items = profiles.iter().map(PolicyProfileView::from).collect();
    Ok(web::Json(Paged::new(items, total, page)))
}

/// One policy profile with its rules.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Profile id, e.g. `default`")),
    responses(
        (status = 200, body = PolicyProfileView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such profile", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/policy-profiles/{id}")]
async fn get_profile(
    _caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<PolicyProfileView>> {
    let profile = organisation::profile(&id)?;
    Ok(web::Json(PolicyProfileView::from(&profile)))
}

// ---- Frequency overrides ----

/// A person's own supervision interval, more frequent than their policy's (FREQ-3), e.g.
/// during performance support.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "interval": {"max_working_days": 15},
    "reason": "Fortnightly supervision during the performance support plan agreed on 2 November.",
    "set_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "set_at": "2026-11-25T09:30:00Z",
    "policy_interval": {"max_working_days": 25},
    "in_force": true
}))]
pub struct FrequencyOverrideView {
    pub person_id: String,
    /// The person's own interval.
    #[schema(inline)]
    pub interval: Interval,
    pub reason: String,
    /// Who set it.
    pub set_by: String,
    pub set_at: DateTime<Utc>,
    /// What the organisation's policy profile requires for the person today.
    #[schema(inline)]
    pub policy_interval: Interval,
    /// Whether the override applies today: it does only while it is at least as frequent as
    /// the policy (an ASYE's weekly first weeks stand whatever the override says).
    pub in_force: bool,
}

impl From<OverrideState> for FrequencyOverrideView {
    fn from(state: OverrideState) -> FrequencyOverrideView {
        let (o, policy_interval) = (state.set, state.policy_interval);
        FrequencyOverrideView {
            in_force: o.interval.is_at_least_as_frequent_as(policy_interval),
            person_id: o.person_id,
            interval: o.interval,
            reason: o.reason,
            set_by: o.set_by,
            set_at: utc(o.set_at),
            policy_interval,
        }
    }
}

/// A person's own supervision interval, if one is set. Visible to the person, their managers,
/// administrators and auditors; anyone else's id is 404.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = FrequencyOverrideView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No override, or no such person you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/frequency-override")]
async fn get_override(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<FrequencyOverrideView>> {
    let found = state
        .db
        .query(move |conn| organisation::frequency_override(conn, &caller, &id))
        .await?;
    Ok(web::Json(found.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "interval": {"max_working_days": 15},
    "reason": "Fortnightly supervision during the performance support plan agreed on 2 November."
}))]
pub struct SetFrequencyOverride {
    /// One of `{"max_working_days": n}` (1–260), `{"max_calendar_days": n}` (1–366) or
    /// `{"every_months": n}` (1–12); at least as frequent as the person's policy today.
    #[schema(inline)]
    pub interval: Interval,
    /// Why, 1 to 500 characters.
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Set a person's own, more frequent, supervision interval (FREQ-3): administrators or a line
/// manager above the person today. An interval less frequent than the organisation's policy
/// requires for the person today is refused (422 naming `interval`). Replaces any earlier one.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    request_body = SetFrequencyOverride,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = FrequencyOverrideView),
        (status = 400, description = "Malformed body, unknown field or interval kind", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or a manager above the person", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person you may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Interval out of range or less frequent than the policy; reason empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/people/{id}/frequency-override")]
async fn set_override(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<SetFrequencyOverride>,
) -> ApiResult<web::Json<FrequencyOverrideView>> {
    let SetFrequencyOverride { interval, reason } = body.0;
    let set = state
        .db
        .transact(move |conn| organisation::set_override(conn, &caller, &id, interval, &reason))
        .await?;
    Ok(web::Json(set.into()))
}

/// Remove a person's own interval (administrators or a line manager above the person today):
/// the policy's interval applies again.
#[utoipa::path(
    tag = "organisation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator or a manager above the person", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No override, or no such person you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/people/{id}/frequency-override")]
async fn clear_override(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state
        .db
        .transact(move |conn| organisation::clear_override(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
