//! The ASYE year (ASYE-1): timeline with pauses and review points, the evidence checklist and
//! protected development time, for the newly qualified worker and their supervisors.
//!
//! The worker, whoever supervises them, managers above, auditors and administrators see the
//! year; anyone else, or a person with no ASYE start, gets not found. Supervisors and
//! administrators change the programme and pauses; the worker adds evidence (so do their
//! supervisors) and logs their own protected time.

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::asye::{
    check_pause, checklist, protected_time, timeline, Checklist, EvidenceKind, Pause,
    ProtectedTime, ReviewPoint, Timeline,
};
use crate::domain::records::RecordStatus;
use crate::domain::sessions::{SessionKind, SessionStatus};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::asye::{self, Evidence, StoredPause};
use crate::store::people::{self, Person};
use crate::store::sessions::{self, Filter, Session, Whose};
use crate::store::{audit, observations, records, DbConnection, Page, StoreResult};

/// A review's session with its record, once the session is held; for the ASYE's and the
/// PDR's review points.
pub struct Review {
    pub session: Session,
    pub record_id: Option<String>,
    pub record_status: Option<RecordStatus>,
}

/// The session with its record, if any.
pub fn review(conn: &mut DbConnection, session: Session) -> StoreResult<Review> {
    let record = records::for_session(conn, &session.id)?;
    Ok(Review {
        session,
        record_id: record.as_ref().map(|r| r.id.clone()),
        record_status: record.map(|r| r.status),
    })
}

/// A review point with the `asye_review` session nearest its due date, if one is booked.
pub struct ReviewState {
    pub point: ReviewPoint,
    pub session: Option<Review>,
}

/// A person's ASYE year as it is today.
pub struct Asye {
    pub person_id: String,
    pub asye_start: NaiveDate,
    pub programme_months: i32,
    pub weekly_minutes: i32,
    /// Version of the programme settings (0 while the defaults apply).
    pub version: i32,
    pub timeline: Timeline,
    pub reviews: Vec<ReviewState>,
    pub pauses: Vec<StoredPause>,
    pub evidence: Vec<Evidence>,
    pub checklist: Checklist,
    pub protected_time: ProtectedTime,
}

