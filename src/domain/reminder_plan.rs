//! What each person should be reminded of and when (REM-2), from facts the store gathers.
//! Plain data in, plain data out: the sweep stores the result, the dispatcher delivers it.
//! Messages carry no case references and no record content (REM-6).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::calendar::Calendar;
use super::pdr::CycleMonths;
use super::reminders::{
    action_due, agreement_unsigned, awaiting_signature, deliver_at, each_working_day, is_quiet,
    local, nothing_booked, record_not_written, session_coming_up, weekly_prompt, yearly,
    Preferences, ReminderKind, MORNING, OBSERVATION_CHECKS,
};

/// Reminders whose time passed more than this long ago are not sent late (after an outage,
/// a day-old "coming up" is noise).
pub const GRACE_HOURS: i64 = 24;

/// Someone who receives reminders: their zone and their settings.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub person_id: String,
    pub zone: Tz,
    pub preferences: Preferences,
}

#[derive(Debug, Clone)]
pub struct SessionFact {
    pub id: String,
    pub starts_at: DateTime<Utc>,
    /// When it was booked or last moved: a lead time already past then is not sent (a
    /// "tomorrow" reminder for a session booked an hour ahead is noise).
    pub booked_at: DateTime<Utc>,
}

/// The person's supervision against the limit (FREQ-4), and who hears of a breach.
#[derive(Debug, Clone)]
pub struct FrequencyFact {
    pub due_by: NaiveDate,
    /// A session is booked on or before `due_by`.
    pub booked_by_due: bool,
    /// The supervisor and the supervisor's manager (REM-2: limit breached).
    pub escalate_to: Vec<Recipient>,
    /// The supervisor, who also hears that nothing is booked.
    pub supervisor: Option<Recipient>,
}

/// A case the person supervises (CASE-1).
#[derive(Debug, Clone)]
pub struct CaseFact {
    pub id: String,
    /// The latest date for its next discussion.
    pub next_due: NaiveDate,
    /// A child protection plan's nine-month discussion still to hold: (flagged on, discuss by).
    pub cp_review: Option<(NaiveDate, NaiveDate)>,
}

/// Working days before a case's discussion is due that its supervisor is reminded.
pub const CASE_DUE_WORKING_DAYS: u32 = 5;

/// A proposed move waiting for the person's decision.
#[derive(Debug, Clone)]
pub struct Decision {
    pub session: String,
    pub proposed_at: DateTime<Utc>,
    /// Lands after `due_by`, so a manager above decides (SES-3).
    pub past_due_by: bool,
}

/// Everything the plan for one person is made from.
#[derive(Debug, Clone)]
pub struct Facts {
    pub person: Recipient,
    pub now: DateTime<Utc>,
    /// Plan fire times up to here.
    pub horizon: DateTime<Utc>,
    /// Booked sessions the person is a party to, starting after `now`.
    pub sessions: Vec<SessionFact>,
    pub frequency: Option<FrequencyFact>,
    /// Records the person writes that are not sent: (record, held on, due by).
    pub records_to_write: Vec<(String, NaiveDate, NaiveDate)>,
    /// Records waiting for the person's signature: (record, sent at).
    pub records_to_sign: Vec<(String, DateTime<Utc>)>,
    /// The person's open actions: (action, due on).
    pub actions: Vec<(String, NaiveDate)>,
    /// Agreements the person has not signed: (agreement, created at, whether someone else
    /// proposed it, so the person is told at once that they were named, AGR-3).
    pub unsigned_agreements: Vec<(String, DateTime<Utc>, bool)>,
    /// Proposed moves waiting for the person's decision.
    pub decisions: Vec<Decision>,
    /// Third-party reads of the person's records: (record, read at).
    pub record_reads: Vec<(String, DateTime<Utc>)>,
    /// Supervisees of the person short of observations this practice year.
    pub observations_short: Vec<String>,
    /// The organisation's PDR milestone months (PDR-1).
    pub pdr_months: CycleMonths,
    /// Whose PDR milestones the person hears of, on the first of each milestone month: their
    /// own (when they have a line manager) and their direct reports'.
    pub pdr_people: Vec<String>,
    /// A student or ASYE worker, prompted weekly to reflect.
    pub reflective: bool,
    /// Open cases the person supervises, when the module is on (CASE-1).
    pub cases: Vec<CaseFact>,
}

