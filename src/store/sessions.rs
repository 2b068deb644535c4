//! Sessions and their history of changes (SES-1 to SES-5).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::dsl::{count_star, max, min};
use diesel::prelude::*;

use super::agreements::{terms_columns, terms_from, Terms, TermsRow};
use super::schema::{agreements, line_management, session_changes, sessions};
use super::stamp::{At, MaybeDay, MaybeStamp, Stamp};
use super::{now, DbConnection, Page, StoreError, StoreResult};
use crate::domain::sessions::{
    ChangeAction, ChangeReason, ChangeState, SessionKind, SessionStatus,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: String,
    pub agreement_id: Option<String>,
    pub team_id: Option<String>,
    pub kind: SessionKind,
    pub supervisor_id: String,
    pub supervisee_id: Option<String>,
    /// UTC.
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub place: String,
    pub status: SessionStatus,
    pub replaces_id: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// Entered later as history, held before the service was used for it (SES-6).
    pub recorded_after_the_fact: bool,
}

type Row = (
    (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
        Stamp,
        i32,
    ),
    (
        String,
        String,
        Option<String>,
        String,
        Stamp,
        Stamp,
        i32,
        bool,
    ),
);

macro_rules! columns {
    () => {
        (
            (
                sessions::id,
                sessions::agreement_id,
                sessions::team_id,
                sessions::kind,
                sessions::supervisor_id,
                sessions::supervisee_id,
                sessions::starts_at,
                sessions::duration_minutes,
            ),
            (
                sessions::place,
                sessions::status,
                sessions::replaces_id,
                sessions::created_by,
                sessions::created_at,
                sessions::updated_at,
                sessions::version,
                sessions::recorded_after_the_fact,
            ),
        )
    };
}

fn corrupt(what: String) -> StoreError {
    StoreError::Database(diesel::result::Error::DeserializationError(what.into()))
}

fn from_row((a, b): Row) -> StoreResult<Session> {
    Ok(Session {
        id: a.0,
        agreement_id: a.1,
        team_id: a.2,
        kind: a.3.parse().map_err(corrupt)?,
        supervisor_id: a.4,
        supervisee_id: a.5,
        starts_at: a.6.into(),
        duration_minutes: a.7,
        place: b.0,
        status: b.1.parse().map_err(corrupt)?,
        replaces_id: b.2,
        created_by: b.3,
        created_at: b.4.into(),
        updated_at: b.5.into(),
        version: b.6,
        recorded_after_the_fact: b.7,
    })
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub agreement_id: Option<String>,
    pub team_id: Option<String>,
    pub kind: SessionKind,
    pub supervisor_id: String,
    pub supervisee_id: Option<String>,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub place: String,
    pub replaces_id: Option<String>,
    pub created_by: String,
}

/// Inserts a scheduled session and its `booked` history entry.
pub fn insert(conn: &mut DbConnection, new: NewSession) -> StoreResult<Session> {
    insert_as(conn, new, SessionStatus::Scheduled, ChangeAction::Booked)
}

/// Inserts a session already held, recorded after the fact (SES-6), with a `held` history
/// entry: it was never booked here.
pub fn insert_held(conn: &mut DbConnection, new: NewSession) -> StoreResult<Session> {
    insert_as(conn, new, SessionStatus::Held, ChangeAction::Held)
}