/// The ASYE worker, whoever supervises them, managers above, auditors and administrators.
/// A person with no ASYE start is not in the ASYE: not found.
fn find_asye(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<(Person, NaiveDate)> {
    let visible = visibility::may_see(conn, actor, id)? || visibility::supervises(conn, actor, id)?;
    if !visible {
        return Err(AppError::NotFound);
    }
    let person = people::find(conn, id)?;
    match person.asye_start {
        Some(start) => Ok((person, start)),
        None => Err(AppError::NotFound),
    }
}

/// Supervisors and administrators change the programme and pauses; the worker does not.
fn may_manage(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> StoreResult<bool> {
    Ok(actor.is_admin || visibility::supervises(conn, actor, person_id)?)
}

fn require_manager(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: &str,
    detail: &'static str,
) -> AppResult<()> {
    if may_manage(conn, actor, person_id)? {
        Ok(())
    } else {
        Err(AppError::refuse(Code::SupervisorOnly, detail))
    }
}

fn year(
    conn: &mut DbConnection,
    person: &Person,
    start: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Asye> {
    let programme = asye::programme(conn, &person.id)?;
    let stored_pauses = asye::pauses(conn, &person.id)?;
    let pauses: Vec<Pause> = stored_pauses.iter().map(StoredPause::pause).collect();
    let timeline = timeline(
        start,
        programme.programme_months.max(1) as u32,
        &pauses,
        today,
    );
    let evidence = asye::evidence(conn, &person.id)?;
    let kinds: Vec<EvidenceKind> = evidence.iter().map(|e| e.kind).collect();
    let observed =
        observations::of_supervisee(conn, &person.id, start, timeline.expected_end)?.len();
    let logged = asye::logged_minutes(conn, &person.id)?;
    let reviews = review_sessions(conn, &person.id, &timeline.reviews)?;
    Ok(Asye {
        person_id: person.id.clone(),
        asye_start: start,
        programme_months: programme.programme_months,
        weekly_minutes: programme.weekly_minutes,
        version: programme.version,
        checklist: checklist(observed as u32, &kinds),
        protected_time: protected_time(i64::from(programme.weekly_minutes), &timeline, logged),
        reviews,
        timeline,
        pauses: stored_pauses,
        evidence,
    })
}

/// How far from its due date a review session may be and still count as that review.
const REVIEW_WINDOW_DAYS: i64 = 42;

/// Matches each review point with the nearest `asye_review` session, each session once.
fn review_sessions(
    conn: &mut DbConnection,
    person_id: &str,
    points: &[ReviewPoint],
) -> StoreResult<Vec<ReviewState>> {
    let filter = Filter::new(Whose::Person(person_id.to_string()));
    let (all, _) = sessions::list(
        conn,
        &filter,
        Page {
            limit: 500,
            offset: 0,
        },
    )?;
    let mut candidates: Vec<_> = all
        .into_iter()
        .filter(|s| s.kind == SessionKind::AsyeReview && s.status != SessionStatus::Cancelled)
        .collect();
    let mut reviews = Vec::with_capacity(points.len());
    for point in points {
        let nearest = candidates
            .iter()
            .enumerate()
            .map(|(i, s)| (i, (s.starts_at.date() - point.due_on).num_days().abs()))
            .filter(|(_, distance)| *distance <= REVIEW_WINDOW_DAYS)
            .min_by_key(|(_, distance)| *distance)
            .map(|(i, _)| i);
        let session = match nearest {
            Some(i) => Some(review(conn, candidates.remove(i))?),
            None => None,
        };
        reviews.push(ReviewState {
            point: point.clone(),
            session,
        });
    }
    Ok(reviews)
}

/// A person's ASYE year: the timeline (expected end and review points pushed back by pauses),
/// each review's session and record, the evidence checklist and protected time.
pub fn get(conn: &mut DbConnection, actor: &Actor, today: NaiveDate, id: &str) -> AppResult<Asye> {
    let (person, start) = find_asye(conn, actor, id)?;
    Ok(year(conn, &person, start, today)?)
}

/// The programme's length and contracted hours.
pub struct Programme {
    pub programme_months: i32,
    pub weekly_minutes: i32,
}

/// Sets the programme (a supervisor or an administrator).
pub fn set_programme(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    expected: Expected,
    programme: Programme,
) -> AppResult<Asye> {
    let Programme {
        programme_months,
        weekly_minutes,
    } = programme;
    let mut invalid = Invalid::default();
    if !(12..=36).contains(&programme_months) {
        invalid.push("programme_months", "must be between 12 and 36");
    }
    if !(60..=3_000).contains(&weekly_minutes) {
        invalid.push("weekly_minutes", "must be between 60 and 3,000");
    }
    invalid.into_result(|| ())?;
    let (person, start) = find_asye(conn, actor, id)?;
    require_manager(
        conn,
        actor,
        &person.id,
        "a supervisor or an administrator sets the programme",
    )?;
    let expected = expected.expect_with(|| asye::programme(conn, &person.id).map(|p| p.version))?;
    asye::set_programme(conn, &person.id, expected, programme_months, weekly_minutes)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "asye.programme_set",
        "person",
        Some(&person.id),
        json!({"programme_months": programme_months, "weekly_minutes": weekly_minutes}),
    )?;
    Ok(year(conn, &person, start, today)?)
}

/// A pause to add: open while `ends_on` is none.
pub struct NewPause {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub reason: String,
}

/// Pauses the ASYE (a supervisor or an administrator): its end and reviews move later.
pub fn add_pause(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    pause: NewPause,
) -> AppResult<Asye> {
    let NewPause {
        starts_on,
        ends_on,
        reason,
    } = pause;
    let reason = bounded_text("reason", &reason, 1, 500)?;
    let (person, start) = find_asye(conn, actor, id)?;
    require_manager(
        conn,
        actor,
        &person.id,
        "a supervisor or an administrator pauses the ASYE",
    )?;
    let existing: Vec<Pause> = asye::pauses(conn, &person.id)?
        .iter()
        .map(StoredPause::pause)
        .collect();
    check_pause(starts_on, ends_on, start, &existing)?;
    let pause = Pause { starts_on, ends_on };
    asye::add_pause(conn, &person.id, pause, &reason, &actor.person_id)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "asye.paused",
        "person",
        Some(&person.id),
        json!({"starts_on": starts_on, "ends_on": ends_on}),
    )?;
    Ok(year(conn, &person, start, today)?)
}

/// Ends the open pause on `ends_on`, the first day back (a supervisor or an administrator).
pub fn end_pause(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    ends_on: NaiveDate,
) -> AppResult<Asye> {
    let (person, start) = find_asye(conn, actor, id)?;
    require_manager(
        conn,
        actor,
        &person.id,
        "a supervisor or an administrator ends a pause",
    )?;
    let open = asye::pauses(conn, &person.id)?
        .into_iter()
        .find(|p| p.ends_on.is_none());
    let Some(open) = open else {
        return Err(AppError::refuse(Code::NoPauseOpen, "no pause is open"));
    };
    if ends_on <= open.starts_on {
        return Err(Invalid::field("ends_on", "must be after the pause starts").into());
    }
    asye::end_pause(conn, &person.id, ends_on)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "asye.resumed",
        "person",
        Some(&person.id),
        json!({"ends_on": ends_on}),
    )?;
    Ok(year(conn, &person, start, today)?)
}

