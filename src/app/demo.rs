//! The demo organisation's lived-in year (issue 19): `serve --demo` loads people who have used
//! the service for the last twelve months. Every agreement, session, move, record,
//! observation and reflection is made by the use cases of this layer, as the person
//! concerned, at an explicit past `now`, so each rule (FREQ, SES-3, REC-4, OBS, REF) holds
//! exactly as if it had been lived. The year is relative to `today` and its choices come
//! from a generator seeded with the date: the demo always looks current, and loading it twice
//! on the same day gives the same year.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::agreements::{self, Proposal};
use super::records::signoff::{self, Edit};
use super::sessions::{self, Booking, Cancellation, Decision, Move, Outcome};
use super::{observations, reflections, status, Actor, AppError, AppResult, Code, Expected};
use crate::auth::password;
use crate::domain::calendar::{Calendar, CalendarError};
use crate::domain::observations::ObservationSetting;
use crate::domain::records::Content;
use crate::domain::scheduling::{local_to_utc, utc_to_local_date, Status};
use crate::domain::sessions::{AgreementKind, ChangeReason};
use crate::store::notifications;
use crate::store::organisation::Calendars;
use crate::store::people::{self, Person};
use crate::store::records as record_rows;
use crate::store::seed::{self, DemoAccount};
use crate::store::status::{person_dates, zone};
use crate::store::{Db, DbConnection};

/// What the demo loaded: the sign-ins to print, and the status each supervisee was meant to
/// end the year with (what the compliance report should say today).
pub struct Loaded {
    pub accounts: Vec<DemoAccount>,
    pub intended: Vec<Intended>,
}

/// The status a supervisee's year was made to end with (FREQ-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intended {
    pub person_id: String,
    pub email: String,
    pub status: Status,
}

/// Loads the demo into an empty database, in one transaction; `None` when people already
/// exist, so a restart with `--demo` changes nothing.
pub fn load(db: &Db, calendars: &Calendars, today: NaiveDate) -> AppResult<Option<Loaded>> {
    if db.write_now(people::count)? > 0 {
        return Ok(None);
    }
    // One hash for every demo account: argon2 is slow on purpose.
    let hash = password::hash(seed::DEMO_PASSWORD);
    db.transact_now(|conn| {
        let Some(accounts) = seed::demo_people(conn, today, &hash)? else {
            return Ok(None);
        };
        let intended = live(conn, calendars, today)?;
        Ok(Some(Loaded { accounts, intended }))
    })
}

/// How a supervisee's year ends, as of today.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// The next session is booked within the limit.
    Booked,
    /// As `Booked`, then the supervisee proposes a new time: it waits for the supervisor.
    SuperviseeProposes,
    /// As `Booked`, then the supervisor moves it past `due_by`: it waits for the manager above.
    MovedPastDueBy,
    /// Held 30 working days ago; the next was missed and nothing is booked.
    Overdue,
    /// Held 22 working days ago and nothing booked: due within 5 working days.
    AtRisk,
}

/// Where the last record of the year stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LastRecord {
    Signed,
    AwaitingSupervisee,
    AmendmentsAsked,
    /// Not written yet, and past its due day (REC-5).
    Draft,
}

/// One supervisee's year: who supervises them (a student's two supervisors take turns),
/// how it ends, and whether a move past `due_by` was once confirmed by the manager above.
struct Cast {
    supervisee: &'static str,
    supervisors: &'static [&'static str],
    ending: Ending,
    last_record: LastRecord,
    breach_once: bool,
}

const fn cast(
    supervisee: &'static str,
    supervisors: &'static [&'static str],
    ending: Ending,
    last_record: LastRecord,
) -> Cast {
    Cast {
        supervisee,
        supervisors,
        ending,
        last_record,
        breach_once: false,
    }
}

