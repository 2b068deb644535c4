//! The performance and development review (PDR-1): each person's yearly cycle with its three
//! milestones and their `pdr` sessions and records, and the SMART goals agreed for it.
//!
//! The person, anyone above them in line management, administrators and auditors see a
//! cycle; anyone else gets not found (ACC-5). Goals are recorded and edited by the line
//! manager (anyone above the person today) or an administrator; the person and they keep each
//! goal's status and progress up to date.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use serde_json::json;

use super::asye::{review, Review};
use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::pdr::{
    check_goal, check_progress, cycle_complete, goals_summary, match_rank, milestone_state,
    CycleMonths, GoalStatus, GoalText, GoalsSummary, MilestoneKind, MilestoneState,
    MAX_GOALS_PER_CYCLE,
};
use crate::domain::people::organisation_today;
use crate::domain::periods::Period;
use crate::domain::scheduling::{today_in, utc_to_local_date};
use crate::domain::validation::Invalid;
use crate::store::line_management as links;
use crate::store::pdr::{self, Change, Goal};
use crate::store::people::{self, Person};
use crate::store::status::zone;
use crate::store::{audit, organisation, DbConnection, StoreResult};

/// One milestone of a cycle with the `pdr` session held (or booked) in its month.
pub struct Milestone {
    pub kind: MilestoneKind,
    pub month: Period,
    pub state: MilestoneState,
    pub session: Option<Review>,
}

/// A person's PDR cycle.
pub struct Pdr {
    pub person_id: String,
    pub cycle: Period,
    pub months: CycleMonths,
    pub milestones: Vec<Milestone>,
    pub goals: Vec<Goal>,
    pub goals_summary: GoalsSummary,
    pub complete: bool,
}

/// Whether the actor records and edits the person's goals: an administrator, or anyone above
/// them in line management today.
fn manages(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> StoreResult<bool> {
    Ok(actor.is_admin || links::is_above(conn, &actor.person_id, person_id, organisation_today())?)
}

/// A goal of someone the actor may see; anyone else's is not found.
pub fn get_goal(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Goal> {
    let goal = pdr::find(conn, id)?;
    visibility::require_sight(conn, actor, &goal.person_id)?;
    Ok(goal)
}

/// A cycle date must be a date between 2000 and 2100.
fn check_cycle(on: Option<NaiveDate>) -> Result<Option<NaiveDate>, Invalid> {
    match on {
        Some(date) if !(2000..=2100).contains(&date.year()) => Err(Invalid::field(
            "cycle",
            "must be a date between 2000 and 2100",
        )),
        other => Ok(other),
    }
}

/// The person's cycle containing `on` (their today when `None`), with the sessions held or
/// booked in each milestone's month in their time zone, and their goals.
fn cycle_of(
    conn: &mut DbConnection,
    person: &Person,
    now: DateTime<Utc>,
    on: Option<NaiveDate>,
) -> StoreResult<Pdr> {
    let settings = organisation::settings(conn)?;
    let months = settings.pdr_months;
    let zone = zone(person);
    let today = today_in(zone, now);
    let cycle = months.cycle(on.unwrap_or(today));
    // A day either side in UTC covers any zone; the local date decides the month.
    let from = (cycle.starts_on - Days::new(1)).and_time(NaiveTime::MIN);
    let to = (cycle.end_exclusive() + Days::new(1)).and_time(NaiveTime::MIN);
    let mut sessions = pdr::reviews(conn, &person.id, from, to)?;
    let mut milestones = Vec::with_capacity(3);
    for milestone in months.milestones(cycle) {
        let best = sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                milestone
                    .month
                    .contains(utc_to_local_date(s.starts_at, zone))
            })
            .filter_map(|(i, s)| match_rank(s.status).map(|rank| (rank, s.starts_at, i)))
            .min()
            .map(|(_, _, i)| i);
        let session = match best {
            Some(i) => Some(review(conn, sessions.remove(i))?),
            None => None,
        };
        let state = milestone_state(
            milestone.month,
            today,
            person.employment_start,
            session
                .as_ref()
                .map(|r| (r.session.status, r.record_status)),
        );
        milestones.push(Milestone {
            kind: milestone.kind,
            month: milestone.month,
            state,
            session,
        });
    }
    let goals = pdr::of_person(conn, &person.id, cycle)?;
    let statuses: Vec<GoalStatus> = goals.iter().map(|g| g.status).collect();
    let summary = goals_summary(
        settings.pdr_goals_per_year,
        cycle,
        person.employment_start,
        &statuses,
    );
    let states: Vec<MilestoneState> = milestones.iter().map(|m| m.state).collect();
    Ok(Pdr {
        person_id: person.id.clone(),
        cycle,
        months,
        complete: cycle_complete(&states, &summary),
        milestones,
        goals,
        goals_summary: summary,
    })
}

