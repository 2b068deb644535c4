//! Observations of practice (OBS-1) and each person's practice-year status (OBS-2).
//!
//! A person's observations are seen by the person, whoever supervises them and those who may
//! see the person (managers above, auditors, administrators); an observation also by its
//! observer. Anyone else gets not found.

use chrono::NaiveDate;
use serde_json::json;

use super::{visibility, Actor, AppError, AppResult, Code, Expected};
use crate::domain::observations::{practice_year_status, ObservationSetting, ObservationStatus};
use crate::domain::people::StaffCategory;
use crate::domain::periods::practice_year;
use crate::domain::policy::Profile;
use crate::domain::validation::long_text;
use crate::domain::validation::Invalid;
use crate::store::line_management as links;
use crate::store::observations::{self, Change, NewObservation, Observation};
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::people::Person;
use crate::store::{audit, people, records, sessions, DbConnection, StoreResult};

/// Whether the actor may see a person's observations: those who may see the person, and
/// whoever supervises them.
fn may_see_observations(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: &str,
) -> StoreResult<bool> {
    Ok(visibility::may_see(conn, actor, person_id)?
        || visibility::supervises(conn, actor, person_id)?)
}

fn require_sight(conn: &mut DbConnection, actor: &Actor, person_id: &str) -> AppResult<()> {
    if may_see_observations(conn, actor, person_id)? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn find_visible(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Observation> {
    let observation = observations::find(conn, id)?;
    if actor.is(&observation.observer_id)
        || may_see_observations(conn, actor, &observation.supervisee_id)?
    {
        Ok(observation)
    } else {
        Err(AppError::NotFound)
    }
}

const MAX_FEEDBACK: usize = 5_000;

fn check_feedback(feedback: &str, learning: &str) -> Result<(String, String), Invalid> {
    let mut invalid = Invalid::default();
    let feedback = invalid.check(long_text("feedback", feedback, MAX_FEEDBACK));
    let learning = invalid.check(long_text("learning", learning, MAX_FEEDBACK));
    if feedback.as_deref() == Some("") {
        invalid.push("feedback", "must not be empty");
    }
    invalid.into_result(|| (feedback.unwrap_or_default(), learning.unwrap_or_default()))
}

/// An observation as the observer records it.
pub struct Recording {
    pub observed_on: NaiveDate,
    pub setting: ObservationSetting,
    pub feedback: String,
    pub learning: String,
    /// A session of this supervisee the observation belongs to.
    pub session_id: Option<String>,
    /// A record of this supervisee it is linked to.
    pub record_id: Option<String>,
}

/// Records an observation of a person's practice (OBS-1): whoever supervises them or is above
/// them in line management; the observer is the actor.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    person_id: &str,
    recording: Recording,
) -> AppResult<Observation> {
    let (feedback, learning) = check_feedback(&recording.feedback, &recording.learning)?;
    if recording.observed_on > today {
        return Err(Invalid::field("observed_on", "must not be in the future").into());
    }
    require_sight(conn, actor, person_id)?;
    let person = people::find(conn, person_id)?;
    let above = links::is_above(conn, &actor.person_id, &person.id, today)?;
    if !above && !visibility::supervises_on(conn, &actor.person_id, &person.id, today)? {
        return Err(AppError::refuse(
            Code::SupervisorOrManagerOnly,
            "observations are recorded by a supervisor or a manager above the person",
        ));
    }
    let mut invalid = Invalid::default();
    if let Some(session) = &recording.session_id {
        let found = sessions::find(conn, session).ok();
        if found.and_then(|s| s.supervisee_id) != Some(person.id.clone()) {
            invalid.push("session_id", "not a session of this person");
        }
    }
    if let Some(record) = &recording.record_id {
        if records::find(conn, record).map(|r| r.supervisee_id).ok() != Some(person.id.clone()) {
            invalid.push("record_id", "not a record of this person");
        }
    }
    invalid.into_result(|| ())?;
    let observation = observations::insert(
        conn,
        NewObservation {
            supervisee_id: &person.id,
            observer_id: &actor.person_id,
            observed_on: recording.observed_on,
            setting: recording.setting,
            feedback: &feedback,
            learning: &learning,
            session_id: recording.session_id.as_deref(),
            record_id: recording.record_id.as_deref(),
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "observation.recorded",
        "observation",
        Some(&observation.id),
        json!({"supervisee_id": person.id, "setting": recording.setting}),
    )?;
    Ok(observation)
}

/// A person's observations, newest first, observed from `from` (default: the start of the
/// current practice year) to `to` (default: today), ten years at most.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    today: NaiveDate,
    person_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Vec<Observation>> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(practice_year(today).starts_on);
    if from > to || (to - from).num_days() > 3_660 {
        return Err(
            Invalid::field("from", "the range must run forwards, ten years at most").into(),
        );
    }
    require_sight(conn, actor, person_id)?;
    Ok(observations::of_supervisee(conn, person_id, from, to)?)
}

/// One observation the actor may see.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Observation> {
    find_visible(conn, actor, id)
}

