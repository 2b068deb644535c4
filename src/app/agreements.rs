//! Supervision agreements (AGR-1..AGR-3), the 12-month plan (SES-2) and history recorded after
//! the fact (SES-6).

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use serde_json::json;

use super::{status, visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::people::organisation_today;
use crate::domain::policy::Interval;
use crate::domain::scheduling::{self, local_to_utc, plan_window, utc_to_local_date};
use crate::domain::sessions::{
    check_slot, parse_usual_time, AgreementKind, AgreementStatus, Party, SessionKind, SessionStatus,
};
use crate::domain::supervision::Agreed;
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::agreements::{self, Agreement, NewAgreement};
use crate::store::history::{self, FieldNames, HeldSession};
use crate::store::line_management as links;
use crate::store::organisation::Calendars;
use crate::store::sessions::{self, NewSession, Session};
use crate::store::status::{person_dates, zone};
use crate::store::{audit, people, DbConnection, StoreError, StoreResult};

/// The parties, administrators, auditors and managers above the supervisee may see an
/// agreement; anyone else gets not found (ACC-5).
pub fn find_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Agreement> {
    let agreement = agreements::find(conn, id)?;
    if sees(conn, actor, &agreement)? {
        Ok(agreement)
    } else {
        Err(AppError::NotFound)
    }
}

fn sees(conn: &mut DbConnection, actor: &Actor, agreement: &Agreement) -> StoreResult<bool> {
    Ok(agreement.party(&actor.person_id).is_some()
        || visibility::may_see(conn, actor, &agreement.supervisee_id)?)
}

/// An agreement as proposed, in the proposer's terms.
pub struct Proposal {
    pub supervisee_id: String,
    /// Defaults to the actor.
    pub supervisor_id: Option<String>,
    pub kind: AgreementKind,
    pub frequency: Interval,
    pub session_minutes: i32,
    pub usual_weekday: Weekday,
    /// HH:MM, in the supervisee's time zone.
    pub usual_time: String,
    pub place: String,
    pub agenda: String,
    pub starts_on: NaiveDate,
}

/// Who may propose an agreement for `supervisee_id` (AGR-3): authority to supervise comes
/// from the organisation, so an administrator, or a manager above the person today (their
/// line manager included). Supervisors named in agreements do not name others.
fn may_propose(conn: &mut DbConnection, actor: &Actor, supervisee_id: &str) -> StoreResult<bool> {
    Ok(actor.is_admin
        || (!actor.is(supervisee_id)
            && links::is_above(conn, &actor.person_id, supervisee_id, organisation_today())?))
}

/// A short text for an interval, for messages.
fn describe(interval: Interval) -> String {
    match interval {
        Interval::MaxWorkingDays(n) => format!("at most {n} working days apart"),
        Interval::MaxCalendarDays(n) => format!("at most {n} days apart"),
        Interval::EveryMonths(1) => "at least monthly".to_string(),
        Interval::EveryMonths(n) => format!("at least every {n} months"),
    }
}

/// Proposes an agreement (AGR-1, AGR-3): the supervisee's line manager, a manager above them
/// or an administrator names the supervisor; it grants nothing until both have signed.
pub fn propose(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    proposal: Proposal,
) -> AppResult<Agreement> {
    let supervisor_id = proposal
        .supervisor_id
        .clone()
        .unwrap_or_else(|| actor.person_id.clone());
    let mut invalid = Invalid::default();
    let usual_time = invalid.check(parse_usual_time("usual_time", &proposal.usual_time));
    let place = invalid.check(bounded_text("place", &proposal.place, 1, 500));
    let agenda = invalid.check(bounded_text("agenda", &proposal.agenda, 1, 4000));
    invalid.check(proposal.frequency.check("frequency"));
    if proposal.supervisee_id == supervisor_id {
        invalid.push("supervisor_id", "a person cannot supervise themselves");
    }
    let (Some(usual_time), Some(place), Some(agenda)) = (usual_time, place, agenda) else {
        return Err(invalid.into());
    };
    invalid.into_result(|| ())?;
    let supervisee = visibility::person(conn, actor, &proposal.supervisee_id)?;
    if !may_propose(conn, actor, &supervisee.id)? {
        return Err(AppError::refuse(
            Code::LineManagerOnly,
            "only the person's line manager, a manager above them or an administrator proposes an agreement",
        ));
    }
    match people::find(conn, &supervisor_id) {
        Ok(s) if s.active => {}
        Ok(_) => return Err(Invalid::field("supervisor_id", "the supervisor is inactive").into()),
        Err(StoreError::NotFound) => {
            return Err(Invalid::field("supervisor_id", "no such person").into())
        }
        Err(other) => return Err(other.into()),
    }
    let calendars = calendars.load(conn)?;
    let profile = calendars.settings.profile();
    let requirement = profile.requirement(
        supervisee.staff_category,
        &person_dates(&supervisee),
        proposal.starts_on,
    );
    if !proposal
        .frequency
        .is_at_least_as_frequent_as(requirement.interval)
    {
        return Err(Invalid::field(
            "frequency",
            format!(
                "is less frequent than the policy requires for this person ({})",
                describe(requirement.interval)
            ),
        )
        .into());
    }
    check_slot(
        proposal.usual_weekday,
        proposal.session_minutes,
        requirement.min_duration_minutes,
    )?;
    let agreement = agreements::insert(
        conn,
        NewAgreement {
            supervisee_id: supervisee.id,
            supervisor_id,
            kind: proposal.kind,
            frequency: proposal.frequency,
            session_minutes: proposal.session_minutes,
            usual_weekday: proposal.usual_weekday,
            usual_time,
            place,
            agenda,
            starts_on: proposal.starts_on,
            created_by: actor.person_id.clone(),
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "agreement.created",
        "agreement",
        Some(&agreement.id),
        json!({"supervisee_id": agreement.supervisee_id, "supervisor_id": agreement.supervisor_id, "kind": agreement.kind.as_str()}),
    )?;
    Ok(agreement)
}

/// A person's agreements, as supervisee or as supervisor, newest first.
pub fn for_person(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: &str,
) -> AppResult<Vec<Agreement>> {
    visibility::person(conn, actor, person_id)?;
    Ok(agreements::for_person(conn, person_id)?)
}

/// Signs as the supervisor or the supervisee (AGR-1). Once both have signed it is active; a
/// new line-management agreement then ends the previous one.
pub fn sign(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
) -> AppResult<Agreement> {
    let agreement = find_visible(conn, actor, id)?;
    let Some(party) = agreement.party(&actor.person_id) else {
        return Err(AppError::refuse(
            Code::NotAParty,
            "only the supervisor and the supervisee sign",
        ));
    };
    let today = organisation_today();
    let already = match party {
        Party::Supervisor => agreement.supervisor_signed_at.is_some(),
        Party::Supervisee => agreement.supervisee_signed_at.is_some(),
    };
    let refusal = "you have already signed this agreement, or it has ended";
    if already {
        return Err(AppError::refuse(Code::AlreadySigned, refusal));
    }
    if agreement.status(today) == AgreementStatus::Ended {
        return Err(AppError::refuse(Code::AgreementEnded, refusal));
    }
    let signed = agreements::sign(conn, id, party, expected.expect(agreement.version))?;
    let audit_actor = actor.for_audit();
    audit::record(
        conn,
        &audit_actor,
        "agreement.signed",
        "agreement",
        Some(id),
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
                    &audit_actor,
                    "agreement.ended",
                    "agreement",
                    Some(&other.id),
                    json!({"replaced_by": signed.id}),
                )?;
            }
        }
    }
    Ok(signed)
}