fn insert_as(
    conn: &mut DbConnection,
    new: NewSession,
    status: SessionStatus,
    action: ChangeAction,
) -> StoreResult<Session> {
    let after_the_fact = status == SessionStatus::Held;
    let id = super::new_id();
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            (
                sessions::id.eq(&id),
                sessions::agreement_id.eq(&new.agreement_id),
                sessions::team_id.eq(&new.team_id),
                sessions::kind.eq(new.kind.as_str()),
                sessions::supervisor_id.eq(&new.supervisor_id),
                sessions::supervisee_id.eq(&new.supervisee_id),
                sessions::starts_at.eq(new.starts_at),
                sessions::duration_minutes.eq(new.duration_minutes),
            ),
            (
                sessions::place.eq(&new.place),
                sessions::status.eq(status.as_str()),
                sessions::replaces_id.eq(&new.replaces_id),
                sessions::created_by.eq(&new.created_by),
                sessions::created_at.eq(at),
                sessions::updated_at.eq(at),
                sessions::version.eq(1),
                sessions::recorded_after_the_fact.eq(after_the_fact),
            ),
        ))
        .execute(conn)?;
    record_change(
        conn,
        NewChange {
            session_id: &id,
            action,
            state: ChangeState::Done,
            // A held entry names when the session was, as marking one held does.
            from_starts_at: after_the_fact.then_some(new.starts_at),
            to_starts_at: (!after_the_fact).then_some(new.starts_at),
            reason: None,
            reason_text: None,
            due_by: None,
            needs_manager: false,
            breach: false,
            actor_id: &new.created_by,
        },
    )?;
    find(conn, &id)
}

pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Session> {
    sessions::table
        .find(id)
        .select(columns!())
        .get_result::<Row>(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
        .and_then(from_row)
}

/// Whose sessions a list shows.
#[derive(Debug, Clone)]
pub enum Whose {
    /// Sessions where this person is supervisor or supervisee.
    Person(String),
    /// Group sessions of this team.
    Team(String),
}

/// Which sessions a list shows.
#[derive(Debug, Clone)]
pub struct Filter {
    pub whose: Whose,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Only these statuses; none listed means every status.
    pub statuses: Vec<SessionStatus>,
}

impl Filter {
    pub fn new(whose: Whose) -> Filter {
        Filter {
            whose,
            from: None,
            to: None,
            statuses: Vec::new(),
        }
    }
}

/// The earliest start a list's "from" can have, for a bound that bounds nothing (see
/// [`no_cap`] for why not NaiveDateTime::MIN).
fn no_floor() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .expect("a valid date")
        .and_time(NaiveTime::MIN)
}

type HasStatus = diesel::dsl::Eq<sessions::status, &'static str>;
type AnyStatus = diesel::dsl::Or<
    diesel::dsl::Or<diesel::dsl::Or<diesel::dsl::Or<HasStatus, HasStatus>, HasStatus>, HasStatus>,
    HasStatus,
>;
type Window = diesel::dsl::And<
    diesel::dsl::And<
        diesel::dsl::GtEq<sessions::starts_at, At>,
        diesel::dsl::Lt<sessions::starts_at, At>,
    >,
    AnyStatus,
>;

/// The filter's time window and statuses in one shape whatever it asks for: both bounds
/// bound (open ends as the earliest and latest start there can be) and five status tests
/// joined by OR, the list padded by repeating its last. A fixed shape is a statement diesel
/// finds in its cache by type; a boxed query's SQL was rendered on every read to look it up,
/// a fifth of the work of the home screen's list (issue 18). Not `IN (...)`: diesel never
/// keeps a SQLite statement with a bound list prepared.
fn window(filter: &Filter) -> Window {
    // Five tests can name every status: a sixth status must widen the shape first.
    const _: () = assert!(SessionStatus::ALL.len() == 5);
    let statuses = match filter.statuses.as_slice() {
        [] => SessionStatus::ALL,
        listed => listed,
    };
    let slot = |i: usize| statuses[i.min(statuses.len() - 1)].as_str();
    let any = sessions::status
        .eq(slot(0))
        .or(sessions::status.eq(slot(1)))
        .or(sessions::status.eq(slot(2)))
        .or(sessions::status.eq(slot(3)))
        .or(sessions::status.eq(slot(4)));
    sessions::starts_at
        .ge(At(filter.from.unwrap_or_else(no_floor)))
        .and(sessions::starts_at.lt(At(filter.to.unwrap_or_else(no_cap))))
        .and(any)
}

