//! The organisation: its settings (holiday region, policy profile), closure days, per-person
//! frequency overrides, and the working-day calendars built from them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::audit::{self, Actor};
use super::schema::{closure_days, frequency_overrides, imported_holidays, organisation_settings};
use super::{now, DbConnection, StoreError, StoreResult};
use crate::domain::calendar::feed::{self, RegionChange};
use crate::domain::calendar::{Calendar, Holiday, Published, Region};
use crate::domain::pdr::{check_goals_per_year, CycleMonths};
use crate::domain::policy::{self, Interval, Profile};

const SETTINGS_ROW: i32 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub holiday_region: Region,
    pub policy_profile: String,
    pub closures_version: i32,
    /// Moves on with every holiday import (CAL-2).
    pub holidays_version: i32,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// How case references look (REC-3); see `domain::records::CaseReferencePattern`.
    pub case_reference_pattern: String,
    /// Where the PDR cycle's milestones fall (PDR-1).
    pub pdr_months: CycleMonths,
    /// Goals a full PDR cycle asks for (PDR-1).
    pub pdr_goals_per_year: u32,
    /// The optional case supervision module (CASE-1) is turned on.
    pub case_supervision: bool,
}

impl Settings {
    /// The organisation's policy profile; an unknown id (a profile since removed from the
    /// repository) falls back to the default rather than stopping the service.
    pub fn profile(&self) -> Profile {
        policy::shipped_profile(&self.policy_profile)
            .or_else(|| policy::shipped_profile("default"))
            .expect("the default profile ships with the code")
    }
}

fn corrupt(what: String) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(what.into()))
}

/// The PDR settings as stored: goals, mid-year and year-end months, goals per year.
type PdrColumns = (i32, i32, i32, i32);

pub fn settings(conn: &mut DbConnection) -> StoreResult<Settings> {
    let (
        region,
        profile,
        (closures_version, holidays_version),
        updated_at,
        version,
        case_reference_pattern,
        pdr,
        case_supervision,
    ): (
        String,
        String,
        (i32, i32),
        NaiveDateTime,
        i32,
        String,
        PdrColumns,
        bool,
    ) = organisation_settings::table
        .find(SETTINGS_ROW)
        .select((
            organisation_settings::holiday_region,
            organisation_settings::policy_profile,
            (
                organisation_settings::closures_version,
                organisation_settings::holidays_version,
            ),
            organisation_settings::updated_at,
            organisation_settings::version,
            organisation_settings::case_reference_pattern,
            (
                organisation_settings::pdr_goals_month,
                organisation_settings::pdr_midyear_month,
                organisation_settings::pdr_yearend_month,
                organisation_settings::pdr_goals_per_year,
            ),
            organisation_settings::case_supervision,
        ))
        .get_result(conn)?;
    let (goals_month, midyear_month, yearend_month, goals_per_year) = pdr;
    Ok(Settings {
        holiday_region: region
            .parse()
            .map_err(|_| corrupt(format!("holiday region {region}")))?,
        policy_profile: profile,
        closures_version,
        holidays_version,
        updated_at,
        version,
        case_reference_pattern,
        pdr_months: CycleMonths::new(goals_month, midyear_month, yearend_month)
            .map_err(|e| corrupt(format!("PDR months: {e}")))?,
        pdr_goals_per_year: check_goals_per_year(goals_per_year)
            .map_err(|e| corrupt(format!("PDR goals: {e}")))?,
        case_supervision,
    })
}

/// What an administrator changes; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct SettingsChange {
    pub holiday_region: Option<Region>,
    pub policy_profile: Option<String>,
    pub case_reference_pattern: Option<String>,
    pub pdr_months: Option<CycleMonths>,
    pub pdr_goals_per_year: Option<u32>,
    pub case_supervision: Option<bool>,
}

