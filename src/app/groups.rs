//! Group reflective supervision per team (GRP-1, FREQ-2): a year of sessions at the interval
//! the organisation's profile sets, planned like 1:1s (SES-2); the record of each session; the
//! team's status and each person's attendance.

use chrono::{Months, NaiveDate, NaiveDateTime, Weekday};
use serde_json::json;

use super::reports::{team_figures, TeamFigures};
use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::compliance::{monthly_held, MonthFigure};
use crate::domain::people::organisation_today;
use crate::domain::periods::{self, Period};
use crate::domain::policy::Interval;
use crate::domain::records::{CaseReferencePattern, MAX_SECTION_CHARS};
use crate::domain::scheduling::{self, local_to_utc, plan_window, utc_to_local_date, PlanRequest};
use crate::domain::sessions::{check_slot, parse_usual_time, SessionKind, SessionStatus};
use crate::domain::validation::long_text;
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::groups::{self, GroupRecord};
use crate::store::line_management as links;
use crate::store::organisation::Calendars;
use crate::store::people::Person;
use crate::store::reports;
use crate::store::sessions::{self, NewSession, Session};
use crate::store::status::zone;
use crate::store::teams::{self, Team};
use crate::store::{audit, people, DbConnection, Page, StoreError, StoreResult};

/// At most this many attendees, and case references, in a group record.
pub const MAX_ATTENDEES: usize = 100;
pub const MAX_GROUP_CASES: usize = 20;

/// How many months of group supervision a status shows, this one included.
const STATUS_MONTHS: u32 = 12;

/// Administrators, and managers of anyone in the team, organise its group supervision.
fn may_organise(conn: &mut DbConnection, actor: &Actor, team_id: &str) -> StoreResult<bool> {
    if actor.is_admin {
        return Ok(true);
    }
    let members = people::list(
        conn,
        &people::Filter {
            team_id: Some(team_id.to_string()),
            active: Some(true),
            ..people::Filter::default()
        },
        Page {
            limit: i64::MAX,
            offset: 0,
        },
    )?
    .0;
    let hierarchy = links::hierarchy(conn)?;
    let today = organisation_today();
    Ok(members
        .iter()
        .any(|m| hierarchy.is_above(&actor.person_id, &m.id, today)))
}

/// The team, if the actor may see its group supervision: its members, auditors, and those
/// who organise it; anyone else gets not found.
fn visible_team(conn: &mut DbConnection, actor: &Actor, team_id: &str) -> AppResult<Team> {
    let team = teams::find(conn, team_id)?;
    let member = people::find(conn, &actor.person_id)?.team_id.as_deref() == Some(team_id);
    if member || actor.is_auditor || may_organise(conn, actor, team_id)? {
        Ok(team)
    } else {
        Err(AppError::NotFound)
    }
}

/// A year of group sessions, in the organiser's terms.
pub struct GroupPlanRequest {
    /// Who runs the sessions (default: the actor).
    pub facilitator_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub months: Option<u32>,
    pub usual_weekday: Weekday,
    /// HH:MM in the facilitator's time zone.
    pub usual_time: String,
    pub duration_minutes: i32,
    pub place: String,
}

/// A computed group plan.
pub struct GroupPlan {
    pub team_id: String,
    pub facilitator_id: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The profile's interval for group supervision.
    pub policy: Interval,
    /// UTC.
    pub sessions: Vec<NaiveDateTime>,
    pub duration_minutes: i32,
    pub place: String,
}

/// `check_slot` names the length `session_minutes`; a group plan calls it `duration_minutes`.
fn as_duration(Invalid(errors): Invalid) -> Invalid {
    Invalid(
        errors
            .into_iter()
            .map(|mut e| {
                if e.field == "session_minutes" {
                    e.field = "duration_minutes".into();
                }
                e
            })
            .collect(),
    )
}

