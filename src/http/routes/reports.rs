//! Compliance reports (RPT-1) for a team, a supervisor's caseload or the whole organisation,
//! over a chosen period, as JSON or CSV. Figures, dates and reasons only: no report carries
//! record content, case references or reflective text.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::reports::{
    self, Asked, Compliance, Format, PersonFigures, ScopeKind, Section, TeamFigures,
};
use crate::domain::compliance::{
    self, BreachReason, CpdFigures, MonthFigure, ObservationFigures, RecordFigures,
};
use crate::domain::dates::Day;
use crate::domain::people::{organisation_today, StaffCategory};
use crate::domain::periods::Period;
use crate::domain::scheduling::Status;
use crate::domain::sessions::ChangeReason;
use crate::domain::supervision::Report;
use crate::http::csv::{opt, Csv};
use crate::http::extract::{page, Caller, Query};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::status::StatusCounts;
use crate::http::views::Paged;
use crate::http::AppState;
use crate::store::{now, Page};

pub fn configure(config: &mut ServiceConfig) {
    config.service(compliance_report);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// A team's report: its active members you may see.
    pub team_id: Option<String>,
    /// A supervisor's caseload: whom they line-manage today or supervise under an active
    /// agreement. Without `team_id` or `supervisor_id`: the whole organisation.
    pub supervisor_id: Option<String>,
    /// First day of the period (default: 1 April, the start of the practice year).
    pub from: Option<Day>,
    /// Last day of the period, included (default: today). At most 731 days after `from`.
    pub to: Option<Day>,
    /// Which list the report carries (JSON: one page of it; CSV: all of it).
    pub section: Option<Section>,
    /// `csv` for a spreadsheet; `Accept: text/csv` does the same. Default `json`.
    pub format: Option<Format>,
    /// Items per page of the JSON list, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"kind": "team", "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "name": "North CIN team"}))]
pub struct ScopeView {
    pub kind: ScopeKind,
    /// The team's or supervisor's id.
    pub id: Option<String>,
    pub name: String,
}

/// One supervisee in the period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan",
    "staff_category": "social_worker", "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51",
    "status": "overdue", "due_by": "2026-11-20", "last_held": "2026-10-16",
    "days_since_last_held": 47, "next_booked": null, "within_limit": false,
    "breaches": 1, "held": 3, "min_per_year": null, "cancellations": 1,
    "records": {"held": 3, "late": 1, "unsigned": 0},
    "observations": {"required": 2, "done": 1, "remaining": 1},
    "cpd": {"records": 1, "with_peer_reflection": 0, "required": 2, "met": false},
    "group_sessions_attended": 2
}))]
pub struct SuperviseeLine {
    pub person_id: String,
    pub display_name: String,
    pub staff_category: StaffCategory,
    pub team_id: Option<String>,
    /// FREQ-4, as of today.
    pub status: Status,
    pub due_by: NaiveDate,
    pub last_held: Option<NaiveDate>,
    pub days_since_last_held: Option<i64>,
    pub next_booked: Option<NaiveDate>,
    pub within_limit: bool,
    /// Stretches past the limit during the period.
    pub breaches: u32,
    /// 1:1s held during the period.
    pub held: u32,
    /// The profile's yearly minimum of 1:1s for this person, when it sets one (FREQ-3); for a
    /// year-long period, compare `held` with it.
    pub min_per_year: Option<u32>,
    /// 1:1s cancelled during the period.
    pub cancellations: u32,
    /// Records of sessions held in the period (REC-5).
    pub records: RecordFigures,
    /// The practice year the period ends in (OBS-2).
    pub observations: ObservationFigures,
    /// The registration year the period ends in (REF-3): counts only.
    pub cpd: CpdFigures,
    /// Held group sessions attended in the period (GRP-1; not counted for the 1:1 limit).
    pub group_sessions_attended: u32,
}