/// One reminder the plan wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub person_id: String,
    pub kind: ReminderKind,
    pub subject_id: String,
    pub fire_at: DateTime<Utc>,
    /// `fire_at` moved out of the recipient's quiet hours (REM-3).
    pub deliver_at: DateTime<Utc>,
    /// After this the push is not worth sending (REM-5, [`ReminderKind::deliver_by`]).
    pub deliver_by: DateTime<Utc>,
    pub title: String,
    pub body: String,
    pub link: String,
}

struct Plan<'a> {
    calendar: &'a Calendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// The person's local dates of `now` and of the horizon.
    today: NaiveDate,
    last_day: NaiveDate,
    out: Vec<Planned>,
}

struct Text<'t> {
    title: &'t str,
    body: String,
    link: String,
}

impl Plan<'_> {
    fn add(
        &mut self,
        to: &Recipient,
        kind: ReminderKind,
        subject: &str,
        fire_at: DateTime<Utc>,
        exempt: bool,
        text: Text<'_>,
    ) {
        self.add_session(to, kind, subject, fire_at, exempt, None, text);
    }

    /// [`Plan::add`] for a reminder of the session starting at `session_starts`.
    #[allow(clippy::too_many_arguments)]
    fn add_session(
        &mut self,
        to: &Recipient,
        kind: ReminderKind,
        subject: &str,
        fire_at: DateTime<Utc>,
        exempt: bool,
        session_starts: Option<DateTime<Utc>>,
        text: Text<'_>,
    ) {
        if !to.preferences.wants(kind) || fire_at < self.from || fire_at > self.to {
            return;
        }
        let deliver_at = deliver_at(fire_at, to.zone, &to.preferences, self.calendar, exempt);
        self.out.push(Planned {
            person_id: to.person_id.clone(),
            kind,
            subject_id: subject.to_string(),
            fire_at,
            deliver_at,
            deliver_by: kind.deliver_by(
                fire_at,
                deliver_at,
                session_starts,
                self.calendar,
                to.zone,
            ),
            title: text.title.to_string(),
            body: text.body,
            link: text.link,
        });
    }

    /// Each working day at [`MORNING`] in `zone` from the working day after `due` (but not
    /// before today) to the horizon's last day: nothing when that day is past the horizon.
    fn each_morning_past(&self, due: NaiveDate, zone: Tz) -> Vec<DateTime<Utc>> {
        let Some(first) = self
            .calendar
            .add_working_days(due, 1)
            .ok()
            .filter(|d| *d <= self.last_day)
        else {
            return Vec::new();
        };
        each_working_day(
            first.max(self.today),
            self.last_day,
            self.calendar,
            zone,
            MORNING,
        )
    }
}

fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%H:%M on %a %-d %b")
        .to_string()
}

/// REM-2 for one person.
pub fn plan(facts: &Facts, calendar: &Calendar) -> Vec<Planned> {
    let me = &facts.person;
    let mut plan = Plan {
        calendar,
        from: facts.now - Duration::hours(GRACE_HOURS),
        to: facts.horizon,
        today: facts.now.with_timezone(&me.zone).date_naive(),
        last_day: facts.horizon.with_timezone(&me.zone).date_naive(),
        out: Vec::new(),
    };
    plan_sessions(&mut plan, me, &facts.sessions);
    if let Some(frequency) = &facts.frequency {
        plan_frequency(&mut plan, me, frequency);
    }
    plan_records(
        &mut plan,
        me,
        &facts.records_to_write,
        &facts.records_to_sign,
    );
    plan_actions(&mut plan, me, &facts.actions);
    plan_agreements(&mut plan, me, &facts.unsigned_agreements);
    plan_decisions(&mut plan, me, &facts.decisions);
    plan_record_reads(&mut plan, me, &facts.record_reads);
    plan_observations(&mut plan, me, &facts.observations_short);
    for case in &facts.cases {
        plan_case(&mut plan, me, case);
    }
    plan_pdr(&mut plan, me, facts.pdr_months, &facts.pdr_people);
    if facts.reflective {
        plan_reflection(&mut plan, me);
    }
    plan.out
}