/// Ends an agreement from `ends_on` (either party, or an administrator), with a reason.
pub fn end(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    ends_on: NaiveDate,
    reason: &str,
) -> AppResult<Agreement> {
    let reason = bounded_text("reason", reason, 1, 1000)?;
    let agreement = find_visible(conn, actor, id)?;
    if agreement.party(&actor.person_id).is_none() && !actor.is_admin {
        return Err(AppError::refuse(
            Code::NotAParty,
            "only the parties or an administrator end an agreement",
        ));
    }
    if ends_on < agreement.starts_on {
        return Err(Invalid::field("ends_on", "must not be before the agreement starts").into());
    }
    let ended = agreements::end(
        conn,
        id,
        ends_on,
        &reason,
        Some(expected.expect(agreement.version)),
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "agreement.ended",
        "agreement",
        Some(id),
        json!({"ends_on": ends_on}),
    )?;
    Ok(ended)
}

/// What to plan.
pub struct PlanOptions {
    /// First day (default: tomorrow, or the agreement's start if later).
    pub from: Option<NaiveDate>,
    /// How many months ahead, 1 to 12 (default 12).
    pub months: Option<u32>,
    /// For a student: the other supervisor's agreement, whose sessions alternate (FREQ-2).
    pub alternate_with: Option<String>,
}