/// Everyone's supervision, by e-mail local part: each supervisor is the line manager, so
/// the manager above is the one above them (Hannah for Tom's and Priya's people).
const CASTS: &[Cast] = &[
    cast(
        "hannah.shaw",
        &["rachel.moore"],
        Ending::Booked,
        LastRecord::AwaitingSupervisee,
    ),
    cast(
        "tom.reed",
        &["hannah.shaw"],
        Ending::Booked,
        LastRecord::Signed,
    ),
    cast(
        "jack.lewis",
        &["hannah.shaw"],
        Ending::Booked,
        LastRecord::Signed,
    ),
    cast(
        "priya.patel",
        &["hannah.shaw"],
        Ending::SuperviseeProposes,
        LastRecord::Signed,
    ),
    cast(
        "aisha.khan",
        &["tom.reed"],
        Ending::MovedPastDueBy,
        LastRecord::AwaitingSupervisee,
    ),
    cast(
        "ben.carter",
        &["tom.reed"],
        Ending::Overdue,
        LastRecord::Signed,
    ),
    cast(
        "chloe.davies",
        &["tom.reed"],
        Ending::SuperviseeProposes,
        LastRecord::Signed,
    ),
    cast(
        "daniel.evans",
        &["tom.reed"],
        Ending::Booked,
        LastRecord::AwaitingSupervisee,
    ),
    cast(
        "ed.foster",
        &["priya.patel"],
        Ending::Booked,
        LastRecord::AmendmentsAsked,
    ),
    cast(
        "fiona.grant",
        &["priya.patel"],
        Ending::AtRisk,
        LastRecord::Signed,
    ),
    Cast {
        breach_once: true,
        ..cast(
            "george.hughes",
            &["priya.patel"],
            Ending::Booked,
            LastRecord::Draft,
        )
    },
    cast(
        "isla.jones",
        &["priya.patel", "jack.lewis"],
        Ending::Booked,
        LastRecord::Signed,
    ),
];

/// A small linear congruential generator (Knuth's MMIX constants): enough to vary a demo,
/// and the same sequence for the same seed on every platform.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

fn calendar_refusal(err: CalendarError) -> AppError {
    AppError::refuse(Code::OutsideCalendar, format!("the demo year: {err}"))
}

/// The demo as someone acting in it.
fn actor(person: &Person) -> Actor {
    Actor {
        person_id: person.id.clone(),
        is_admin: false,
        is_auditor: false,
        address: "demo".to_string(),
    }
}

const ISSUES: &[&str] = &[
    "Caseload reviewed: two new child protection plans, one case stepped down to early help.",
    "Workload and wellbeing: a heavy month of court work; agreed protected time for writing.",
    "Reflected on a difficult home visit and how the plan for the family was explained.",
    "Learning: the neglect toolkit training; how to use it at the next core group.",
    "Transitions: two young people turning 18; pathway plans and housing options discussed.",
];

const REFLECTIONS: &[(&str, &str)] = &[
    (
        "A first home visit",
        "I was nervous about the visit and prepared too much. The parent wanted to be heard \
         before anything else; next time I will start by listening and leave the forms for later.",
    ),
    (
        "Writing for the family, not for the file",
        "My supervisor asked who the assessment was written for. Rewriting the summary in plain \
         words made the analysis clearer to me as well.",
    ),
    (
        "Working with the school",
        "The designated safeguarding lead saw the child daily and noticed changes I had missed. \
         I will ask schools earlier and more specifically.",
    ),
];

/// One of a supervisee's agreements and the supervisor who books under it.
struct Supervision {
    agreement_id: String,
    supervisor: Person,
    time: NaiveTime,
}

/// A held session's record not yet taken further: it is signed once the next is held, and
/// the year's last one ends as its [`LastRecord`] says.
struct OpenRecord {
    id: String,
    held_on: NaiveDate,
    supervisor: Person,
}

/// The demo's year in motion: the calendars, today, and the people by e-mail local part.
struct World<'a> {
    calendars: &'a Calendars,
    calendar: Calendar,
    today: NaiveDate,
    /// The first moment of today in London: the year's last actions happen then, after
    /// everything held and before anything booked.
    end: NaiveDateTime,
    people: BTreeMap<&'static str, Person>,
}

