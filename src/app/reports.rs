//! Compliance reports (RPT-1) for a team, a supervisor's caseload or the whole organisation,
//! over a chosen period: who is in scope and whether the actor may see it, then the read
//! model that puts each supervisee's figures together from the rows the store fetches
//! (`store::reports`) and the rules' verdicts on them (`supervision`, `compliance`). Figures,
//! dates and reasons only: no report carries record content, case references or reflective
//! text.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::status::{self, Line, Reach};
use super::{visibility, Actor, AppError, AppResult, Code};
use crate::app::observations::practice_year_status_from as observation_status;
use crate::domain::calendar::Calendar;
use crate::domain::compliance::{
    self, Breach, BreachReason, ChangeFact, CpdFigures, MonthFigure, ObservationFigures,
    RecordFigures,
};
use crate::domain::people::StaffCategory;
use crate::domain::periods::{practice_year, registration_year, Period};
use crate::domain::policy::Profile;
use crate::domain::reflection::cpd_status;
use crate::domain::scheduling::utc_to_local_date;
use crate::domain::sessions::ChangeReason;
use crate::domain::supervision::{self, Report};
use crate::domain::validation::Invalid;
use crate::store::line_management as links;
use crate::store::organisation::{CalendarSet, Calendars};
use crate::store::people::{self, Person};
use crate::store::reports::{self as rows, count, midnight, organisation_zone, HeldRows, Observed};
use crate::store::sessions::{self as sessions_store, AgreementsOf};
use crate::store::status::{calendar_error, zone};
use crate::store::teams::{self, Team};
use crate::store::{audit, groups, Db, DbConnection, Page, StoreResult};

/// The longest period one report covers: two practice years.
pub const MAX_PERIOD_DAYS: i64 = 731;
/// How far before a period the session a breach counts from is looked for with the period's
/// own query: longer than any shipped interval (quarterly).
const LOOKBACK_DAYS: u64 = 120;
/// How far before a period the changes that explain its breaches are looked for.
const CHANGES_LOOKBACK_DAYS: u64 = 366;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// One line per supervisee (default).
    #[default]
    Supervisees,
    /// One line per breach of the limit, with its reasons.
    Breaches,
    /// Cancelled 1:1s by reason.
    Cancellations,
    /// Each team's group supervision, month by month.
    GroupSupervision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Organisation,
    Team,
    Supervisor,
}

/// Whose report it is.
#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The team's or supervisor's id.
    pub id: Option<String>,
    pub name: String,
}

/// The report asked for.
#[derive(Debug, Clone)]
pub struct Asked {
    /// A team's report: its active members the actor may see.
    pub team_id: Option<String>,
    /// A supervisor's caseload. Without either: the whole organisation.
    pub supervisor_id: Option<String>,
    pub period: Period,
    /// Which list is read and how, for the audit log.
    pub section: Section,
    pub format: Format,
}

/// One supervisee's figures.
pub struct PersonFigures {
    pub line: Line,
    pub breaches: Vec<(Breach, Vec<BreachReason>)>,
    /// 1:1s held in the period, and the profile's yearly minimum for the person, if it sets
    /// one (FREQ-3: Cafcass's "at least 8 a year").
    pub held: u32,
    pub min_per_year: Option<u32>,
    pub cancellations: u32,
    pub records: RecordFigures,
    pub observations: ObservationFigures,
    pub cpd: CpdFigures,
    pub group_sessions_attended: u32,
}

/// One team's group supervision (GRP-1): its status today and each month of the period.
pub struct TeamFigures {
    pub team: Team,
    pub status: Report,
    pub months: Vec<MonthFigure>,
}

pub struct Compliance {
    /// The organisation's today: statuses are as of now, counts as of the period.
    pub as_of: NaiveDate,
    /// Worst first, as the status lists order them.
    pub people: Vec<PersonFigures>,
    /// Cancelled 1:1s in the period by reason, every reason listed.
    pub cancellations: Vec<(ChangeReason, u32)>,
    pub teams: Vec<TeamFigures>,
}

/// A report: whose, over which period, and its figures.
pub struct ComplianceReport {
    pub scope: Scope,
    pub period: Period,
    pub figures: Compliance,
}