/// One session of a plan.
pub struct PlannedSession {
    /// Local date in the supervisee's time zone.
    pub date: NaiveDate,
    /// UTC.
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub agreement_id: String,
    pub supervisor_id: String,
}

/// A computed plan (SES-2).
pub struct Plan {
    pub agreement_id: String,
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The policy's interval for the supervisee at the start of the plan.
    pub policy: Interval,
    pub sessions: Vec<PlannedSession>,
}

/// A plan with the agreements it books under.
struct Planned {
    agreement: Agreement,
    partner: Option<Agreement>,
    plan: Plan,
}

/// The other agreement a student's sessions alternate with, if asked for.
fn partner_of(
    conn: &mut DbConnection,
    agreement: &Agreement,
    other: Option<&str>,
) -> AppResult<Option<Agreement>> {
    let Some(other) = other else {
        return Ok(None);
    };
    match agreements::find(conn, other) {
        Ok(a) if a.supervisee_id == agreement.supervisee_id && a.id != agreement.id => Ok(Some(a)),
        Ok(_) | Err(StoreError::NotFound) => Err(Invalid::field(
            "alternate_with",
            "must be another agreement of the same supervisee",
        )
        .into()),
        Err(other) => Err(other.into()),
    }
}

/// Computes the plan for an agreement (SES-2): the person's policy, the agreement's cadence,
/// weekday and time, counting sessions already held or booked.
fn compute(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    agreement_id: &str,
    options: &PlanOptions,
) -> AppResult<Planned> {
    let agreement = find_visible(conn, actor, agreement_id)?;
    if !actor.is(&agreement.supervisor_id) && !actor.is_admin {
        return Err(AppError::refuse(
            Code::SupervisorOnly,
            "the supervisor plans the sessions",
        ));
    }
    let partner = partner_of(conn, &agreement, options.alternate_with.as_deref())?;
    let today = organisation_today();
    for a in std::iter::once(&agreement).chain(partner.iter()) {
        if a.status(today) != AgreementStatus::Active {
            return Err(AppError::refuse(
                Code::AgreementNotSigned,
                format!(
                    "agreement {} must be signed by both people (and not ended) before sessions are planned",
                    a.id
                ),
            ));
        }
    }
    let supervisee = people::find(conn, &agreement.supervisee_id)?;
    let tz = zone(&supervisee);
    let (from, mut until) = plan_window(
        options.from,
        options.months,
        utc_to_local_date(now, tz),
        agreement.starts_on,
    )?;
    // The requirement's own end (a student's placement) is the domain's: see plan_request.
    let ends = [agreement.ends_on, partner.as_ref().and_then(|p| p.ends_on)];
    for end in ends.into_iter().flatten() {
        until = until.min(end.pred_opt().unwrap_or(end));
    }
    let calendars = calendars.load(conn)?;
    let profile = calendars.settings.profile();
    let all = agreements::for_supervisees(conn, std::slice::from_ref(&supervisee.id))?;
    let facts = status::facts(conn, &calendars, &supervisee, &all, now)?;
    let agreement_ids: Vec<String> = std::iter::once(agreement.id.clone())
        .chain(partner.iter().map(|p| p.id.clone()))
        .collect();
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
        held_or_booked.iter().map(|at| utc_to_local_date(*at, tz)),
        from,
        until,
    );
    let dates = scheduling::plan(
        calendars.organisation(),
        |on| facts.interval_on(&profile, on),
        &request,
    )
    .map_err(|err| Invalid::field("from", format!("no plan is possible: {err}")))?;
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
                starts_at: local_to_utc(date, with.usual_time, tz),
                duration_minutes: with.session_minutes,
                agreement_id,
                supervisor_id: with.supervisor_id.clone(),
            }
        })
        .collect();
    let plan = Plan {
        agreement_id: agreement.id.clone(),
        from,
        until: request.until,
        policy: facts.interval_on(&profile, from),
        sessions,
    };
    Ok(Planned {
        agreement,
        partner,
        plan,
    })
}

