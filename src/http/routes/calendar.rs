//! The working-day calendar (CAL-1 to CAL-3): public helpers that count and add working days
//! and list a year's holidays, the organisation's closure days, which administrators add
//! and remove, and imports of the government's bank-holiday feed (CAL-2).
//!
//! The helpers need no sign-in: they say nothing about anyone. They use the region asked for
//! (`england-and-wales` when none is given, whatever the organisation's own region is) and
//! always count the organisation's closure days as non-working days (CAL-1). Every date must
//! lie in 1990–2100, the years the calendar covers exactly, which also bounds every range
//! (API-5).

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::app::calendar;
use crate::domain::calendar::feed::RegionChange;
use crate::domain::calendar::{Holiday, Region};
use crate::domain::dates::Day;
use crate::domain::validation::Invalid;
use crate::http::extract::{page, Caller, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::calendar::HolidayRegion;
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::organisation::ClosureDay;

pub fn configure(config: &mut ServiceConfig) {
    config
        .service(working_days)
        .service(add_working_days)
        .service(holidays)
        .service(list_closure_days)
        .service(create_closure_day)
        .service(delete_closure_day)
        .service(import_holidays);
}

/// A query parameter that must be present: 400 naming it when it is not.
fn required<T>(field: &str, value: Option<T>) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::bad_field(field, "is required"))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"working_days": 4}))]
pub struct WorkingDays {
    /// Working days `d` with `from < d <= to`; negative when `to` is before `from`.
    pub working_days: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkingDaysQuery {
    /// Count from the day after this date (`YYYY-MM-DD`, 1990–2100).
    #[param(required = true, value_type = Day, example = "2026-12-24")]
    pub from: Option<Day>,
    /// Count up to and including this date (`YYYY-MM-DD`, 1990–2100).
    #[param(required = true, value_type = Day, example = "2027-01-04")]
    pub to: Option<Day>,
    /// Whose public holidays apply; default `england-and-wales` (not the organisation's own
    /// region). The organisation's closure days always apply.
    pub region: Option<HolidayRegion>,
}

/// How many working days lie after `from` up to and including `to` (CAL-3): public holidays
/// of the region, weekends and the organisation's closure days do not count. `from` after
/// `to` gives the negative count. No sign-in needed.
#[utoipa::path(
    tag = "calendar",
    params(WorkingDaysQuery),
    responses(
        (status = 200, body = WorkingDays),
        (status = 400, description = "A date or the region is missing or malformed; `errors` names it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date is outside 1990–2100; `errors` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/working-days")]
async fn working_days(
    state: web::Data<AppState>,
    query: Query<WorkingDaysQuery>,
) -> ApiResult<web::Json<WorkingDays>> {
    let query = query.0;
    let from = required("from", query.from)?.date();
    let to = required("to", query.to)?.date();
    let region = Region::from(query.region.unwrap_or_default());
    let calendars = state.calendars.clone();
    let working_days = state
        .db
        .query(move |conn| calendar::working_days(conn, &calendars, from, to, region))
        .await?;
    Ok(web::Json(WorkingDays { working_days }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2026-12-29"}))]
pub struct WorkingDate {
    pub date: NaiveDate,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AddWorkingDaysQuery {
    /// Count from this date (`YYYY-MM-DD`, 1990–2100).
    #[param(required = true, value_type = Day, example = "2026-12-24")]
    pub from: Option<Day>,
    /// Working days to add, -10000 to 10000; negative counts back.
    #[param(required = true, value_type = i32, example = 1, minimum = -10000, maximum = 10000)]
    pub days: Option<i32>,
    /// Whose public holidays apply; default `england-and-wales` (not the organisation's own
    /// region). The organisation's closure days always apply.
    pub region: Option<HolidayRegion>,
}

/// The earliest date with exactly `days` working days after `from` (CAL-3; FREQ-1's due date
/// is `from` plus 25). For `days` other than 0 the answer is a working day: 1 working day
/// after a Friday is the Monday, -1 from a Monday is the Friday; 0 gives `from`. No sign-in
/// needed.
#[utoipa::path(
    tag = "calendar",
    params(AddWorkingDaysQuery),
    responses(
        (status = 200, body = WorkingDate),
        (status = 400, description = "`from`, `days` or the region is missing or malformed; `errors` names it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` outside 1990–2100, `days` beyond ±10000, or an answer outside 1990–2100; `errors` names the field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/add-working-days")]
async fn add_working_days(
    state: web::Data<AppState>,
    query: Query<AddWorkingDaysQuery>,
) -> ApiResult<web::Json<WorkingDate>> {
    let query = query.0;
    let from = required("from", query.from)?.date();
    let days = required("days", query.days)?;
    let region = Region::from(query.region.unwrap_or_default());
    let calendars = state.calendars.clone();
    let date = state
        .db
        .query(move |conn| calendar::add_working_days(conn, &calendars, from, days, region))
        .await?;
    Ok(web::Json(WorkingDate { date }))
}

/// A day with its name: a public holiday or a closure day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"date": "2026-12-28", "title": "Boxing Day (substitute day)"}))]
pub struct NamedDay {
    pub date: NaiveDate,
    pub title: String,
}

impl From<Holiday> for NamedDay {
    fn from(h: Holiday) -> NamedDay {
        NamedDay {
            date: h.date,
            title: h.title,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "region": "england-and-wales",
    "year": 2026,
    "holidays": [
        {"date": "2026-01-01", "title": "New Year’s Day"},
        {"date": "2026-04-03", "title": "Good Friday"},
        {"date": "2026-04-06", "title": "Easter Monday"},
        {"date": "2026-05-04", "title": "Early May bank holiday"},
        {"date": "2026-05-25", "title": "Spring bank holiday"},
        {"date": "2026-08-31", "title": "Summer bank holiday"},
        {"date": "2026-12-25", "title": "Christmas Day"},
        {"date": "2026-12-28", "title": "Boxing Day (substitute day)"}
    ],
    "closure_days": [{"date": "2026-12-24", "title": "Christmas Eve closure"}],
    "data_until": "2027-12-31"
}))]
pub struct HolidayList {
    pub region: HolidayRegion,
    pub year: i32,
    /// The region's public holidays as observed (substitute days included), in date order.
    pub holidays: Vec<NamedDay>,
    /// The organisation's closure days in the year, in date order; they apply in every region.
    pub closure_days: Vec<NamedDay>,
    /// The last day up to which the region's holidays come from the government's published
    /// list (shipped with the service or imported); later years come from the standing rules
    /// alone and miss any day added by proclamation.
    pub data_until: NaiveDate,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidaysQuery {
    /// 1990 to 2100.
    #[param(required = true, value_type = i32, example = 2026)]
    pub year: Option<i32>,
    /// Whose public holidays to list; default `england-and-wales`.
    pub region: Option<HolidayRegion>,
}

/// A year's public holidays in a region, with their names (CAL-2), and the organisation's
/// closure days that year, listed separately. No sign-in needed.
#[utoipa::path(
    tag = "calendar",
    params(HolidaysQuery),
    responses(
        (status = 200, body = HolidayList),
        (status = 400, description = "The year or region is missing or malformed; `errors` names it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The year is outside 1990–2100", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/holidays")]
async fn holidays(
    state: web::Data<AppState>,
    query: Query<HolidaysQuery>,
) -> ApiResult<web::Json<HolidayList>> {
    let query = query.0;
    let year = required("year", query.year)?;
    let region = query.region.unwrap_or_default();
    let calendars = state.calendars.clone();
    let found = state
        .db
        .query(move |conn| calendar::holidays(conn, &calendars, year, region.into()))
        .await?;
    Ok(web::Json(HolidayList {
        region,
        year,
        holidays: found.holidays.into_iter().map(NamedDay::from).collect(),
        closure_days: found
            .closure_days
            .into_iter()
            .map(|c| NamedDay {
                date: c.day,
                title: c.title,
            })
            .collect(),
        data_until: found.data_until,
    }))
}

/// A day the whole organisation is closed (CAL-1, CAL-2): not a working day in any region.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "date": "2026-12-24",
    "title": "Christmas Eve closure",
    "created_at": "2026-11-25T09:30:00Z",
    "created_by": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f10"
}))]
pub struct ClosureDayView {
    pub date: NaiveDate,
    pub title: String,
    pub created_at: DateTime<Utc>,
    /// The administrator who added it; null if they have since been removed.
    pub created_by: Option<String>,
}

impl From<ClosureDay> for ClosureDayView {
    fn from(c: ClosureDay) -> ClosureDayView {
        ClosureDayView {
            date: c.day,
            title: c.title,
            created_at: utc(c.created_at),
            created_by: c.created_by,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClosureDaysQuery {
    /// Only the closure days of this year (1990 to 2100).
    pub year: Option<i32>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// The organisation's closure days, in date order.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(ClosureDaysQuery),
    responses(
        (status = 200, body = Paged<ClosureDayView>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Year or paging out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar/closure-days")]
async fn list_closure_days(
    state: web::Data<AppState>,
    _caller: Caller,
    query: Query<ClosureDaysQuery>,
) -> ApiResult<web::Json<Paged<ClosureDayView>>> {
    let query = query.0;
    let mut invalid = Invalid::default();
    let page = invalid.check(page(query.limit, query.offset));
    if let Some(year) = query.year {
        invalid.check(calendar::check_year("year", year));
    }
    let page = match page {
        Some(page) if invalid.0.is_empty() => page,
        _ => return Err(invalid.into()),
    };
    let (days, total) = state
        .db
        .query(move |conn| calendar::closure_days(conn, query.year, page))
        .await?;
    let items = days.into_iter().map(ClosureDayView::from).collect();
    Ok(web::Json(Paged::new(items, total, page)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-24", "title": "Christmas Eve closure"}))]
pub struct CreateClosureDay {
    /// 1990 to 2100; one closure day per date.
    pub date: Day,
    /// 1 to 120 characters.
    #[schema(format = "one-line", min_length = 1, max_length = 120)]
    pub title: String,
}

/// Close the organisation on a day (administrators). From now on it is not a working day in
/// any region: every count, due date and plan sees it at once.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    request_body = CreateClosureDay,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice")),
    responses(
        (status = 201, body = ClosureDayView, headers(("Location" = String, description = "The closure day's URL"))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That day is already a closure day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Date outside 1990–2100 or invalid title", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/calendar/closure-days")]
async fn create_closure_day(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateClosureDay>,
) -> ApiResult<HttpResponse> {
    let CreateClosureDay { date, title } = body.0;
    let created = state
        .calendars
        .transact(&state.db, move |conn| {
            calendar::add_closure_day(conn, &caller, date.date(), &title)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/calendar/closure-days/{}", created.day),
        ))
        .json(ClosureDayView::from(created)))
}

/// Reopen a closure day (administrators): it is a working day again, if a weekday and not a
/// public holiday.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(("date" = Day, Path, description = "The closure day, `YYYY-MM-DD`")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Malformed date", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date outside 1900–2100", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No closure day on that date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/calendar/closure-days/{date}")]
async fn delete_closure_day(
    state: web::Data<AppState>,
    caller: Caller,
    date: web::Path<String>,
) -> ApiResult<HttpResponse> {
    // Refused before the date is read, as ever: a non-administrator learns nothing from it.
    caller.require_admin()?;
    // Read as a body or query date is, so it is refused the same way.
    let day = Day::deserialize(date.as_str().into_deserializer())
        .map_err(|err: serde::de::value::Error| {
            ApiError::unreadable_field("date", &err.to_string())
        })?
        .date();
    state
        .calendars
        .transact(&state.db, move |conn| {
            calendar::remove_closure_day(conn, &caller, day)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HolidayImportQuery {
    /// `true` (the default) only shows what would change; `false` applies the import.
    pub dry_run: Option<bool>,
}

/// What an import changes in one region, compared with the holidays the service uses now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "region": "scotland",
    "added": [{"date": "2026-06-15", "title": "World Cup bank holiday"}],
    "removed": [],
    "data_until": "2028-12-31"
}))]
pub struct RegionImport {
    pub region: HolidayRegion,
    /// Days that become holidays; a renamed holiday is listed here with its new name.
    pub added: Vec<NamedDay>,
    /// Days that stop being holidays; a renamed holiday is listed here with its old name.
    pub removed: Vec<NamedDay>,
    /// How far the region's published data reaches once the import is applied.
    pub data_until: NaiveDate,
}

impl From<RegionChange> for RegionImport {
    fn from(change: RegionChange) -> RegionImport {
        RegionImport {
            region: change.region.into(),
            added: change.added.into_iter().map(NamedDay::from).collect(),
            removed: change.removed.into_iter().map(NamedDay::from).collect(),
            data_until: change.data_until,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "dry_run": true,
    "regions": [
        {"region": "england-and-wales", "added": [], "removed": [], "data_until": "2028-12-31"},
        {"region": "scotland", "added": [{"date": "2026-06-15", "title": "World Cup bank holiday"}], "removed": [], "data_until": "2028-12-31"},
        {"region": "northern-ireland", "added": [], "removed": [], "data_until": "2028-12-31"}
    ]
}))]
pub struct HolidayImport {
    /// Whether this was only a preview: if so, nothing was changed.
    pub dry_run: bool,
    /// Every region, in the feed's order.
    pub regions: Vec<RegionImport>,
}

/// Import the government's bank-holiday feed as published (administrators; CAL-2): the body
/// is <https://www.gov.uk/bank-holidays.json> unchanged. For every year it covers, its list
/// replaces the standing rules and the shipped data, and it replaces any earlier import. With
/// `dry_run=true` (the default) it only shows what would change; with `dry_run=false` it
/// applies the import in one transaction, audits it, and every instance rebuilds its calendars
/// on its next use, so due dates and working-day answers follow at once.
#[utoipa::path(
    tag = "calendar",
    security(("bearer" = [])),
    params(HolidayImportQuery),
    request_body(content = Object, description = "The GOV.UK bank-holiday feed: `england-and-wales`, `scotland` and `northern-ireland`, each `{division, events: [{title, date, notes, bunting}]}`"),
    responses(
        (status = 200, body = HolidayImport),
        (status = 400, description = "Not JSON, or a malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the feed as published; `errors` names each bad entry, e.g. `scotland.events[3].date`, and nothing is changed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/calendar/holiday-imports")]
async fn import_holidays(
    state: web::Data<AppState>,
    caller: Caller,
    query: Query<HolidayImportQuery>,
    body: Json<serde_json::Value>,
) -> ApiResult<web::Json<HolidayImport>> {
    let dry_run = query.0.dry_run.unwrap_or(true);
    let work = move |conn: &mut _| calendar::import_holidays(conn, &caller, &body.0, dry_run);
    // A preview changes nothing, so it needs no write transaction.
    let changes = if dry_run {
        state.db.query(work).await?
    } else {
        state.calendars.transact(&state.db, work).await?
    };
    Ok(web::Json(HolidayImport {
        dry_run,
        regions: changes.into_iter().map(RegionImport::from).collect(),
    }))
}