/// The period asked for: `to` defaults to today and `from` to the start of its practice
/// year; both within the calendars' years, and at most [`MAX_PERIOD_DAYS`] apart.
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Period, Invalid> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| practice_year(to).starts_on);
    let mut invalid = Invalid::default();
    let years = Calendar::FIRST_YEAR..=Calendar::LAST_YEAR;
    if !years.contains(&from.year()) {
        invalid.push("from", "must be between 1990 and 2100");
    }
    if !years.contains(&to.year()) {
        invalid.push("to", "must be between 1990 and 2100");
    }
    if from > to {
        invalid.push("to", "must not be before `from`");
    } else if (to - from).num_days() > MAX_PERIOD_DAYS {
        invalid.push(
            "to",
            format!("must be at most {MAX_PERIOD_DAYS} days after `from`"),
        );
    }
    invalid.into_result(|| Period {
        starts_on: from,
        ends_on: to,
    })
}

/// RPT-1: the report for a team, a supervisor's caseload or the organisation, as of `now`,
/// its supervisees worst first. Reading it is audited. Its independent parts are read at
/// once on separate pooled connections (hence the pool, not one connection).
pub async fn compliance(
    db: &Db,
    actor: &Actor,
    calendars: Arc<Calendars>,
    asked: Asked,
    now: NaiveDateTime,
) -> AppResult<ComplianceReport> {
    let today = utc_to_local_date(now, organisation_zone());
    let period = asked.period;
    let (scope, coverage, calendars) = db
        .query({
            let (actor, asked) = (actor.clone(), asked.clone());
            move |conn| {
                let (scope, coverage) = scope_of(conn, &actor, &asked, today)?;
                Ok::<_, AppError>((scope, coverage, calendars.load(conn)?))
            }
        })
        .await?;
    let figures = figures(db, calendars, coverage, now, today).await?;
    let detail = json!({
        "scope": scope.kind, "id": scope.id, "from": period.starts_on, "to": period.ends_on,
        "section": asked.section, "format": asked.format,
    });
    let actor = actor.for_audit();
    db.write(move |conn| audit::record(conn, &actor, "report.read", "report", None, detail))
        .await?;
    Ok(ComplianceReport {
        scope,
        period,
        figures: Compliance {
            people: worst_first(figures.people),
            ..figures
        },
    })
}

/// Who a report covers.
struct Coverage {
    /// The supervisees, each once.
    people: Vec<Person>,
    /// Every active person is in scope, so the queries need no list of ids.
    organisation_wide: bool,
    /// Teams whose group supervision the report shows.
    teams: Vec<Team>,
    period: Period,
}

/// Who is in the report and whether the actor may see it. Anyone who may not see a team or
/// supervisor is told it does not exist (ACC-5).
fn scope_of(
    conn: &mut DbConnection,
    actor: &Actor,
    asked: &Asked,
    today: NaiveDate,
) -> AppResult<(Scope, Coverage)> {
    match (&asked.team_id, &asked.supervisor_id) {
        (Some(_), Some(_)) => {
            Err(Invalid::field("supervisor_id", "give a team or a supervisor, not both").into())
        }
        (Some(team_id), None) => team_scope(conn, actor, team_id, asked.period, today),
        (None, Some(supervisor_id)) => {
            caseload_scope(conn, actor, supervisor_id, asked.period, today)
        }
        (None, None) => organisation_scope(conn, actor, asked.period, today),
    }
}

fn active(conn: &mut DbConnection, filter: people::Filter) -> StoreResult<Vec<Person>> {
    people::all_matching(
        conn,
        &people::Filter {
            active: Some(true),
            ..filter
        },
    )
}

/// A team's active members: all of them to administrators and auditors, to a manager those
/// below them, and to a manager with nobody in the team below them, no report at all.
fn team_scope(
    conn: &mut DbConnection,
    actor: &Actor,
    team_id: &str,
    period: Period,
    today: NaiveDate,
) -> AppResult<(Scope, Coverage)> {
    let team = teams::find(conn, team_id)?;
    let only_ids = visibility::people_below(conn, actor, today)?;
    let limited = only_ids.is_some();
    let members = active(
        conn,
        people::Filter {
            team_id: Some(team.id.clone()),
            only_ids,
            ..people::Filter::default()
        },
    )?;
    if limited && members.is_empty() {
        return Err(AppError::NotFound);
    }
    let scope = Scope {
        kind: ScopeKind::Team,
        id: Some(team.id.clone()),
        name: team.name.clone(),
    };
    let coverage = Coverage {
        people: members,
        organisation_wide: false,
        teams: vec![team],
        period,
    };
    Ok((scope, coverage))
}