/// "Coming up" before each booked session, at the person's lead times, but none already past
/// when it was booked or moved.
fn plan_sessions(plan: &mut Plan<'_>, me: &Recipient, sessions: &[SessionFact]) {
    for session in sessions {
        // A session in quiet hours still gets its "coming up" pushes (REM-3).
        let exempt = is_quiet(session.starts_at, me.zone, &me.preferences, plan.calendar);
        let leads = session_coming_up(session.starts_at, &me.preferences.session_leads_minutes);
        for at in leads.into_iter().filter(|at| *at >= session.booked_at) {
            plan.add_session(
                me,
                ReminderKind::SessionComingUp,
                &session.id,
                at,
                exempt,
                Some(session.starts_at),
                Text {
                    title: "Supervision coming up",
                    // Not the place: people write case references into it (REM-6).
                    body: format!(
                        "Your session is at {}.",
                        local_time(session.starts_at, me.zone)
                    ),
                    link: format!("/sessions/{}", session.id),
                },
            );
        }
    }
}

/// FREQ-4 with nothing booked by the due date: the person and their supervisor hear before
/// it, and once it has passed the supervisor and their manager hear each working day.
fn plan_frequency(plan: &mut Plan<'_>, me: &Recipient, frequency: &FrequencyFact) {
    if frequency.booked_by_due {
        return;
    }
    let calendar = plan.calendar;
    let due = frequency.due_by;
    for at in nothing_booked(
        due,
        &me.preferences.nothing_booked_working_days,
        calendar,
        me.zone,
    ) {
        plan.add(
            me,
            ReminderKind::NothingBooked,
            &me.person_id,
            at,
            false,
            Text {
                title: "No supervision booked",
                body: format!(
                    "Nothing is booked before {due}, the latest date for your next supervision."
                ),
                link: "/me/supervision-status".into(),
            },
        );
    }
    if let Some(supervisor) = &frequency.supervisor {
        let days = &supervisor.preferences.nothing_booked_working_days;
        for at in nothing_booked(due, days, calendar, supervisor.zone) {
            plan.add(
                supervisor,
                ReminderKind::NothingBooked,
                &me.person_id,
                at,
                false,
                Text {
                    title: "A supervisee has nothing booked",
                    body: format!("Nothing is booked for one of your supervisees before {due}."),
                    link: format!("/people/{}/supervision-status", me.person_id),
                },
            );
        }
    }
    // Each working day while past the limit, to the supervisor and their manager.
    for to in &frequency.escalate_to {
        for at in plan.each_morning_past(due, to.zone) {
            plan.add(
                to,
                ReminderKind::LimitBreached,
                &me.person_id,
                at,
                false,
                Text {
                    title: "Supervision overdue",
                    body: format!("A supervisee is past the limit: supervision was due by {due}."),
                    link: format!("/people/{}/supervision-status", me.person_id),
                },
            );
        }
    }
}

/// Records the person writes that are due, and records waiting for their signature.
fn plan_records(
    plan: &mut Plan<'_>,
    me: &Recipient,
    to_write: &[(String, NaiveDate, NaiveDate)],
    to_sign: &[(String, DateTime<Utc>)],
) {
    for (record, held_on, due_by) in to_write {
        plan.add(
            me,
            ReminderKind::RecordNotWritten,
            record,
            record_not_written(*due_by, me.zone),
            false,
            Text {
                title: "Supervision record not sent",
                body: format!("The record of the session on {held_on} is due today."),
                link: format!("/records/{record}"),
            },
        );
    }
    for (record, sent_at) in to_sign {
        for at in awaiting_signature(*sent_at, plan.calendar, me.zone) {
            plan.add(
                me,
                ReminderKind::RecordAwaitingSignature,
                record,
                at,
                false,
                Text {
                    title: "A supervision record is ready to sign",
                    body: "Read the record of your session and sign it or ask for changes.".into(),
                    link: format!("/records/{record}"),
                },
            );
        }
    }
}

