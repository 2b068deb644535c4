//! Supervision agreements (AGR-1, AGR-2) and the 12-month plan (SES-2).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::people::may_see;
use crate::app::sessions::{self as app_sessions, Booking};
use crate::app::status;
use crate::domain::dates::Day;
use crate::domain::people::organisation_today;
use crate::domain::policy::Interval;
use crate::domain::scheduling::{self, local_to_utc, plan_window, utc_to_local_date};
use crate::domain::sessions::{
    check_slot, parse_usual_time, AgreementKind, AgreementStatus, Party, SessionKind, SessionStatus,
};
use crate::domain::supervision::Agreed;
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{etag, Caller, IfMatch, Json};
use crate::http::problem::{settle, ApiError, ApiResult, Problem};
use crate::http::views::sessions::SessionView;
use crate::http::views::utc;
use crate::http::AppState;
use crate::store::agreements::{self, Agreement, NewAgreement};
use crate::store::history::{self, FieldNames, HeldSession};
use crate::store::line_management as links;
use crate::store::sessions::{self, NewSession};
use crate::store::status::{person_dates, zone};
use crate::store::{audit, now, people, DbConnection, StoreError, StoreResult};

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(create_agreement)
        .service(get_agreement)
        .service(list_for_person)
        .service(sign_agreement)
        .service(end_agreement)
        .service(preview_plan)
        .service(save_plan)
        .service(book)
        .service(record_held);
}

/// A weekday for the usual slot (sessions are held on working days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
}

impl From<WeekdayName> for Weekday {
    fn from(day: WeekdayName) -> Weekday {
        match day {
            WeekdayName::Monday => Weekday::Mon,
            WeekdayName::Tuesday => Weekday::Tue,
            WeekdayName::Wednesday => Weekday::Wed,
            WeekdayName::Thursday => Weekday::Thu,
            WeekdayName::Friday => Weekday::Fri,
        }
    }
}

impl WeekdayName {
    fn from_weekday(day: Weekday) -> WeekdayName {
        match day {
            Weekday::Mon => WeekdayName::Monday,
            Weekday::Tue => WeekdayName::Tuesday,
            Weekday::Wed => WeekdayName::Wednesday,
            Weekday::Thu => WeekdayName::Thursday,
            // Stored agreements only ever hold Monday to Friday.
            Weekday::Fri | Weekday::Sat | Weekday::Sun => WeekdayName::Friday,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "kind": "line_management",
    "frequency": {"every_months": 1},
    "session_minutes": 90,
    "usual_weekday": "thursday",
    "usual_time": "10:00",
    "place": "Room 2, Shire Hall, or Teams",
    "agenda": "Case review, wellbeing, learning and development",
    "starts_on": "2026-12-01",
    "ends_on": null,
    "supervisor_signed_at": "2026-11-25T10:00:00Z",
    "supervisee_signed_at": null,
    "status": "awaiting_signatures",
    "end_reason": null,
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40",
    "created_at": "2026-11-25T10:00:00Z",
    "version": 2
}))]
pub struct AgreementView {
    pub id: String,
    pub supervisee_id: String,
    pub supervisor_id: String,
    pub kind: AgreementKind,
    /// How often the two meet; never less often than the policy requires.
    pub frequency: Interval,
    pub session_minutes: i32,
    pub usual_weekday: WeekdayName,
    /// Local time in the supervisee's time zone, HH:MM.
    pub usual_time: String,
    pub place: String,
    pub agenda: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub supervisor_signed_at: Option<DateTime<Utc>>,
    pub supervisee_signed_at: Option<DateTime<Utc>>,
    pub status: AgreementStatus,
    pub end_reason: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<Agreement> for AgreementView {
    fn from(a: Agreement) -> AgreementView {
        AgreementView {
            status: a.status(organisation_today()),
            id: a.id,
            supervisee_id: a.supervisee_id,
            supervisor_id: a.supervisor_id,
            kind: a.kind,
            frequency: a.frequency,
            session_minutes: a.session_minutes,
            usual_weekday: WeekdayName::from_weekday(a.usual_weekday),
            usual_time: a.usual_time.format("%H:%M").to_string(),
            place: a.place,
            agenda: a.agenda,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            supervisor_signed_at: a.supervisor_signed_at.map(utc),
            supervisee_signed_at: a.supervisee_signed_at.map(utc),
            end_reason: a.end_reason,
            created_by: a.created_by,
            created_at: utc(a.created_at),
            version: a.version,
        }
    }
}

fn agreement_response(mut builder: actix_web::HttpResponseBuilder, a: Agreement) -> HttpResponse {
    builder
        .insert_header(("ETag", etag(a.version)))
        .json(AgreementView::from(a))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "supervisee_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50",
    "kind": "line_management",
    "frequency": {"every_months": 1},
    "session_minutes": 90,
    "usual_weekday": "thursday",
    "usual_time": "10:00",
    "place": "Room 2, Shire Hall, or Teams",
    "agenda": "Case review, wellbeing, learning and development",
    "starts_on": "2026-12-01"
}))]
pub struct CreateAgreement {
    pub supervisee_id: String,
    /// Defaults to the caller.
    pub supervisor_id: Option<String>,
    pub kind: AgreementKind,
    /// How often to meet: `{"every_months": 1}`, `{"max_calendar_days": 28}` or
    /// `{"max_working_days": 20}`; at least as often as the policy.
    pub frequency: Interval,
    #[schema(minimum = 15, maximum = 480)]
    pub session_minutes: i32,
    pub usual_weekday: WeekdayName,
    /// HH:MM, in the supervisee's time zone.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub usual_time: String,
    /// Usual place or video link.
    #[schema(min_length = 1, max_length = 500)]
    pub place: String,
    /// The minimum agenda both agree to.
    #[schema(min_length = 1, max_length = 4000)]
    pub agenda: String,
    pub starts_on: Day,
}

