//! Sessions: booking, moving with confirmation (SES-3), cancelling with a new date (SES-4),
//! held and missed (SES-1), each through the lifecycle table in `domain::sessions::next`.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use super::{agreements, records, status, visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::people::organisation_today;
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::{
    check_cancellation, check_reason, decide_move, may_cancel, next, AgreementKind,
    AgreementStatus, ChangeAction, ChangeReason, ChangeState, LifecycleRefusal, MoveDecision,
    Party, SessionKind, SessionStatus, Transition, SESSION_MINUTES,
};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::line_management as links;
use crate::store::organisation::Calendars;
use crate::store::sessions::{self, Change, NewChange, NewSession, Session};
use crate::store::status::{person_dates, zone};
use crate::store::{agreements as agreement_rows, audit, people, DbConnection, Page, StoreResult};

/// A session as clients see it: with the move waiting for a decision, if any.
pub struct SessionState {
    pub session: Session,
    pub pending: Option<Change>,
}

fn with_pending(conn: &mut DbConnection, session: Session) -> StoreResult<SessionState> {
    let pending = sessions::pending_change(conn, &session.id)?;
    Ok(SessionState { session, pending })
}

/// Parties, administrators, auditors, managers above either party and, for a team's group
/// session, its members may see a session; anyone else gets not found.
pub fn find_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Session> {
    let session = sessions::find(conn, id)?;
    let party = party_of(&session, &actor.person_id).is_some();
    let above = visibility::may_see(
        conn,
        actor,
        session
            .supervisee_id
            .as_deref()
            .unwrap_or(&session.supervisor_id),
    )?;
    let member = match &session.team_id {
        Some(team) => people::find(conn, &actor.person_id)?.team_id.as_ref() == Some(team),
        None => false,
    };
    if party || above || member {
        Ok(session)
    } else {
        Err(AppError::NotFound)
    }
}

fn party_of(session: &Session, person_id: &str) -> Option<Party> {
    if session.supervisor_id == person_id {
        Some(Party::Supervisor)
    } else if session.supervisee_id.as_deref() == Some(person_id) {
        Some(Party::Supervisee)
    } else {
        None
    }
}

/// The lifecycle's refusal as the application's.
fn refused(refusal: LifecycleRefusal) -> AppError {
    let code = match refusal {
        LifecycleRefusal::Closed(_) => Code::SessionNotScheduled,
        LifecycleRefusal::MovePending => Code::MovePending,
        LifecycleRefusal::NoMovePending => Code::NoMovePending,
        LifecycleRefusal::NotStarted => Code::SessionNotStarted,
    };
    AppError::refuse(code, refusal.message())
}

fn step(session: &Session, transition: Transition) -> AppResult<SessionStatus> {
    next(session.status, transition).map_err(refused)
}

/// One session to book under an agreement.
pub struct Booking {
    pub starts_at: NaiveDateTime,
    pub kind: Option<SessionKind>,
    pub duration_minutes: Option<i32>,
    pub place: Option<String>,
}

/// Books one session under an agreement: the supervisor, an administrator, or either party
/// for an ad hoc session, once the agreement is signed by both (AGR-3, SES-1).
pub fn book(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    agreement_id: &str,
    booking: Booking,
) -> AppResult<Session> {
    let kind = booking.kind.unwrap_or(SessionKind::OneToOne);
    let mut invalid = Invalid::default();
    if booking.starts_at <= now {
        invalid.push("starts_at", "must be in the future");
    }
    if kind == SessionKind::Group {
        invalid.push("kind", "group sessions belong to a team, not an agreement");
    }
    if booking
        .duration_minutes
        .is_some_and(|m| !SESSION_MINUTES.contains(&m))
    {
        invalid.push("duration_minutes", "must be between 15 and 480");
    }
    let place = booking
        .place
        .as_deref()
        .and_then(|p| invalid.check(bounded_text("place", p, 1, 500)));
    invalid.into_result(|| ())?;
    let agreement = agreements::find_visible(conn, actor, agreement_id)?;
    let party = agreement.party(&actor.person_id);
    let allowed = party == Some(Party::Supervisor)
        || actor.is_admin
        || (party == Some(Party::Supervisee) && kind == SessionKind::AdHoc);
    if !allowed {
        return Err(AppError::refuse(
            Code::SupervisorOnly,
            "the supervisor books sessions",
        ));
    }
    // PDR-1: the review is part of line management, and matched to the person's cycle.
    if kind == SessionKind::Pdr && agreement.kind != AgreementKind::LineManagement {
        return Err(
            Invalid::field("kind", "a PDR is held under the line-management agreement").into(),
        );
    }
    if agreement.status(organisation_today()) != AgreementStatus::Active {
        return Err(AppError::refuse(
            Code::AgreementNotSigned,
            "the agreement must be signed by both people (and not ended) first",
        ));
    }
    let session = sessions::insert(
        conn,
        NewSession {
            agreement_id: Some(agreement.id.clone()),
            team_id: None,
            kind,
            supervisor_id: agreement.supervisor_id.clone(),
            supervisee_id: Some(agreement.supervisee_id.clone()),
            starts_at: booking.starts_at,
            duration_minutes: booking
                .duration_minutes
                .unwrap_or(agreement.session_minutes),
            place: place.unwrap_or(agreement.place.clone()),
            replaces_id: None,
            created_by: actor.person_id.clone(),
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "session.booked",
        "session",
        Some(&session.id),
        json!({"starts_at": session.starts_at.and_utc()}),
    )?;
    Ok(session)
}

/// Which sessions to list.
pub struct Listing {
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Default: scheduled and reschedule_pending.
    pub status: Option<SessionStatus>,
    pub page: Page,
}

impl Listing {
    pub fn check(&self) -> Result<(), Invalid> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if to <= from => Err(Invalid::field("to", "must be after from")),
            _ => Ok(()),
        }
    }
}

