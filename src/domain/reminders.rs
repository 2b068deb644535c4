//! Reminders (REM-2, REM-3): when each kind fires, and when its push may go out given the
//! person's quiet hours, time zone and working days. Plain rules; the sweep stores what these
//! return (REM-5) and the push module sends it (REM-1).

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::Calendar;
use super::sessions::text_enum;
use super::validation::Invalid;

/// REM-2: what a reminder is about. Each kind has a deadline (REM-5, [`ReminderKind::deliver_by`]):
/// past it the push is recorded `expired` and not sent, though the inbox keeps it (REM-4).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// To both parties, at each of their lead times before a session. Pushed until the
    /// session starts.
    SessionComingUp,
    /// Nothing booked before the frequency limit's `due_by`. Pushed for a day.
    NothingBooked,
    /// The frequency limit has passed: each working day while overdue. Pushed until the next
    /// one is due (the same time on the next working day).
    LimitBreached,
    /// A re-schedule waits for the manager's confirmation. Pushed until the next one is due.
    RescheduleAwaiting,
    /// The supervisor has not written the record by its due day. Pushed for a day.
    RecordNotWritten,
    /// The supervisee has not signed a sent record. Pushed for a day.
    RecordAwaitingSignature,
    /// An action is due tomorrow, or overdue. Pushed for a day.
    ActionDue,
    /// Too few observations so far in the practice year. Pushed for a day.
    ObservationsShort,
    /// The weekly prompt to students and ASYE workers to write in their reflective log.
    /// Pushed for three days.
    ReflectionPrompt,
    /// A PDR milestone of the year. Pushed for a day.
    PdrMilestone,
    /// A party has not signed an agreement. Pushed for a day.
    AgreementUnsigned,
    /// Someone read the person's record with a stated reason (ACC-2). Pushed for a day.
    RecordAccessed,
    /// A case is due for discussion in supervision soon, or overdue (CASE-1). Pushed until
    /// the next one is due (overdue ones come each working day).
    CaseDiscussionDue,
    /// A child protection plan nears 9 months: discuss it 6 weeks before its review
    /// conference (CASE-1, 001 §5.3). Pushed for a day.
    CpReviewDiscussionDue,
}

text_enum!(ReminderKind {
    SessionComingUp => "session_coming_up",
    NothingBooked => "nothing_booked",
    LimitBreached => "limit_breached",
    RescheduleAwaiting => "reschedule_awaiting",
    RecordNotWritten => "record_not_written",
    RecordAwaitingSignature => "record_awaiting_signature",
    ActionDue => "action_due",
    ObservationsShort => "observations_short",
    ReflectionPrompt => "reflection_prompt",
    PdrMilestone => "pdr_milestone",
    AgreementUnsigned => "agreement_unsigned",
    RecordAccessed => "record_accessed",
    CaseDiscussionDue => "case_discussion_due",
    CpReviewDiscussionDue => "cp_review_discussion_due",
});

impl ReminderKind {
    /// The RFC 8030 `Urgency` header: a phone saving battery still wakes for what cannot wait
    /// (a session about to start, a breach, a manager's confirmation) and batches prompts.
    pub fn urgency(self) -> &'static str {
        use ReminderKind::*;
        match self {
            SessionComingUp | LimitBreached | RescheduleAwaiting => "high",
            ReflectionPrompt | PdrMilestone | ObservationsShort => "low",
            NothingBooked
            | RecordNotWritten
            | RecordAwaitingSignature
            | ActionDue
            | AgreementUnsigned
            | RecordAccessed
            | CaseDiscussionDue
            | CpReviewDiscussionDue => "normal",
        }
    }

    /// The RFC 8030 `TTL` in seconds: how long a push service keeps a push for an offline
    /// device. A session reminder is stale after an hour; the weekly prompt keeps for days;
    /// everything else is also in the inbox (REM-4), so a day is enough.
    pub fn ttl_seconds(self) -> u32 {
        match self {
            ReminderKind::SessionComingUp => 3_600,
            ReminderKind::ReflectionPrompt => 3 * 86_400,
            _ => 86_400,
        }
    }

    /// REM-5: until when a reminder is worth pushing (see each kind). `deliver_at` is its
    /// fire time moved out of quiet hours; "for a day" counts from then, as the TTL does.
    /// `session_starts` is the session of a "coming up" reminder.
    pub fn deliver_by(
        self,
        fire_at: DateTime<Utc>,
        deliver_at: DateTime<Utc>,
        session_starts: Option<DateTime<Utc>>,
        calendar: &Calendar,
        zone: Tz,
    ) -> DateTime<Utc> {
        use ReminderKind::*;
        let kept = deliver_at + TimeDelta::seconds(self.ttl_seconds().into());
        match self {
            SessionComingUp => session_starts.unwrap_or(kept),
            LimitBreached | RescheduleAwaiting | CaseDiscussionDue => {
                working_days_later(fire_at, 1, calendar, zone)
            }
            _ => kept,
        }
    }
}