/// Each open action before it is due and once it is overdue.
fn plan_actions(plan: &mut Plan<'_>, me: &Recipient, actions: &[(String, NaiveDate)]) {
    for (action, due_on) in actions {
        let [before, overdue] = action_due(*due_on, plan.calendar, me.zone);
        plan.add(
            me,
            ReminderKind::ActionDue,
            action,
            before,
            false,
            Text {
                title: "An action is due",
                body: format!("An action from supervision is due on {due_on}."),
                link: "/me/actions".into(),
            },
        );
        plan.add(
            me,
            ReminderKind::ActionDue,
            action,
            overdue,
            false,
            Text {
                title: "An action is overdue",
                body: format!("An action from supervision was due on {due_on}."),
                link: "/me/actions".into(),
            },
        );
    }
}

/// Agreements the person has not signed: at once when someone else named them (AGR-3), and
/// again when the signature is late.
fn plan_agreements(
    plan: &mut Plan<'_>,
    me: &Recipient,
    unsigned: &[(String, DateTime<Utc>, bool)],
) {
    for (agreement, created_at, named_by_other) in unsigned {
        if *named_by_other {
            plan.add(
                me,
                ReminderKind::AgreementUnsigned,
                agreement,
                *created_at,
                false,
                Text {
                    title: "You are named in a new supervision agreement",
                    body: "Read the agreement and sign it if it is right.".into(),
                    link: format!("/agreements/{agreement}"),
                },
            );
        }
        plan.add(
            me,
            ReminderKind::AgreementUnsigned,
            agreement,
            agreement_unsigned(*created_at, plan.calendar, me.zone),
            false,
            Text {
                title: "A supervision agreement needs your signature",
                body: "Read the agreement and sign it so sessions can be booked.".into(),
                link: format!("/agreements/{agreement}"),
            },
        );
    }
}

/// Moves waiting for the person's decision: when proposed, then each working day after.
/// Only a move past `due_by` is said to be one: the supervisor decides the others (SES-3).
fn plan_decisions(plan: &mut Plan<'_>, me: &Recipient, decisions: &[Decision]) {
    for Decision {
        session,
        proposed_at,
        past_due_by,
    } in decisions
    {
        let first = proposed_at.with_timezone(&me.zone).date_naive();
        let (body, later_body) = if *past_due_by {
            (
                "A session was proposed for after its due date; confirm or reject it.",
                "A proposed move past its due date is waiting for you.",
            )
        } else {
            (
                "A supervisee proposed a new time for a session; confirm or reject it.",
                "A proposed new time for a session is waiting for you.",
            )
        };
        plan.add(
            me,
            ReminderKind::RescheduleAwaiting,
            session,
            *proposed_at,
            false,
            Text {
                title: "A moved session needs your decision",
                body: body.into(),
                link: format!("/sessions/{session}"),
            },
        );
        if let Ok(next) = plan.calendar.add_working_days(first, 1) {
            let mornings = each_working_day(
                next.max(plan.today),
                plan.last_day,
                plan.calendar,
                me.zone,
                MORNING,
            );
            for at in mornings {
                plan.add(
                    me,
                    ReminderKind::RescheduleAwaiting,
                    session,
                    at,
                    false,
                    Text {
                        title: "A moved session still needs your decision",
                        body: later_body.into(),
                        link: format!("/sessions/{session}"),
                    },
                );
            }
        }
    }
}

/// Third-party reads of the person's records, as they happen.
fn plan_record_reads(plan: &mut Plan<'_>, me: &Recipient, reads: &[(String, DateTime<Utc>)]) {
    for (record, read_at) in reads {
        plan.add(
            me,
            ReminderKind::RecordAccessed,
            record,
            *read_at,
            false,
            Text {
                title: "Your supervision record was read",
                body: "Someone with a stated reason read one of your records; see who and why."
                    .into(),
                link: format!("/records/{record}"),
            },
        );
    }
}