fn live(
    conn: &mut DbConnection,
    calendars: &Calendars,
    today: NaiveDate,
) -> AppResult<Vec<Intended>> {
    let set = calendars.load(conn)?;
    let mut people = BTreeMap::new();
    let names = CASTS
        .iter()
        .flat_map(|c| std::iter::once(c.supervisee).chain(c.supervisors.iter().copied()));
    for name in names {
        let email = format!("{name}@demo.council.example");
        let (person, _) = people::credentials_by_email(conn, &email)?.ok_or(AppError::NotFound)?;
        people.insert(name, person);
    }
    let london = chrono_tz::Europe::London;
    let world = World {
        calendars,
        calendar: set.organisation().clone(),
        today,
        end: local_to_utc(today, NaiveTime::MIN, london),
        people,
    };
    let mut intended = Vec::new();
    for (index, cast) in CASTS.iter().enumerate() {
        let mut rng = Lcg(u64::from(today.num_days_from_ce().unsigned_abs()) * 131 + index as u64);
        let status = world.year_of(conn, cast, &mut rng)?;
        let person = &world.people[cast.supervisee];
        intended.push(Intended {
            person_id: person.id.clone(),
            email: person.email.clone(),
            status,
        });
    }
    world.observations(conn)?;
    world.reflections(conn)?;
    Ok(intended)
}