/// The plan for the next months of sessions (SES-2), for the supervisor: nothing is saved.
pub fn preview_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    agreement_id: &str,
    options: &PlanOptions,
) -> AppResult<Plan> {
    Ok(compute(conn, actor, now, calendars, agreement_id, options)?.plan)
}

/// Saves the plan the preview shows: books each session as scheduled (SES-2).
pub fn save_plan(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    agreement_id: &str,
    options: &PlanOptions,
) -> AppResult<Vec<Session>> {
    let Planned {
        agreement,
        partner,
        plan,
    } = compute(conn, actor, now, calendars, agreement_id, options)?;
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
                starts_at: planned.starts_at,
                duration_minutes: with.session_minutes,
                place: with.place.clone(),
                replaces_id: None,
                created_by: actor.person_id.clone(),
            },
        )?);
    }
    audit::record(
        conn,
        &actor.for_audit(),
        "plan.saved",
        "agreement",
        Some(&agreement.id),
        json!({"sessions": saved.len(), "from": plan.from, "until": plan.until}),
    )?;
    Ok(saved)
}

/// Who may record history under an agreement (SES-6): its supervisor, a manager above the
/// supervisor, or an administrator.
fn may_record_history(
    conn: &mut DbConnection,
    actor: &Actor,
    agreement: &Agreement,
) -> StoreResult<bool> {
    Ok(actor.is_admin
        || actor.is(&agreement.supervisor_id)
        || links::is_above(
            conn,
            &actor.person_id,
            &agreement.supervisor_id,
            organisation_today(),
        )?)
}

/// A session held before the service was used (SES-6), in the request's terms.
pub struct Held {
    pub held_on: NaiveDate,
    /// HH:MM in the supervisee's time zone (default: the agreement's usual time).
    pub time: Option<String>,
    pub kind: Option<SessionKind>,
    pub duration_minutes: Option<i32>,
}

/// Records a session already held before the service was used (SES-6): recorded after the
/// fact, audited, with no record opened and no reminders.
pub fn record_held(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    agreement_id: &str,
    held: Held,
) -> AppResult<Session> {
    let time = held
        .time
        .as_deref()
        .map(|raw| parse_usual_time("time", raw))
        .transpose()?;
    let held = HeldSession {
        held_on: held.held_on,
        time,
        kind: held.kind.unwrap_or(SessionKind::OneToOne),
        duration_minutes: held.duration_minutes,
    };
    let agreement = agreements::find(conn, agreement_id)?;
    if !may_record_history(conn, actor, &agreement)? {
        return Err(if sees(conn, actor, &agreement)? {
            AppError::refuse(
                Code::ManagerAboveOnly,
                "the supervisor, a manager above them or an administrator records past sessions",
            )
        } else {
            AppError::NotFound
        });
    }
    if agreement.supervisor_signed_at.is_none() || agreement.supervisee_signed_at.is_none() {
        return Err(AppError::refuse(
            Code::AgreementNotSigned,
            "the agreement must be signed by both people first",
        ));
    }
    let names = FieldNames {
        held_on: "held_on",
        kind: "kind",
        duration_minutes: "duration_minutes",
    };
    let new = history::check(conn, &agreement, &held, names, &actor.person_id, now)??;
    Ok(history::record(conn, new, &actor.for_audit())?)
}
