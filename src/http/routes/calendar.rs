//! The working-day calendar (CAL-1 to CAL-3): public helpers that count and add working days
//! and list a year's holidays, the organisation's closure days, which administrators add
//! and remove, and imports of the government's bank-holiday feed (CAL-2).
//!
//! The helpers need no sign-in: they say nothing about anyone. They use the region asked for
//! (`england-and-wales` when none is given, whatever the organisation's own region is) and
//! always count the organisation's closure days as non-working days (CAL-1). Every date must
//! lie in 1990–2100, the years the calendar covers exactly, which also bounds every range
//! (API-5).

use std::sync::Arc;

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::calendar::feed::{self, RegionChange};
use crate::domain::calendar::{Calendar, CalendarError, Holiday, Region};
use crate::domain::dates::Day;
use crate::domain::validation::{bounded_text, Invalid};
use crate::http::extract::{page, Caller, Json, Query};
use crate::http::problem::{ApiError, ApiResult, Problem};
use crate::http::views::{utc, Paged};
use crate::http::AppState;
use crate::store::audit;
use crate::store::organisation::{self, CalendarSet, ClosureDay};

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

/// The part of the UK whose public holidays apply (CAL-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HolidayRegion {
    #[default]
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl From<HolidayRegion> for Region {
    fn from(region: HolidayRegion) -> Region {
        match region {
            HolidayRegion::EnglandAndWales => Region::EnglandAndWales,
            HolidayRegion::Scotland => Region::Scotland,
            HolidayRegion::NorthernIreland => Region::NorthernIreland,
        }
    }
}

impl From<Region> for HolidayRegion {
    fn from(region: Region) -> HolidayRegion {
        match region {
            Region::EnglandAndWales => HolidayRegion::EnglandAndWales,
            Region::Scotland => HolidayRegion::Scotland,
            Region::NorthernIreland => HolidayRegion::NorthernIreland,
        }
    }
}

/// Largest number of working days `add-working-days` adds or subtracts (about 40 years).
pub const MAX_DAYS: i32 = 10_000;

/// A query parameter that must be present: 400 naming it when it is not.
fn required<T>(field: &str, value: Option<T>) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::bad_field(field, "is required"))
}

fn years_covered() -> String {
    format!(
        "must be in the years {} to {} that the calendar covers",
        Calendar::FIRST_YEAR,
        Calendar::LAST_YEAR
    )
}

fn covers_year(year: i32) -> bool {
    (Calendar::FIRST_YEAR..=Calendar::LAST_YEAR).contains(&year)
}

/// Records `field` as invalid when `date` is outside the calendar's years.
fn check_covered(invalid: &mut Invalid, field: &str, date: NaiveDate) {
    if !covers_year(date.year()) {
        invalid.push(field, years_covered());
    }
}