/// Sessions in time order, a page of them with how many there are over all pages. One
/// statement, unless the page is full or past the end: only then is there more to count.
/// (Not a count over a window on each row: SQLite copies every row aside into a temporary
/// table to make one, even for an empty list.)
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<Session>, i64)> {
    let window = window(filter);
    // The same statements for a person's and a team's lists, on their own "whose" test.
    macro_rules! page_and_total {
        ($whose:expr) => {{
            let rows = sessions::table
                .filter($whose)
                .filter(window.clone())
                .select(columns!())
                .order((sessions::starts_at.asc(), sessions::id.asc()))
                .limit(page.limit)
                .offset(page.offset)
                .load::<Row>(conn)?;
            let seen = i64::try_from(rows.len()).unwrap_or(i64::MAX);
            let total = if (seen == 0 && page.offset > 0) || seen >= page.limit {
                sessions::table
                    .filter($whose)
                    .filter(window.clone())
                    .select(count_star())
                    .get_result(conn)?
            } else {
                page.offset + seen
            };
            (rows, total)
        }};
    }
    let (rows, total) = match &filter.whose {
        Whose::Person(person) => page_and_total!(sessions::supervisee_id
            .eq(person.clone())
            .or(sessions::supervisor_id.eq(person.clone()))),
        Whose::Team(team) => page_and_total!(sessions::team_id.eq(team.clone())),
    };
    Ok((
        rows.into_iter().map(from_row).collect::<StoreResult<_>>()?,
        total,
    ))
}

/// A session with the move waiting for a decision, if any.
pub type WithPending = (Session, Option<Change>);

/// [`list`] with each session's proposed move waiting for a decision ([`pending_change`]):
/// one statement for the page, and a second only when a session on it waits for a decision.
pub fn list_with_pending(
    conn: &mut DbConnection,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<WithPending>, i64)> {
    let (sessions, total) = list(conn, filter, page)?;
    // A session waits for a decision exactly while its status says so (the lifecycle,
    // `domain::sessions::next`): a page with none has no moves to look up.
    let ids: Vec<String> = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::ReschedulePending)
        .map(|s| s.id.clone())
        .collect();
    if ids.is_empty() {
        return Ok((sessions.into_iter().map(|s| (s, None)).collect(), total));
    }
    let mut pending: HashMap<String, Change> = HashMap::new();
    for change in session_changes::table
        .filter(session_changes::state.eq(ChangeState::Pending.as_str()))
        .filter(super::one_of(session_changes::session_id, &ids))
        .select(session_changes::all_columns)
        .order(session_changes::id.asc())
        .load::<Change>(conn)?
    {
        pending.entry(change.session_id.clone()).or_insert(change);
    }
    let with_pending = sessions
        .into_iter()
        .map(|session| {
            let change = pending.remove(&session.id);
            (session, change)
        })
        .collect();
    Ok((with_pending, total))
}

/// Whose sessions a plan looks at: the formal 1:1s of some agreements, or a team's group
/// sessions.
pub enum Owner<'a> {
    Agreements(&'a [String]),
    Team(&'a str),
}

/// Start times of the owner's sessions with one of these statuses, earliest first.
pub fn starts(
    conn: &mut DbConnection,
    owner: Owner<'_>,
    statuses: &[SessionStatus],
) -> StoreResult<Vec<NaiveDateTime>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let mut query = sessions::table
        .filter(sessions::status.eq_any(statuses))
        .into_boxed();
    query = match owner {
        Owner::Agreements(ids) => query
            .filter(sessions::agreement_id.eq_any(ids))
            .filter(sessions::kind.eq(SessionKind::OneToOne.as_str())),
        Owner::Team(team) => query
            .filter(sessions::team_id.eq(team))
            .filter(sessions::kind.eq(SessionKind::Group.as_str())),
    };
    Ok(query
        .select(sessions::starts_at)
        .order(sessions::starts_at.asc())
        .load(conn)?)
}