/// One stretch past the 25-working-day (or the person's) limit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "person_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Aisha Khan",
    "after_held": "2026-03-02", "due_by": "2026-04-08", "held_on": "2026-04-14",
    "working_days_late": 4, "resolved": true,
    "reasons": [{"kind": "cancelled", "session_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f90", "reason": "sickness"}]
}))]
pub struct BreachView {
    pub person_id: String,
    pub display_name: String,
    /// The last session held before it (none: counted from the agreement's start).
    pub after_held: Option<NaiveDate>,
    pub due_by: NaiveDate,
    /// When the next session was held, if within the period.
    pub held_on: Option<NaiveDate>,
    pub working_days_late: i32,
    /// A session has since been held.
    pub resolved: bool,
    pub reasons: Vec<BreachReason>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"reason": "sickness", "count": 3}))]
pub struct ReasonCount {
    pub reason: ChangeReason,
    pub count: u32,
}

/// One team's group supervision (GRP-1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "team_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "team_name": "North CIN team",
    "status": {"status": "overdue", "due_by": "2026-11-17", "last_held": "2026-10-17", "next_booked": null,
        "interval": {"every_months": 1}, "days_since_last_held": 46},
    "months": [{"month": {"starts_on": "2026-11-01", "ends_on": "2026-11-30"}, "held": 0, "met": false}],
    "months_met": 7
}))]
pub struct TeamGroupView {
    pub team_id: String,
    pub team_name: String,
    /// Against the profile's interval (monthly by default), as of today.
    pub status: Report,
    pub months: Vec<MonthFigure>,
    /// Months of the period with at least one group session held.
    pub months_met: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"supervisees": 8, "within_limit": 7, "within_limit_share": 0.875,
    "statuses": {"on_track": 6, "at_risk": 1, "overdue": 1, "no_baseline": 0},
    "breaches": 2, "supervisees_with_breaches": 1, "cancellations": 3,
    "records": {"held": 52, "late": 4, "unsigned": 2},
    "observations": {"required": 16, "done": 9, "remaining": 7}, "supervisees_short_of_observations": 5,
    "cpd_records": 11, "cpd_requirement_met": 4, "teams": 1, "team_months_met": 7, "team_months": 8}))]
pub struct Summary {
    pub supervisees: u32,
    pub within_limit: u32,
    /// `within_limit` / `supervisees`; null when there are none.
    pub within_limit_share: Option<f64>,
    pub statuses: StatusCounts,
    pub breaches: u32,
    pub supervisees_with_breaches: u32,
    pub cancellations: u32,
    pub records: RecordFigures,
    pub observations: ObservationFigures,
    pub supervisees_short_of_observations: u32,
    pub cpd_records: u32,
    /// Registered supervisees who have met this registration year's CPD requirement.
    pub cpd_requirement_met: u32,
    pub teams: u32,
    /// Team-months in the period with group supervision held, of `team_months`.
    pub team_months_met: u32,
    pub team_months: u32,
}

/// RPT-1: one report. The list named by `section` is paged; the summary covers everyone.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "scope": {"kind": "team", "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f51", "name": "North CIN team"},
    "period": {"starts_on": "2026-04-01", "ends_on": "2026-11-30"}, "as_of": "2026-12-02",
    "summary": {"supervisees": 8, "within_limit": 7, "within_limit_share": 0.875,
        "statuses": {"on_track": 6, "at_risk": 1, "overdue": 1, "no_baseline": 0},
        "breaches": 2, "supervisees_with_breaches": 1, "cancellations": 3,
        "records": {"held": 52, "late": 4, "unsigned": 2},
        "observations": {"required": 16, "done": 9, "remaining": 7}, "supervisees_short_of_observations": 5,
        "cpd_records": 11, "cpd_requirement_met": 4, "teams": 1, "team_months_met": 7, "team_months": 8},
    "cancellations": [{"reason": "sickness", "count": 2}, {"reason": "annual_leave", "count": 1}],
    "section": "supervisees",
    "supervisees": {"items": [], "total": 8, "limit": 50, "offset": 0}
}))]
pub struct ComplianceReport {
    pub scope: ScopeView,
    pub period: Period,
    pub as_of: NaiveDate,
    pub summary: Summary,
    pub cancellations: Vec<ReasonCount>,
    pub section: Section,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supervisees: Option<Paged<SuperviseeLine>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaches: Option<Paged<BreachView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_supervision: Option<Paged<TeamGroupView>>,
}