/// Changes the feedback and learning (the observer), under If-Match.
pub fn edit_feedback(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    feedback: &str,
    learning: &str,
) -> AppResult<Observation> {
    let (feedback, learning) = check_feedback(feedback, learning)?;
    let observation = find_visible(conn, actor, id)?;
    if !actor.is(&observation.observer_id) {
        return Err(AppError::refuse(
            Code::ObserverOnly,
            "only the observer changes the feedback",
        ));
    }
    let updated = observations::update(
        conn,
        id,
        expected.expect(observation.version),
        Change::Feedback {
            feedback: &feedback,
            learning: &learning,
        },
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "observation.edited",
        "observation",
        Some(id),
        json!({}),
    )?;
    Ok(updated)
}

/// Adds or changes the observed person's own reflection on it, under If-Match.
pub fn reflect(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected: Expected,
    reflection: &str,
) -> AppResult<Observation> {
    let text = long_text("reflection", reflection, MAX_FEEDBACK)?;
    if text.is_empty() {
        return Err(Invalid::field("reflection", "must not be empty").into());
    }
    let observation = find_visible(conn, actor, id)?;
    if !actor.is(&observation.supervisee_id) {
        return Err(AppError::refuse(
            Code::SelfOnly,
            "only the observed person reflects on it",
        ));
    }
    let updated = observations::update(
        conn,
        id,
        expected.expect(observation.version),
        Change::Reflection(&text),
    )?;
    audit::record(
        conn,
        &actor.for_audit(),
        "observation.reflected",
        "observation",
        Some(id),
        json!({}),
    )?;
    Ok(updated)
}

/// A person's observations this practice year against the organisation's profile (OBS-2):
/// the actor's own, or anyone's whose observations they may see.
pub fn status(
    conn: &mut DbConnection,
    actor: &Actor,
    calendars: &Calendars,
    today: NaiveDate,
    person_id: &str,
) -> AppResult<ObservationStatus> {
    require_sight(conn, actor, person_id)?;
    let person = people::find(conn, person_id)?;
    let calendars = calendars.load(conn)?;
    Ok(practice_year_status_of_person(
        conn, &calendars, &person, today,
    )?)
}

/// Practitioners who work with children and families need observations (OBS-2, 001).
fn needs_observations(category: StaffCategory) -> bool {
    matches!(
        category,
        StaffCategory::SocialWorker | StaffCategory::Asye | StaffCategory::Student
    )
}

/// OBS-2: the person's observations this practice year against the organisation's profile.
pub fn practice_year_status_of_person(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    person: &Person,
    today: NaiveDate,
) -> StoreResult<ObservationStatus> {
    let year = practice_year(today);
    let observed: Vec<(NaiveDate, ObservationSetting)> =
        observations::of_supervisee(conn, &person.id, year.starts_on, year.ends_on)?
            .into_iter()
            .map(|o| (o.observed_on, o.setting))
            .collect();
    Ok(practice_year_status_from(
        &calendars.settings.profile(),
        person,
        &observed,
        today,
    ))
}

/// OBS-2 from observations already gathered (a report gathers everyone's in one query).
pub fn practice_year_status_from(
    profile: &Profile,
    person: &Person,
    observed: &[(NaiveDate, ObservationSetting)],
    today: NaiveDate,
) -> ObservationStatus {
    let (per_year, settings) = if needs_observations(person.staff_category) {
        let settings = profile
            .observation_settings_required()
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        (profile.observations_per_year(), settings)
    } else {
        (0, Vec::new())
    };
    let in_post_from = person
        .asye_start
        .or(person.placement_start)
        .or(person.employment_start);
    practice_year_status(per_year, &settings, in_post_from, observed, today)
}