/// Local time of the day's reminders.
pub const MORNING: NaiveTime = hm(9, 0);
/// Local time of "by the end of the day" reminders.
pub const END_OF_DAY: NaiveTime = hm(17, 0);
/// Local time of the weekly reflective-log prompt.
pub const AFTERNOON: NaiveTime = hm(14, 0);

/// Session lead times a person may pick (minutes). Fixed choices so the sweep can find
/// sessions by an indexed window per lead.
pub const SESSION_LEADS: [u32; 6] = [15, 30, 60, 120, 1440, 2880];

/// At most this many session leads and nothing-booked warnings: more is noise.
const MAX_SESSION_LEADS: usize = 4;
const MAX_NOTHING_BOOKED: usize = 5;
/// The furthest ahead a nothing-booked warning may come, in working days (about a month).
const MAX_NOTHING_BOOKED_DAYS: u32 = 20;

const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => panic!("not a time of day"),
    }
}

/// REM-2 and REM-3: one person's reminder settings. Every field may be left out for its
/// default (SPEC's defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
#[schema(example = json!({
    "quiet_from": "20:00", "quiet_until": "08:00", "disabled": ["reflection_prompt"],
    "session_leads_minutes": [1440, 60], "nothing_booked_working_days": [10, 5, 2]
}))]
pub struct Preferences {
    /// Local `HH:MM` when quiet hours start; equal to `quiet_until` for none.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", default = "20:00", example = "20:00")]
    pub quiet_from: NaiveTime,
    /// Local `HH:MM` when quiet hours end and held pushes go out. Before `quiet_from` for
    /// quiet hours over midnight.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", default = "08:00", example = "08:00")]
    pub quiet_until: NaiveTime,
    /// Kinds the person has turned off.
    pub disabled: Vec<ReminderKind>,
    /// How long before a session to remind, from [`SESSION_LEADS`].
    pub session_leads_minutes: Vec<u32>,
    /// Working days before `due_by` to warn that nothing is booked.
    pub nothing_booked_working_days: Vec<u32>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            quiet_from: hm(20, 0),
            quiet_until: hm(8, 0),
            disabled: Vec::new(),
            session_leads_minutes: vec![1440, 60],
            nothing_booked_working_days: vec![10, 5, 2],
        }
    }
}

impl Preferences {
    /// Whether the person wants reminders of this kind.
    pub fn wants(&self, kind: ReminderKind) -> bool {
        !self.disabled.contains(&kind)
    }

    /// Whether a local time of day is inside quiet hours, which may run over midnight.
    fn quiet_at(&self, time: NaiveTime) -> bool {
        let (from, until) = (self.quiet_from, self.quiet_until);
        if from <= until {
            from <= time && time < until
        } else {
            from <= time || time < until
        }
    }
}

/// `HH:MM` on the wire: what a settings screen shows, with no seconds to confuse.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    const FORMAT: &str = "%H:%M";

    pub fn serialize<S: Serializer>(time: &NaiveTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&time.format(FORMAT))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(deserializer)?;
        NaiveTime::parse_from_str(&raw, FORMAT)
            .map_err(|_| D::Error::custom(format!("`{raw}` is not a time as HH:MM, e.g. 08:00")))
    }
}

/// Normalises preferences: lists sorted (largest lead first) and without repeats, session
/// leads from [`SESSION_LEADS`] and at most 4 of them, nothing-booked warnings 1 to 20
/// working days ahead and at most 5 of them.
pub fn check_preferences(mut p: Preferences) -> Result<Preferences, Invalid> {
    for list in [
        &mut p.session_leads_minutes,
        &mut p.nothing_booked_working_days,
    ] {
        list.sort_unstable_by(|a, b| b.cmp(a));
        list.dedup();
    }
    p.disabled.sort_unstable();
    p.disabled.dedup();

    let mut invalid = Invalid::default();
    let leads = &p.session_leads_minutes;
    if let Some(lead) = leads.iter().find(|lead| !SESSION_LEADS.contains(lead)) {
        invalid.push(
            "session_leads_minutes",
            format!("{lead} is not one of {SESSION_LEADS:?}"),
        );
    }
    if leads.len() > MAX_SESSION_LEADS {
        invalid.push(
            "session_leads_minutes",
            format!("at most {MAX_SESSION_LEADS} lead times"),
        );
    }
    let days = &p.nothing_booked_working_days;
    if days
        .iter()
        .any(|day| !(1..=MAX_NOTHING_BOOKED_DAYS).contains(day))
    {
        invalid.push(
            "nothing_booked_working_days",
            format!("each must be 1 to {MAX_NOTHING_BOOKED_DAYS} working days"),
        );
    }
    if days.len() > MAX_NOTHING_BOOKED {
        invalid.push(
            "nothing_booked_working_days",
            format!("at most {MAX_NOTHING_BOOKED} warnings"),
        );
    }
    invalid.into_result(|| p)
}