/// Propose an agreement (AGR-1, AGR-3). Only the supervisee's line manager, a manager above
/// them or an administrator proposes one, of any kind, naming the supervisor (a practice
/// educator or a second supervisor is named this way). Nobody appoints themselves. It grants
/// nothing until both people have signed and it has started; both are told at once.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = CreateAgreement,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice")),
    responses(
        (status = 201, body = AgreementView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You can see this person but are not their line manager, a manager above them or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such supervisee, or one you cannot see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or less frequent than the policy", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements")]
async fn create_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateAgreement>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let supervisor_id = body
        .supervisor_id
        .clone()
        .unwrap_or_else(|| caller.person_id.clone());
    let mut invalid = Invalid::default();
    let usual_time = invalid.check(parse_usual_time("usual_time", &body.usual_time));
    let place = invalid.check(bounded_text("place", &body.place, 1, 500));
    let agenda = invalid.check(bounded_text("agenda", &body.agenda, 1, 4000));
    invalid.check(body.frequency.check("frequency"));
    if body.supervisee_id == supervisor_id {
        invalid.push("supervisor_id", "a person cannot supervise themselves");
    }
    let (Some(usual_time), Some(place), Some(agenda)) = (usual_time, place, agenda) else {
        return Err(invalid.into());
    };
    invalid.into_result(|| ())?;
    let actor = caller.for_audit();
    let created = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let supervisee = match people::find(conn, &body.supervisee_id) {
                    Ok(p) if may_see(conn, &caller, &p.id)? => p,
                    Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::NotFound),
                    Err(other) => return Err(other),
                };
                if !may_propose_agreement(conn, &caller, &supervisee.id)? {
                    return Ok(Err(ApiError::Forbidden(
                        "only the person's line manager, a manager above them or an administrator proposes an agreement",
                    )));
                }
                match people::find(conn, &supervisor_id) {
                    Ok(s) if s.active => {}
                    Ok(_) => return Ok(Err(Invalid::field("supervisor_id", "the supervisor is inactive").into())),
                    Err(StoreError::NotFound) => return Ok(Err(Invalid::field("supervisor_id", "no such person").into())),
                    Err(other) => return Err(other),
                }
                let calendars = state.calendars.load(conn)?;
                let profile = calendars.settings.profile();
                let requirement = profile.requirement(supervisee.staff_category, &person_dates(&supervisee), body.starts_on.date());
                if !body.frequency.is_at_least_as_frequent_as(requirement.interval) {
                    return Ok(Err(Invalid::field(
                        "frequency",
                        format!("is less frequent than the policy requires for this person ({})", describe(requirement.interval)),
                    )
                    .into()));
                }
                if let Err(invalid) = check_slot(body.usual_weekday.into(), body.session_minutes, requirement.min_duration_minutes) {
                    return Ok(Err(invalid.into()));
                }
                let agreement = agreements::insert(
                    conn,
                    NewAgreement {
                        supervisee_id: supervisee.id,
                        supervisor_id,
                        kind: body.kind,
                        frequency: body.frequency,
                        session_minutes: body.session_minutes,
                        usual_weekday: body.usual_weekday.into(),
                        usual_time,
                        place,
                        agenda,
                        starts_on: body.starts_on.date(),
                        created_by: caller.person_id.clone(),
                    },
                )?;
                audit::record(
                    conn,
                    &actor,
                    "agreement.created",
                    "agreement",
                    Some(&agreement.id),
                    json!({"supervisee_id": agreement.supervisee_id, "supervisor_id": agreement.supervisor_id, "kind": agreement.kind.as_str()}),
                )?;
                Ok(Ok(agreement))
            }
        })
        .await??;
    let mut builder = HttpResponse::Created();
    builder.insert_header(("Location", format!("/api/v1/agreements/{}", created.id)));
    Ok(agreement_response(builder, created))
}

