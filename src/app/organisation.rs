//! The organisation's settings (holiday region, policy profile, PDR cycle, modules), the
//! shipped policy profiles, and one person's more frequent supervision interval (FREQ-3).

use chrono::Utc;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::calendar::Region;
use crate::domain::pdr::{check_goals_per_year, CycleMonths};
use crate::domain::people::organisation_today;
use crate::domain::policy::{self, Interval, PersonDates, Profile};
use crate::domain::records::CaseReferencePattern;
use crate::domain::scheduling::today_in;
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::line_management as links;
use crate::store::organisation::{self, FrequencyOverride, Settings, SettingsChange};
use crate::store::people::Person;
use crate::store::{audit, cases, DbConnection, Page, StoreError, StoreResult};

/// The organisation's settings.
pub fn settings(conn: &mut DbConnection) -> AppResult<Settings> {
    Ok(organisation::settings(conn)?)
}

/// Changes to the settings; a missing value keeps what is set.
pub struct SettingsRequest {
    pub holiday_region: Option<Region>,
    /// The id of a shipped policy profile.
    pub policy_profile: Option<String>,
    pub case_reference_pattern: Option<String>,
    pub pdr_goals_month: Option<i32>,
    pub pdr_midyear_month: Option<i32>,
    pub pdr_yearend_month: Option<i32>,
    pub pdr_goals_per_year: Option<i32>,
    pub case_supervision: Option<bool>,
}