impl World<'_> {
    fn person(&self, name: &str) -> Person {
        self.people[name].clone()
    }

    /// `n` working days from `from` (back, when negative).
    fn working_days(&self, from: NaiveDate, n: i32) -> AppResult<NaiveDate> {
        self.calendar
            .add_working_days(from, n)
            .map_err(calendar_refusal)
    }

    /// Proposed by the line manager (the first supervisor), signed by both, from `starts_on`,
    /// as often as the policy asks of the supervisee then.
    fn agree(
        &self,
        conn: &mut DbConnection,
        cast: &Cast,
        supervisor: &Person,
        starts_on: NaiveDate,
        (weekday, time): (Weekday, NaiveTime),
    ) -> AppResult<String> {
        let supervisee = &self.people[cast.supervisee];
        let line_manager = &self.people[cast.supervisors[0]];
        let profile = self.calendars.load(conn)?.settings.profile();
        let requirement = profile.requirement(
            supervisee.staff_category,
            &person_dates(supervisee),
            starts_on,
        );
        let kind = if supervisor.id == line_manager.id {
            AgreementKind::LineManagement
        } else {
            AgreementKind::PracticeEducator
        };
        let agreement = agreements::propose(
            conn,
            &actor(line_manager),
            self.calendars,
            Proposal {
                supervisee_id: supervisee.id.clone(),
                supervisor_id: Some(supervisor.id.clone()),
                kind,
                frequency: requirement.interval,
                session_minutes: 90,
                usual_weekday: weekday,
                usual_time: time.format("%H:%M").to_string(),
                place: "Meeting room 2, Civic Centre".into(),
                agenda: "Actions, cases, workload, wellbeing, learning and development".into(),
                starts_on,
            },
        )?;
        agreements::sign(conn, &actor(supervisee), &agreement.id, Expected::ANY)?;
        agreements::sign(conn, &actor(supervisor), &agreement.id, Expected::ANY)?;
        Ok(agreement.id)
    }

    /// The next session's day: a working day or a few before `due_by` (one at most on a
    /// weekly cadence), after the last held, and never today, whose hour may have passed.
    fn next_date(&self, after: NaiveDate, due: NaiveDate, rng: &mut Lcg) -> AppResult<NaiveDate> {
        let gap = self
            .calendar
            .working_days_between(after, due)
            .map_err(calendar_refusal)?;
        let slack = if gap > 10 {
            1 + rng.below(3) as i32
        } else {
            rng.below(2) as i32
        };
        let mut date = self.working_days(due, -slack)?;
        if date <= after {
            date = due;
        }
        if date == self.today {
            let before = self.working_days(date, -1)?;
            date = if before > after {
                before
            } else {
                self.working_days(date, 1)?
            };
        }
        Ok(date)
    }

    /// One supervisee's year, session by session: each booked after the last was held, a
    /// little before its `due_by`, then held, moved, cancelled or missed; returns the status
    /// it was meant to end with.
    fn year_of(&self, conn: &mut DbConnection, cast: &Cast, rng: &mut Lcg) -> AppResult<Status> {
        let supervisee = self.person(cast.supervisee);
        let newcomer = supervisee.asye_start.is_some() || supervisee.placement_start.is_some();
        let starts_on = if newcomer {
            seed::demo_year_start(self.today)
        } else {
            seed::demo_history_start(self.today)
        };
        let weekday = [Weekday::Tue, Weekday::Wed, Weekday::Thu][rng.below(3) as usize];
        let mut supervisions = Vec::new();
        for (turn, name) in cast.supervisors.iter().enumerate() {
            let supervisor = self.person(name);
            // A practice educator keeps the afternoon.
            let time = NaiveTime::from_hms_opt(if turn == 0 { 10 } else { 14 }, 0, 0)
                .unwrap_or(NaiveTime::MIN);
            let slot = (weekday, time);
            supervisions.push(Supervision {
                agreement_id: self.agree(conn, cast, &supervisor, starts_on, slot)?,
                supervisor,
                time,
            });
        }
        let me = actor(&supervisee);
        let tz = zone(&supervisee);
        let anchor = match cast.ending {
            Ending::Overdue => Some(self.working_days(self.today, -30)?),
            Ending::AtRisk => Some(self.working_days(self.today, -22)?),
            _ => None,
        };
        let breach_window = (
            self.today - Duration::days(200),
            self.today - Duration::days(120),
        );
        let mut breach_due = cast.breach_once;
        let mut anchored = false;
        let mut now = local_to_utc(starts_on, NaiveTime::MIN, tz);
        let mut after = starts_on.pred_opt().unwrap_or(starts_on);
        let mut open: Option<OpenRecord> = None;
        let placement_end = supervisee.placement_end;
        for turn in 0.. {
            if anchored && cast.ending == Ending::AtRisk {
                break;
            }
            let due = status::of_person(conn, &me, self.calendars, now, &supervisee.id)?
                .report
                .due_by;
            let mut date = self.next_date(after, due, rng)?;
            if let Some(at) = anchor.filter(|a| *a > after && *a <= due && !anchored) {
                date = at;
                anchored = true;
            }
            if placement_end.is_some_and(|end| date >= end) {
                break;
            }
            let with = &supervisions[turn % supervisions.len()];
            let booker = actor(&with.supervisor);
            let booking = Booking {
                starts_at: local_to_utc(date, with.time, tz),
                kind: None,
                duration_minutes: None,
                place: None,
            };
            let session = sessions::book(conn, &booker, now, &with.agreement_id, booking)?;
            if date > self.today {
                self.close_the_year(conn, cast, &me, &booker, &session, due, tz, with.time)?;
                break;
            }
            if anchored && cast.ending == Ending::Overdue && date != anchor.unwrap_or(date) {
                // Nobody rebooked the session the supervisee missed.
                let missed_at = session.starts_at + Duration::hours(1);
                sessions::mark(
                    conn,
                    &booker,
                    missed_at,
                    self.calendars,
                    &session.id,
                    Expected::ANY,
                    Outcome::Missed,
                )?;
                break;
            }
            let moving = Moving {
                with,
                me: &me,
                tz,
                after,
                due,
                booked_at: now,
            };
            let (id, at) = if anchor == Some(date) {
                // The session the ending counts from is held as booked.
                (session.id.clone(), session.starts_at)
            } else if breach_due && (breach_window.0..=breach_window.1).contains(&date) {
                breach_due = false;
                self.moved_past_due_by(conn, &moving, &session)?
            } else {
                self.fate(conn, &moving, &session, rng)?
            };
            sessions::mark(
                conn,
                &booker,
                at + Duration::minutes(100),
                self.calendars,
                &id,
                Expected::ANY,
                Outcome::Held,
            )?;
            let held_on = utc_to_local_date(at, tz);
            if let Some(record) = record_rows::for_session(conn, &id)? {
                if let Some(previous) = open.take() {
                    self.finish_record(conn, &me, previous, None, rng)?;
                }
                open = Some(OpenRecord {
                    id: record.id,
                    held_on,
                    supervisor: with.supervisor.clone(),
                });
            }
            now = at + Duration::hours(2);
            after = held_on;
        }
        if let Some(last) = open {
            self.finish_record(conn, &me, last, Some(cast.last_record), rng)?;
        }
        Ok(match cast.ending {
            _ if placement_end.is_some_and(|end| end < self.today) => Status::Ended,
            Ending::Overdue => Status::Overdue,
            Ending::AtRisk => Status::AtRisk,
            Ending::Booked | Ending::SuperviseeProposes | Ending::MovedPastDueBy => Status::OnTrack,
        })
    }
}