/// Changes a session's status or start if it is still at `expected_version` (SES-5).
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    expected_version: i32,
    status: SessionStatus,
    starts_at: Option<NaiveDateTime>,
) -> StoreResult<Session> {
    let current = find(conn, id)?;
    let changed = diesel::update(
        sessions::table
            .filter(sessions::id.eq(id))
            .filter(sessions::version.eq(expected_version)),
    )
    .set((
        sessions::status.eq(status.as_str()),
        sessions::starts_at.eq(starts_at.unwrap_or(current.starts_at)),
        sessions::updated_at.eq(now()),
        sessions::version.eq(sessions::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::VersionMismatch {
            current: current.version,
        });
    }
    find(conn, id)
}

pub struct NewChange<'a> {
    pub session_id: &'a str,
    pub action: ChangeAction,
    pub state: ChangeState,
    pub from_starts_at: Option<NaiveDateTime>,
    pub to_starts_at: Option<NaiveDateTime>,
    pub reason: Option<ChangeReason>,
    pub reason_text: Option<String>,
    pub due_by: Option<NaiveDate>,
    pub needs_manager: bool,
    pub breach: bool,
    pub actor_id: &'a str,
}

/// One entry of a session's history.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct Change {
    pub id: String,
    pub session_id: String,
    pub action: String,
    pub state: String,
    #[diesel(deserialize_as = MaybeStamp)]
    pub from_starts_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = MaybeStamp)]
    pub to_starts_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    #[diesel(deserialize_as = MaybeDay)]
    pub due_by: Option<NaiveDate>,
    pub needs_manager: bool,
    pub breach: bool,
    pub actor_id: String,
    #[diesel(deserialize_as = Stamp)]
    pub acted_at: NaiveDateTime,
    pub decided_by: Option<String>,
    #[diesel(deserialize_as = MaybeStamp)]
    pub decided_at: Option<NaiveDateTime>,
    pub justification: Option<String>,
    pub comment: Option<String>,
    /// The session's kind and supervisee, copied so reports need not join (RPT-1).
    pub session_kind: String,
    pub supervisee_id: Option<String>,
}

pub fn record_change(conn: &mut DbConnection, change: NewChange<'_>) -> StoreResult<Change> {
    let id = super::new_id();
    let (kind, supervisee_id): (String, Option<String>) = sessions::table
        .find(change.session_id)
        .select((sessions::kind, sessions::supervisee_id))
        .get_result(conn)?;
    diesel::insert_into(session_changes::table)
        .values((
            session_changes::id.eq(&id),
            session_changes::session_id.eq(change.session_id),
            session_changes::session_kind.eq(kind),
            session_changes::supervisee_id.eq(supervisee_id),
            session_changes::action.eq(change.action.as_str()),
            session_changes::state.eq(change.state.as_str()),
            session_changes::from_starts_at.eq(change.from_starts_at),
            session_changes::to_starts_at.eq(change.to_starts_at),
            session_changes::reason.eq(change.reason.map(|r| r.as_str())),
            session_changes::reason_text.eq(&change.reason_text),
            session_changes::due_by.eq(change.due_by),
            session_changes::needs_manager.eq(change.needs_manager),
            session_changes::breach.eq(change.breach),
            session_changes::actor_id.eq(change.actor_id),
            session_changes::acted_at.eq(now()),
        ))
        .execute(conn)?;
    replan_for_session(conn, change.session_id)?;
    Ok(session_changes::table
        .find(&id)
        .select(session_changes::all_columns)
        .get_result(conn)?)
}

/// A change to a session changes its parties' reminders, and a proposal's decider's: plan
/// them again at the next tick.
fn replan_for_session(conn: &mut DbConnection, session_id: &str) -> StoreResult<()> {
    let session = find(conn, session_id)?;
    let at = now();
    super::reminders::touch(conn, &session.supervisor_id, at)?;
    if let Some(supervisee) = &session.supervisee_id {
        super::reminders::touch(conn, supervisee, at)?;
    }
    let today = crate::domain::people::organisation_today();
    if let Some(manager) = super::line_management::manager_on(conn, &session.supervisor_id, today)?
    {
        super::reminders::touch(conn, &manager, at)?;
    }
    Ok(())
}