/// A local wall-clock time on `date` in `zone`, as UTC (CAL-4). A time the clocks skip
/// (01:30 on the last Sunday of March in London) moves to the first instant after the gap
/// (02:00 BST); a time that happens twice (01:30 on the last Sunday of October) is the earlier.
pub fn local(date: NaiveDate, time: NaiveTime, zone: Tz) -> DateTime<Utc> {
    super::scheduling::local_to_utc(date, time, zone).and_utc()
}

/// Whether `at` is inside the person's quiet hours or on a non-working day of `calendar`
/// in their zone (REM-3). A session starting then has its "coming up" reminders exempt.
pub fn is_quiet(at: DateTime<Utc>, zone: Tz, prefs: &Preferences, calendar: &Calendar) -> bool {
    let wall = at.with_timezone(&zone);
    !is_working(calendar, wall.date_naive()) || prefs.quiet_at(wall.time())
}

/// REM-3: when a reminder that fires at `fire_at` may be pushed. Outside quiet hours on a
/// working day it goes at once; otherwise it is held until quiet hours end (`quiet_until`)
/// on the next working day on which that is not already past. `exempt` (the "coming up"
/// reminder of a session itself in quiet hours) goes at `fire_at`. Never earlier than
/// `fire_at`, and a second pass changes nothing, so the sweep may apply it again.
pub fn deliver_at(
    fire_at: DateTime<Utc>,
    zone: Tz,
    prefs: &Preferences,
    calendar: &Calendar,
    exempt: bool,
) -> DateTime<Utc> {
    if exempt || !is_quiet(fire_at, zone, prefs, calendar) {
        return fire_at;
    }
    let date = fire_at.with_timezone(&zone).date_naive();
    let release = |date| local(date, prefs.quiet_until, zone);
    let later_today = Some(release(date)).filter(|&at| at >= fire_at && is_working(calendar, date));
    // The max guards a clock going back over midnight, which could put the next day's
    // wall-clock release before `fire_at`.
    later_today
        .unwrap_or_else(|| release(add_working_days(calendar, date, 1)))
        .max(fire_at)
}

/// The reminders of a session, each lead time before it starts.
pub fn session_coming_up(starts_at: DateTime<Utc>, leads_minutes: &[u32]) -> Vec<DateTime<Utc>> {
    leads_minutes
        .iter()
        .map(|&lead| starts_at - TimeDelta::minutes(lead.into()))
        .collect()
}

/// Nothing booked: [`MORNING`] local, each number of working days before `due_by`.
pub fn nothing_booked(
    due_by: NaiveDate,
    working_days_before: &[u32],
    calendar: &Calendar,
    zone: Tz,
) -> Vec<DateTime<Utc>> {
    working_days_before
        .iter()
        .map(|&days| {
            let back = i32::try_from(days).unwrap_or(i32::MAX);
            local(add_working_days(calendar, due_by, -back), MORNING, zone)
        })
        .collect()
}

/// `at` local on each working day `d` with `from <= d <= to`: a limit breached or a
/// re-schedule awaiting confirmation, at [`MORNING`].
pub fn each_working_day(
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
    zone: Tz,
    at: NaiveTime,
) -> Vec<DateTime<Utc>> {
    days(from, to)
        .filter(|&date| is_working(calendar, date))
        .map(|date| local(date, at, zone))
        .collect()
}

/// Record not written: [`END_OF_DAY`] local on its due day (the next working day after the
/// session, REC-5).
pub fn record_not_written(due_by: NaiveDate, zone: Tz) -> DateTime<Utc> {
    local(due_by, END_OF_DAY, zone)
}

/// Record awaiting signature: when it is sent, then at the same local time 3 working days
/// after the local date it was sent.
pub fn awaiting_signature(
    sent_at: DateTime<Utc>,
    calendar: &Calendar,
    zone: Tz,
) -> [DateTime<Utc>; 2] {
    [sent_at, working_days_later(sent_at, 3, calendar, zone)]
}

/// Action due: [`MORNING`] local one working day before `due_on`, and on the first working
/// day after it, when it is overdue.
pub fn action_due(due_on: NaiveDate, calendar: &Calendar, zone: Tz) -> [DateTime<Utc>; 2] {
    [-1, 1].map(|n| local(add_working_days(calendar, due_on, n), MORNING, zone))
}