/// The organisation's calendars (one per region, with its closure days), fresh from the
/// database's versions.
pub(crate) async fn calendars(state: &AppState) -> ApiResult<Arc<CalendarSet>> {
    let calendars = state.calendars.clone();
    Ok(state.db.read(move |conn| calendars.load(conn)).await?)
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
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "from", from);
    check_covered(&mut invalid, "to", to);
    invalid.into_result(|| ())?;
    let region = Region::from(query.region.unwrap_or_default());
    let working_days = calendars(&state)
        .await?
        .region(region)
        .working_days_between(from, to)
        .map_err(|err| match err {
            CalendarError::OutOfRange { date } if date == from => {
                Invalid::field("from", years_covered())
            }
            _ => Invalid::field("to", years_covered()),
        })?;
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
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "from", from);
    if !(-MAX_DAYS..=MAX_DAYS).contains(&days) {
        invalid.push(
            "days",
            format!("must be between -{MAX_DAYS} and {MAX_DAYS}"),
        );
    }
    invalid.into_result(|| ())?;
    let region = Region::from(query.region.unwrap_or_default());
    let date = calendars(&state)
        .await?
        .region(region)
        .add_working_days(from, days)
        .map_err(|err| match err {
            CalendarError::OutOfRange { .. } => Invalid::field("from", years_covered()),
            _ => Invalid::field(
                "days",
                format!(
                    "the answer would lie outside the years {} to {} that the calendar covers",
                    Calendar::FIRST_YEAR,
                    Calendar::LAST_YEAR
                ),
            ),
        })?;
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
    if !covers_year(year) {
        return Err(Invalid::field("year", years_covered()).into());
    }
    let region = query.region.unwrap_or_default();
    let calendars = state.calendars.clone();
    let (set, closures) = state
        .db
        .read(move |conn| Ok((calendars.load(conn)?, organisation::closure_days(conn)?)))
        .await?;
    let calendar = set.region(region.into());
    let holidays = calendar
        .holidays(year)
        .map_err(|_| Invalid::field("year", years_covered()))?;
    Ok(web::Json(HolidayList {
        region,
        year,
        holidays: holidays.into_iter().map(NamedDay::from).collect(),
        closure_days: closures
            .into_iter()
            .filter(|c| c.day.year() == year)
            .map(|c| NamedDay {
                date: c.day,
                title: c.title,
            })
            .collect(),
        data_until: calendar.data_until(),
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
    if query.year.is_some_and(|year| !covers_year(year)) {
        invalid.push("year", years_covered());
    }
    let page = match page {
        Some(page) if invalid.0.is_empty() => page,
        _ => return Err(invalid.into()),
    };
    let year = query.year;
    let days: Vec<ClosureDay> = state
        .db
        .read(organisation::closure_days)
        .await?
        .into_iter()
        .filter(|c| year.is_none_or(|year| c.day.year() == year))
        .collect();
    let total = i64::try_from(days.len()).unwrap_or(i64::MAX);
    let items = days
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit).unwrap_or(0))
        .map(ClosureDayView::from)
        .collect();
    Ok(web::Json(Paged::new(items, total, page)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-12-24", "title": "Christmas Eve closure"}))]
pub struct CreateClosureDay {
    /// 1990 to 2100; one closure day per date.
    pub date: Day,
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
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
    caller.require_admin()?;
    let body = body.0;
    let day = body.date.date();
    let mut invalid = Invalid::default();
    check_covered(&mut invalid, "date", day);
    let title = invalid.check(bounded_text("title", &body.title, 1, 120));
    let (Some(title), true) = (title, invalid.0.is_empty()) else {
        return Err(invalid.into());
    };
    let actor = caller.for_audit();
    let created = state
        .db
        .write(move |conn| {
            let created =
                organisation::add_closure_day(conn, day, &title, actor.person_id.as_deref())?;
            audit::record(
                conn,
                &actor,
                "closure_day.created",
                "closure_day",
                Some(&day.to_string()),
                json!({}),
            )?;
            Ok(created)
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
    caller.require_admin()?;
    // Read as a body or query date is, so it is refused the same way.
    let day = Day::deserialize(date.as_str().into_deserializer())
        .map_err(|err: serde::de::value::Error| {
            ApiError::unreadable_field("date", &err.to_string())
        })?
        .date();
    let actor = caller.for_audit();
    state
        .db
        .write(move |conn| {
            organisation::remove_closure_day(conn, day)?;
            audit::record(
                conn,
                &actor,
                "closure_day.deleted",
                "closure_day",
                Some(&day.to_string()),
                json!({}),
            )
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
    caller.require_admin()?;
    let dry_run = query.0.dry_run.unwrap_or(true);
    let published = feed::parse_feed(&body.0)?;
    let actor = caller.for_audit();
    let work = move |conn: &mut crate::store::DbConnection| {
        organisation::import_holidays(conn, &published, &actor, dry_run)
    };
    let changes = if dry_run {
        state.db.read(work).await?
    } else {
        state.db.write(work).await?
    };
    Ok(web::Json(HolidayImport {
        dry_run,
        regions: changes.into_iter().map(RegionImport::from).collect(),
    }))
}