/// Computes the team's plan: on working days at the usual weekday and time, at the profile's
/// interval, counting the sessions already held or booked.
pub fn preview_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    team_id: &str,
    request: &GroupPlanRequest,
) -> AppResult<GroupPlan> {
    teams::find(conn, team_id)?;
    if !may_organise(conn, actor, team_id)? {
        return Err(AppError::refuse(
            Code::TeamManagerOnly,
            "an administrator or a manager of the team's members plans group supervision",
        ));
    }
    let mut invalid = Invalid::default();
    let time = invalid.check(parse_usual_time("usual_time", &request.usual_time));
    let place = invalid.check(bounded_text("place", &request.place, 1, 500));
    invalid.check(
        check_slot(request.usual_weekday, request.duration_minutes, None).map_err(as_duration),
    );
    let facilitator_id = request
        .facilitator_id
        .clone()
        .unwrap_or_else(|| actor.person_id.clone());
    let facilitator = match people::find(conn, &facilitator_id) {
        Ok(p) if p.active => Some(p),
        Ok(_) | Err(StoreError::NotFound) => {
            invalid.push("facilitator_id", "no such active person");
            None
        }
        Err(other) => return Err(other.into()),
    };
    let (Some(time), Some(place), Some(facilitator)) = (time, place, facilitator) else {
        return Err(invalid.into());
    };
    invalid.into_result(|| ())?;
    let tz = zone(&facilitator);
    let today = utc_to_local_date(now, tz);
    let (from, until) = plan_window(request.from, request.months, today, today)?;
    let calendars = calendars.load(conn)?;
    let interval = calendars.settings.profile().group_supervision();
    let starts = sessions::starts(
        conn,
        sessions::Owner::Team(team_id),
        &SessionStatus::HELD_OR_BOOKED,
    )?;
    let plan_request = PlanRequest::around(
        starts.iter().map(|at| utc_to_local_date(*at, tz)),
        from,
        until,
        request.usual_weekday,
        None,
    );
    let dates = scheduling::plan(calendars.organisation(), |_| interval, &plan_request)
        .map_err(|err| Invalid::field("from", format!("no plan is possible: {err}")))?;
    Ok(GroupPlan {
        team_id: team_id.to_string(),
        facilitator_id,
        from,
        until,
        policy: interval,
        sessions: dates
            .into_iter()
            .map(|date| local_to_utc(date, time, tz))
            .collect(),
        duration_minutes: request.duration_minutes,
        place,
    })
}

/// Saves the team's plan: books each session, scheduled with the facilitator.
pub fn save_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    team_id: &str,
    request: &GroupPlanRequest,
) -> AppResult<Vec<Session>> {
    let plan = preview_plan(conn, actor, now, calendars, team_id, request)?;
    let mut saved = Vec::with_capacity(plan.sessions.len());
    for starts_at in &plan.sessions {
        saved.push(sessions::insert(
            conn,
            NewSession {
                agreement_id: None,
                team_id: Some(team_id.to_string()),
                kind: SessionKind::Group,
                supervisor_id: plan.facilitator_id.clone(),
                supervisee_id: None,
                starts_at: *starts_at,
                duration_minutes: plan.duration_minutes,
                place: plan.place.clone(),
                replaces_id: None,
                created_by: actor.person_id.clone(),
            },
        )?);
    }
    audit::record(
        conn,
        &actor.for_audit(),
        "group_plan.saved",
        "team",
        Some(team_id),
        json!({"sessions": saved.len(), "facilitator_id": plan.facilitator_id}),
    )?;
    Ok(saved)
}

/// The team's group sessions from `from` (members, their managers, administrators, auditors).
pub fn list_sessions(
    conn: &mut DbConnection,
    actor: &Actor,
    team_id: &str,
    from: NaiveDateTime,
    page: Page,
) -> AppResult<(Vec<Session>, i64)> {
    visible_team(conn, actor, team_id)?;
    let filter = sessions::Filter {
        from: Some(from),
        ..sessions::Filter::new(sessions::Whose::Team(team_id.to_string()))
    };
    Ok(sessions::list(conn, &filter, page)?)
}