/// What a past session's fate needs to know.
struct Moving<'s> {
    with: &'s Supervision,
    me: &'s Actor,
    tz: chrono_tz::Tz,
    /// The last held session's date (or the day before the agreement began).
    after: NaiveDate,
    due: NaiveDate,
    /// When the session was booked: nothing about it happens before.
    booked_at: NaiveDateTime,
}

impl Moving<'_> {
    fn at(&self, date: NaiveDate) -> NaiveDateTime {
        local_to_utc(date, self.with.time, self.tz)
    }

    /// `days` before the session, but never before it was booked.
    fn ahead(&self, session: &crate::store::sessions::Session, days: i64) -> NaiveDateTime {
        (session.starts_at - Duration::days(days)).max(self.booked_at + Duration::hours(1))
    }
}

impl World<'_> {
    /// Most sessions are held as booked; some are moved by the supervisor, some the
    /// supervisee asks to move (confirmed or turned down), some are cancelled for sickness
    /// with a new date, some missed and booked again. Every new date lies within `due_by`, so
    /// the rules let each take effect as it would. Returns the session held and its start.
    fn fate(
        &self,
        conn: &mut DbConnection,
        m: &Moving,
        session: &crate::store::sessions::Session,
        rng: &mut Lcg,
    ) -> AppResult<(String, NaiveDateTime)> {
        let supervisor = actor(&m.with.supervisor);
        let date = utc_to_local_date(session.starts_at, m.tz);
        let earlier = self.working_days(date, -1)?;
        let later = self.working_days(date, 1)?;
        let nearest = if later <= m.due { later } else { earlier };
        let id = session.id.clone();
        let roll = rng.below(100);
        match roll {
            0..=9 => {
                let when = m.ahead(session, 4);
                let to = m.at(earlier);
                if earlier > m.after && to > when {
                    let change = Move {
                        to,
                        reason: ChangeReason::UrgentWork,
                        reason_text: None,
                    };
                    sessions::reschedule(
                        conn,
                        &supervisor,
                        when,
                        self.calendars,
                        &id,
                        Expected::ANY,
                        change,
                    )?;
                    return Ok((id, to));
                }
            }
            10..=19 => {
                let when = m.ahead(session, 5);
                let to = m.at(nearest);
                if nearest > m.after && to > when {
                    let reason = if roll.is_multiple_of(2) {
                        ChangeReason::AnnualLeave
                    } else {
                        ChangeReason::Personal
                    };
                    let change = Move {
                        to,
                        reason,
                        reason_text: None,
                    };
                    sessions::reschedule(
                        conn,
                        m.me,
                        when,
                        self.calendars,
                        &id,
                        Expected::ANY,
                        change,
                    )?;
                    if roll < 16 {
                        let confirm = Decision::Confirm {
                            justification: None,
                        };
                        sessions::decide(conn, &supervisor, &id, Expected::ANY, confirm)?;
                        return Ok((id, to));
                    }
                    let comment =
                        Some("The room is only free on the day we agreed; can we keep it?".into());
                    sessions::decide(
                        conn,
                        &supervisor,
                        &id,
                        Expected::ANY,
                        Decision::Reject { comment },
                    )?;
                    return Ok((id, session.starts_at));
                }
            }
            20..=26 => {
                let when = m.ahead(session, 1);
                let to = m.at(nearest);
                if nearest > m.after && to > when {
                    let cancellation = Cancellation {
                        reason: ChangeReason::Sickness,
                        reason_text: None,
                        new_starts_at: Some(to),
                        relationship_ended: false,
                    };
                    let cancelled = sessions::cancel(
                        conn,
                        &supervisor,
                        when,
                        self.calendars,
                        &id,
                        Expected::ANY,
                        cancellation,
                    )?;
                    if let Some(replacement) = cancelled.replacement {
                        return Ok((replacement.id, replacement.starts_at));
                    }
                }
            }
            27..=31 if later <= m.due => {
                let missed_at = session.starts_at + Duration::hours(1);
                sessions::mark(
                    conn,
                    &supervisor,
                    missed_at,
                    self.calendars,
                    &id,
                    Expected::ANY,
                    Outcome::Missed,
                )?;
                let to = m.at(later);
                let booking = Booking {
                    starts_at: to,
                    kind: None,
                    duration_minutes: None,
                    place: None,
                };
                let again = sessions::book(
                    conn,
                    &supervisor,
                    missed_at + Duration::hours(1),
                    &m.with.agreement_id,
                    booking,
                )?;
                return Ok((again.id, to));
            }
            _ => {}
        }
        Ok((id, session.starts_at))
    }

    /// Court all week: the supervisor moves the session two working days past `due_by`; the
    /// manager above confirms with a written justification, and it is reported as a breach.
    fn moved_past_due_by(
        &self,
        conn: &mut DbConnection,
        m: &Moving,
        session: &crate::store::sessions::Session,
    ) -> AppResult<(String, NaiveDateTime)> {
        let supervisor = &m.with.supervisor;
        let to = m.at(self.working_days(m.due, 2)?);
        let change = Move {
            to,
            reason: ChangeReason::UrgentWork,
            reason_text: None,
        };
        let when = m.ahead(session, 7);
        sessions::reschedule(
            conn,
            &actor(supervisor),
            when,
            self.calendars,
            &session.id,
            Expected::ANY,
            change,
        )?;
        let above = self.manager_above(supervisor)?;
        let confirm = Decision::Confirm {
            justification: Some(
                "Final hearing listed all week; this is the earliest both can meet.".into(),
            ),
        };
        sessions::decide(conn, &actor(&above), &session.id, Expected::ANY, confirm)?;
        Ok((session.id.clone(), to))
    }

    /// The person supervising `supervisor` in the demo: their line manager.
    fn manager_above(&self, supervisor: &Person) -> AppResult<Person> {
        CASTS
            .iter()
            .find(|c| self.people[c.supervisee].id == supervisor.id)
            .map(|c| self.person(c.supervisors[0]))
            .ok_or(AppError::NotFound)
    }

    /// The booked session after today, and what waits on it.
    #[allow(clippy::too_many_arguments)]
    fn close_the_year(
        &self,
        conn: &mut DbConnection,
        cast: &Cast,
        me: &Actor,
        supervisor: &Actor,
        session: &crate::store::sessions::Session,
        due: NaiveDate,
        tz: chrono_tz::Tz,
        time: NaiveTime,
    ) -> AppResult<()> {
        let date = utc_to_local_date(session.starts_at, tz);
        let (who, to, reason) = match cast.ending {
            Ending::SuperviseeProposes => {
                let later = self.working_days(date, 1)?;
                let earlier = self.working_days(date, -1)?;
                let to = if later <= due { later } else { earlier };
                if to <= self.today {
                    return Ok(());
                }
                (me, to, ChangeReason::AnnualLeave)
            }
            Ending::MovedPastDueBy => (
                supervisor,
                self.working_days(due, 2)?,
                ChangeReason::UrgentWork,
            ),
            _ => return Ok(()),
        };
        let change = Move {
            to: local_to_utc(to, time, tz),
            reason,
            reason_text: None,
        };
        sessions::reschedule(
            conn,
            who,
            self.end,
            self.calendars,
            &session.id,
            Expected::ANY,
            change,
        )?;
        Ok(())
    }

    /// Writes, sends and signs a record, now and then sent late; the year's `last` ends as
    /// it says, and its notifications stay unread, while both have read those of the others.
    fn finish_record(
        &self,
        conn: &mut DbConnection,
        me: &Actor,
        record: OpenRecord,
        last: Option<LastRecord>,
        rng: &mut Lcg,
    ) -> AppResult<()> {
        let ends = last.unwrap_or(LastRecord::Signed);
        if ends == LastRecord::Draft {
            return Ok(());
        }
        let supervisor = actor(&record.supervisor);
        let issue = rng.pick(ISSUES);
        let content = Content {
            sections: BTreeMap::from([("issues_discussed".to_string(), issue.to_string())]),
            actions: Vec::new(),
            case_discussions: Vec::new(),
        };
        let edit = Edit {
            template_id: None,
            content,
        };
        signoff::edit(
            conn,
            &supervisor,
            self.calendars,
            &record.id,
            Expected::ANY,
            edit,
        )?;
        let late = rng.below(10) == 0;
        let sent_on = if late {
            self.working_days(record.held_on, 2)?
        } else {
            record.held_on
        };
        signoff::send(
            conn,
            &supervisor,
            self.calendars,
            sent_on.min(self.today),
            &record.id,
            Expected::ANY,
        )?;
        match ends {
            LastRecord::Signed => {
                signoff::sign(conn, me, self.calendars, &record.id, Expected::ANY)?;
            }
            LastRecord::AmendmentsAsked => {
                let comment = "Please add that we agreed a lighter caseload until the court statement is filed.";
                signoff::request_amendments(
                    conn,
                    me,
                    self.calendars,
                    &record.id,
                    Expected::ANY,
                    comment,
                )?;
            }
            LastRecord::AwaitingSupervisee | LastRecord::Draft => {}
        }
        if last.is_none() {
            for reader in [&me.person_id, &record.supervisor.id] {
                notifications::mark_read_about(conn, reader, "record", &record.id)?;
            }
        }
        Ok(())
    }

    /// A few observations of practice in this practice year (OBS-1, OBS-2).
    fn observations(&self, conn: &mut DbConnection) -> AppResult<()> {
        let practice_year = NaiveDate::from_ymd_opt(
            if self.today.month() >= 4 {
                self.today.year()
            } else {
                self.today.year() - 1
            },
            4,
            1,
        )
        .unwrap_or(self.today);
        let seen: [(&str, &str, i64, ObservationSetting, &str); 6] = [
            ("tom.reed", "aisha.khan", 40, ObservationSetting::HomeVisit, "Warm, clear with the parents about the worries; the child's voice came through."),
            ("tom.reed", "chloe.davies", 75, ObservationSetting::Court, "Evidence well prepared; stayed calm under cross-examination."),
            ("tom.reed", "daniel.evans", 20, ObservationSetting::DirectWorkWithChild, "Good use of the three houses tool; let the child lead the pace."),
            ("priya.patel", "ed.foster", 55, ObservationSetting::ConferenceOrMeeting, "Chaired the core group well; actions were specific and owned."),
            ("priya.patel", "ed.foster", 130, ObservationSetting::HomeVisit, "Noticed the home conditions and named them kindly."),
            ("jack.lewis", "isla.jones", 25, ObservationSetting::DirectWorkWithChild, "A confident first piece of direct work; plan the ending of sessions more carefully."),
        ];
        for (observer, observed, days_ago, setting, feedback) in seen {
            let person = &self.people[observed];
            let started = person.employment_start.unwrap_or(practice_year);
            let observed_on = (self.today - Duration::days(days_ago))
                .max(practice_year)
                .max(started)
                .min(self.today);
            let recording = observations::Recording {
                observed_on,
                setting,
                feedback: feedback.into(),
                learning: "Discussed at the next supervision.".into(),
                session_id: None,
                record_id: None,
            };
            observations::record(
                conn,
                &actor(&self.people[observer]),
                self.today,
                &person.id,
                recording,
            )?;
        }
        Ok(())
    }

    /// Reflective log entries of the ASYE worker and the student; one shared with the
    /// supervisor (REF-1, REF-2).
    fn reflections(&self, conn: &mut DbConnection) -> AppResult<()> {
        let entries = [
            ("daniel.evans", 0, 30, Some("tom.reed")),
            ("daniel.evans", 1, 10, None),
            ("isla.jones", 2, 20, None),
            ("isla.jones", 0, 5, None),
        ];
        for (author, which, days_ago, share_with) in entries {
            let person = &self.people[author];
            let (title, text) = REFLECTIONS[which];
            let entry_date = (self.today - Duration::days(days_ago))
                .max(person.employment_start.unwrap_or(self.today))
                .min(self.today);
            let request = reflections::EntryRequest {
                entry_date,
                title: title.into(),
                model: "free_text".into(),
                sections: BTreeMap::from([("text".to_string(), text.to_string())]),
                complete: true,
                tags: Vec::new(),
                session_id: None,
                observation_id: None,
                case_reference: None,
                cpd: None,
            };
            let me = actor(person);
            let written = reflections::create(conn, &me, self.calendars, self.today, request)?;
            if let Some(supervisor) = share_with {
                let supervisor = &self.people[supervisor].id;
                reflections::share(conn, &me, self.today, &written.entry.id, supervisor)?;
            }
        }
        Ok(())
    }
}