fn supervisee_line(figures: &PersonFigures) -> SuperviseeLine {
    let person = &figures.line.person;
    let report = &figures.line.report;
    SuperviseeLine {
        person_id: person.id.clone(),
        display_name: person.display_name.clone(),
        staff_category: person.staff_category,
        team_id: person.team_id.clone(),
        status: report.status,
        due_by: report.due_by,
        last_held: report.last_held,
        days_since_last_held: report.days_since_last_held,
        next_booked: report.next_booked,
        within_limit: compliance::within_limit(report.status),
        breaches: u32::try_from(figures.breaches.len()).unwrap_or(u32::MAX),
        held: figures.held,
        min_per_year: figures.min_per_year,
        cancellations: figures.cancellations,
        records: figures.records,
        observations: figures.observations,
        cpd: figures.cpd,
        group_sessions_attended: figures.group_sessions_attended,
    }
}

fn breach_views(people: &[PersonFigures]) -> Vec<BreachView> {
    let mut views: Vec<BreachView> = people
        .iter()
        .flat_map(|figures| {
            figures.breaches.iter().map(|(breach, reasons)| BreachView {
                person_id: figures.line.person.id.clone(),
                display_name: figures.line.person.display_name.clone(),
                after_held: breach.after_held,
                due_by: breach.due_by,
                held_on: breach.held_on,
                working_days_late: breach.working_days_late,
                resolved: breach.held_on.is_some(),
                reasons: reasons.clone(),
            })
        })
        .collect();
    views.sort_by(|a, b| {
        (a.due_by, &a.display_name, &a.person_id).cmp(&(b.due_by, &b.display_name, &b.person_id))
    });
    views
}

fn team_view(figures: &TeamFigures) -> TeamGroupView {
    TeamGroupView {
        team_id: figures.team.id.clone(),
        team_name: figures.team.name.clone(),
        status: figures.status,
        months_met: figures.months.iter().filter(|m| m.met).count() as u32,
        months: figures.months.clone(),
    }
}

fn summary(report: &Compliance) -> Summary {
    let people = &report.people;
    let sum = |f: &dyn Fn(&PersonFigures) -> u32| people.iter().map(f).sum::<u32>();
    let within = people
        .iter()
        .filter(|p| compliance::within_limit(p.line.report.status))
        .count();
    Summary {
        supervisees: people.len() as u32,
        within_limit: within as u32,
        within_limit_share: compliance::share(within, people.len()),
        statuses: StatusCounts::of(people.iter().map(|p| p.line.report.status)),
        breaches: sum(&|p| p.breaches.len() as u32),
        supervisees_with_breaches: sum(&|p| u32::from(!p.breaches.is_empty())),
        cancellations: report.cancellations.iter().map(|(_, n)| n).sum(),
        records: RecordFigures {
            held: sum(&|p| p.records.held),
            late: sum(&|p| p.records.late),
            unsigned: sum(&|p| p.records.unsigned),
        },
        observations: ObservationFigures {
            required: sum(&|p| p.observations.required),
            done: sum(&|p| p.observations.done),
            remaining: sum(&|p| p.observations.remaining),
        },
        supervisees_short_of_observations: sum(&|p| u32::from(p.observations.remaining > 0)),
        cpd_records: sum(&|p| p.cpd.records),
        cpd_requirement_met: sum(&|p| u32::from(p.cpd.required > 0 && p.cpd.met)),
        teams: report.teams.len() as u32,
        team_months_met: report
            .teams
            .iter()
            .map(|t| t.months.iter().filter(|m| m.met).count() as u32)
            .sum(),
        team_months: report.teams.iter().map(|t| t.months.len() as u32).sum(),
    }
}