/// A group session with its record and who attended.
pub struct GroupRecordState {
    pub session: Session,
    pub record: GroupRecord,
    pub attendees: Vec<Person>,
}

/// The group session, if the actor may see it: the team's members, those who attended, the
/// facilitator, auditors and those who organise the team's group supervision.
fn group_session(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Session> {
    let session = sessions::find(conn, id)?;
    let Some(team_id) = session.team_id.clone() else {
        return Err(AppError::NotFound);
    };
    if session.kind != SessionKind::Group {
        return Err(AppError::NotFound);
    }
    let member = people::find(conn, &actor.person_id)?.team_id.as_deref() == Some(team_id.as_str());
    let attended = groups::record(conn, id)?
        .attendees
        .contains(&actor.person_id);
    if member
        || attended
        || actor.is_auditor
        || actor.is(&session.supervisor_id)
        || may_organise(conn, actor, &team_id)?
    {
        Ok(session)
    } else {
        Err(AppError::NotFound)
    }
}

fn state_of(
    conn: &mut DbConnection,
    session: Session,
    record: GroupRecord,
) -> StoreResult<GroupRecordState> {
    let attendees = record
        .attendees
        .iter()
        .map(|id| people::find(conn, id))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(GroupRecordState {
        session,
        record,
        attendees,
    })
}

/// A group session's record; version 0 until it is first written.
pub fn record(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<GroupRecordState> {
    let session = group_session(conn, actor, id)?;
    let record = groups::record(conn, id)?;
    Ok(state_of(conn, session, record)?)
}

/// What the facilitator writes, as sent.
pub struct RecordWrite {
    pub notes: String,
    pub case_references: Vec<String>,
    pub attendees: Vec<String>,
}

/// A group record's body once checked: notes, distinct case references, distinct attendees.
struct Checked {
    notes: String,
    case_references: Vec<String>,
    attendees: Vec<String>,
}

fn check_record(
    conn: &mut DbConnection,
    calendars: &Calendars,
    body: &RecordWrite,
) -> AppResult<Checked> {
    let mut invalid = Invalid::default();
    let notes = invalid.check(long_text("notes", &body.notes, MAX_SECTION_CHARS));
    if body.case_references.len() > MAX_GROUP_CASES {
        invalid.push("case_references", format!("at most {MAX_GROUP_CASES}"));
    }
    let pattern: Option<CaseReferencePattern> = calendars
        .load(conn)?
        .settings
        .case_reference_pattern
        .parse()
        .ok();
    let mut references: Vec<String> = Vec::new();
    for (i, reference) in body.case_references.iter().enumerate() {
        let reference = reference.trim();
        if !pattern.as_ref().is_some_and(|p| p.matches(reference)) {
            invalid.push(
                format!("case_references[{i}]"),
                "must be a case reference in the organisation's format, never a name",
            );
        } else if !references.iter().any(|r| r == reference) {
            references.push(reference.to_string());
        }
    }
    if body.attendees.len() > MAX_ATTENDEES {
        invalid.push("attendees", format!("at most {MAX_ATTENDEES}"));
    }
    let mut attendees: Vec<String> = Vec::new();
    for (i, person) in body.attendees.iter().enumerate().take(MAX_ATTENDEES) {
        match people::find(conn, person) {
            Ok(p) if p.active => {
                if !attendees.contains(&p.id) {
                    attendees.push(p.id);
                }
            }
            Ok(_) | Err(StoreError::NotFound) => {
                invalid.push(format!("attendees[{i}]"), "no such active person")
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(invalid.into_result(|| Checked {
        notes: notes.unwrap_or_default(),
        case_references: references,
        attendees,
    })?)
}

/// A write's outcome: the record as written, or, when the client's version is stale, as it
/// is (for the 412's `current`) with nothing written.
pub enum Written {
    Done(GroupRecordState),
    Stale(GroupRecordState),
}

/// Writes a held group session's record (GRP-1): the facilitator, a manager of the team's
/// members or an administrator; attendance counts for each attendee's group supervision.
pub fn write_record(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    body: &RecordWrite,
) -> AppResult<Written> {
    let session = group_session(conn, actor, id)?;
    let team_id = session.team_id.clone().unwrap_or_default();
    if !actor.is(&session.supervisor_id) && !may_organise(conn, actor, &team_id)? {
        return Err(AppError::refuse(
            Code::TeamManagerOnly,
            "the facilitator, a manager of the team or an administrator writes it",
        ));
    }
    if session.status != SessionStatus::Held {
        return Err(AppError::refuse(
            Code::SessionNotHeld,
            "mark the session held first (POST /sessions/{id}/held)",
        ));
    }
    let checked = check_record(conn, calendars, body)?;
    let expected = expected.expect_with(|| groups::record(conn, id).map(|r| r.version))?;
    let saved = match groups::save(
        conn,
        id,
        expected,
        groups::Write {
            notes: &checked.notes,
            case_references: &checked.case_references,
            attendees: &checked.attendees,
            written_by: &actor.person_id,
        },
    ) {
        Ok(saved) => saved,
        Err(StoreError::VersionMismatch { .. }) => {
            let current = groups::record(conn, id)?;
            return Ok(Written::Stale(state_of(conn, session, current)?));
        }
        Err(other) => return Err(other.into()),
    };
    audit::record(
        conn,
        &actor.for_audit(),
        "group_record.written",
        "session",
        Some(id),
        json!({"attendees": saved.attendees.len(), "cases": saved.case_references.len(), "version": saved.version}),
    )?;
    Ok(Written::Done(state_of(conn, session, saved)?))
}

/// This month and the eleven before it, to `today`.
fn last_months(today: NaiveDate) -> Period {
    let first = periods::month(today).starts_on - Months::new(STATUS_MONTHS - 1);
    Period {
        starts_on: first,
        ends_on: today,
    }
}

/// A team's group supervision against the profile's interval, and each of the last twelve
/// months (members, their managers, administrators, auditors).
pub fn team_status(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    team_id: &str,
) -> AppResult<TeamFigures> {
    let team = visible_team(conn, actor, team_id)?;
    let calendars = calendars.load(conn)?;
    let today = organisation_today();
    team_figures(
        conn,
        &calendars,
        vec![team],
        last_months(today),
        today,
        crate::store::now(),
    )?
    .into_iter()
    .next()
    .ok_or(AppError::NotFound)
}

/// One person's group supervision over the last twelve months.
pub struct Attendance {
    pub person_id: String,
    /// Held group sessions attended.
    pub attended: u32,
    pub last_attended: Option<NaiveDate>,
    /// Per month, `held` counts the sessions the person attended.
    pub months: Vec<MonthFigure>,
}

/// A person's group supervision attendance over the last twelve months (GRP-1), for those who
/// may see the person.
pub fn attendance(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: &str,
) -> AppResult<Attendance> {
    let period = last_months(organisation_today());
    let person = visibility::person(conn, actor, person_id)?;
    let at = groups::attended_at(
        conn,
        &person.id,
        reports::midnight(period.starts_on),
        reports::midnight(period.end_exclusive()),
    )?;
    let tz = reports::organisation_zone();
    let dates: Vec<NaiveDate> = at.iter().map(|t| utc_to_local_date(*t, tz)).collect();
    Ok(Attendance {
        person_id: person.id,
        attended: u32::try_from(dates.len()).unwrap_or(u32::MAX),
        last_attended: dates.last().copied(),
        months: monthly_held(period, &dates),
    })
}