/// Changes the settings if they are still at `expected_version`.
pub fn update_settings(
    conn: &mut DbConnection,
    expected_version: i32,
    change: SettingsChange,
) -> StoreResult<Settings> {
    let current = settings(conn)?;
    if current.version != expected_version {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    let pdr_months = change.pdr_months.unwrap_or(current.pdr_months);
    let goals_per_year = change
        .pdr_goals_per_year
        .unwrap_or(current.pdr_goals_per_year);
    diesel::update(organisation_settings::table.find(SETTINGS_ROW))
        .set((
            organisation_settings::holiday_region.eq(change
                .holiday_region
                .unwrap_or(current.holiday_region)
                .as_str()),
            organisation_settings::policy_profile
                .eq(change.policy_profile.unwrap_or(current.policy_profile)),
            organisation_settings::case_reference_pattern.eq(change
                .case_reference_pattern
                .unwrap_or(current.case_reference_pattern)),
            organisation_settings::updated_at.eq(now()),
            organisation_settings::version.eq(current.version + 1),
            (
                organisation_settings::pdr_goals_month.eq(pdr_months.goals_month as i32),
                organisation_settings::pdr_midyear_month.eq(pdr_months.mid_year_month as i32),
                organisation_settings::pdr_yearend_month.eq(pdr_months.year_end_month as i32),
                organisation_settings::pdr_goals_per_year.eq(goals_per_year as i32),
            ),
            organisation_settings::case_supervision
                .eq(change.case_supervision.unwrap_or(current.case_supervision)),
        ))
        .execute(conn)?;
    settings(conn)
}

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ClosureDay {
    pub day: NaiveDate,
    pub title: String,
    pub created_at: NaiveDateTime,
    pub created_by: Option<String>,
}

pub fn closure_days(conn: &mut DbConnection) -> StoreResult<Vec<ClosureDay>> {
    Ok(closure_days::table
        .select(closure_days::all_columns)
        .order(closure_days::day.asc())
        .load(conn)?)
}

fn bump_closures(conn: &mut DbConnection) -> StoreResult<()> {
    diesel::update(organisation_settings::table.find(SETTINGS_ROW))
        .set(
            organisation_settings::closures_version.eq(organisation_settings::closures_version + 1),
        )
        .execute(conn)?;
    Ok(())
}

pub fn add_closure_day(
    conn: &mut DbConnection,
    day: NaiveDate,
    title: &str,
    by: Option<&str>,
) -> StoreResult<ClosureDay> {
    diesel::insert_into(closure_days::table)
        .values((
            closure_days::day.eq(day),
            closure_days::title.eq(title),
            closure_days::created_at.eq(now()),
            closure_days::created_by.eq(by),
        ))
        .execute(conn)
        .map_err(|e| StoreError::unique_as_conflict(e, "that day is already a closure day"))?;
    bump_closures(conn)?;
    Ok(closure_days::table
        .find(day)
        .select(closure_days::all_columns)
        .get_result(conn)?)
}

pub fn remove_closure_day(conn: &mut DbConnection, day: NaiveDate) -> StoreResult<()> {
    if diesel::delete(closure_days::table.find(day)).execute(conn)? == 0 {
        return Err(StoreError::NotFound);
    }
    bump_closures(conn)
}

/// Interval columns: (kind, value).
pub fn interval_columns(interval: Interval) -> (&'static str, i32) {
    let (kind, value) = match interval {
        Interval::MaxWorkingDays(n) => ("max_working_days", n),
        Interval::MaxCalendarDays(n) => ("max_calendar_days", n),
        Interval::EveryMonths(n) => ("every_months", n),
    };
    (kind, i32::try_from(value).unwrap_or(i32::MAX))
}

pub fn interval_from_columns(kind: &str, value: i32) -> StoreResult<Interval> {
    let value = u32::try_from(value).map_err(|_| corrupt(format!("interval value {value}")))?;
    match kind {
        "max_working_days" => Ok(Interval::MaxWorkingDays(value)),
        "max_calendar_days" => Ok(Interval::MaxCalendarDays(value)),
        "every_months" => Ok(Interval::EveryMonths(value)),
        other => Err(corrupt(format!("interval kind {other}"))),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FrequencyOverride {
    pub person_id: String,
    pub interval: Interval,
    pub reason: String,
    pub set_by: String,
    pub set_at: NaiveDateTime,
}

type OverrideRow = (String, String, i32, String, String, NaiveDateTime);

fn override_from(row: OverrideRow) -> StoreResult<FrequencyOverride> {
    Ok(FrequencyOverride {
        interval: interval_from_columns(&row.1, row.2)?,
        person_id: row.0,
        reason: row.3,
        set_by: row.4,
        set_at: row.5,
    })
}

pub fn frequency_override(
    conn: &mut DbConnection,
    person_id: &str,
) -> StoreResult<Option<FrequencyOverride>> {
    frequency_overrides::table
        .find(person_id)
        .select(frequency_overrides::all_columns)
        .get_result::<OverrideRow>(conn)
        .optional()?
        .map(override_from)
        .transpose()
}

/// Everyone's overrides, by person, for the organisation's report. A listed status reads
/// its people's with the rest of their rows (`status::of_people`).
pub fn all_overrides(conn: &mut DbConnection) -> StoreResult<HashMap<String, Interval>> {
    let rows: Vec<(String, String, i32)> = frequency_overrides::table
        .select((
            frequency_overrides::person_id,
            frequency_overrides::interval_kind,
            frequency_overrides::interval_value,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(person_id, kind, value)| Ok((person_id, interval_from_columns(&kind, value)?)))
        .collect()
}

pub fn set_override(
    conn: &mut DbConnection,
    person_id: &str,
    interval: Interval,
    reason: &str,
    set_by: &str,
) -> StoreResult<FrequencyOverride> {
    diesel::delete(frequency_overrides::table.find(person_id)).execute(conn)?;
    let (kind, value) = interval_columns(interval);
    diesel::insert_into(frequency_overrides::table)
        .values((
            frequency_overrides::person_id.eq(person_id),
            frequency_overrides::interval_kind.eq(kind),
            frequency_overrides::interval_value.eq(value),
            frequency_overrides::reason.eq(reason),
            frequency_overrides::set_by.eq(set_by),
            frequency_overrides::set_at.eq(now()),
        ))
        .execute(conn)?;
    frequency_override(conn, person_id)?.ok_or(StoreError::NotFound)
}

pub fn clear_override(conn: &mut DbConnection, person_id: &str) -> StoreResult<()> {
    if diesel::delete(frequency_overrides::table.find(person_id)).execute(conn)? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The organisation's settings with a calendar per region, built from its closure days.
pub struct CalendarSet {
    pub settings: Settings,
    by_region: Vec<(Region, Calendar)>,
}

impl CalendarSet {
    /// The calendar of the organisation's own holiday region (CAL-1).
    pub fn organisation(&self) -> &Calendar {
        self.region(self.settings.holiday_region)
    }

    pub fn region(&self, region: Region) -> &Calendar {
        self.by_region
            .iter()
            .find(|(r, _)| *r == region)
            .map(|(_, calendar)| calendar)
            .expect("a calendar is built for every region")
    }
}

/// The holidays imported from the government's feed (CAL-2).
pub fn imported_holidays(conn: &mut DbConnection) -> StoreResult<Published> {
    let rows: Vec<(String, NaiveDate, String)> = imported_holidays::table
        .select((
            imported_holidays::region,
            imported_holidays::day,
            imported_holidays::title,
        ))
        .load(conn)?;
    let days = rows
        .into_iter()
        .map(|(region, date, title)| {
            Ok(Holiday {
                region: region
                    .parse()
                    .map_err(|_| corrupt(format!("imported holiday region {region}")))?,
                date,
                title,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Published::new(days))
}

/// Compares the feed `next` with the holidays in use and, unless `dry_run`, puts it in
/// their place: it replaces every earlier import, moves the holidays version on so every
/// instance rebuilds its calendars, and is audited with counts only. Run it in one write
/// transaction.
pub fn import_holidays(
    conn: &mut DbConnection,
    next: &Published,
    actor: &Actor,
    dry_run: bool,
) -> StoreResult<Vec<RegionChange>> {
    let changes = feed::compare(&imported_holidays(conn)?, next);
    if dry_run {
        return Ok(changes);
    }
    diesel::delete(imported_holidays::table).execute(conn)?;
    // One row at a time: the connection serves both backends, which rules out batch inserts.
    for h in next.days() {
        diesel::insert_into(imported_holidays::table)
            .values((
                imported_holidays::region.eq(h.region.as_str()),
                imported_holidays::day.eq(h.date),
                imported_holidays::title.eq(&h.title),
            ))
            .execute(conn)?;
    }
    diesel::update(organisation_settings::table.find(SETTINGS_ROW))
        .set(
            organisation_settings::holidays_version.eq(organisation_settings::holidays_version + 1),
        )
        .execute(conn)?;
    let count = |pick: fn(&RegionChange) -> usize| changes.iter().map(pick).sum::<usize>();
    audit::record(
        conn,
        actor,
        "holidays.imported",
        "holiday_import",
        None,
        serde_json::json!({
            "regions": Region::ALL.map(Region::as_str),
            "days": next.days().count(),
            "added": count(|c| c.added.len()),
            "removed": count(|c| c.removed.len()),
        }),
    )?;
    Ok(changes)
}

/// How long calendars checked against the settings' versions are used without checking
/// again: a change made on another instance sharing the database (or by the command line) is
/// seen within this time; one made through this instance at once ([`Calendars::transact`]).
/// The check was one statement of every status read, a round trip on PostgreSQL (issue 18).
pub const CALENDARS_CHECKED_FOR: Duration = Duration::from_secs(1);

/// Calendars are rebuilt only when the settings, closure days or imported holidays change:
/// their versions are read at most once per [`CALENDARS_CHECKED_FOR`].
#[derive(Default)]
pub struct Calendars {
    cached: RwLock<Option<(Arc<CalendarSet>, Instant)>>,
    /// Moved on by every [`Calendars::forget`], so a load that began before a change never
    /// puts what it read back as fresh.
    forgotten: AtomicU64,
}

impl Calendars {
    pub fn load(&self, conn: &mut DbConnection) -> StoreResult<Arc<CalendarSet>> {
        let started = Instant::now();
        let generation = self.forgotten.load(Ordering::Acquire);
        let cached = self
            .cached
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some((set, checked)) = &cached {
            if started.saturating_duration_since(*checked) < CALENDARS_CHECKED_FOR {
                return Ok(set.clone());
            }
        }
        let settings = settings(conn)?;
        let set = match cached {
            Some((set, _))
                if set.settings.version == settings.version
                    && set.settings.closures_version == settings.closures_version
                    && set.settings.holidays_version == settings.holidays_version =>
            {
                set
            }
            _ => {
                let closures: Vec<NaiveDate> =
                    closure_days(conn)?.into_iter().map(|c| c.day).collect();
                let published = Arc::new(imported_holidays(conn)?);
                Arc::new(CalendarSet {
                    by_region: Region::ALL
                        .iter()
                        .map(|&region| {
                            let calendar =
                                Calendar::with_published(region, published.clone(), &closures);
                            (region, calendar)
                        })
                        .collect(),
                    settings,
                })
            }
        };
        let mut cached = self.cached.write().unwrap_or_else(|e| e.into_inner());
        if self.forgotten.load(Ordering::Acquire) == generation {
            *cached = Some((set.clone(), started));
        }
        Ok(set)
    }

    /// Runs work that writes the settings, closure days or holidays in one transaction, then
    /// drops the calendars (refused or not), so this instance's next read sees the change at
    /// once rather than within [`CALENDARS_CHECKED_FOR`].
    pub async fn transact<T, E, F>(&self, db: &super::Db, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let done = db.transact(work).await;
        self.forget();
        done
    }

    /// Drops the calendars, so this instance's next read builds them afresh.
    fn forget(&self) {
        let mut cached = self.cached.write().unwrap_or_else(|e| e.into_inner());
        self.forgotten.fetch_add(1, Ordering::AcqRel);
        *cached = None;
    }
}