fn one_page<T: ToSchema>(items: Vec<T>, page: Page) -> Paged<T> {
    let total = items.len() as i64;
    let items = items
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit).unwrap_or(0))
        .collect();
    Paged::new(items, total, page)
}

fn wants_csv(request: &HttpRequest, format: Option<Format>) -> bool {
    match format {
        Some(format) => format == Format::Csv,
        None => request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")),
    }
}

fn csv_of(report: &Compliance, section: Section) -> String {
    match section {
        Section::Supervisees => {
            let mut csv = Csv::new(&[
                "person_id",
                "display_name",
                "staff_category",
                "team_id",
                "status",
                "due_by",
                "last_held",
                "days_since_last_held",
                "next_booked",
                "within_limit",
                "breaches",
                "cancellations",
                "records_held",
                "records_late",
                "records_unsigned",
                "observations_required",
                "observations_done",
                "observations_remaining",
                "cpd_records",
                "cpd_with_peer_reflection",
                "cpd_required",
                "group_sessions_attended",
            ]);
            for line in report.people.iter().map(supervisee_line) {
                csv.row([
                    line.person_id,
                    line.display_name,
                    line.staff_category.as_str().to_string(),
                    opt(line.team_id),
                    line.status.as_str().to_string(),
                    line.due_by.to_string(),
                    opt(line.last_held),
                    opt(line.days_since_last_held),
                    opt(line.next_booked),
                    line.within_limit.to_string(),
                    line.breaches.to_string(),
                    line.cancellations.to_string(),
                    line.records.held.to_string(),
                    line.records.late.to_string(),
                    line.records.unsigned.to_string(),
                    line.observations.required.to_string(),
                    line.observations.done.to_string(),
                    line.observations.remaining.to_string(),
                    line.cpd.records.to_string(),
                    line.cpd.with_peer_reflection.to_string(),
                    line.cpd.required.to_string(),
                    line.group_sessions_attended.to_string(),
                ]);
            }
            csv.finish()
        }
        Section::Breaches => {
            let mut csv = Csv::new(&[
                "person_id",
                "display_name",
                "after_held",
                "due_by",
                "held_on",
                "working_days_late",
                "resolved",
                "reasons",
            ]);
            for breach in breach_views(&report.people) {
                csv.row([
                    breach.person_id,
                    breach.display_name,
                    opt(breach.after_held),
                    breach.due_by.to_string(),
                    opt(breach.held_on),
                    breach.working_days_late.to_string(),
                    breach.resolved.to_string(),
                    breach
                        .reasons
                        .iter()
                        .map(reason_text)
                        .collect::<Vec<_>>()
                        .join("; "),
                ]);
            }
            csv.finish()
        }
        Section::Cancellations => {
            let mut csv = Csv::new(&["reason", "count"]);
            for (reason, n) in &report.cancellations {
                csv.row([reason.as_str().to_string(), n.to_string()]);
            }
            csv.finish()
        }
        Section::GroupSupervision => {
            let mut csv = Csv::new(&["team_id", "team_name", "month", "held", "met"]);
            for team in &report.teams {
                for month in &team.months {
                    csv.row([
                        team.team.id.clone(),
                        team.team.name.clone(),
                        month.month.starts_on.format("%Y-%m").to_string(),
                        month.held.to_string(),
                        month.met.to_string(),
                    ]);
                }
            }
            csv.finish()
        }
    }
}

/// A breach's reason in one spreadsheet cell, e.g. `cancelled: sickness`.
fn reason_text(reason: &BreachReason) -> String {
    let why = |r: &Option<ChangeReason>| r.map_or("", |r| r.as_str()).to_string();
    match reason {
        BreachReason::MovedPastDueBy {
            reason,
            justification,
            ..
        } => format!(
            "moved past due_by: {} ({})",
            why(reason),
            justification.as_deref().unwrap_or("")
        ),
        BreachReason::Cancelled { reason, .. } => format!("cancelled: {}", why(reason)),
        BreachReason::Missed { .. } => "missed".into(),
        BreachReason::NothingBooked => "nothing booked".into(),
    }
}