/// A person's sessions, as supervisor or supervisee, soonest first: the actor's own, or anyone's
/// they may see.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    person_id: &str,
    listing: &Listing,
) -> AppResult<(Vec<SessionState>, i64)> {
    listing.check()?;
    visibility::require_sight(conn, actor, person_id)?;
    let filter = sessions::Filter {
        whose: sessions::Whose::Person(person_id.to_string()),
        from: Some(listing.from.unwrap_or(now)),
        to: listing.to,
        statuses: match listing.status {
            Some(status) => vec![status],
            None => SessionStatus::BOOKED.to_vec(),
        },
    };
    // One query for the page's pending moves, not one per session.
    let (items, total) = sessions::list_with_pending(conn, &filter, listing.page)?;
    let states = items
        .into_iter()
        .map(|(session, pending)| SessionState { session, pending })
        .collect();
    Ok((states, total))
}

/// One session the actor may see, with any move waiting for a decision.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<SessionState> {
    let session = find_visible(conn, actor, id)?;
    Ok(with_pending(conn, session)?)
}

/// Every booking, move, proposal, decision and cancellation of a session, oldest first.
pub fn history(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Vec<Change>> {
    find_visible(conn, actor, id)?;
    Ok(sessions::history(conn, id)?)
}

/// The limit a move of this session is judged against: the due date after the previous
/// counting session (held or booked), or none for sessions the frequency does not count.
fn due_by_for(
    conn: &mut DbConnection,
    calendars: &Calendars,
    now: NaiveDateTime,
    session: &Session,
) -> AppResult<Option<NaiveDate>> {
    let (Some(supervisee_id), Some(agreement_id)) = (&session.supervisee_id, &session.agreement_id)
    else {
        return Ok(None);
    };
    if session.kind != SessionKind::OneToOne {
        return Ok(None);
    }
    let supervisee = people::find(conn, supervisee_id)?;
    let calendars = calendars.load(conn)?;
    let profile = calendars.settings.profile();
    let agreement = agreement_rows::find(conn, agreement_id)?;
    let tz = zone(&supervisee);
    let alternating = profile
        .requirement(
            supervisee.staff_category,
            &person_dates(&supervisee),
            utc_to_local_date(now, tz),
        )
        .alternate_supervisors;
    if !agreement.kind.counts_for_frequency(alternating) {
        return Ok(None);
    }
    let all = agreement_rows::for_supervisees(conn, std::slice::from_ref(supervisee_id))?;
    let counting: Vec<String> = all
        .iter()
        .filter(|a| a.kind.counts_for_frequency(alternating))
        .map(|a| a.id.clone())
        .collect();
    let starts = sessions::starts(
        conn,
        sessions::Owner::Agreements(&counting),
        &SessionStatus::HELD_OR_BOOKED,
    )?;
    let previous = starts
        .iter()
        .filter(|at| **at < session.starts_at)
        .max()
        .map(|at| utc_to_local_date(*at, tz));
    let facts = status::facts(conn, &calendars, &supervisee, &all, now)?;
    let due = facts
        .due_after(calendars.organisation(), &profile, previous)
        .map_err(|e| {
            AppError::refuse(
                Code::OutsideCalendar,
                format!("the limit cannot be worked out: {e}"),
            )
        })?;
    Ok(Some(due))
}

/// The time zone a session's dates are counted in: its supervisee's.
fn session_zone(conn: &mut DbConnection, session: &Session) -> StoreResult<chrono_tz::Tz> {
    Ok(session
        .supervisee_id
        .as_deref()
        .map(|p| people::find(conn, p).map(|p| zone(&p)))
        .transpose()?
        .unwrap_or(chrono_tz::Europe::London))
}

/// A new time for a session, and why.
pub struct Move {
    pub to: NaiveDateTime,
    pub reason: ChangeReason,
    pub reason_text: Option<String>,
}

/// Records a move as SES-3 decided it: at once, or waiting for a decision.
fn apply_move(
    conn: &mut DbConnection,
    session: &Session,
    transition: Transition,
    decision: MoveDecision,
    change: &Move,
    due_by: Option<NaiveDate>,
    actor_id: &str,
) -> AppResult<Session> {
    let status = step(session, transition)?;
    let immediate = decision == MoveDecision::Immediate;
    let updated = sessions::update(
        conn,
        &session.id,
        session.version,
        status,
        immediate.then_some(change.to),
    )?;
    sessions::record_change(
        conn,
        NewChange {
            session_id: &session.id,
            action: if immediate {
                ChangeAction::Moved
            } else {
                ChangeAction::Proposed
            },
            state: if immediate {
                ChangeState::Done
            } else {
                ChangeState::Pending
            },
            from_starts_at: Some(session.starts_at),
            to_starts_at: Some(change.to),
            reason: Some(change.reason),
            reason_text: change.reason_text.clone(),
            due_by,
            needs_manager: decision == MoveDecision::ManagerConfirms,
            breach: false,
            actor_id,
        },
    )?;
    Ok(updated)
}

/// Moves a session (SES-3): the supervisor's own move within `due_by` takes effect at once;
/// the supervisee's waits for the supervisor; one beyond `due_by` waits for a manager above
/// the supervisor.
pub fn reschedule(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    change: Move,
) -> AppResult<SessionState> {
    let change = Move {
        reason_text: check_reason(change.reason, change.reason_text.as_deref())?,
        ..change
    };
    if change.to <= now {
        return Err(Invalid::field("starts_at", "must be in the future").into());
    }
    let session = find_visible(conn, actor, id)?;
    let Some(party) = party_of(&session, &actor.person_id) else {
        return Err(AppError::refuse(
            Code::NotAParty,
            "only the supervisor and the supervisee move a session",
        ));
    };
    step(&session, Transition::Move(MoveDecision::Immediate))?;
    expected.check(session.version)?;
    let due_by = due_by_for(conn, calendars, now, &session)?;
    let decision = decide_move(
        party,
        utc_to_local_date(change.to, session_zone(conn, &session)?),
        due_by,
    );
    let updated = apply_move(
        conn,
        &session,
        Transition::Move(decision),
        decision,
        &change,
        due_by,
        &actor.person_id,
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        if decision == MoveDecision::Immediate {
            "session.moved"
        } else {
            "session.move_proposed"
        },
        "session",
        Some(id),
        json!({"to": change.to.and_utc(), "reason": change.reason.as_str()}),
    )?;
    Ok(with_pending(conn, updated)?)
}

/// Whether the actor may decide this proposal. Confirming is for the supervisor (a
/// supervisee's proposal within the limit) or a manager above the supervisor (beyond it).
/// Rejecting keeps the session within the limit, so the proposer may also withdraw their own
/// proposal and the supervisor may turn down any of the supervisee's.
fn may_decide(
    conn: &mut DbConnection,
    actor: &Actor,
    session: &Session,
    change: &Change,
    confirm: bool,
) -> StoreResult<bool> {
    let supervisor = actor.is(&session.supervisor_id);
    let proposer = actor.is(&change.actor_id);
    if !confirm && (proposer || supervisor) {
        return Ok(true);
    }
    if change.needs_manager {
        links::is_above(
            conn,
            &actor.person_id,
            &session.supervisor_id,
            organisation_today(),
        )
    } else {
        Ok(supervisor && !proposer)
    }
}

/// Moves waiting for the person's decision (SES-3), oldest proposal first: their
/// supervisees' proposals, and, past `due_by`, those in the supervision of someone they line
/// manage. Reminders go to the same people (REM-2), so what reminds someone is what they see.
pub fn awaiting_decision_of(
    conn: &mut DbConnection,
    person_id: &str,
    today: NaiveDate,
) -> StoreResult<Vec<(Session, Change)>> {
    sessions::pending_moves_for(conn, person_id, today)
}

/// The decision on a proposed move.
pub enum Decision {
    /// Confirm, with the justification a move beyond the limit needs.
    Confirm {
        justification: Option<String>,
    },
    Reject {
        comment: Option<String>,
    },
}

/// Confirms or rejects the pending proposal. Beyond `due_by` a manager above the supervisor
/// confirms, with a written justification, and the move is recorded as a breach.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    decision: Decision,
) -> AppResult<SessionState> {
    let (confirm, field, text) = match decision {
        Decision::Confirm { justification } => (true, "justification", justification),
        Decision::Reject { comment } => (false, "comment", comment),
    };
    let text = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(bounded_text(field, t, 1, 2000)?),
        None => None,
    };
    let session = find_visible(conn, actor, id)?;
    let status = step(&session, Transition::Decide)?;
    let Some(change) = sessions::pending_change(conn, id)? else {
        return Err(refused(LifecycleRefusal::NoMovePending));
    };
    expected.check(session.version)?;
    if !may_decide(conn, actor, &session, &change, confirm)? {
        return Err(if change.needs_manager {
            AppError::refuse(
                Code::ManagerAboveOnly,
                "a move beyond the limit is decided by a manager above the supervisor",
            )
        } else {
            AppError::refuse(
                Code::SupervisorOnly,
                "the supervisor decides the supervisee's proposal",
            )
        });
    }
    let breach = confirm && change.needs_manager;
    if breach && text.is_none() {
        return Err(Invalid::field(
            "justification",
            "is required to confirm a move beyond the limit",
        )
        .into());
    }
    let updated = sessions::update(
        conn,
        id,
        session.version,
        status,
        if confirm { change.to_starts_at } else { None },
    )?;
    let (state_after, justification, comment) = if confirm {
        (ChangeState::Confirmed, text.as_deref(), None)
    } else {
        (ChangeState::Rejected, None, text.as_deref())
    };
    sessions::decide(
        conn,
        &change.id,
        state_after,
        &actor.person_id,
        justification,
        comment,
        breach,
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        if confirm {
            "session.move_confirmed"
        } else {
            "session.move_rejected"
        },
        "session",
        Some(id),
        json!({"change_id": change.id, "breach": breach}),
    )?;
    Ok(with_pending(conn, updated)?)
}