/// The id of the shipped profile asked for, or the field's error naming the known ones.
fn shipped_profile_id(id: &str) -> Result<String, Invalid> {
    match policy::shipped_profile(id.trim()) {
        Some(profile) => Ok(profile.id().to_string()),
        None => {
            let known: Vec<&str> = policy::shipped().iter().map(Profile::id).collect();
            Err(Invalid::field(
                "policy_profile",
                format!(
                    "unknown policy profile; expected one of {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

/// The PDR months after the change, checked together with those it keeps (PDR-1).
fn pdr_months(
    request: &SettingsRequest,
    kept: CycleMonths,
) -> Result<Option<CycleMonths>, Invalid> {
    let (goals, mid_year, year_end) = (
        request.pdr_goals_month,
        request.pdr_midyear_month,
        request.pdr_yearend_month,
    );
    if goals.is_none() && mid_year.is_none() && year_end.is_none() {
        return Ok(None);
    }
    CycleMonths::new(
        goals.unwrap_or(kept.goals_month as i32),
        mid_year.unwrap_or(kept.mid_year_month as i32),
        year_end.unwrap_or(kept.year_end_month as i32),
    )
    .map(Some)
}

/// Changes the settings (administrators). Due dates, statuses and plans follow at once;
/// turning case supervision on or off starts or stops case reminders.
pub fn update_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    expected: Expected,
    request: SettingsRequest,
) -> AppResult<Settings> {
    actor.require_admin()?;
    let policy_profile = request
        .policy_profile
        .as_deref()
        .map(shipped_profile_id)
        .transpose()?;
    if let Some(pattern) = &request.case_reference_pattern {
        if let Err(message) = pattern.parse::<CaseReferencePattern>() {
            return Err(Invalid::field("case_reference_pattern", message).into());
        }
    }
    let pdr_goals_per_year = request
        .pdr_goals_per_year
        .map(check_goals_per_year)
        .transpose()?;
    let before = organisation::settings(conn)?;
    // Months checked against settings the client did not read would mislead: stale first.
    expected.check(before.version)?;
    let change = SettingsChange {
        holiday_region: request.holiday_region,
        policy_profile,
        pdr_months: pdr_months(&request, before.pdr_months)?,
        case_reference_pattern: request.case_reference_pattern,
        pdr_goals_per_year,
        case_supervision: request.case_supervision,
    };
    let after = organisation::update_settings(conn, before.version, change)?;
    if before.case_supervision != after.case_supervision {
        // Case reminders start or stop for everyone who supervises a case.
        cases::touch_supervisors(conn)?;
    }
    audit::record(
        conn,
        &actor.for_audit(),
        "organisation.updated",
        "organisation",
        None,
        json!({
            "before": {"holiday_region": before.holiday_region.as_str(), "policy_profile": before.policy_profile, "case_reference_pattern": before.case_reference_pattern, "pdr_months": before.pdr_months, "pdr_goals_per_year": before.pdr_goals_per_year, "case_supervision": before.case_supervision},
            "after": {"holiday_region": after.holiday_region.as_str(), "policy_profile": after.policy_profile, "case_reference_pattern": after.case_reference_pattern, "pdr_months": after.pdr_months, "pdr_goals_per_year": after.pdr_goals_per_year, "case_supervision": after.case_supervision},
            "version": after.version,
        }),
    )?;
    Ok(after)
}

/// One page of the policy profiles shipped with the product (FREQ-3), and how many there are.
pub fn profiles(page: Page) -> (&'static [Profile], i64) {
    let shipped = policy::shipped();
    let total = i64::try_from(shipped.len()).unwrap_or(i64::MAX);
    let from = usize::try_from(page.offset)
        .unwrap_or(usize::MAX)
        .min(shipped.len());
    let to = from
        .saturating_add(usize::try_from(page.limit).unwrap_or(0))
        .min(shipped.len());
    (&shipped[from..to], total)
}

/// One shipped policy profile.
pub fn profile(id: &str) -> AppResult<Profile> {
    policy::shipped_profile(id).ok_or(AppError::NotFound)
}

/// A person's own interval with what the policy requires of them today.
pub struct OverrideState {
    pub set: FrequencyOverride,
    /// What the organisation's policy profile requires for the person today.
    pub policy_interval: Interval,
}

/// The interval the organisation's profile requires for `person` today, in their time zone.
fn policy_interval(conn: &mut DbConnection, person: &Person) -> StoreResult<Interval> {
    let profile = organisation::settings(conn)?.profile();
    // Stored zones were checked when set (CAL-4); London is the default.
    let zone = person
        .time_zone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::Europe::London);
    let dates = PersonDates {
        employment_start: person.employment_start,
        asye_start: person.asye_start,
        placement_start: person.placement_start,
        placement_end: person.placement_end,
    };
    Ok(profile
        .requirement(person.staff_category, &dates, today_in(zone, Utc::now()))
        .interval)
}

fn describe(interval: Interval) -> String {
    match interval {
        Interval::MaxWorkingDays(n) => format!("at most {n} working days apart"),
        Interval::MaxCalendarDays(n) => format!("at most {n} calendar days apart"),
        Interval::EveryMonths(1) => "every month".to_string(),
        Interval::EveryMonths(n) => format!("every {n} months"),
    }
}

/// The person, if the actor may change their override: administrators and anyone above them
/// in line management today. Someone the actor may not see is not found (ACC-5); someone they
/// may see but not manage (themselves, or anyone for an auditor) is refused.
fn managed_person(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Person> {
    let person = visibility::person(conn, actor, id)?;
    if actor.is_admin || links::is_above(conn, &actor.person_id, id, organisation_today())? {
        Ok(person)
    } else {
        Err(AppError::refuse(
            Code::ManagerAboveOnly,
            "this needs an administrator or a line manager above the person",
        ))
    }
}

/// A person's own supervision interval, if one is set and the actor may see the person.
pub fn frequency_override(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
) -> AppResult<OverrideState> {
    let person = visibility::person(conn, actor, id)?;
    let set = organisation::frequency_override(conn, id)?.ok_or(StoreError::NotFound)?;
    Ok(OverrideState {
        set,
        policy_interval: policy_interval(conn, &person)?,
    })
}

/// Sets a person's own, more frequent, interval (FREQ-3): administrators or a line manager
/// above the person today. One less frequent than the policy requires today is refused.
/// Replaces any earlier one.
pub fn set_override(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    interval: Interval,
    reason: &str,
) -> AppResult<OverrideState> {
    let mut invalid = Invalid::default();
    invalid.check(interval.check("interval"));
    let reason = invalid.check(bounded_text("reason", reason, 1, 500));
    let (Some(reason), true) = (reason, invalid.0.is_empty()) else {
        return Err(invalid.into());
    };
    let person = managed_person(conn, actor, id)?;
    let required = policy_interval(conn, &person)?;
    if !interval.is_at_least_as_frequent_as(required) {
        return Err(Invalid::field(
            "interval",
            format!(
                "would be less frequent than the policy, which requires supervision {} for this person today",
                describe(required)
            ),
        )
        .into());
    }
    let before = organisation::frequency_override(conn, id)?;
    let set = organisation::set_override(conn, id, interval, &reason, &actor.person_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "frequency_override.set",
        "person",
        Some(id),
        json!({
            "interval": set.interval,
            "previous": before.map(|o| o.interval),
            "policy_interval": required,
        }),
    )?;
    Ok(OverrideState {
        set,
        policy_interval: required,
    })
}

/// Removes a person's own interval (administrators or a line manager above the person today):
/// the policy's interval applies again.
pub fn clear_override(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<()> {
    managed_person(conn, actor, id)?;
    let before = organisation::frequency_override(conn, id)?.ok_or(StoreError::NotFound)?;
    organisation::clear_override(conn, id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "frequency_override.cleared",
        "person",
        Some(id),
        json!({ "previous": before.interval }),
    )?;
    Ok(())
}