pub fn history(conn: &mut DbConnection, session_id: &str) -> StoreResult<Vec<Change>> {
    Ok(session_changes::table
        .filter(session_changes::session_id.eq(session_id))
        .select(session_changes::all_columns)
        .order((session_changes::acted_at.asc(), session_changes::id.asc()))
        .load(conn)?)
}

/// The moves waiting for `person_id`'s decision on `date`, with their sessions, oldest
/// proposal first: those in their own supervision, and those needing the manager above
/// (past `due_by`) whose supervisor they line-manage that day. One statement, looked up from
/// the person's side, whatever else waits in the organisation.
pub fn pending_moves_for(
    conn: &mut DbConnection,
    person_id: &str,
    date: NaiveDate,
) -> StoreResult<Vec<(Session, Change)>> {
    let managed_that_day = line_management::table
        .filter(line_management::manager_id.eq(person_id.to_string()))
        .filter(line_management::starts_on.le(date))
        .filter(
            line_management::ends_on
                .is_null()
                .or(line_management::ends_on.gt(date)),
        )
        .select(line_management::supervisee_id);
    let rows: Vec<(Row, Change)> = session_changes::table
        .inner_join(sessions::table)
        .filter(session_changes::state.eq(ChangeState::Pending.as_str()))
        .filter(
            session_changes::needs_manager
                .eq(false)
                .and(sessions::supervisor_id.eq(person_id.to_string()))
                .or(session_changes::needs_manager
                    .eq(true)
                    .and(sessions::supervisor_id.eq_any(managed_that_day))),
        )
        .select((columns!(), session_changes::all_columns))
        .order((session_changes::acted_at.asc(), session_changes::id.asc()))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, change)| Ok((from_row(row)?, change)))
        .collect()
}

pub fn pending_change(conn: &mut DbConnection, session_id: &str) -> StoreResult<Option<Change>> {
    Ok(session_changes::table
        .filter(session_changes::session_id.eq(session_id))
        .filter(session_changes::state.eq(ChangeState::Pending.as_str()))
        .select(session_changes::all_columns)
        .get_result(conn)
        .optional()?)
}

/// Closes a pending proposal as confirmed or rejected.
pub fn decide(
    conn: &mut DbConnection,
    change_id: &str,
    state: ChangeState,
    decided_by: &str,
    justification: Option<&str>,
    comment: Option<&str>,
    breach: bool,
) -> StoreResult<Change> {
    let changed = diesel::update(
        session_changes::table
            .filter(session_changes::id.eq(change_id))
            .filter(session_changes::state.eq(ChangeState::Pending.as_str())),
    )
    .set((
        session_changes::state.eq(state.as_str()),
        session_changes::decided_by.eq(Some(decided_by)),
        session_changes::decided_at.eq(Some(now())),
        session_changes::justification.eq(justification),
        session_changes::comment.eq(comment),
        session_changes::breach.eq(breach),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::Conflict(
            "the proposal was already decided".into(),
        ));
    }
    let session_id: String = session_changes::table
        .find(change_id)
        .select(session_changes::session_id)
        .get_result(conn)?;
    replan_for_session(conn, &session_id)?;
    Ok(session_changes::table
        .find(change_id)
        .select(session_changes::all_columns)
        .get_result(conn)?)
}

/// For status lists: per agreement, the last held and next booked (from `booked_from`)
/// formal 1:1 start, in UTC.
#[derive(Debug, Default)]
pub struct FrequencySessions {
    pub last_held: HashMap<String, NaiveDateTime>,
    pub next_booked: HashMap<String, NaiveDateTime>,
}

/// Which agreements [`frequency_sessions`] looks at.
#[derive(Debug, Clone, Copy)]
pub enum AgreementsOf<'a> {
    /// Every agreement of these supervisees.
    Supervisees(&'a [String]),
    /// These agreements.
    Ids(&'a [String]),
}

/// The latest date a held session can have, for a "before" bound that bounds nothing. Not
/// NaiveDateTime::MAX: SQLite compares timestamps as text, and MAX renders as "+262143-…",
/// which sorts before every four-digit year.
pub(super) fn no_cap() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .expect("a valid date")
        .and_time(NaiveTime::MIN)
}