/// A cancellation: why, and the new date unless the relationship ended (SES-4).
pub struct Cancellation {
    pub reason: ChangeReason,
    pub reason_text: Option<String>,
    pub new_starts_at: Option<NaiveDateTime>,
    pub relationship_ended: bool,
}

/// What a cancellation did: the session as it is now, and the replacement booked, if any.
pub struct Cancelled {
    pub cancelled: SessionState,
    pub replacement: Option<Session>,
}

/// Cancels a session with a reason and a new date (SES-4). A cancellation with a new date is a
/// move and follows SES-3 in full: the supervisor's own within `due_by` cancels and books the
/// new session at once; any other waits as a proposed move. Without a new date (the
/// relationship ended) only the supervisor or a manager above them cancels.
pub fn cancel(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    cancellation: Cancellation,
) -> AppResult<Cancelled> {
    let reason = cancellation.reason;
    let reason_text = check_reason(reason, cancellation.reason_text.as_deref())?;
    let new_start = cancellation.new_starts_at;
    check_cancellation(new_start.map(|t| t.date()), cancellation.relationship_ended)?;
    if new_start.is_some_and(|t| t <= now) {
        return Err(Invalid::field("new_starts_at", "must be in the future").into());
    }
    let session = find_visible(conn, actor, id)?;
    let party = party_of(&session, &actor.person_id);
    let above = links::is_above(
        conn,
        &actor.person_id,
        &session.supervisor_id,
        organisation_today(),
    )?;
    if !may_cancel(party, above, new_start.is_some()) {
        return Err(if new_start.is_some() {
            AppError::refuse(
                Code::NotAParty,
                "only the supervisor and the supervisee move a session to a new date",
            )
        } else {
            AppError::refuse(
                Code::ManagerAboveOnly,
                "only the supervisor or a manager above them cancels without a new date",
            )
        });
    }
    step(&session, Transition::Cancel)?;
    expected.check(session.version)?;
    // A new proposal or cancellation withdraws the one waiting.
    if let Some(pending) = sessions::pending_change(conn, id)? {
        sessions::decide(
            conn,
            &pending.id,
            ChangeState::Rejected,
            &actor.person_id,
            None,
            Some("the session was cancelled"),
            false,
        )?;
    }
    let session = sessions::find(conn, id)?;
    let due_by = due_by_for(conn, calendars, now, &session)?;
    // A new date that is not the supervisor's own within the limit is a move that waits for a
    // decision (SES-3): nothing is cancelled or booked until then.
    if let (Some(to), Some(party)) = (new_start, party) {
        let decision = decide_move(
            party,
            utc_to_local_date(to, session_zone(conn, &session)?),
            due_by,
        );
        if decision != MoveDecision::Immediate {
            let change = Move {
                to,
                reason,
                reason_text: reason_text.clone(),
            };
            let waiting = apply_move(
                conn,
                &session,
                Transition::CancelForApproval,
                decision,
                &change,
                due_by,
                &actor.person_id,
            )?;
            audit::record(
                conn,
                &actor.for_audit(),
                "session.move_proposed",
                "session",
                Some(id),
                json!({"to": to.and_utc(), "reason": reason.as_str(), "by_cancellation": true}),
            )?;
            return Ok(Cancelled {
                cancelled: with_pending(conn, waiting)?,
                replacement: None,
            });
        }
    }
    let cancelled = sessions::update(conn, id, session.version, SessionStatus::Cancelled, None)?;
    let breach = match (new_start, due_by) {
        (Some(at), Some(due)) => at.date() > due,
        _ => false,
    };
    sessions::record_change(
        conn,
        NewChange {
            session_id: id,
            action: ChangeAction::Cancelled,
            state: ChangeState::Done,
            from_starts_at: Some(session.starts_at),
            to_starts_at: new_start,
            reason: Some(reason),
            reason_text,
            due_by,
            needs_manager: false,
            breach,
            actor_id: &actor.person_id,
        },
    )?;
    let replacement = new_start
        .map(|at| {
            sessions::insert(
                conn,
                NewSession {
                    agreement_id: session.agreement_id.clone(),
                    team_id: session.team_id.clone(),
                    kind: session.kind,
                    supervisor_id: session.supervisor_id.clone(),
                    supervisee_id: session.supervisee_id.clone(),
                    starts_at: at,
                    duration_minutes: session.duration_minutes,
                    place: session.place.clone(),
                    replaces_id: Some(session.id.clone()),
                    created_by: actor.person_id.clone(),
                },
            )
        })
        .transpose()?;
    audit::record(
        conn,
        &actor.for_audit(),
        "session.cancelled",
        "session",
        Some(id),
        json!({"reason": reason.as_str(), "replacement": replacement.as_ref().map(|r| r.id.clone()), "breach": breach}),
    )?;
    Ok(Cancelled {
        cancelled: with_pending(conn, cancelled)?,
        replacement,
    })
}