/// Whom a supervisor line-manages today or supervises under an active agreement, and their
/// teams: for the supervisor, managers above them, administrators and auditors.
fn caseload_scope(
    conn: &mut DbConnection,
    actor: &Actor,
    supervisor_id: &str,
    period: Period,
    today: NaiveDate,
) -> AppResult<(Scope, Coverage)> {
    let supervisor = visibility::person(conn, actor, supervisor_id)?;
    let ids = visibility::supervisees_of(conn, &supervisor.id, today)?;
    let caseload = active(
        conn,
        people::Filter {
            only_ids: Some(ids),
            ..people::Filter::default()
        },
    )?;
    let mut team_ids: Vec<String> = caseload.iter().filter_map(|p| p.team_id.clone()).collect();
    team_ids.sort();
    team_ids.dedup();
    let teams = team_ids
        .iter()
        .map(|id| teams::find(conn, id))
        .collect::<Result<Vec<_>, _>>()?;
    let scope = Scope {
        kind: ScopeKind::Supervisor,
        id: Some(supervisor.id),
        name: supervisor.display_name,
    };
    let coverage = Coverage {
        people: caseload,
        organisation_wide: false,
        teams,
        period,
    };
    Ok((scope, coverage))
}

/// Everyone active and every active team: for administrators and auditors.
fn organisation_scope(
    conn: &mut DbConnection,
    actor: &Actor,
    period: Period,
    today: NaiveDate,
) -> AppResult<(Scope, Coverage)> {
    if !(actor.is_admin || actor.is_auditor) {
        return Err(AppError::refuse(
            Code::AdminOrAuditorOnly,
            "the organisation's report is for administrators and auditors",
        ));
    }
    // Administrator and auditor accounts that nobody line-manages are the service's own, not
    // staff under supervision; anyone else with no supervision arranged stays in, as overdue.
    let mut everyone: Vec<Person> = Vec::new();
    for person in active(conn, people::Filter::default())? {
        if !(person.is_admin || person.is_auditor)
            || links::manager_on(conn, &person.id, today)?.is_some()
        {
            everyone.push(person);
        }
    }
    let all = Page {
        limit: i64::MAX,
        offset: 0,
    };
    let (teams, _) = teams::list(conn, Some(true), all)?;
    let scope = Scope {
        kind: ScopeKind::Organisation,
        id: None,
        name: "Organisation".into(),
    };
    let coverage = Coverage {
        people: everyone,
        organisation_wide: true,
        teams,
        period,
    };
    Ok((scope, coverage))
}