/// A person's PDR cycle containing `on` (default: their today), if the actor may see them.
pub fn of_person(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    person_id: &str,
    on: Option<NaiveDate>,
) -> AppResult<Pdr> {
    let on = check_cycle(on)?;
    let person = visibility::person(conn, actor, person_id)?;
    Ok(cycle_of(conn, &person, now, on)?)
}

/// The actor's own PDR cycle containing `on` (default: their today).
pub fn mine(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    on: Option<NaiveDate>,
) -> AppResult<Pdr> {
    let on = check_cycle(on)?;
    let person = people::find(conn, &actor.person_id)?;
    Ok(cycle_of(conn, &person, now, on)?)
}

/// A goal as written, for recording or editing.
pub struct GoalRequest {
    pub title: String,
    pub specific: String,
    pub measurable: String,
    pub achievable: String,
    pub relevant: String,
    pub behaviours: String,
    pub due_on: NaiveDate,
    pub status: Option<GoalStatus>,
    pub progress: Option<String>,
}

impl GoalRequest {
    fn text(&self) -> GoalText<'_> {
        GoalText {
            title: &self.title,
            specific: &self.specific,
            measurable: &self.measurable,
            achievable: &self.achievable,
            relevant: &self.relevant,
            behaviours: &self.behaviours,
        }
    }
}

/// Records a goal agreed for a person's cycle (their line manager, anyone above them, or an
/// administrator). It belongs to the cycle its due date falls in: this one or the next.
pub fn add_goal(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    person_id: &str,
    request: GoalRequest,
) -> AppResult<Goal> {
    let progress = check_progress(request.progress.as_deref().unwrap_or_default())?;
    let person = visibility::person(conn, actor, person_id)?;
    if !manages(conn, actor, &person.id)? {
        return Err(AppError::refuse(
            Code::LineManagerOnly,
            "goals are recorded by the person's line manager or an administrator",
        ));
    }
    let months = organisation::settings(conn)?.pdr_months;
    let this = months.cycle(today_in(zone(&person), now));
    let next = months.cycle(this.end_exclusive());
    let window = Period {
        starts_on: this.starts_on,
        ends_on: next.ends_on,
    };
    let goal = check_goal(request.text(), request.due_on, window)?;
    if !pdr::has_room(conn, &person.id, months.cycle(goal.due_on))? {
        return Err(AppError::refuse(
            Code::CycleFull,
            format!("a cycle holds at most {MAX_GOALS_PER_CYCLE} goals"),
        ));
    }
    let status = request.status.unwrap_or(GoalStatus::NotStarted);
    let goal = pdr::insert(conn, &person.id, &goal, status, &progress, &actor.person_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "pdr_goal.created",
        "pdr_goal",
        Some(&goal.id),
        json!({"person_id": person.id, "due_on": goal.due_on, "status": status}),
    )?;
    Ok(goal)
}

/// Changes a goal (the person's line manager, anyone above them, or an administrator): its
/// text, due date within its cycle, and optionally status and progress.
pub fn edit_goal(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    request: GoalRequest,
) -> AppResult<Goal> {
    let progress = request
        .progress
        .as_deref()
        .map(check_progress)
        .transpose()?;
    let current = get_goal(conn, actor, id)?;
    if !manages(conn, actor, &current.person_id)? {
        return Err(AppError::refuse(
            Code::LineManagerOnly,
            "goals are changed by the person's line manager or an administrator",
        ));
    }
    let cycle = organisation::settings(conn)?
        .pdr_months
        .cycle(current.due_on);
    let goal = check_goal(request.text(), request.due_on, cycle)?;
    expected.check(current.version)?;
    let status = request.status.unwrap_or(current.status);
    let progress = progress.unwrap_or_else(|| current.progress.clone());
    let change = Change::Goal {
        goal: &goal,
        status,
        progress: &progress,
    };
    let updated = pdr::update(conn, id, expected.expect(current.version), change)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "pdr_goal.edited",
        "pdr_goal",
        Some(id),
        json!({"person_id": updated.person_id, "due_on": updated.due_on, "status": status}),
    )?;
    Ok(updated)
}

/// Sets a goal's status and progress notes (the person, their line manager, anyone above
/// them, or an administrator).
pub fn set_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    status: GoalStatus,
    progress: Option<String>,
) -> AppResult<Goal> {
    let progress = progress.as_deref().map(check_progress).transpose()?;
    let current = get_goal(conn, actor, id)?;
    if !actor.is(&current.person_id) && !manages(conn, actor, &current.person_id)? {
        return Err(AppError::refuse(
            Code::SelfOrLineManagerOnly,
            "the person or their line manager keeps a goal's status",
        ));
    }
    expected.check(current.version)?;
    let change = Change::Status {
        status,
        progress: progress.as_deref(),
    };
    let updated = pdr::update(conn, id, expected.expect(current.version), change)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "pdr_goal.status_set",
        "pdr_goal",
        Some(id),
        json!({"person_id": updated.person_id, "from": current.status, "to": status}),
    )?;
    Ok(updated)
}
