//! A supervisee with history, for the home-screen benchmark (`bench/home.rs`) and the test
//! that pins how many statements the home-screen reads make (`tests/api/statements.rs`).

use chrono::{Duration, NaiveDateTime, NaiveTime, Weekday};

use supervision::domain::policy::Interval;
use supervision::domain::sessions::{
    AgreementKind, ChangeAction, ChangeReason, ChangeState, Party, SessionKind, SessionStatus,
};
use supervision::store::agreements::{self, NewAgreement};
use supervision::store::notifications::{self, NewNotification};
use supervision::store::sessions::{self, NewChange, NewSession};
use supervision::store::{DbConnection, Page, StoreResult};

/// How much history [`supervisee_with_history`] writes.
pub struct History {
    /// Monthly held 1:1s before `now`.
    pub held_months: i64,
    /// Weekly booked 1:1s after `now`; the first has a move waiting for the supervisor's
    /// decision, the second one past `due_by`, waiting for the manager above (SES-3).
    pub booked: i64,
    pub notifications: usize,
    pub unread: usize,
}

/// A signed monthly agreement between `supervisor_id` and `supervisee_id` that began 400
/// days before `now`, its sessions, and the supervisee's notifications.
pub fn supervisee_with_history(
    conn: &mut DbConnection,
    supervisor_id: &str,
    supervisee_id: &str,
    history: &History,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let agreement = agreements::insert(
        conn,
        NewAgreement {
            supervisee_id: supervisee_id.to_string(),
            supervisor_id: supervisor_id.to_string(),
            kind: AgreementKind::LineManagement,
            frequency: Interval::EveryMonths(1),
            session_minutes: 90,
            usual_weekday: Weekday::Thu,
            usual_time: NaiveTime::from_hms_opt(10, 0, 0).expect("a time"),
            place: "Room 2".into(),
            agenda: "Cases".into(),
            starts_on: (now - Duration::days(400)).date(),
            created_by: supervisor_id.to_string(),
        },
    )?;
    let agreement = agreements::sign(conn, &agreement.id, Party::Supervisor, agreement.version)?;
    agreements::sign(conn, &agreement.id, Party::Supervisee, agreement.version)?;
    let session = |starts_at| NewSession {
        agreement_id: Some(agreement.id.clone()),
        team_id: None,
        kind: SessionKind::OneToOne,
        supervisor_id: supervisor_id.to_string(),
        supervisee_id: Some(supervisee_id.to_string()),
        starts_at,
        duration_minutes: 90,
        place: "Room 2".into(),
        replaces_id: None,
        created_by: supervisor_id.to_string(),
    };
    for month in 1..=history.held_months {
        sessions::insert_held(conn, session(now - Duration::days(30 * month)))?;
    }
    for week in 1..=history.booked {
        let booked = sessions::insert(conn, session(now + Duration::days(7 * week)))?;
        if week <= 2 {
            // The supervisee asked to move it; the decider has not decided yet. The second
            // move goes past `due_by`, so it waits for the supervisor's own manager.
            let past_due_by = week == 2;
            sessions::update(
                conn,
                &booked.id,
                booked.version,
                SessionStatus::ReschedulePending,
                None,
            )?;
            sessions::record_change(
                conn,
                NewChange {
                    session_id: &booked.id,
                    action: ChangeAction::Proposed,
                    state: ChangeState::Pending,
                    from_starts_at: Some(booked.starts_at),
                    to_starts_at: Some(booked.starts_at + Duration::days(1)),
                    reason: Some(ChangeReason::Other),
                    reason_text: Some("Training day".into()),
                    due_by: past_due_by.then(|| booked.starts_at.date()),
                    needs_manager: past_due_by,
                    breach: false,
                    actor_id: supervisee_id,
                },
            )?;
        }
    }
    for n in 0..history.notifications {
        notifications::notify(
            conn,
            NewNotification {
                person_id: supervisee_id,
                kind: "session_reminder",
                title: "Supervision soon",
                body: "You have a supervision session coming up.",
                link: "/sessions",
                subject_type: "session",
                subject_id: &format!("history-{n}"),
            },
        )?;
    }
    let read = history.notifications.saturating_sub(history.unread);
    if read > 0 {
        let page = Page {
            limit: read as i64,
            offset: 0,
        };
        for notification in notifications::inbox(conn, supervisee_id, false, page)?.0 {
            notifications::mark_read(conn, supervisee_id, &notification.id)?;
        }
    }
    Ok(())
}