/// Worst first, as the status lists order them.
fn worst_first(mut people: Vec<PersonFigures>) -> Vec<PersonFigures> {
    people.sort_by(|a, b| {
        let key = |p: &PersonFigures| {
            (
                compliance::severity(p.line.report.status),
                p.line.report.due_by,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.line.person.display_name.cmp(&b.line.person.display_name))
            .then_with(|| a.line.person.id.cmp(&b.line.person.id))
    });
    people
}

/// What the period's queries found besides the status lines, keyed by agreement (`held`)
/// or by person.
struct Found {
    held: HeldRows,
    changes: HashMap<String, Vec<(NaiveDateTime, ChangeFact)>>,
    cancelled: Vec<(String, Option<ChangeReason>, u32)>,
    records: HashMap<String, RecordFigures>,
    observed: Observed,
    cpd: HashMap<String, Vec<(NaiveDate, bool)>>,
    attended: HashMap<String, i64>,
}

/// Sessions' changes and records, read together.
struct Counts {
    changes: HashMap<String, Vec<(NaiveDateTime, ChangeFact)>>,
    cancelled: Vec<(String, Option<ChangeReason>, u32)>,
    records: HashMap<String, RecordFigures>,
}

/// Observations, CPD and group supervision, read together.
struct MoreCounts {
    observed: Observed,
    cpd: HashMap<String, Vec<(NaiveDate, bool)>>,
    attended: HashMap<String, i64>,
    teams: Vec<TeamFigures>,
}

/// Where the period's figures are judged from.
#[derive(Clone, Copy)]
struct Window {
    period: Period,
    /// From when held sessions are read with the period's own query (UTC).
    lookback_from: NaiveDateTime,
    /// Yearly requirements are judged on the practice and registration years the period
    /// ends in (or today's, for a period still running).
    judged_on: NaiveDate,
    now: NaiveDateTime,
}

impl Window {
    fn new(period: Period, now: NaiveDateTime, as_of: NaiveDate) -> Window {
        Window {
            period,
            // A day either side so each person's own zone can place a session on its date.
            lookback_from: midnight(period.starts_on - Days::new(LOOKBACK_DAYS + 1)),
            judged_on: period.ends_on.min(as_of),
            now,
        }
    }

    /// The period in UTC: from its first midnight to before the one after its last day.
    fn utc(&self) -> (NaiveDateTime, NaiveDateTime) {
        (
            midnight(self.period.starts_on),
            midnight(self.period.end_exclusive()),
        )
    }
}

/// The figures of everyone covered: their status lines and the period's rows, read at once,
/// then each supervisee's breaches, counts and requirements, and cancellations by reason.
async fn figures(
    db: &Db,
    calendars: Arc<CalendarSet>,
    coverage: Coverage,
    now: NaiveDateTime,
    as_of: NaiveDate,
) -> AppResult<Compliance> {
    let window = Window::new(coverage.period, now, as_of);
    let ids: Vec<String> = coverage.people.iter().map(|p| p.id.clone()).collect();
    let (lines, mut found, teams) = gather(db, &calendars, coverage, window, as_of).await?;
    let profile = calendars.settings.profile();
    // A requirement that ended before the period (a student after the placement) is out
    // of the report; one that ended within it is reported up to its end.
    let lines: Vec<Line> = lines
        .into_iter()
        .filter(|line| !line.facts.ended(&profile, window.period.starts_on))
        .collect();
    let before = held_before_lookback(db, &lines, &found.held, window).await?;
    let judge = Judge {
        calendar: calendars.organisation(),
        profile: &profile,
        window,
        before: &before,
    };
    let mut people = lines
        .into_iter()
        .map(|line| judge.person(line, &mut found))
        .collect::<StoreResult<Vec<_>>>()?;
    let cancellations = count_cancellations(&mut people, &ids, found.cancelled);
    Ok(Compliance {
        as_of,
        people,
        cancellations,
        teams,
    })
}

/// The report's independent parts (status lines, the period's sessions, two sets of counts),
/// each on its own pooled connection.
async fn gather(
    db: &Db,
    calendars: &Arc<CalendarSet>,
    coverage: Coverage,
    window: Window,
    as_of: NaiveDate,
) -> AppResult<(Vec<Line>, Found, Vec<TeamFigures>)> {
    let Coverage {
        people,
        organisation_wide,
        teams,
        period,
    } = coverage;
    let scope: Option<Arc<[String]>> =
        (!organisation_wide).then(|| people.iter().map(|p| p.id.clone()).collect());
    let (now, judged_on) = (window.now, window.judged_on);
    let (lines, held, counts, more) = tokio::try_join!(
        db.read({
            let calendars = calendars.clone();
            let reach = if organisation_wide {
                Reach::Everyone
            } else {
                Reach::Listed
            };
            move |conn| status::lines(conn, &calendars, people, reach, now)
        }),
        db.read({
            let scope = scope.clone();
            let (from, to) = (
                window.lookback_from,
                midnight(period.end_exclusive() + Days::new(1)),
            );
            move |conn| rows::held_sessions(conn, scope.as_deref(), from, period.starts_on, to)
        }),
        db.read({
            let scope = scope.clone();
            move |conn| {
                let scope = scope.as_deref();
                let (period_from, period_to) = window.utc();
                // Reasons lie in the gap before each breach; a gap starts at most a year
                // before it.
                let since = midnight(period.starts_on - Days::new(CHANGES_LOOKBACK_DAYS));
                Ok(Counts {
                    changes: rows::changes_of(conn, scope, since)?,
                    cancelled: rows::cancellations(conn, scope, period_from, period_to)?,
                    records: rows::record_figures(conn, scope, period, as_of)?,
                })
            }
        }),
        db.read({
            let calendars = calendars.clone();
            move |conn| {
                let scope = scope.as_deref();
                let (period_from, period_to) = window.utc();
                Ok(MoreCounts {
                    observed: rows::observed_in(conn, scope, practice_year(judged_on))?,
                    cpd: rows::cpd_in(conn, scope, registration_year(judged_on))?,
                    attended: groups::attendance(conn, scope, period_from, period_to)?,
                    teams: team_figures(conn, &calendars, teams, period, as_of, now)?,
                })
            }
        }),
    )?;
    let found = Found {
        held,
        changes: counts.changes,
        cancelled: counts.cancelled,
        records: counts.records,
        observed: more.observed,
        cpd: more.cpd,
        attended: more.attended,
    };
    Ok((lines, found, more.teams))
}

/// Per agreement, the last session held before the look-back, for the few whose last
/// session before the period is older than the look-back: one seek per agreement.
async fn held_before_lookback(
    db: &Db,
    lines: &[Line],
    held: &HeldRows,
    window: Window,
) -> StoreResult<HashMap<String, NaiveDateTime>> {
    let starts_on = window.period.starts_on;
    let older: Vec<String> = lines
        .iter()
        .filter(|line| {
            let tz = zone(&line.person);
            let seen_before = held_by(line, held).any(|at| utc_to_local_date(*at, tz) < starts_on);
            !seen_before
                && line
                    .facts
                    .last_held
                    .is_some_and(|last| last >= starts_on - Days::new(LOOKBACK_DAYS))
        })
        .map(|line| line.person.id.clone())
        .collect();
    if older.is_empty() {
        return Ok(HashMap::new());
    }
    let (from, now) = (window.lookback_from, window.now);
    db.read(move |conn| {
        let (_, sessions) = sessions_store::frequency_sessions(
            conn,
            AgreementsOf::Supervisees(&older),
            Some(from),
            now,
        )?;
        Ok(sessions.last_held)
    })
    .await
}

/// The held sessions of the agreements that count for the person.
fn held_by<'a>(line: &'a Line, held: &'a HeldRows) -> impl Iterator<Item = &'a NaiveDateTime> {
    line.counting
        .iter()
        .filter_map(|agreement| held.get(agreement))
        .flatten()
}

/// What each supervisee is judged against.
struct Judge<'a> {
    calendar: &'a Calendar,
    profile: &'a Profile,
    window: Window,
    /// [`held_before_lookback`].
    before: &'a HashMap<String, NaiveDateTime>,
}