/// A piece of evidence for the checklist.
pub struct NewEvidence {
    pub kind: EvidenceKind,
    pub title: String,
    pub received_on: NaiveDate,
}

/// Adds evidence to the checklist (the worker or a supervisor).
pub fn add_evidence(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    evidence: NewEvidence,
) -> AppResult<Asye> {
    let NewEvidence {
        kind,
        title,
        received_on,
    } = evidence;
    let title = bounded_text("title", &title, 1, 200)?;
    if received_on > today {
        return Err(Invalid::field("received_on", "must not be in the future").into());
    }
    let (person, start) = find_asye(conn, actor, id)?;
    if !actor.is(&person.id) && !may_manage(conn, actor, &person.id)? {
        return Err(AppError::refuse(
            Code::SelfOrSupervisorOnly,
            "the worker or a supervisor adds evidence",
        ));
    }
    asye::add_evidence(
        conn,
        &person.id,
        kind,
        &title,
        received_on,
        &actor.person_id,
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "asye.evidence_added",
        "person",
        Some(&person.id),
        json!({"kind": kind}),
    )?;
    Ok(year(conn, &person, start, today)?)
}

/// Protected development time taken on one day.
pub struct TimeTaken {
    pub taken_on: NaiveDate,
    pub minutes: i32,
    pub activity: String,
}

/// Logs protected development time (the worker, for themselves).
pub fn log_time(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    id: &str,
    time: TimeTaken,
) -> AppResult<Asye> {
    let TimeTaken {
        taken_on,
        minutes,
        activity,
    } = time;
    let mut invalid = Invalid::default();
    if !(15..=480).contains(&minutes) {
        invalid.push("minutes", "must be between 15 and 480");
    }
    if taken_on > today {
        invalid.push("taken_on", "must not be in the future");
    }
    let activity = invalid.check(bounded_text("activity", &activity, 1, 500));
    let activity = invalid.into_result(|| activity.unwrap_or_default())?;
    let (person, start) = find_asye(conn, actor, id)?;
    if !actor.is(&person.id) {
        return Err(AppError::refuse(
            Code::SelfOnly,
            "the worker logs their own protected time",
        ));
    }
    if taken_on < start {
        return Err(Invalid::field("taken_on", "is before the ASYE started").into());
    }
    asye::log_time(conn, &person.id, taken_on, minutes, &activity)?;
    audit::record(
        conn,
        &actor.for_audit(),
        "asye.protected_time_recorded",
        "person",
        Some(&person.id),
        json!({"taken_on": taken_on, "minutes": minutes}),
    )?;
    Ok(year(conn, &person, start, today)?)
}