/// For the agreement in the row (`agreements::id`), the last held formal 1:1 before
/// `$held_before` and the first still booked from `$booked_from`: two correlated sub-selects,
/// each one seek on `sessions (agreement_id, kind, status, starts_at)`. A macro, not a
/// function: their types name the statement around them.
macro_rules! frequency_extremes {
    ($held_before:expr, $booked_from:expr) => {{
        use $crate::store::schema::{agreements, sessions};
        let of_agreement = || {
            sessions::table
                .filter(sessions::agreement_id.eq(agreements::id.nullable()))
                .filter(sessions::kind.eq($crate::domain::sessions::SessionKind::OneToOne.as_str()))
        };
        let last_held = of_agreement()
            .filter(sessions::status.eq($crate::domain::sessions::SessionStatus::Held.as_str()))
            .filter(sessions::starts_at.lt($crate::store::stamp::At($held_before)))
            .select(diesel::dsl::max(sessions::starts_at))
            .single_value();
        let next_booked = of_agreement()
            .filter($crate::store::sessions::is_booked())
            .filter(sessions::starts_at.ge($crate::store::stamp::At($booked_from)))
            .select(diesel::dsl::min(sessions::starts_at))
            .single_value();
        (last_held, next_booked)
    }};
}
pub(super) use frequency_extremes;

/// The agreements' terms and, per agreement, the last held formal 1:1 (before `held_before`,
/// if given) and the first still booked from `booked_from`: one statement, the terms read
/// with the sessions rather than in a round trip of their own ([`frequency_extremes`]): the
/// cost follows the number of agreements, not the years behind them. For one person's plan
/// or move, and the agreements a report's recent pass left behind; a status reads its rows
/// with the people (`status::of_people`), and the whole organisation reads
/// [`recent_frequency_sessions`] first.
pub fn frequency_sessions(
    conn: &mut DbConnection,
    of: AgreementsOf,
    held_before: Option<NaiveDateTime>,
    booked_from: NaiveDateTime,
) -> StoreResult<(Vec<Terms>, FrequencySessions)> {
    let held_before = held_before.unwrap_or_else(no_cap);
    let ids = match of {
        AgreementsOf::Supervisees(ids) | AgreementsOf::Ids(ids) => ids,
    };
    let rows: Vec<ExtremesRow> = super::for_ids(Some(ids), |chunk| {
        let chunk = chunk.unwrap_or_default();
        let (last_held, next_booked) = frequency_extremes!(held_before, booked_from);
        macro_rules! load_where {
            ($test:expr) => {
                agreements::table
                    .select((terms_columns(), last_held, next_booked))
                    .filter($test)
                    .load(conn)
            };
        }
        // One person's (a plan's or a move's due date) is a fixed shape that diesel finds in
        // its cache by type; a list of ids has its SQL rendered to be looked up (issue 18).
        match (of, chunk) {
            (AgreementsOf::Supervisees(_), [one]) => load_where!(agreements::supervisee_id.eq(one)),
            (AgreementsOf::Supervisees(_), _) => {
                load_where!(super::one_of(agreements::supervisee_id, chunk))
            }
            (AgreementsOf::Ids(_), [one]) => load_where!(agreements::id.eq(one)),
            (AgreementsOf::Ids(_), _) => load_where!(super::one_of(agreements::id, chunk)),
        }
    })?;
    extremes_from(rows)
}

/// An agreement's terms with its last held and next booked 1:1, as [`frequency_extremes`]
/// selects them.
pub(super) type ExtremesRow = (TermsRow, Option<Stamp>, Option<Stamp>);