impl Judge<'_> {
    /// One supervisee's figures (cancellations are counted afterwards, for everyone at once).
    fn person(&self, line: Line, found: &mut Found) -> StoreResult<PersonFigures> {
        let (previous, within) = self.held_around(&line, &found.held);
        let breaches = self.breaches(&line, previous, &within, &mut found.changes)?;
        let id = &line.person.id;
        let observation = observation_status(
            self.profile,
            &line.person,
            found
                .observed
                .get(id)
                .map(Vec::as_slice)
                .unwrap_or_default(),
            self.window.judged_on,
        );
        let min_per_year = self
            .profile
            .requirement(
                line.facts.category,
                &line.facts.dates,
                self.window.judged_on,
            )
            .min_per_year;
        Ok(PersonFigures {
            breaches,
            held: u32::try_from(within.len()).unwrap_or(u32::MAX),
            min_per_year,
            cancellations: 0,
            records: found.records.get(id).copied().unwrap_or_default(),
            observations: ObservationFigures {
                required: observation.required,
                done: observation.done,
                remaining: observation.remaining,
            },
            cpd: self.cpd(&line.person, &found.cpd),
            group_sessions_attended: found.attended.get(id).map_or(0, |n| count(*n)),
            line,
        })
    }

    /// The last session held before the period (on the person's own dates) and those held
    /// within it.
    fn held_around(&self, line: &Line, held: &HeldRows) -> (Option<NaiveDate>, Vec<NaiveDate>) {
        let period = self.window.period;
        let tz = zone(&line.person);
        let local = |at: &NaiveDateTime| utc_to_local_date(*at, tz);
        // With nothing held in the look-back, the last session ever held is the previous one
        // (unless it lies in the period, when `before` has the one before the look-back).
        let mut previous: Option<NaiveDate> = line
            .facts
            .last_held
            .filter(|last| *last < period.starts_on - Days::new(LOOKBACK_DAYS))
            .or_else(|| {
                line.counting
                    .iter()
                    .filter_map(|agreement| self.before.get(agreement))
                    .map(local)
                    .max()
            });
        let mut within: Vec<NaiveDate> = Vec::new();
        for at in held_by(line, held) {
            let date = local(at);
            if date < period.starts_on {
                previous = previous.max(Some(date));
            } else if date <= period.ends_on {
                within.push(date);
            }
        }
        (previous, within)
    }

    /// The stretches past the limit during the period, up to the person's own today (the day
    /// their status was computed for, CAL-4), each with the changes that explain it.
    fn breaches(
        &self,
        line: &Line,
        previous: Option<NaiveDate>,
        within: &[NaiveDate],
        changes: &mut HashMap<String, Vec<(NaiveDateTime, ChangeFact)>>,
    ) -> StoreResult<Vec<(Breach, Vec<BreachReason>)>> {
        let tz = zone(&line.person);
        let found = compliance::breaches(
            self.calendar,
            self.profile,
            &line.facts,
            previous,
            within,
            self.window.period,
            utc_to_local_date(self.window.now, tz),
        )
        .map_err(calendar_error)?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let facts: Vec<ChangeFact> = changes
            .remove(&line.person.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(planned_at, fact)| ChangeFact {
                planned_on: utc_to_local_date(planned_at, tz),
                ..fact
            })
            .collect();
        Ok(found
            .into_iter()
            .map(|breach| {
                let reasons = compliance::explain(&breach, &facts);
                (breach, reasons)
            })
            .collect())
    }

    /// REF-3's CPD figures: counts only; a student has no registration requirement.
    fn cpd(&self, person: &Person, cpd: &HashMap<String, Vec<(NaiveDate, bool)>>) -> CpdFigures {
        let registered = person.staff_category != StaffCategory::Student;
        let status = cpd_status(
            cpd.get(&person.id).map(Vec::as_slice).unwrap_or_default(),
            self.window.judged_on,
        );
        CpdFigures {
            records: status.records,
            with_peer_reflection: status.with_peer_reflection,
            required: if registered { status.required } else { 0 },
            met: !registered || status.met,
        }
    }
}