/// Whether the session happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Held,
    Missed,
}

/// Records that a session was held, or missed: the supervisor, once it has started. A held 1:1
/// session gets its record at once, so it shows as due (REC-1, REC-5).
pub fn mark(
    conn: &mut DbConnection,
    actor: &Actor,
    now: NaiveDateTime,
    calendars: &Calendars,
    id: &str,
    expected: Expected,
    outcome: Outcome,
) -> AppResult<SessionState> {
    let session = find_visible(conn, actor, id)?;
    if !actor.is(&session.supervisor_id) {
        return Err(AppError::refuse(
            Code::SupervisorOnly,
            "the supervisor records whether a session was held",
        ));
    }
    let started = session.starts_at <= now;
    let (transition, action) = match outcome {
        Outcome::Held => (Transition::Hold { started }, ChangeAction::Held),
        Outcome::Missed => (Transition::Miss { started }, ChangeAction::Missed),
    };
    let status = step(&session, transition)?;
    let updated = sessions::update(conn, id, expected.expect(session.version), status, None)?;
    sessions::record_change(
        conn,
        NewChange {
            session_id: id,
            action,
            state: ChangeState::Done,
            // When it was planned for, as a cancellation records.
            from_starts_at: Some(session.starts_at),
            to_starts_at: None,
            reason: None,
            reason_text: None,
            due_by: None,
            needs_manager: false,
            breach: false,
            actor_id: &actor.person_id,
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        &format!("session.{}", status.as_str()),
        "session",
        Some(id),
        json!({}),
    )?;
    if status == SessionStatus::Held && updated.supervisee_id.is_some() {
        let calendars = calendars.load(conn)?;
        // A refusal (a date outside the calendar) leaves the record to be opened later.
        match records::open_for_session(conn, &calendars, &updated, None, &actor.person_id) {
            Ok(_) | Err(AppError::Refused(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(with_pending(conn, updated)?)
}
