//! The ASYE year (ASYE-1): timeline with pauses and review points, the evidence checklist
//! and protected development time, for the newly qualified worker and their supervisors.

use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::asye::{self, Asye, NewEvidence, NewPause, Programme, TimeTaken};
use crate::domain::asye::EvidenceKind;
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::http::extract::{etag, Caller, IfMatch, Json};
use crate::http::problem::{ApiResult, Problem};
use crate::http::views::asye::AsyeView;
use crate::http::AppState;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(get_asye)
        .service(set_programme)
        .service(add_pause)
        .service(end_pause)
        .service(add_evidence)
        .service(log_time);
}

fn respond(asye: Asye) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(asye.version)))
        .json(AsyeView::from(asye))
}

/// A person's ASYE year: the timeline (expected end and review points pushed back by pauses),
/// each review's session and record, the evidence checklist and protected time (ASYE-1).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView, headers(("ETag" = String, description = "Version of the programme settings"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, not in the ASYE, or not yours to see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/asye")]
async fn get_asye(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let asye = state
        .db
        .query(move |conn| asye::get(conn, &caller, organisation_today(), &id))
        .await?;
    Ok(respond(asye))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"programme_months": 24, "weekly_minutes": 1332}))]
pub struct ProgrammeBody {
    /// 12 for the ASYE; up to 36 for a longer induction programme.
    #[schema(minimum = 12, maximum = 36)]
    pub programme_months: i32,
    /// Contracted minutes a week (2,220 for 37 hours).
    #[schema(minimum = 60, maximum = 3000)]
    pub weekly_minutes: i32,
}

/// Set the programme's length and contracted hours (a supervisor or an administrator).
/// Needs `If-Match` (`"0"` while the defaults apply).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = ProgrammeBody,
    params(
        ("id" = String, Path, description = "Person id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AsyeView, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/people/{id}/asye/programme")]
async fn set_programme(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<ProgrammeBody>,
) -> ApiResult<HttpResponse> {
    let ProgrammeBody {
        programme_months,
        weekly_minutes,
    } = body.0;
    let programme = Programme {
        programme_months,
        weekly_minutes,
    };
    let asye = state
        .db
        .transact(move |conn| {
            let today = organisation_today();
            asye::set_programme(conn, &caller, today, &id, version, programme)
        })
        .await?;
    Ok(respond(asye))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_on": "2026-12-01", "ends_on": null, "reason": "Sick leave"}))]
pub struct PauseBody {
    pub starts_on: Day,
    /// The first day back; leave out while the pause goes on.
    pub ends_on: Option<Day>,
    /// 1 to 500 characters.
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Pause the ASYE (leave, part-time working): its end and reviews move later by the pause
/// (a supervisor or an administrator).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = PauseBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Overlaps another pause, before the start, or ends before it starts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/pauses")]
async fn add_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PauseBody>,
) -> ApiResult<HttpResponse> {
    let PauseBody {
        starts_on,
        ends_on,
        reason,
    } = body.0;
    let pause = NewPause {
        starts_on: starts_on.date(),
        ends_on: ends_on.map(Day::date),
        reason,
    };
    let asye = state
        .db
        .transact(move |conn| asye::add_pause(conn, &caller, organisation_today(), &id, pause))
        .await?;
    Ok(respond(asye))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2027-01-04"}))]
pub struct EndPauseBody {
    /// The first day back.
    pub ends_on: Day,
}

/// End the open pause (a supervisor or an administrator).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = EndPauseBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor of the person or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No pause is open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ends before the pause starts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/pauses/end")]
async fn end_pause(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<EndPauseBody>,
) -> ApiResult<HttpResponse> {
    let ends_on = body.0.ends_on.date();
    let asye = state
        .db
        .transact(move |conn| asye::end_pause(conn, &caller, organisation_today(), &id, ends_on))
        .await?;
    Ok(respond(asye))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "service_user_feedback", "title": "Feedback from a parent after the CIN review", "received_on": "2026-11-02"}))]
pub struct EvidenceBody {
    pub kind: EvidenceKind,
    /// 1 to 200 characters; no names of people who use services.
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub title: String,
    pub received_on: Day,
}

/// Add a piece of evidence to the checklist (the worker or a supervisor).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = EvidenceBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body or unknown kind", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the worker nor a supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad title or a date in the future", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/evidence")]
async fn add_evidence(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<EvidenceBody>,
) -> ApiResult<HttpResponse> {
    let EvidenceBody {
        kind,
        title,
        received_on,
    } = body.0;
    let evidence = NewEvidence {
        kind,
        title,
        received_on: received_on.date(),
    };
    let asye = state
        .db
        .transact(move |conn| {
            let today = organisation_today();
            asye::add_evidence(conn, &caller, today, &id, evidence)
        })
        .await?;
    Ok(respond(asye))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"taken_on": "2026-11-20", "minutes": 210, "activity": "Read the PLO guidance and wrote a reflection"}))]
pub struct TimeBody {
    pub taken_on: Day,
    /// 15 to 480 minutes in one day.
    #[schema(minimum = 15, maximum = 480)]
    pub minutes: i32,
    /// 1 to 500 characters.
    #[schema(format = "one-line", min_length = 1, max_length = 500)]
    pub activity: String,
}

/// Log protected development time (the worker).
#[utoipa::path(
    tag = "asye",
    security(("bearer" = [])),
    request_body = TimeBody,
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = AsyeView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the worker", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ASYE", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Out of range, or a date outside the ASYE", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/people/{id}/asye/protected-time")]
async fn log_time(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<TimeBody>,
) -> ApiResult<HttpResponse> {
    let TimeBody {
        taken_on,
        minutes,
        activity,
    } = body.0;
    let time = TimeTaken {
        taken_on: taken_on.date(),
        minutes,
        activity,
    };
    let asye = state
        .db
        .transact(move |conn| asye::log_time(conn, &caller, organisation_today(), &id, time))
        .await?;
    Ok(respond(asye))
}