/// Days of the year a reminder falls on, whatever the weekday: [`MORNING`] local on each
/// `(month, day)` that falls in `[from, to]`, in time order.
pub fn yearly(
    dates: &[(u32, u32)],
    from: NaiveDate,
    to: NaiveDate,
    zone: Tz,
) -> Vec<DateTime<Utc>> {
    let mut found: Vec<NaiveDate> = (from.year()..=to.year())
        .flat_map(|year| {
            dates
                .iter()
                .filter_map(move |&(month, day)| NaiveDate::from_ymd_opt(year, month, day))
        })
        .filter(|date| (from..=to).contains(date))
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .map(|date| local(date, MORNING, zone))
        .collect()
}

/// Observations short for the practice year: 1 October, 1 January, 1 March.
pub const OBSERVATION_CHECKS: [(u32, u32); 3] = [(10, 1), (1, 1), (3, 1)];
/// PDR milestones: 1 April, 1 October, 1 March.
pub const PDR_MILESTONES: [(u32, u32); 3] = [(4, 1), (10, 1), (3, 1)];

/// Reflective-log prompt: [`AFTERNOON`] local on the last working day of each ISO week
/// (Monday to Sunday), when that day lies in `[from, to]`; a week with no working day gets
/// none. Consecutive windows therefore prompt once a week between them.
pub fn weekly_prompt(
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
    zone: Tz,
) -> Vec<DateTime<Utc>> {
    days(from, to)
        .filter(|&date| {
            is_working(calendar, date)
                && add_working_days(calendar, date, 1).iso_week() != date.iso_week()
        })
        .map(|date| local(date, AFTERNOON, zone))
        .collect()
}

/// Agreement unsigned: the same local time, 3 working days after the local date it was
/// created.
pub fn agreement_unsigned(
    created_at: DateTime<Utc>,
    calendar: &Calendar,
    zone: Tz,
) -> DateTime<Utc> {
    working_days_later(created_at, 3, calendar, zone)
}

/// The same local time as `at`, `n` working days after its local date.
fn working_days_later(at: DateTime<Utc>, n: i32, calendar: &Calendar, zone: Tz) -> DateTime<Utc> {
    let wall = at.with_timezone(&zone);
    let date = add_working_days(calendar, wall.date_naive(), n);
    local(date, wall.time(), zone)
}

/// Each date from `from` to `to`, both included.
fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |&date| date <= to)
}

/// Whether `date` is a working day; Monday to Friday outside the calendar's years, so a
/// reminder is never lost to the calendar's range.
fn is_working(calendar: &Calendar, date: NaiveDate) -> bool {
    calendar
        .is_working_day(date)
        .unwrap_or_else(|_| date.weekday().num_days_from_monday() < 5)
}