/// Supervisees short of observations, on the practice year's check days.
fn plan_observations(plan: &mut Plan<'_>, me: &Recipient, short: &[String]) {
    for supervisee in short {
        for at in yearly(&OBSERVATION_CHECKS, plan.today, plan.last_day, me.zone) {
            plan.add(
                me,
                ReminderKind::ObservationsShort,
                supervisee,
                at,
                false,
                Text {
                    title: "Observations of practice are short",
                    body: "A supervisee has fewer observations than the practice year needs."
                        .into(),
                    link: format!("/people/{supervisee}/observation-status"),
                },
            );
        }
    }
}

/// PDR-1: on the first of each milestone month, the person's own PDR and those of the
/// people they manage.
fn plan_pdr(plan: &mut Plan<'_>, me: &Recipient, months: CycleMonths, people: &[String]) {
    for (milestone, month) in months.each() {
        for at in yearly(&[(month, 1)], plan.today, plan.last_day, me.zone) {
            for person in people {
                let own = *person == me.person_id;
                let what = milestone.describe();
                let text = if own {
                    Text {
                        title: "Your PDR is due this month",
                        body: format!("Your PDR {what} is due this month; agree a time with your line manager."),
                        link: "/me/pdr".into(),
                    }
                } else {
                    Text {
                        title: "A PDR is due this month",
                        body: format!("The PDR {what} of someone you manage is due this month; book a PDR session."),
                        link: format!("/people/{person}/pdr"),
                    }
                };
                plan.add(me, ReminderKind::PdrMilestone, person, at, false, text);
            }
        }
    }
}

/// A student or ASYE worker's weekly prompt to reflect.
fn plan_reflection(plan: &mut Plan<'_>, me: &Recipient) {
    for at in weekly_prompt(plan.today, plan.last_day, plan.calendar, me.zone) {
        plan.add(
            me,
            ReminderKind::ReflectionPrompt,
            &me.person_id,
            at,
            false,
            Text {
                title: "Time to reflect",
                body: "Write this week's reflective log entry.".into(),
                link: "/me/reflections".into(),
            },
        );
    }
}