/// Who may propose an agreement for `supervisee_id` (AGR-3): authority to supervise comes
/// from the organisation, so an administrator, or a manager above the person today (their
/// line manager included). Supervisors named in agreements do not name others.
fn may_propose_agreement(
    conn: &mut DbConnection,
    caller: &Caller,
    supervisee_id: &str,
) -> StoreResult<bool> {
    Ok(caller.is_admin
        || (caller.person_id != supervisee_id
            && links::is_above(conn, &caller.person_id, supervisee_id, organisation_today())?))
}

/// A short text for an interval, for messages.
pub fn describe(interval: Interval) -> String {
    match interval {
        Interval::MaxWorkingDays(n) => format!("at most {n} working days apart"),
        Interval::MaxCalendarDays(n) => format!("at most {n} days apart"),
        Interval::EveryMonths(1) => "at least monthly".to_string(),
        Interval::EveryMonths(n) => format!("at least every {n} months"),
    }
}

/// One agreement.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Agreement id")),
    responses(
        (status = 200, body = AgreementView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/agreements/{id}")]
async fn get_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let agreement = state
        .db
        .read(move |conn| find_visible(conn, &caller, &id))
        .await?;
    Ok(agreement_response(HttpResponse::Ok(), agreement))
}

/// A person's agreements, as supervisee or as supervisor, newest first.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Person id")),
    responses(
        (status = 200, body = Vec<AgreementView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person, or not one you may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}/agreements")]
async fn list_for_person(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<AgreementView>>> {
    let id = id.into_inner();
    let list = state
        .db
        .read(move |conn| {
            if !may_see(conn, &caller, &id)? {
                return Err(StoreError::NotFound);
            }
            people::find(conn, &id)?;
            agreements::for_person(conn, &id)
        })
        .await?;
    Ok(web::Json(
        list.into_iter().map(AgreementView::from).collect(),
    ))
}

/// Sign an agreement as its supervisor or supervisee (AGR-1). Once both have signed it is
/// active; a new line-management agreement then ends the previous one (a change of
/// supervisor needs a new agreement).
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party to the agreement", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already signed by you, or ended", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/sign")]
async fn sign_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let actor = caller.for_audit();
    let signed = state
        .db
        .write(move |conn| {
            let agreement = find_visible(conn, &caller, &id)?;
            let Some(party) = agreement.party(&caller.person_id) else {
                return Ok(Err(ApiError::Forbidden(
                    "only the supervisor and the supervisee sign",
                )));
            };
            let today = organisation_today();
            let already = match party {
                Party::Supervisor => agreement.supervisor_signed_at.is_some(),
                Party::Supervisee => agreement.supervisee_signed_at.is_some(),
            };
            if already || agreement.status(today) == AgreementStatus::Ended {
                return Ok(Err(ApiError::Conflict(
                    "you have already signed this agreement, or it has ended".into(),
                )));
            }
            let signed = agreements::sign(conn, &id, party, version.expect(agreement.version))?;
            audit::record(
                conn,
                &actor,
                "agreement.signed",
                "agreement",
                Some(&id),
                json!({"party": format!("{party:?}").to_lowercase()}),
            )?;
            if signed.status(today) == AgreementStatus::Active
                && signed.kind == AgreementKind::LineManagement
            {
                for other in agreements::for_person(conn, &signed.supervisee_id)? {
                    let replaced = other.id != signed.id
                        && other.supervisee_id == signed.supervisee_id
                        && other.kind == AgreementKind::LineManagement
                        && other.ends_on.is_none_or(|end| end > signed.starts_on);
                    if replaced {
                        agreements::end(
                            conn,
                            &other.id,
                            signed.starts_on.max(other.starts_on),
                            &format!("replaced by agreement {}", signed.id),
                            None,
                        )?;
                        audit::record(
                            conn,
                            &actor,
                            "agreement.ended",
                            "agreement",
                            Some(&other.id),
                            json!({"replaced_by": signed.id}),
                        )?;
                    }
                }
            }
            Ok(Ok(signed))
        })
        .await;
    Ok(agreement_response(HttpResponse::Ok(), settle(signed)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2027-03-31", "reason": "Placement ends"}))]
pub struct EndAgreement {
    /// The first day the agreement no longer applies.
    pub ends_on: Day,
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// End an agreement (either party, or an administrator). Sets its end date and why: from
/// `ends_on`, which must not be before it starts, the agreement no longer applies and nothing
/// more is planned under it. Needs `If-Match`.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = EndAgreement,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("If-Match" = String, Header, description = "ETag from the last read"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a party or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/end")]
async fn end_agreement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    version: IfMatch,
    body: Json<EndAgreement>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let reason = bounded_text("reason", &body.0.reason, 1, 1000)?;
    let ends_on = body.0.ends_on.date();
    let actor = caller.for_audit();
    let ended = state
        .db
        .write(move |conn| {
            let agreement = find_visible(conn, &caller, &id)?;
            if agreement.party(&caller.person_id).is_none() && !caller.is_admin {
                return Ok(Err(ApiError::Forbidden(
                    "only the parties or an administrator end an agreement",
                )));
            }
            if ends_on < agreement.starts_on {
                return Ok(Err(Invalid::field(
                    "ends_on",
                    "must not be before the agreement starts",
                )
                .into()));
            }
            let ended = agreements::end(
                conn,
                &id,
                ends_on,
                &reason,
                Some(version.expect(agreement.version)),
            )?;
            audit::record(
                conn,
                &actor,
                "agreement.ended",
                "agreement",
                Some(&id),
                json!({"ends_on": ends_on}),
            )?;
            Ok(Ok(ended))
        })
        .await;
    Ok(agreement_response(HttpResponse::Ok(), settle(ended)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-12-01", "months": 12}))]
pub struct PlanBody {
    /// First day of the plan (default: tomorrow, or the agreement's start if later).
    pub from: Option<Day>,
    /// How many months ahead, 1 to 12 (default 12).
    #[schema(minimum = 1, maximum = 12)]
    pub months: Option<u32>,
    /// For a student: the other supervisor's agreement, whose sessions alternate with this
    /// one's (FREQ-2).
    pub alternate_with: Option<String>,
}

/// One session of a plan.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2026-12-03", "starts_at": "2026-12-03T10:00:00Z", "duration_minutes": 90, "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"}))]
pub struct PlannedSession {
    /// Local date in the supervisee's time zone.
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub agreement_id: String,
    pub supervisor_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    "from": "2026-12-01", "until": "2027-11-30",
    "policy": {"max_working_days": 25},
    "sessions": [{"date": "2026-12-03", "starts_at": "2026-12-03T10:00:00Z", "duration_minutes": 90, "agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "supervisor_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f40"}]
}))]
pub struct PlanView {
    pub agreement_id: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The policy's interval for the supervisee at the start of the plan.
    pub policy: Interval,
    pub sessions: Vec<PlannedSession>,
}

/// A computed plan with the agreements it books under.
struct Plan {
    agreement: Agreement,
    partner: Option<Agreement>,
    view: PlanView,
}

/// Computes the plan for an agreement (SES-2): the person's policy, the agreement's cadence,
/// weekday and time, counting sessions already held or booked.
fn compute_plan(
    conn: &mut DbConnection,
    state: &AppState,
    caller: &Caller,
    agreement_id: &str,
    body: &PlanBody,
) -> StoreResult<Result<Plan, ApiError>> {
    let agreement = find_visible(conn, caller, agreement_id)?;
    if caller.person_id != agreement.supervisor_id && !caller.is_admin {
        return Ok(Err(ApiError::Forbidden(
            "the supervisor plans the sessions",
        )));
    }
    let partner = match &body.alternate_with {
        Some(other) => match agreements::find(conn, other) {
            Ok(a) if a.supervisee_id == agreement.supervisee_id && a.id != agreement.id => Some(a),
            Ok(_) | Err(StoreError::NotFound) => {
                return Ok(Err(Invalid::field(
                    "alternate_with",
                    "must be another agreement of the same supervisee",
                )
                .into()))
            }
            Err(other) => return Err(other),
        },
        None => None,
    };
    let today = organisation_today();
    for a in std::iter::once(&agreement).chain(partner.iter()) {
        if a.status(today) != AgreementStatus::Active {
            return Ok(Err(ApiError::Conflict(format!(
                "agreement {} must be signed by both people (and not ended) before sessions are planned",
                a.id
            ))));
        }
    }
    let supervisee = people::find(conn, &agreement.supervisee_id)?;
    let tz = zone(&supervisee);
    let now_utc = now();
    let (from, mut until) = match plan_window(
        body.from.map(Day::date),
        body.months,
        utc_to_local_date(now_utc, tz),
        agreement.starts_on,
    ) {
        Ok(window) => window,
        Err(invalid) => return Ok(Err(invalid.into())),
    };
    // The requirement's own end (a student's placement) is the domain's: see plan_request.
    let ends = [agreement.ends_on, partner.as_ref().and_then(|p| p.ends_on)];
    for end in ends.into_iter().flatten() {
        until = until.min(end.pred_opt().unwrap_or(end));
    }
    let calendars = state.calendars.load(conn)?;
    let profile = calendars.settings.profile();
    let all = agreements::for_supervisees(conn, std::slice::from_ref(&supervisee.id))?;
    let facts = status::facts(conn, &calendars, &supervisee, &all, now_utc)?;
    let agreement_ids: Vec<String> = std::iter::once(agreement.id.clone())
        .chain(partner.iter().map(|p| p.id.clone()))
        .collect();
    let local = |at: &chrono::NaiveDateTime| utc_to_local_date(*at, tz);
    let held_or_booked = sessions::starts(
        conn,
        sessions::Owner::Agreements(&agreement_ids),
        &SessionStatus::HELD_OR_BOOKED,
    )?;
    let agreed = Agreed {
        starts_on: agreement.starts_on,
        frequency: agreement.frequency,
        usual_weekday: agreement.usual_weekday,
    };
    let request = facts.plan_request(
        &profile,
        &agreed,
        held_or_booked.iter().map(local),
        from,
        until,
    );
    let until = request.until;
    let dates = match scheduling::plan(
        calendars.organisation(),
        |on| facts.interval_on(&profile, on),
        &request,
    ) {
        Ok(dates) => dates,
        Err(err) => {
            return Ok(Err(Invalid::field(
                "from",
                format!("no plan is possible: {err}"),
            )
            .into()))
        }
    };
    // A student's two supervisors take turns (FREQ-2).
    let turns = match &partner {
        Some(other) => scheduling::alternate(&dates, [&agreement.id, &other.id]),
        None => dates.iter().map(|d| (*d, agreement.id.clone())).collect(),
    };
    let sessions = turns
        .into_iter()
        .map(|(date, agreement_id)| {
            let with = partner
                .as_ref()
                .filter(|other| other.id == agreement_id)
                .unwrap_or(&agreement);
            PlannedSession {
                date,
                // Alternating supervisors keep this agreement's weekday but their own time.
                starts_at: utc(local_to_utc(date, with.usual_time, tz)),
                duration_minutes: with.session_minutes,
                agreement_id,
                supervisor_id: with.supervisor_id.clone(),
            }
        })
        .collect();
    let view = PlanView {
        agreement_id: agreement.id.clone(),
        from,
        until,
        policy: facts.interval_on(&profile, from),
        sessions,
    };
    Ok(Ok(Plan {
        agreement,
        partner,
        view,
    }))
}

/// Preview the next months of sessions for an agreement (SES-2): on working days, at the
/// usual weekday and time, never later than the policy allows. Nothing is saved.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = PlanBody,
    params(("id" = String, Path, description = "Agreement id")),
    responses(
        (status = 200, body = PlanView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/plan/preview")]
async fn preview_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PlanBody>,
) -> ApiResult<web::Json<PlanView>> {
    let id = id.into_inner();
    let plan = state
        .db
        .read({
            let state = state.clone();
            move |conn| compute_plan(conn, &state, &caller, &id, &body.0)
        })
        .await??;
    Ok(web::Json(plan.view))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"agreement_id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80", "sessions": []}))]
pub struct SavedPlan {
    pub agreement_id: String,
    pub sessions: Vec<SessionView>,
}

/// Save the plan the preview showed: books each session (SES-2). Only the supervisor, once
/// both parties have signed the agreement and while it has not ended; each session is
/// created as scheduled.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = PlanBody,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of booking twice"),
    ),
    responses(
        (status = 201, body = SavedPlan),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid window", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/plan")]
async fn save_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<PlanBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let actor = caller.for_audit();
    let saved = state
        .db
        .write({
            let state = state.clone();
            move |conn| {
                let Plan {
                    agreement,
                    partner,
                    view: plan,
                } = match compute_plan(conn, &state, &caller, &id, &body.0)? {
                    Ok(plan) => plan,
                    Err(err) => return Ok(Err(err)),
                };
                let mut saved = Vec::with_capacity(plan.sessions.len());
                for planned in &plan.sessions {
                    let with = if planned.agreement_id == agreement.id {
                        &agreement
                    } else {
                        partner.as_ref().unwrap_or(&agreement)
                    };
                    saved.push(sessions::insert(
                        conn,
                        NewSession {
                            agreement_id: Some(with.id.clone()),
                            team_id: None,
                            kind: SessionKind::OneToOne,
                            supervisor_id: with.supervisor_id.clone(),
                            supervisee_id: Some(with.supervisee_id.clone()),
                            starts_at: planned.starts_at.naive_utc(),
                            duration_minutes: with.session_minutes,
                            place: with.place.clone(),
                            replaces_id: None,
                            created_by: caller.person_id.clone(),
                        },
                    )?);
                }
                audit::record(
                    conn,
                    &actor,
                    "plan.saved",
                    "agreement",
                    Some(&agreement.id),
                    json!({"sessions": saved.len(), "from": plan.from, "until": plan.until}),
                )?;
                Ok(Ok(SavedPlan {
                    agreement_id: agreement.id,
                    sessions: saved
                        .into_iter()
                        .map(|s| SessionView::from_session(s, None))
                        .collect(),
                }))
            }
        })
        .await??;
    Ok(HttpResponse::Created().json(saved))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-03T10:00:00Z", "kind": "one_to_one"}))]
pub struct BookSession {
    pub starts_at: DateTime<chrono::FixedOffset>,
    /// Default one_to_one; `pdr` only under the line-management agreement (PDR-1).
    pub kind: Option<SessionKind>,
    /// Default: the agreement's session length.
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
    /// Default: the agreement's usual place.
    #[schema(min_length = 1, max_length = 500)]
    pub place: Option<String>,
}

/// Book one session under an agreement (the supervisor; either party for ad hoc sessions).
/// The agreement must be signed by both and not ended; the session must start in the future
/// and is created as scheduled.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = BookSession,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of booking twice"),
    ),
    responses(
        (status = 201, body = SessionView),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to book under this agreement", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both, or has ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/sessions")]
async fn book(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<BookSession>,
) -> ApiResult<HttpResponse> {
    let booking = Booking {
        starts_at: body.0.starts_at.naive_utc(),
        kind: body.0.kind,
        duration_minutes: body.0.duration_minutes,
        place: body.0.place,
    };
    let session = state
        .db
        .transact(move |conn| app_sessions::book(conn, &caller, now(), &id, booking))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(session.version)))
        .json(SessionView::from_session(session, None)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"held_on": "2026-09-17", "time": "10:00", "kind": "one_to_one"}))]