/// [`Calendar::add_working_days`], counting day by day with [`is_working`] where the answer
/// leaves the calendar's years.
fn add_working_days(calendar: &Calendar, from: NaiveDate, n: i32) -> NaiveDate {
    calendar.add_working_days(from, n).unwrap_or_else(|_| {
        let steps = n.unsigned_abs() as usize;
        let working = |date: &NaiveDate| is_working(calendar, *date);
        let found = match n.signum() {
            // The n-th working day after `from`.
            1 => from.iter_days().skip(1).filter(working).nth(steps - 1),
            // The working day before the |n| working days ending at `from`.
            -1 => from.iter_days().rev().filter(working).nth(steps),
            _ => None,
        };
        found.unwrap_or(from)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use chrono_tz::{America, Asia, Australia, Europe};
    use proptest::prelude::*;

    use super::super::calendar::Region;
    use super::*;

    const LONDON: Tz = Europe::London;

    fn calendar() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar::new(Region::EnglandAndWales, &[]))
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn deliver(fire_at: &str, prefs: &Preferences, exempt: bool) -> DateTime<Utc> {
        deliver_at(utc(fire_at), LONDON, prefs, calendar(), exempt)
    }

    fn quiet(from: u32, until: u32) -> Preferences {
        Preferences {
            quiet_from: hm(from, 0),
            quiet_until: hm(until, 0),
            ..Preferences::default()
        }
    }

    #[test]
    fn rem2_kinds_round_trip_through_text_and_serde() {
        for &kind in ReminderKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(kind.as_str().parse::<ReminderKind>(), Ok(kind));
        }
        assert_eq!(ReminderKind::ALL.len(), 14);
    }

    #[test]
    fn rem1_urgency_and_ttl_follow_the_kind() {
        use ReminderKind::*;
        assert_eq!(SessionComingUp.urgency(), "high");
        assert_eq!(RescheduleAwaiting.urgency(), "high");
        assert_eq!(PdrMilestone.urgency(), "low");
        assert_eq!(ActionDue.urgency(), "normal");
        assert_eq!(SessionComingUp.ttl_seconds(), 3_600);
        assert_eq!(ReflectionPrompt.ttl_seconds(), 259_200);
        assert_eq!(RecordAccessed.ttl_seconds(), 86_400);
    }

    #[test]
    fn rem5_each_kind_has_a_deadline() {
        use ReminderKind::*;
        // Wednesday 24 November 2027, 09:00 GMT.
        let fire = utc("2027-11-24T09:00:00Z");
        let by = |kind: ReminderKind, deliver: &str, starts: Option<&str>| {
            kind.deliver_by(fire, utc(deliver), starts.map(utc), calendar(), LONDON)
        };
        // A session reminder is moot once the session starts.
        assert_eq!(
            by(
                SessionComingUp,
                "2027-11-24T09:00:00Z",
                Some("2027-11-25T09:00:00Z")
            ),
            utc("2027-11-25T09:00:00Z")
        );
        // A daily one until the next is due, over a weekend too.
        assert_eq!(
            by(LimitBreached, "2027-11-24T09:00:00Z", None),
            utc("2027-11-25T09:00:00Z")
        );
        assert_eq!(
            LimitBreached.deliver_by(
                utc("2027-11-26T09:00:00Z"),
                utc("2027-11-26T09:00:00Z"),
                None,
                calendar(),
                LONDON
            ),
            utc("2027-11-29T09:00:00Z")
        );
        // The rest for their TTL after a hold for quiet hours.
        assert_eq!(
            by(ActionDue, "2027-11-24T10:00:00Z", None),
            utc("2027-11-25T10:00:00Z")
        );
        assert_eq!(
            by(ReflectionPrompt, "2027-11-24T09:00:00Z", None),
            utc("2027-11-27T09:00:00Z")
        );
        for &kind in ReminderKind::ALL {
            assert!(by(kind, "2027-11-24T09:00:00Z", Some("2027-11-24T10:00:00Z")) > fire);
        }
    }

    /// The schedule the README states: 30 s after the first failure, doubling to an hour
    /// between tries, a longer Retry-After honoured, and tried until the reminder's deadline
    /// (the store records a retry due past it as `expired`).
    #[test]
    fn rem5_the_retry_schedule_is_the_one_the_readme_states() {
        use crate::domain::push::{backoff, classify, Delivery};
        let waits: Vec<i64> = (0..10).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(
            waits,
            [30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600, 3_600]
        );
        let now = utc("2027-11-24T09:00:00Z");
        let retry = |status, after, attempt| match classify(Some(status), after, attempt, now) {
            Delivery::Retry { at } => (at - now).num_seconds(),
            other => panic!("{status} is retried, not {other:?}"),
        };
        assert_eq!(retry(503, None, 0), 30);
        assert_eq!(retry(429, Some("600"), 0), 600, "a longer Retry-After wins");
        assert_eq!(retry(429, Some("5"), 3), 240, "a shorter one does not");
        assert_eq!(retry(503, Some("Wed, 24 Nov 2027 11:00:00 GMT"), 0), 7_200);
    }

    #[test]
    fn rem2_preferences_default_from_an_empty_object_and_speak_hh_mm() {
        let prefs: Preferences = serde_json::from_str("{}").unwrap();
        assert_eq!(prefs, Preferences::default());
        let json = serde_json::to_value(&prefs).unwrap();
        assert_eq!(json["quiet_from"], "20:00");
        assert_eq!(json["quiet_until"], "08:00");
        assert_eq!(json["session_leads_minutes"], serde_json::json!([1440, 60]));
        assert_eq!(serde_json::from_value::<Preferences>(json).unwrap(), prefs);

        let set: Preferences =
            serde_json::from_str(r#"{"quiet_from": "22:30", "disabled": ["pdr_milestone"]}"#)
                .unwrap();
        assert_eq!(set.quiet_from, hm(22, 30));
        assert!(!set.wants(ReminderKind::PdrMilestone));
        assert!(set.wants(ReminderKind::ActionDue));

        for bad in [
            r#"{"quiet_from": "8pm"}"#,
            r#"{"quiet_from": "20:00:00"}"#,
            r#"{"quiet_hours": "20:00"}"#,
        ] {
            assert!(serde_json::from_str::<Preferences>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rem2_check_preferences_sorts_and_deduplicates() {
        let prefs = Preferences {
            disabled: vec![
                ReminderKind::PdrMilestone,
                ReminderKind::ActionDue,
                ReminderKind::PdrMilestone,
            ],
            session_leads_minutes: vec![60, 2880, 60, 15],
            nothing_booked_working_days: vec![2, 20, 1, 2],
            ..Preferences::default()
        };
        let checked = check_preferences(prefs).unwrap();
        assert_eq!(
            checked.disabled,
            [ReminderKind::ActionDue, ReminderKind::PdrMilestone]
        );
        assert_eq!(checked.session_leads_minutes, [2880, 60, 15]);
        assert_eq!(checked.nothing_booked_working_days, [20, 2, 1]);
        assert_eq!(
            check_preferences(Preferences::default()),
            Ok(Preferences::default())
        );
    }

    #[test]
    fn rem2_check_preferences_refuses_out_of_bounds_lists() {
        let fields = |prefs: Preferences| -> Vec<String> {
            let err = check_preferences(prefs).unwrap_err();
            err.0.into_iter().map(|e| e.field).collect()
        };
        let with = |leads: Vec<u32>, days: Vec<u32>| Preferences {
            session_leads_minutes: leads,
            nothing_booked_working_days: days,
            ..Preferences::default()
        };
        assert_eq!(fields(with(vec![45], vec![5])), ["session_leads_minutes"]);
        assert_eq!(
            fields(with(vec![15, 30, 60, 120, 1440], vec![5])),
            ["session_leads_minutes"]
        );
        assert_eq!(
            fields(with(vec![60], vec![0])),
            ["nothing_booked_working_days"]
        );
        assert_eq!(
            fields(with(vec![60], vec![21])),
            ["nothing_booked_working_days"]
        );
        assert_eq!(
            fields(with(vec![60], vec![1, 2, 3, 4, 5, 6])),
            ["nothing_booked_working_days"]
        );
        // Every problem at once; repeats do not count towards the limits.
        assert_eq!(
            fields(with(vec![45, 15], vec![30])),
            ["session_leads_minutes", "nothing_booked_working_days"]
        );
        assert!(check_preferences(with(vec![60, 60, 60, 60, 60], vec![2, 2, 2, 2, 2, 2])).is_ok());
    }

    #[test]
    fn rem3_quiet_hours_hold_until_morning() {
        let prefs = Preferences::default();
        // Wednesday 24 November 2027, GMT: 21:30 goes at 08:00 on Thursday.
        assert_eq!(
            deliver("2027-11-24T21:30:00Z", &prefs, false),
            utc("2027-11-25T08:00:00Z")
        );
        // 06:00 waits for 08:00 the same day.
        assert_eq!(
            deliver("2027-11-25T06:00:00Z", &prefs, false),
            utc("2027-11-25T08:00:00Z")
        );
        // Outside quiet hours it goes at once, up to the minute before 20:00.
        assert_eq!(
            deliver("2027-11-25T08:00:00Z", &prefs, false),
            utc("2027-11-25T08:00:00Z")
        );
        assert_eq!(
            deliver("2027-11-25T19:59:00Z", &prefs, false),
            utc("2027-11-25T19:59:00Z")
        );
    }

    #[test]
    fn rem3_weekends_and_bank_holidays_hold_until_the_next_working_day() {
        let prefs = Preferences::default();
        // Friday 26 November 2027 21:00 goes on Monday 29 November at 08:00.
        assert_eq!(
            deliver("2027-11-26T21:00:00Z", &prefs, false),
            utc("2027-11-29T08:00:00Z")
        );
        // Saturday noon too.
        assert_eq!(
            deliver("2027-11-27T12:00:00Z", &prefs, false),
            utc("2027-11-29T08:00:00Z")
        );
        // The early May bank holiday, Monday 3 May 2027 (BST), goes on Tuesday at 08:00 BST.
        assert_eq!(
            deliver("2027-05-03T09:00:00Z", &prefs, false),
            utc("2027-05-04T07:00:00Z")
        );
        // Christmas Eve 2027 is a Friday; the 27th and 28th are substitute holidays.
        assert_eq!(
            deliver("2027-12-24T20:30:00Z", &prefs, false),
            utc("2027-12-29T08:00:00Z")
        );
    }

    #[test]
    fn rem3_a_session_in_quiet_hours_has_its_reminder_exempt() {
        let prefs = Preferences::default();
        let session = utc("2027-11-27T10:00:00Z"); // a Saturday
        assert!(is_quiet(session, LONDON, &prefs, calendar()));
        let reminder = session_coming_up(session, &[60])[0];
        assert_eq!(
            deliver_at(reminder, LONDON, &prefs, calendar(), true),
            reminder
        );
        assert!(!is_quiet(
            utc("2027-11-25T10:00:00Z"),
            LONDON,
            &prefs,
            calendar()
        ));
    }

    #[test]
    fn rem3_quiet_hours_may_wrap_midnight_lie_within_a_day_or_be_none() {
        // Over midnight, 22:00 to 06:00.
        let night = quiet(22, 6);
        assert_eq!(
            deliver("2027-11-24T21:59:00Z", &night, false),
            utc("2027-11-24T21:59:00Z")
        );
        assert_eq!(
            deliver("2027-11-24T23:00:00Z", &night, false),
            utc("2027-11-25T06:00:00Z")
        );
        assert_eq!(
            deliver("2027-11-25T05:00:00Z", &night, false),
            utc("2027-11-25T06:00:00Z")
        );
        // Within the day, 12:00 to 14:00.
        let lunch = quiet(12, 14);
        assert_eq!(
            deliver("2027-11-24T12:30:00Z", &lunch, false),
            utc("2027-11-24T14:00:00Z")
        );
        assert_eq!(
            deliver("2027-11-24T23:30:00Z", &lunch, false),
            utc("2027-11-24T23:30:00Z")
        );
        // Equal: no quiet hours, but non-working days still hold until quiet_until.
        let none = quiet(7, 7);
        assert_eq!(
            deliver("2027-11-24T03:00:00Z", &none, false),
            utc("2027-11-24T03:00:00Z")
        );
        assert_eq!(
            deliver("2027-11-27T03:00:00Z", &none, false),
            utc("2027-11-29T07:00:00Z")
        );
    }

    #[test]
    fn rem3_local_times_follow_the_clock_changes() {
        // Monday after the last Sunday of March 2027 (Easter Monday, so the first working
        // morning is the Tuesday), then after the last Sunday of October.
        assert_eq!(
            local(d("2027-03-29"), MORNING, LONDON),
            utc("2027-03-29T08:00:00Z")
        );
        assert_eq!(
            each_working_day(
                d("2027-03-29"),
                d("2027-03-30"),
                calendar(),
                LONDON,
                MORNING
            ),
            [utc("2027-03-30T08:00:00Z")]
        );
        assert_eq!(
            local(d("2027-11-01"), MORNING, LONDON),
            utc("2027-11-01T09:00:00Z")
        );
        assert_eq!(
            local(d("2027-10-29"), MORNING, LONDON),
            utc("2027-10-29T08:00:00Z")
        );
    }

    #[test]
    fn rem3_local_takes_the_end_of_a_gap_and_the_earlier_of_an_overlap() {
        // 01:30 on 28 March 2027 never happens in London: 02:00 BST, 01:00 UTC.
        assert_eq!(
            local(d("2027-03-28"), hm(1, 30), LONDON),
            utc("2027-03-28T01:00:00Z")
        );
        // 01:30 on 31 October 2027 happens twice: the BST one.
        assert_eq!(
            local(d("2027-10-31"), hm(1, 30), LONDON),
            utc("2027-10-31T00:30:00Z")
        );
        // A gap elsewhere: 02:30 on 14 March 2027 in New York is 03:00 EDT.
        assert_eq!(
            local(d("2027-03-14"), hm(2, 30), America::New_York),
            utc("2027-03-14T07:00:00Z")
        );
    }

    #[test]
    fn rem2_session_coming_up_at_each_lead() {
        let starts = utc("2027-11-25T10:00:00Z");
        assert_eq!(
            session_coming_up(starts, &[1440, 60]),
            [utc("2027-11-24T10:00:00Z"), utc("2027-11-25T09:00:00Z")]
        );
    }

    #[test]
    fn rem2_nothing_booked_counts_working_days_back() {
        // Due by Friday 10 December 2027: 10, 5 and 2 working days before.
        assert_eq!(
            nothing_booked(d("2027-12-10"), &[10, 5, 2], calendar(), LONDON),
            [
                utc("2027-11-26T09:00:00Z"),
                utc("2027-12-03T09:00:00Z"),
                utc("2027-12-08T09:00:00Z"),
            ]
        );
    }

    #[test]
    fn rem2_each_working_day_skips_weekends_and_holidays() {
        let mornings = each_working_day(
            d("2027-12-24"),
            d("2027-12-31"),
            calendar(),
            LONDON,
            MORNING,
        );
        assert_eq!(
            mornings,
            [
                utc("2027-12-24T09:00:00Z"),
                utc("2027-12-29T09:00:00Z"),
                utc("2027-12-30T09:00:00Z"),
                utc("2027-12-31T09:00:00Z"),
            ]
        );
        assert!(each_working_day(
            d("2027-12-31"),
            d("2027-12-24"),
            calendar(),
            LONDON,
            MORNING
        )
        .is_empty());
    }

    #[test]
    fn rem2_record_not_written_at_the_end_of_its_due_day() {
        assert_eq!(
            record_not_written(d("2027-06-15"), LONDON),
            utc("2027-06-15T16:00:00Z")
        );
    }

    #[test]
    fn rem2_awaiting_signature_at_once_then_three_working_days_later() {
        // Sent Thursday 23:30 BST on 27 May 2027 (22:30 UTC); the local date is the Thursday.
        // Three working days later skips the weekend and the spring bank holiday (31 May).
        let sent = utc("2027-05-27T22:30:00Z");
        assert_eq!(
            awaiting_signature(sent, calendar(), LONDON),
            [sent, utc("2027-06-02T22:30:00Z")]
        );
    }

    #[test]
    fn rem2_action_due_the_working_day_before_and_after() {
        // Due Monday 29 November 2027: Friday before, Tuesday after.
        assert_eq!(
            action_due(d("2027-11-29"), calendar(), LONDON),
            [utc("2027-11-26T09:00:00Z"), utc("2027-11-30T09:00:00Z")]
        );
    }

    #[test]
    fn rem2_yearly_dates_in_the_window_in_order() {
        assert_eq!(
            yearly(
                &OBSERVATION_CHECKS,
                d("2027-09-01"),
                d("2028-03-01"),
                LONDON
            ),
            [
                utc("2027-10-01T08:00:00Z"),
                utc("2028-01-01T09:00:00Z"),
                utc("2028-03-01T09:00:00Z"),
            ]
        );
        assert_eq!(
            yearly(&PDR_MILESTONES, d("2027-03-02"), d("2027-04-01"), LONDON),
            [utc("2027-04-01T08:00:00Z")]
        );
        assert!(yearly(&[(2, 30)], d("2027-01-01"), d("2028-12-31"), LONDON).is_empty());
    }

    #[test]
    fn rem2_weekly_prompt_on_the_last_working_day_of_each_week() {
        // Weeks of 20 and 27 December 2027 and 3 January 2028: Friday 24 December, Friday 31
        // December, then Friday 7 January; a window ending on a Thursday leaves that week's
        // prompt to the next window.
        assert_eq!(
            weekly_prompt(d("2027-12-20"), d("2028-01-06"), calendar(), LONDON),
            [utc("2027-12-24T14:00:00Z"), utc("2027-12-31T14:00:00Z")]
        );
        // Easter 2027: Good Friday is 26 March, so that week's prompt is on the Thursday.
        assert_eq!(
            weekly_prompt(d("2027-03-22"), d("2027-03-28"), calendar(), LONDON),
            [utc("2027-03-25T14:00:00Z")]
        );
    }

    #[test]
    fn rem2_agreement_unsigned_three_working_days_later() {
        // Created Friday 26 November 2027 at 15:00: Wednesday 1 December at 15:00.
        assert_eq!(
            agreement_unsigned(utc("2027-11-26T15:00:00Z"), calendar(), LONDON),
            utc("2027-12-01T15:00:00Z")
        );
    }

    #[test]
    fn rem3_outside_the_calendar_weekdays_are_working_days() {
        let prefs = Preferences::default();
        // Saturday 1 January 2101 is beyond the calendar: held until Monday.
        assert_eq!(
            deliver("2101-01-01T12:00:00Z", &prefs, false),
            utc("2101-01-03T08:00:00Z")
        );
        assert_eq!(
            action_due(d("2101-01-03"), calendar(), LONDON),
            [utc("2100-12-31T09:00:00Z"), utc("2101-01-04T09:00:00Z")]
        );
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            LONDON,
            America::New_York,
            Australia::Sydney,
            Asia::Kolkata,
        ])
    }

    fn time() -> impl Strategy<Value = NaiveTime> {
        (0u32..24 * 4).prop_map(|quarter| hm(quarter / 4, quarter % 4 * 15))
    }

    proptest! {
        #[test]
        fn rem3_delivery_is_never_early_idempotent_and_not_quiet(
            // 1989 to 2102, past both ends of the calendar.
            seconds in 599_616_000i64..4_197_000_000,
            zone in zone(),
            quiet_from in time(),
            quiet_until in time(),
        ) {
            let fire_at = DateTime::from_timestamp(seconds, 0).unwrap();
            let prefs = Preferences { quiet_from, quiet_until, ..Preferences::default() };
            let at = deliver_at(fire_at, zone, &prefs, calendar(), false);
            prop_assert!(at >= fire_at);
            prop_assert!(!is_quiet(at, zone, &prefs, calendar()));
            prop_assert_eq!(deliver_at(at, zone, &prefs, calendar(), false), at);
            prop_assert_eq!(deliver_at(fire_at, zone, &prefs, calendar(), true), fire_at);
        }

        #[test]
        fn rem5_every_deadline_falls_after_the_fire_time(
            seconds in 599_616_000i64..4_197_000_000,
            zone in zone(),
            kind in prop::sample::select(ReminderKind::ALL.to_vec()),
            lead in prop::sample::select(SESSION_LEADS.to_vec()),
        ) {
            let fire_at = DateTime::from_timestamp(seconds, 0).unwrap();
            let held = deliver_at(fire_at, zone, &Preferences::default(), calendar(), false);
            let starts = fire_at + TimeDelta::minutes(lead.into());
            let by = kind.deliver_by(fire_at, held, Some(starts), calendar(), zone);
            prop_assert!(by > fire_at, "{kind:?} would never be pushed");
        }
    }
}