/// CASE-1: a case's supervisor hears 5 working days before its discussion is due, each
/// working day while it is overdue, and of a child protection plan's nine-month discussion
/// when it is flagged and on the day it is due. Only a link to the case, never its
/// reference (REM-6).
fn plan_case(plan: &mut Plan<'_>, me: &Recipient, case: &CaseFact) {
    let calendar = plan.calendar;
    let due = case.next_due;
    let link = format!("/cases/{}", case.id);
    // The same mornings, working days before a date, as nothing-booked warnings.
    for at in nothing_booked(due, &[CASE_DUE_WORKING_DAYS], calendar, me.zone) {
        plan.add(
            me,
            ReminderKind::CaseDiscussionDue,
            &case.id,
            at,
            false,
            Text {
                title: "A case is due for discussion",
                body: format!(
                    "A case you supervise is due for discussion in supervision by {due}."
                ),
                link: link.clone(),
            },
        );
    }
    for at in plan.each_morning_past(due, me.zone) {
        plan.add(
            me,
            ReminderKind::CaseDiscussionDue,
            &case.id,
            at,
            false,
            Text {
                title: "A case discussion is overdue",
                body: format!(
                    "A case you supervise was due for discussion in supervision by {due}."
                ),
                link: link.clone(),
            },
        );
    }
    if let Some((flagged_on, discuss_by)) = case.cp_review {
        for day in [flagged_on, discuss_by] {
            plan.add(
                me,
                ReminderKind::CpReviewDiscussionDue,
                &case.id,
                local(day, MORNING, me.zone),
                false,
                Text {
                    title: "A child protection plan nears its review",
                    body: format!(
                        "Discuss a child protection plan in supervision by {discuss_by}, six weeks before its review conference."
                    ),
                    link: link.clone(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Region;
    use crate::domain::reminders::local;
    use chrono::{NaiveTime, TimeZone};
    use chrono_tz::Europe::London;

    fn calendar() -> Calendar {
        Calendar::new(Region::EnglandAndWales, &[])
    }

    fn recipient(id: &str) -> Recipient {
        Recipient {
            person_id: id.into(),
            zone: London,
            preferences: Preferences::default(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Wednesday 25 November 2026, 10:00 in London (GMT).
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
    }

    fn facts() -> Facts {
        Facts {
            person: recipient("worker"),
            now: now(),
            horizon: now() + Duration::hours(26),
            sessions: Vec::new(),
            frequency: None,
            records_to_write: Vec::new(),
            records_to_sign: Vec::new(),
            actions: Vec::new(),
            unsigned_agreements: Vec::new(),
            decisions: Vec::new(),
            record_reads: Vec::new(),
            observations_short: Vec::new(),
            pdr_months: CycleMonths::default(),
            pdr_people: Vec::new(),
            reflective: false,
            cases: Vec::new(),
        }
    }

    fn kinds(plan: &[Planned]) -> Vec<(String, ReminderKind, DateTime<Utc>)> {
        plan.iter()
            .map(|p| (p.person_id.clone(), p.kind, p.fire_at))
            .collect()
    }

    /// REM-2: a session 24 hours and 1 hour ahead, within the horizon; leads already past
    /// when it was booked are skipped.
    #[test]
    fn rem2_sessions_coming_up_at_each_lead() {
        let starts_at = now() + Duration::hours(25);
        let mut f = facts();
        f.sessions.push(SessionFact {
            id: "s1".into(),
            starts_at,
            booked_at: now() - Duration::days(7),
        });
        let plan = plan(&f, &calendar());
        assert_eq!(
            kinds(&plan),
            [
                (
                    "worker".into(),
                    ReminderKind::SessionComingUp,
                    starts_at - Duration::hours(24)
                ),
                (
                    "worker".into(),
                    ReminderKind::SessionComingUp,
                    starts_at - Duration::hours(1)
                ),
            ]
        );
        // REM-6: fixed wording and the time only.
        assert_eq!(
            plan[0].body,
            format!(
                "Your session is at {}.",
                local_time(starts_at, f.person.zone)
            )
        );
        // REM-5: not pushed once the session has started.
        assert!(plan.iter().all(|p| p.deliver_by == starts_at));
        f.sessions[0].booked_at = now() + Duration::hours(2);
        let late = super::plan(&f, &calendar());
        assert_eq!(
            late.len(),
            1,
            "the day-before reminder was already past at booking"
        );
    }

    /// REM-2: nothing booked reminds the person and the supervisor 10, 5 and 2 working days
    /// before due_by; past it, the supervisor and their manager hear each working day.
    #[test]
    fn rem2_nothing_booked_and_limit_breached() {
        let mut f = facts();
        // Due on Wednesday 2 December: the 10-day reminder fell before the grace period.
        f.frequency = Some(FrequencyFact {
            due_by: d(2026, 12, 2),
            booked_by_due: false,
            escalate_to: vec![recipient("manager"), recipient("head")],
            supervisor: Some(recipient("manager")),
        });
        f.horizon = now() + Duration::days(10);
        let plan = plan(&f, &calendar());
        let nothing: Vec<_> = plan
            .iter()
            .filter(|p| p.kind == ReminderKind::NothingBooked)
            .map(|p| (p.person_id.as_str(), p.fire_at))
            .collect();
        // 5 working days before Wed 2 Dec is Wed 25 Nov (today, 09:00: within grace); 2 is Mon 30.
        let morning = |day| local(day, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), London);
        assert!(nothing.contains(&("worker", morning(d(2026, 11, 25)))));
        assert!(nothing.contains(&("worker", morning(d(2026, 11, 30)))));
        assert!(nothing.contains(&("manager", morning(d(2026, 11, 30)))));
        assert_eq!(nothing.len(), 4);
        let breached: Vec<_> = plan
            .iter()
            .filter(|p| p.kind == ReminderKind::LimitBreached)
            .map(|p| (p.person_id.as_str(), p.fire_at))
            .collect();
        // From Thursday 3 December, each working day, to both.
        assert!(breached.contains(&("manager", morning(d(2026, 12, 3)))));
        assert!(breached.contains(&("head", morning(d(2026, 12, 4)))));
        assert!(
            !breached
                .iter()
                .any(|(_, at)| *at == morning(d(2026, 12, 5))),
            "not on a Saturday"
        );
        assert!(breached.iter().all(|(who, _)| *who != "worker"));
        // Booked in time: none of it.
        f.frequency.as_mut().unwrap().booked_by_due = true;
        assert!(super::plan(&f, &calendar()).is_empty());
    }

    /// REM-2, REM-3: kinds turned off are left out; quiet hours move delivery, not firing.
    #[test]
    fn rem3_preferences_shape_the_plan() {
        let mut f = facts();
        f.records_to_sign
            .push(("r1".into(), now() - Duration::hours(11)));
        let plan = plan(&f, &calendar());
        assert_eq!(plan.len(), 1);
        // Sent at 23:00: fired then, delivered at 08:00 the next working day.
        assert_eq!(plan[0].fire_at, now() - Duration::hours(11));
        assert_eq!(
            plan[0].deliver_at,
            Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()
        );
        f.person.preferences.disabled = vec![ReminderKind::RecordAwaitingSignature];
        assert!(super::plan(&f, &calendar()).is_empty());
    }

    /// REM-2: records, actions, agreements, decisions and reads each remind the right person.
    #[test]
    fn rem2_each_kind_reminds_its_person() {
        let mut f = facts();
        f.horizon = now() + Duration::days(3);
        f.records_to_write
            .push(("r1".into(), d(2026, 11, 24), d(2026, 11, 25)));
        f.actions.push(("a1".into(), d(2026, 11, 27)));
        f.unsigned_agreements
            .push(("g1".into(), now() - Duration::days(2), false));
        f.unsigned_agreements
            .push(("g2".into(), now() - Duration::minutes(1), true));
        f.decisions.push(Decision {
            session: "s1".into(),
            proposed_at: now() - Duration::minutes(5),
            past_due_by: false,
        });
        f.decisions.push(Decision {
            session: "s2".into(),
            proposed_at: now() - Duration::minutes(5),
            past_due_by: true,
        });
        f.record_reads
            .push(("r2".into(), now() - Duration::minutes(1)));
        f.reflective = true;
        let plan = plan(&f, &calendar());
        let has = |kind: ReminderKind, subject: &str| {
            plan.iter()
                .any(|p| p.kind == kind && p.subject_id == subject)
        };
        assert!(has(ReminderKind::RecordNotWritten, "r1"));
        assert!(has(ReminderKind::ActionDue, "a1"));
        assert!(has(ReminderKind::AgreementUnsigned, "g1"));
        // AGR-3: a person named in an agreement someone else proposed is told at once.
        assert!(plan
            .iter()
            .any(|p| p.kind == ReminderKind::AgreementUnsigned
                && p.subject_id == "g2"
                && p.fire_at == now() - Duration::minutes(1)));
        assert!(has(ReminderKind::RescheduleAwaiting, "s1"));
        // SES-3: only a move past due_by is called one; the supervisor decides the others.
        let body = |subject: &str| {
            plan.iter()
                .find(|p| p.kind == ReminderKind::RescheduleAwaiting && p.subject_id == subject)
                .map(|p| p.body.clone())
                .unwrap_or_default()
        };
        assert!(!body("s1").contains("due date"), "{}", body("s1"));
        assert!(body("s2").contains("after its due date"), "{}", body("s2"));
        assert!(has(ReminderKind::RecordAccessed, "r2"));
        assert!(has(ReminderKind::ReflectionPrompt, "worker"));
        // REM-6: no message names a case or quotes a record.
        assert!(plan
            .iter()
            .all(|p| p.title.len() <= 120 && !p.body.contains("CH-")));
    }

    /// CASE-1, REM-6: a case's supervisor hears 5 working days before the discussion is due
    /// and each working day once it is overdue; a child protection plan's nine-month
    /// discussion when flagged and when due. Texts link to the case, never name it.
    #[test]
    fn case1_case_discussions_remind_the_supervisor() {
        let morning = |day| local(day, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), London);
        let mut f = facts();
        f.person = recipient("manager");
        f.horizon = now() + Duration::days(14);
        f.cases.push(CaseFact {
            // Due Wednesday 2 December: 5 working days before is today, 25 November.
            id: "c1".into(),
            next_due: d(2026, 12, 2),
            cp_review: Some((d(2026, 11, 30), d(2026, 12, 14))),
        });
        let plan = plan(&f, &calendar());
        let of = |kind| -> Vec<DateTime<Utc>> {
            plan.iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.fire_at)
                .collect()
        };
        let due = of(ReminderKind::CaseDiscussionDue);
        assert_eq!(due[0], morning(d(2026, 11, 25)));
        // Overdue from Thursday 3 December, each working day to the horizon, not weekends.
        assert!(due.contains(&morning(d(2026, 12, 3))));
        assert!(due.contains(&morning(d(2026, 12, 7))));
        assert!(!due.contains(&morning(d(2026, 12, 5))));
        assert_eq!(due.len(), 1 + 5);
        assert_eq!(
            of(ReminderKind::CpReviewDiscussionDue),
            [morning(d(2026, 11, 30))],
            "the discuss-by day is past the horizon"
        );
        assert!(plan.iter().all(|p| p.person_id == "manager"
            && p.subject_id == "c1"
            && p.link == "/cases/c1"
            && !p.body.contains("CH-")));
        assert_eq!(ReminderKind::CaseDiscussionDue.urgency(), "normal");
        assert_eq!(ReminderKind::CpReviewDiscussionDue.ttl_seconds(), 86_400);
        // Turned off, none.
        f.person.preferences.disabled = vec![
            ReminderKind::CaseDiscussionDue,
            ReminderKind::CpReviewDiscussionDue,
        ];
        assert!(super::plan(&f, &calendar()).is_empty());
    }

    /// REM-2, PDR-1: on the first of each PDR month, at 09:00 local, the person hears of
    /// their own milestone and their line manager of theirs; months moved, the days move.
    #[test]
    fn rem2_pdr_milestones_remind_both_parties_on_the_first() {
        let morning = |day| local(day, NaiveTime::from_hms_opt(9, 0, 0).unwrap(), London);
        let mut f = facts();
        f.person = recipient("manager");
        f.pdr_people = vec!["manager".into(), "worker".into()];
        // 30 September 10:00: the mid-year milestone is tomorrow morning.
        f.now = Utc.with_ymd_and_hms(2026, 9, 30, 10, 0, 0).unwrap();
        f.horizon = f.now + Duration::hours(26);
        let plan = plan(&f, &calendar());
        let pdr: Vec<_> = plan
            .iter()
            .filter(|p| p.kind == ReminderKind::PdrMilestone)
            .collect();
        assert_eq!(pdr.len(), 2);
        assert!(pdr
            .iter()
            .all(|p| p.person_id == "manager" && p.fire_at == morning(d(2026, 10, 1))));
        assert_eq!(
            (pdr[0].subject_id.as_str(), pdr[0].link.as_str()),
            ("manager", "/me/pdr")
        );
        assert_eq!(pdr[1].link, "/people/worker/pdr");
        assert!(pdr[1].body.contains("mid-year review"));
        // Not on other days, nor when the organisation moves mid-year to November.
        f.pdr_months = CycleMonths::new(4, 11, 3).unwrap();
        assert!(super::plan(&f, &calendar()).is_empty());
        f.now = Utc.with_ymd_and_hms(2026, 10, 31, 10, 0, 0).unwrap();
        f.horizon = f.now + Duration::hours(26);
        let moved = super::plan(&f, &calendar());
        assert_eq!(moved.len(), 2);
        assert!(moved.iter().all(|p| p.fire_at == morning(d(2026, 11, 1))));
        f.person.preferences.disabled = vec![ReminderKind::PdrMilestone];
        assert!(super::plan(&f, &calendar()).is_empty());
    }
}