pub struct HeldSessionBody {
    /// The day it was held: not before the agreement's start, not in the future.
    pub held_on: Day,
    /// HH:MM in the supervisee's time zone (default: the agreement's usual time).
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: Option<String>,
    /// Default one_to_one; `pdr` only under the line-management agreement (PDR-1).
    pub kind: Option<SessionKind>,
    /// Default: the agreement's session length.
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
}

/// Who may record history under an agreement (SES-6): its supervisor, a manager above the
/// supervisor, or an administrator.
fn may_record_history(
    conn: &mut DbConnection,
    caller: &Caller,
    agreement: &Agreement,
) -> StoreResult<bool> {
    Ok(caller.is_admin
        || caller.person_id == agreement.supervisor_id
        || links::is_above(
            conn,
            &caller.person_id,
            &agreement.supervisor_id,
            organisation_today(),
        )?)
}

/// Record a session already held before the service was used (SES-6): marked as recorded
/// after the fact, audited, with no record opened and no reminders; it counts for the
/// status and the reports like any held session. For the supervisor, a manager above the
/// supervisor or an administrator.
#[utoipa::path(
    tag = "agreements",
    security(("bearer" = [])),
    request_body = HeldSessionBody,
    params(
        ("id" = String, Path, description = "Agreement id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of recording twice"),
    ),
    responses(
        (status = 201, description = "Recorded as held", body = SessionView, headers(("ETag" = String, description = "Version, for If-Match"))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You can see the agreement but are not its supervisor, a manager above them or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement, or not one you may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is not signed by both", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: a day before the agreement's start, after its end or in the future, a kind the agreement does not hold, a session already recorded then", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/held-sessions")]
async fn record_held(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: Json<HeldSessionBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.0;
    let time = match &body.time {
        Some(raw) => Some(parse_usual_time("time", raw)?),
        None => None,
    };
    let held = HeldSession {
        held_on: body.held_on.date(),
        time,
        kind: body.kind.unwrap_or(SessionKind::OneToOne),
        duration_minutes: body.duration_minutes,
    };
    let actor = caller.for_audit();
    let recorded = state
        .db
        .write(move |conn| {
            let agreement = agreements::find(conn, &id)?;
            if !may_record_history(conn, &caller, &agreement)? {
                let sees = agreement.party(&caller.person_id).is_some()
                    || may_see(conn, &caller, &agreement.supervisee_id)?;
                return Ok(Err(if sees {
                    ApiError::Forbidden(
                        "the supervisor, a manager above them or an administrator records past sessions",
                    )
                } else {
                    ApiError::NotFound
                }));
            }
            if agreement.supervisor_signed_at.is_none() || agreement.supervisee_signed_at.is_none()
            {
                return Ok(Err(ApiError::Conflict(
                    "the agreement must be signed by both people first".into(),
                )));
            }
            let names = FieldNames {
                held_on: "held_on",
                kind: "kind",
                duration_minutes: "duration_minutes",
            };
            match history::check(conn, &agreement, &held, names, &caller.person_id, now())? {
                Ok(new) => Ok(Ok(history::record(conn, new, &actor)?)),
                Err(invalid) => Ok(Err(invalid.into())),
            }
        })
        .await;
    let session = settle(recorded)?;
    Ok(HttpResponse::Created()
        .insert_header(("ETag", etag(session.version)))
        .json(SessionView::from_session(session, None)))
}

/// The agreement, if the caller may see it.
fn find_visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> StoreResult<Agreement> {
    crate::app::agreements::find_visible(conn, caller, id).map_err(|err| match err {
        crate::app::AppError::Store(store) => store,
        _ => StoreError::NotFound,
    })
}