/// The terms and the sessions' extremes from [`ExtremesRow`]s.
pub(super) fn extremes_from(
    rows: impl IntoIterator<Item = ExtremesRow>,
) -> StoreResult<(Vec<Terms>, FrequencySessions)> {
    let mut terms = Vec::new();
    let mut result = FrequencySessions::default();
    for (row, last, next) in rows {
        let agreement = terms_from(row)?;
        if let Some(last) = last {
            result.last_held.insert(agreement.id.clone(), last.into());
        }
        if let Some(next) = next {
            result.next_booked.insert(agreement.id.clone(), next.into());
        }
        terms.push(agreement);
    }
    Ok((terms, result))
}

/// A booked session (scheduled, or with a move pending), as `=` joined by `OR`: diesel never
/// keeps a SQLite statement with `IN` (`eq_any`) prepared, so a read using it was parsed and
/// planned afresh every time (issue 18).
pub(super) fn is_booked() -> diesel::dsl::Or<
    diesel::dsl::Eq<sessions::status, &'static str>,
    diesel::dsl::Eq<sessions::status, &'static str>,
> {
    let [scheduled, pending] = SessionStatus::BOOKED.map(SessionStatus::as_str);
    sessions::status
        .eq(scheduled)
        .or(sessions::status.eq(pending))
}

/// How many 1:1 sessions each of these agreements held in `[since, until]`: what a yearly
/// minimum (FREQ-3, Cafcass's 8 a year) is checked against. One grouped count per
/// [`super::MAX_IN_LIST`] agreements, not a statement per person.
pub fn held_between_by_agreement(
    conn: &mut DbConnection,
    agreement_ids: &[String],
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> StoreResult<HashMap<String, i64>> {
    let rows: Vec<(Option<String>, i64)> = super::for_ids(Some(agreement_ids), |chunk| {
        sessions::table
            .filter(super::one_of(
                sessions::agreement_id,
                chunk.unwrap_or_default(),
            ))
            .filter(sessions::kind.eq(SessionKind::OneToOne.as_str()))
            .filter(sessions::status.eq(SessionStatus::Held.as_str()))
            .filter(sessions::starts_at.ge(since))
            .filter(sessions::starts_at.le(until))
            .group_by(sessions::agreement_id)
            .select((sessions::agreement_id, count_star()))
            .load(conn)
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(agreement, held)| Some((agreement?, held)))
        .collect())
}

/// Everyone's [`FrequencySessions`] in two range scans of `sessions (kind, status,
/// starts_at, ...)`, grouped by agreement: the last held from `held_since` on, and the
/// first booked from `booked_from`. An agreement with nothing held since `held_since` is
/// missing from `last_held`; the caller seeks those it needs with [`frequency_sessions`].
/// Ten thousand seeks cost more than one pass over the recent weeks of the index.
pub fn recent_frequency_sessions(
    conn: &mut DbConnection,
    held_since: NaiveDateTime,
    booked_from: NaiveDateTime,
) -> StoreResult<FrequencySessions> {
    let one_to_one = SessionKind::OneToOne.as_str();
    let last_held: Vec<(Option<String>, Option<NaiveDateTime>)> = sessions::table
        .filter(sessions::kind.eq(one_to_one))
        .filter(sessions::status.eq(SessionStatus::Held.as_str()))
        .filter(sessions::starts_at.ge(held_since))
        .group_by(sessions::agreement_id)
        .select((sessions::agreement_id, max(sessions::starts_at)))
        .load(conn)?;
    let next_booked: Vec<(Option<String>, Option<NaiveDateTime>)> = sessions::table
        .filter(sessions::kind.eq(one_to_one))
        .filter(is_booked())
        .filter(sessions::starts_at.ge(booked_from))
        .group_by(sessions::agreement_id)
        .select((sessions::agreement_id, min(sessions::starts_at)))
        .load(conn)?;
    let by_agreement = |rows: Vec<(Option<String>, Option<NaiveDateTime>)>| {
        rows.into_iter()
            .filter_map(|(agreement, at)| Some((agreement?, at?)))
            .collect()
    };
    Ok(FrequencySessions {
        last_held: by_agreement(last_held),
        next_booked: by_agreement(next_booked),
    })
}