/// The compliance report (RPT-1) for a team (`team_id`), a supervisor's caseload
/// (`supervisor_id`) or, for administrators and auditors, the whole organisation: each
/// supervisee's status (FREQ-4) with days since the last session and `due_by`; the share
/// within the limit; breaches in the period with their reasons; cancellations by reason;
/// records late or unsigned; observations done against required; CPD records; group
/// supervision per team per month. A team's report shows the members you manage (all of
/// them to administrators and auditors); a supervisor's is for them, managers above them,
/// administrators and auditors. Reading a report is audited. `format=csv` (or
/// `Accept: text/csv`) returns the chosen `section` whole, as CSV.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The report: JSON, or the section as CSV", content(
            (ComplianceReport = "application/json"),
            (String = "text/csv", example = json!("person_id,display_name,staff_category,team_id,status,due_by,...\r\n"))
        )),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The organisation's report needs an administrator or an auditor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team or supervisor, or not one you may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period, paging, or both a team and a supervisor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/compliance")]
async fn compliance_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<ReportQuery>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let (asked, list_page) = parse(query.0, &request)?;
    let (section, format) = (asked.section, asked.format);
    let calendars = state.calendars.clone();
    let report = reports::compliance(&state.db, &caller, calendars, asked, now()).await?;
    Ok(match format {
        Format::Csv => csv_response(&report, section),
        Format::Json => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json_view(report, section, list_page)),
    })
}

/// The report asked for, and the page of its list to show as JSON.
fn parse(query: ReportQuery, request: &HttpRequest) -> ApiResult<(Asked, Page)> {
    let period = reports::period(
        query.from.map(Day::date),
        query.to.map(Day::date),
        organisation_today(),
    )?;
    let list_page = page(query.limit, query.offset)?;
    let format = if wants_csv(request, query.format) {
        Format::Csv
    } else {
        Format::Json
    };
    let asked = Asked {
        team_id: query.team_id,
        supervisor_id: query.supervisor_id,
        period,
        section: query.section.unwrap_or_default(),
        format,
    };
    Ok((asked, list_page))
}

/// The chosen section, whole, as a spreadsheet to download.
fn csv_response(report: &reports::ComplianceReport, section: Section) -> HttpResponse {
    let period = report.period;
    let name = format!(
        "compliance-{}-{}-{}.csv",
        serde_json::to_value(section)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        period.starts_on,
        period.ends_on
    );
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(csv_of(&report.figures, section))
}

/// The report as JSON: the summary over everyone, one page of the chosen section's list.
fn json_view(
    report: reports::ComplianceReport,
    section: Section,
    list_page: Page,
) -> ComplianceReport {
    let reports::ComplianceReport {
        scope,
        period,
        figures: report,
    } = report;
    let mut view = ComplianceReport {
        scope: ScopeView {
            kind: scope.kind,
            id: scope.id,
            name: scope.name,
        },
        period,
        as_of: report.as_of,
        summary: summary(&report),
        cancellations: report
            .cancellations
            .iter()
            .map(|(reason, count)| ReasonCount {
                reason: *reason,
                count: *count,
            })
            .collect(),
        section,
        supervisees: None,
        breaches: None,
        group_supervision: None,
    };
    match section {
        Section::Supervisees => {
            // Only the page asked for is built; the total is everyone's.
            let shown: Vec<&PersonFigures> = report
                .people
                .iter()
                .skip(usize::try_from(list_page.offset).unwrap_or(usize::MAX))
                .take(usize::try_from(list_page.limit).unwrap_or(0))
                .collect();
            view.supervisees = Some(Paged::new(
                shown.into_iter().map(supervisee_line).collect(),
                report.people.len() as i64,
                list_page,
            ))
        }
        Section::Breaches => {
            view.breaches = Some(one_page(breach_views(&report.people), list_page))
        }
        Section::GroupSupervision => {
            view.group_supervision = Some(one_page(
                report.teams.iter().map(team_view).collect(),
                list_page,
            ))
        }
        Section::Cancellations => {}
    }
    view
}