/// Adds each supervisee's cancelled 1:1s to their figures and answers the count by reason,
/// every reason listed. Organisation-wide queries also see people who have left; only those
/// reported count. `ids` are the people covered, in the order of `people`.
fn count_cancellations(
    people: &mut [PersonFigures],
    ids: &[String],
    cancelled: Vec<(String, Option<ChangeReason>, u32)>,
) -> Vec<(ChangeReason, u32)> {
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut by_reason: HashMap<ChangeReason, u32> = HashMap::new();
    for (person, reason, n) in cancelled {
        let Some(&i) = index.get(person.as_str()) else {
            continue;
        };
        people[i].cancellations += n;
        if let Some(reason) = reason {
            *by_reason.entry(reason).or_default() += n;
        }
    }
    ChangeReason::ALL
        .iter()
        .map(|reason| (*reason, by_reason.get(reason).copied().unwrap_or(0)))
        .collect()
}

/// GRP-1 for each team: its status against the profile's interval today, from its last held
/// and next booked group session (from `now`), and its held sessions month by month in the
/// period.
pub fn team_figures(
    conn: &mut DbConnection,
    calendars: &CalendarSet,
    teams: Vec<Team>,
    period: Period,
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Vec<TeamFigures>> {
    let ids: Vec<String> = teams.iter().map(|t| t.id.clone()).collect();
    let extremes = rows::group_extremes(conn, &ids, now)?;
    let (from, to) = (midnight(period.starts_on), midnight(period.end_exclusive()));
    let held = rows::group_sessions_held(conn, &ids, from, to)?;
    let tz = organisation_zone();
    let local = |at: NaiveDateTime| utc_to_local_date(at, tz);
    let interval = calendars.settings.profile().group_supervision();
    teams
        .into_iter()
        .map(|team| {
            let found = extremes.get(&team.id).copied().unwrap_or_default();
            let status = supervision::report_at(
                calendars.organisation(),
                |_| interval,
                local(team.created_at),
                found.last_held.map(local),
                found.next_booked.map(local),
                today,
            )
            .map_err(calendar_error)?;
            let dates: Vec<NaiveDate> = held
                .get(&team.id)
                .map(|at| at.iter().copied().map(local).collect())
                .unwrap_or_default();
            let months = compliance::monthly_held(period, &dates);
            Ok(TeamFigures {
                team,
                status,
                months,
            })
        })
        .collect()
}
