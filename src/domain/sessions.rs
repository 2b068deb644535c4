//! Agreements and sessions: their kinds and states, and who must agree to a move (AGR-1,
//! AGR-2, SES-1, SES-3, SES-4). Plain rules; the store and the API apply them.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::{bounded_text, Invalid};

/// Generates the text form (`as_str` / `FromStr`) of an enum stored as text.
macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!("unknown {} `{s}`", stringify!($name)))
            }
        }

        /// Lets diesel read the text column straight into the enum.
        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}
pub(crate) use text_enum;

/// AGR-1: the kinds of supervision an agreement covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// The line-management agreement whose sessions the frequency status follows (AGR-2).
    LineManagement,
    PracticeEducator,
    PlacementSupervisor,
    Professional,
    Clinical,
}

text_enum!(AgreementKind {
    LineManagement => "line_management",
    PracticeEducator => "practice_educator",
    PlacementSupervisor => "placement_supervisor",
    Professional => "professional",
    Clinical => "clinical",
});

impl AgreementKind {
    /// Whether sessions under this agreement count towards the frequency status (AGR-2):
    /// line management always; a student's two supervisors when the profile alternates.
    pub fn counts_for_frequency(self, alternating: bool) -> bool {
        match self {
            AgreementKind::LineManagement => true,
            AgreementKind::PracticeEducator | AgreementKind::PlacementSupervisor => alternating,
            AgreementKind::Professional | AgreementKind::Clinical => false,
        }
    }
}

/// Where an agreement stands: both people sign before the first session (AGR-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    AwaitingSignatures,
    Active,
    Ended,
}

pub fn agreement_status(
    supervisor_signed: bool,
    supervisee_signed: bool,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AgreementStatus {
    if ends_on.is_some_and(|end| end <= today) {
        AgreementStatus::Ended
    } else if supervisor_signed && supervisee_signed {
        AgreementStatus::Active
    } else {
        AgreementStatus::AwaitingSignatures
    }
}

/// Whether an agreement gives its supervisor authority over the supervisee on `date`
/// (AGR-3): both have signed, it has started and it has not ended. Until then it grants
/// nothing; once ended, only what ACC-3 keeps (the records the supervisor wrote).
pub fn agreement_in_force(
    supervisor_signed: bool,
    supervisee_signed: bool,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    date: NaiveDate,
) -> bool {
    starts_on <= date
        && agreement_status(supervisor_signed, supervisee_signed, ends_on, date)
            == AgreementStatus::Active
}

/// Shortest and longest session an agreement may set, in minutes.
pub const SESSION_MINUTES: std::ops::RangeInclusive<i32> = 15..=480;

/// Checks an agreement's usual slot: a weekday (sessions are held on working days) and a
/// length within bounds, at least the policy's minimum for the person (FREQ-2: students 90).
pub fn check_slot(
    weekday: Weekday,
    minutes: i32,
    policy_minimum: Option<u32>,
) -> Result<(), Invalid> {
    let mut invalid = Invalid::default();
    if matches!(weekday, Weekday::Sat | Weekday::Sun) {
        invalid.push("usual_weekday", "must be Monday to Friday");
    }
    if !SESSION_MINUTES.contains(&minutes) {
        invalid.push(
            "session_minutes",
            format!(
                "must be between {} and {}",
                SESSION_MINUTES.start(),
                SESSION_MINUTES.end()
            ),
        );
    } else if let Some(minimum) = policy_minimum {
        if i64::from(minutes) < i64::from(minimum) {
            invalid.push(
                "session_minutes",
                format!("the policy asks for at least {minimum} minutes for this person"),
            );
        }
    }
    invalid.into_result(|| ())
}

/// Parses `HH:MM` (24-hour) as an agreement's usual time.
pub fn parse_usual_time(field: &str, raw: &str) -> Result<NaiveTime, Invalid> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Invalid::field(field, "must be a time as HH:MM, e.g. 10:00"))
}

/// SES-6: the day a session recorded after the fact was held on lies within its agreement
/// (from its start, before its end) and is not in the future. `field` names the day in the
/// caller's terms: a request's field or a file's column.
pub fn check_held_on(
    field: &str,
    held_on: NaiveDate,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    if held_on > today {
        Err(Invalid::field(field, "must not be in the future"))
    } else if held_on < starts_on {
        Err(Invalid::field(
            field,
            format!("before the agreement's start ({starts_on})"),
        ))
    } else if ends_on.is_some_and(|end| held_on >= end) {
        Err(Invalid::field(field, "on or after the agreement's end"))
    } else {
        Ok(held_on)
    }
}

/// Which kinds of session an agreement holds: group sessions belong to a team, and a PDR to
/// the line-management agreement (PDR-1).
pub fn check_kind_under(
    field: &str,
    kind: SessionKind,
    agreement: AgreementKind,
) -> Result<SessionKind, Invalid> {
    match kind {
        SessionKind::Group => Err(Invalid::field(
            field,
            "group sessions belong to a team, not an agreement",
        )),
        SessionKind::Pdr if agreement != AgreementKind::LineManagement => Err(Invalid::field(
            field,
            "a PDR is held under the line-management agreement",
        )),
        _ => Ok(kind),
    }
}

/// SES-1: kinds of session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// Formal 1:1 supervision: the sessions the frequency limit counts.
    OneToOne,
    Group,
    Pdr,
    ObservationDebrief,
    /// Unplanned day-to-day supervision that is still recorded.
    AdHoc,
    /// An ASYE review point (3, 6, 9 or 12 months; ASYE-1), recorded like any session.
    AsyeReview,
}

text_enum!(SessionKind {
    OneToOne => "one_to_one",
    Group => "group",
    Pdr => "pdr",
    ObservationDebrief => "observation_debrief",
    AdHoc => "ad_hoc",
    AsyeReview => "asye_review",
});

/// SES-1: where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Scheduled,
    /// A proposed move waits for a decision.
    ReschedulePending,
    Held,
    Missed,
    Cancelled,
}

text_enum!(SessionStatus {
    Scheduled => "scheduled",
    ReschedulePending => "reschedule_pending",
    Held => "held",
    Missed => "missed",
    Cancelled => "cancelled",
});

impl SessionStatus {
    /// Sessions that happened or are still to happen: what a plan counts as already there.
    pub const HELD_OR_BOOKED: [SessionStatus; 3] = [
        SessionStatus::Held,
        SessionStatus::Scheduled,
        SessionStatus::ReschedulePending,
    ];

    /// Still to happen: counts as "booked" for the frequency status (FREQ-4).
    pub const BOOKED: [SessionStatus; 2] =
        [SessionStatus::Scheduled, SessionStatus::ReschedulePending];

    pub fn is_booked(self) -> bool {
        SessionStatus::BOOKED.contains(&self)
    }
}

/// SES-3 / SES-4: why a session moves or is cancelled (000 requires it be recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    Sickness,
    AnnualLeave,
    UrgentWork,
    Personal,
    /// Needs `reason_text`.
    Other,
}

text_enum!(ChangeReason {
    Sickness => "sickness",
    AnnualLeave => "annual_leave",
    UrgentWork => "urgent_work",
    Personal => "personal",
    Other => "other",
});

/// What happened to a session: its history keeps every one (SES-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    Booked,
    Moved,
    Proposed,
    Cancelled,
    Held,
    Missed,
}

text_enum!(ChangeAction {
    Booked => "booked",
    Moved => "moved",
    Proposed => "proposed",
    Cancelled => "cancelled",
    Held => "held",
    Missed => "missed",
});

/// A proposal's state; every other change is `done` when recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeState {
    Done,
    Pending,
    Confirmed,
    Rejected,
}

text_enum!(ChangeState {
    Done => "done",
    Pending => "pending",
    Confirmed => "confirmed",
    Rejected => "rejected",
});

/// The reason's free text: required for `other`, optional otherwise, bounded.
pub fn check_reason(reason: ChangeReason, text: Option<&str>) -> Result<Option<String>, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => bounded_text("reason_text", text, 1, 1000).map(Some),
        None if reason == ChangeReason::Other => Err(Invalid::field(
            "reason_text",
            "is required when the reason is `other`",
        )),
        None => Ok(None),
    }
}

/// Who is acting on a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Supervisor,
    Supervisee,
}

/// What a proposed move needs before it takes effect (SES-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveDecision {
    /// The supervisor moved their own session within the limit: it takes effect at once.
    Immediate,
    /// The supervisee proposed it: the supervisor confirms or rejects.
    SupervisorConfirms,
    /// It lands after `due_by`: a manager above the supervisor confirms, with a written
    /// justification, and it is reported as a breach.
    ManagerConfirms,
}

/// SES-3: who must agree to moving a session to `new_date`, when the next session is due by
/// `due_by`. A move of a session that is not the one keeping the person within the limit
/// (`due_by` is None) never needs a manager.
pub fn decide_move(by: Party, new_date: NaiveDate, due_by: Option<NaiveDate>) -> MoveDecision {
    if due_by.is_some_and(|due| new_date > due) {
        MoveDecision::ManagerConfirms
    } else if by == Party::Supervisor {
        MoveDecision::Immediate
    } else {
        MoveDecision::SupervisorConfirms
    }
}

/// Something that happens to a session (SES-1, SES-3, SES-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Move it, as [`decide_move`] decided: at once, or as a proposal that waits.
    Move(MoveDecision),
    /// Decide the pending proposal: confirmed or rejected, the session is scheduled again.
    Decide,
    /// Cancel it, with the new date booked at once or with none (the relationship ended).
    Cancel,
    /// Cancel it with a new date that waits for a decision, like a proposed move.
    CancelForApproval,
    /// Record that it was held, or missed; `started` says whether its start has passed.
    Hold {
        started: bool,
    },
    Miss {
        started: bool,
    },
}

/// Why a session cannot take a transition now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleRefusal {
    /// It is held, missed or cancelled: nothing more happens to it.
    Closed(SessionStatus),
    /// A move is waiting for a decision; decide it first.
    MovePending,
    /// There is no move waiting for a decision.
    NoMovePending,
    /// It has not started, so it cannot have been held or missed.
    NotStarted,
}

impl LifecycleRefusal {
    pub fn message(self) -> String {
        match self {
            LifecycleRefusal::Closed(status) => format!("the session is {}", status.as_str()),
            LifecycleRefusal::MovePending => {
                "a move of this session is waiting for a decision; decide it first".into()
            }
            LifecycleRefusal::NoMovePending => "no move is waiting for a decision".into(),
            LifecycleRefusal::NotStarted => "the session has not started yet".into(),
        }
    }
}

/// The session lifecycle as one table: where a session in `status` goes on `transition`, or
/// why it cannot. Held, missed and cancelled are final; a pending move blocks everything but
/// its decision and a cancellation (which withdraws it).
pub fn next(
    status: SessionStatus,
    transition: Transition,
) -> Result<SessionStatus, LifecycleRefusal> {
    use LifecycleRefusal::*;
    use SessionStatus::*;
    if matches!(status, Held | Missed | Cancelled) {
        return Err(Closed(status));
    }
    let pending = status == ReschedulePending;
    match transition {
        Transition::Move(_) | Transition::Hold { .. } | Transition::Miss { .. } if pending => {
            Err(MovePending)
        }
        Transition::Move(MoveDecision::Immediate) => Ok(Scheduled),
        Transition::Move(_) | Transition::CancelForApproval => Ok(ReschedulePending),
        Transition::Decide if pending => Ok(Scheduled),
        Transition::Decide => Err(NoMovePending),
        Transition::Cancel => Ok(Cancelled),
        Transition::Hold { started: false } | Transition::Miss { started: false } => {
            Err(NotStarted)
        }
        Transition::Hold { started: true } => Ok(Held),
        Transition::Miss { started: true } => Ok(Missed),
    }
}

/// SES-3, SES-4: who may cancel a session. A cancellation with a new date is a move, so only
/// the two parties make one, and it follows [`decide_move`] in full; one without a new date
/// (the relationship ended) books nothing, so only the supervisor or a manager above them.
pub fn may_cancel(by: Option<Party>, above_supervisor: bool, with_new_date: bool) -> bool {
    if with_new_date {
        by.is_some()
    } else {
        by == Some(Party::Supervisor) || above_supervisor
    }
}

/// SES-4: a cancellation names a new date unless the supervision relationship has ended.
pub fn check_cancellation(
    new_date: Option<NaiveDate>,
    relationship_ended: bool,
) -> Result<(), Invalid> {
    match (new_date, relationship_ended) {
        (None, false) => Err(Invalid::field(
            "new_starts_at",
            "is required: an early alternative date must be set unless the relationship ended",
        )),
        (Some(_), true) => Err(Invalid::field(
            "new_starts_at",
            "must be empty when the relationship ended",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SES-1, SES-3, SES-4: the lifecycle's whole transition table.
    #[test]
    fn ses1_the_session_lifecycle_table() {
        use LifecycleRefusal::*;
        use SessionStatus::*;
        let transitions = [
            Transition::Move(MoveDecision::Immediate),
            Transition::Move(MoveDecision::SupervisorConfirms),
            Transition::Move(MoveDecision::ManagerConfirms),
            Transition::Decide,
            Transition::Cancel,
            Transition::CancelForApproval,
            Transition::Hold { started: true },
            Transition::Hold { started: false },
            Transition::Miss { started: true },
            Transition::Miss { started: false },
        ];
        let expected: [(SessionStatus, [Result<SessionStatus, LifecycleRefusal>; 10]); 2] = [
            (
                Scheduled,
                [
                    Ok(Scheduled),
                    Ok(ReschedulePending),
                    Ok(ReschedulePending),
                    Err(NoMovePending),
                    Ok(Cancelled),
                    Ok(ReschedulePending),
                    Ok(Held),
                    Err(NotStarted),
                    Ok(Missed),
                    Err(NotStarted),
                ],
            ),
            (
                ReschedulePending,
                [
                    Err(MovePending),
                    Err(MovePending),
                    Err(MovePending),
                    Ok(Scheduled),
                    Ok(Cancelled),
                    Ok(ReschedulePending),
                    Err(MovePending),
                    Err(MovePending),
                    Err(MovePending),
                    Err(MovePending),
                ],
            ),
        ];
        for (from, outcomes) in expected {
            for (transition, outcome) in transitions.iter().zip(outcomes) {
                assert_eq!(
                    next(from, *transition),
                    outcome,
                    "{from:?} on {transition:?}"
                );
            }
        }
        for closed in [Held, Missed, Cancelled] {
            for transition in transitions {
                assert_eq!(next(closed, transition), Err(Closed(closed)));
            }
        }
    }

    proptest::proptest! {
        /// SES-6: a day is accepted exactly when the agreement was running on it and it has
        /// come.
        #[test]
        fn ses6_a_held_day_is_within_the_agreement_and_not_ahead(
            held in 0i64..400, start in 0i64..400, end in proptest::option::of(0i64..400), today in 0i64..400,
        ) {
            let day = |n: i64| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n as u64);
            let result = check_held_on("held_on", day(held), day(start), end.map(day), day(today));
            let expected = held <= today && held >= start && end.is_none_or(|e| held < e);
            proptest::prop_assert_eq!(result.is_ok(), expected);
            if let Err(invalid) = result {
                proptest::prop_assert_eq!(&invalid.0[0].field, "held_on");
            }
        }
    }

    #[test]
    fn ses6_a_day_before_the_start_says_so() {
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 9, d).unwrap();
        let err = check_held_on("date", on(1), on(2), None, on(30)).unwrap_err();
        assert!(err.0[0].message.contains("before the agreement's start"));
        let err = check_held_on("date", on(30), on(2), None, on(29)).unwrap_err();
        assert!(err.0[0].message.contains("future"));
    }

    #[test]
    fn ses6_group_sessions_and_pdrs_outside_line_management_are_refused() {
        use AgreementKind::*;
        assert!(check_kind_under("kind", SessionKind::Group, LineManagement).is_err());
        assert!(check_kind_under("kind", SessionKind::Pdr, LineManagement).is_ok());
        assert!(check_kind_under("kind", SessionKind::Pdr, Professional).is_err());
        assert!(check_kind_under("kind", SessionKind::OneToOne, Professional).is_ok());
    }

    #[test]
    fn ses4_only_parties_cancel_with_a_new_date_and_only_the_supervisor_side_without() {
        use Party::*;
        for above in [false, true] {
            assert!(may_cancel(Some(Supervisor), above, true));
            assert!(may_cancel(Some(Supervisee), above, true));
            assert!(may_cancel(Some(Supervisor), above, false));
            assert!(!may_cancel(Some(Supervisee), false, false));
        }
        assert!(
            !may_cancel(None, true, true),
            "a manager above moves nothing"
        );
        assert!(may_cancel(None, true, false));
        assert!(!may_cancel(None, false, false));
        assert!(!may_cancel(None, false, true));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn text_forms_round_trip() {
        for kind in AgreementKind::ALL {
            assert_eq!(kind.as_str().parse::<AgreementKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for kind in SessionKind::ALL {
            assert_eq!(kind.as_str().parse::<SessionKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for status in SessionStatus::ALL {
            assert_eq!(status.as_str().parse::<SessionStatus>(), Ok(*status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for reason in ChangeReason::ALL {
            assert_eq!(reason.as_str().parse::<ChangeReason>(), Ok(*reason));
        }
        for action in ChangeAction::ALL {
            assert_eq!(action.as_str().parse::<ChangeAction>(), Ok(*action));
        }
        for state in ChangeState::ALL {
            assert_eq!(state.as_str().parse::<ChangeState>(), Ok(*state));
        }
        assert!("weekly".parse::<SessionKind>().is_err());
    }

    #[test]
    fn agr1_an_agreement_is_active_once_both_have_signed() {
        let today = d("2026-11-25");
        assert_eq!(
            agreement_status(true, false, None, today),
            AgreementStatus::AwaitingSignatures
        );
        assert_eq!(
            agreement_status(false, true, None, today),
            AgreementStatus::AwaitingSignatures
        );
        assert_eq!(
            agreement_status(true, true, None, today),
            AgreementStatus::Active
        );
        assert_eq!(
            agreement_status(true, true, Some(d("2026-11-26")), today),
            AgreementStatus::Active
        );
        assert_eq!(
            agreement_status(true, true, Some(today), today),
            AgreementStatus::Ended
        );
    }

    #[test]
    fn agr2_which_agreements_count_for_frequency() {
        assert!(AgreementKind::LineManagement.counts_for_frequency(false));
        assert!(!AgreementKind::PracticeEducator.counts_for_frequency(false));
        assert!(AgreementKind::PracticeEducator.counts_for_frequency(true));
        assert!(AgreementKind::PlacementSupervisor.counts_for_frequency(true));
        assert!(!AgreementKind::Professional.counts_for_frequency(true));
    }

    #[test]
    fn freq2_slots_are_weekdays_and_long_enough() {
        assert!(check_slot(Weekday::Tue, 60, None).is_ok());
        assert_eq!(
            check_slot(Weekday::Sat, 60, None).unwrap_err().0[0].field,
            "usual_weekday"
        );
        assert_eq!(
            check_slot(Weekday::Tue, 5, None).unwrap_err().0[0].field,
            "session_minutes"
        );
        assert_eq!(
            check_slot(Weekday::Tue, 60, Some(90)).unwrap_err().0[0].field,
            "session_minutes"
        );
        assert!(check_slot(Weekday::Tue, 90, Some(90)).is_ok());
        assert!(parse_usual_time("usual_time", "10:00").is_ok());
        assert!(parse_usual_time("usual_time", "25:00").is_err());
    }

    #[test]
    fn ses3_who_confirms_a_move() {
        let due = Some(d("2026-12-10"));
        assert_eq!(
            decide_move(Party::Supervisor, d("2026-12-09"), due),
            MoveDecision::Immediate
        );
        assert_eq!(
            decide_move(Party::Supervisor, d("2026-12-10"), due),
            MoveDecision::Immediate
        );
        assert_eq!(
            decide_move(Party::Supervisee, d("2026-12-10"), due),
            MoveDecision::SupervisorConfirms
        );
        assert_eq!(
            decide_move(Party::Supervisor, d("2026-12-11"), due),
            MoveDecision::ManagerConfirms
        );
        assert_eq!(
            decide_move(Party::Supervisee, d("2026-12-11"), due),
            MoveDecision::ManagerConfirms
        );
        assert_eq!(
            decide_move(Party::Supervisee, d("2027-06-01"), None),
            MoveDecision::SupervisorConfirms
        );
    }

    #[test]
    fn ses3_reasons_are_recorded_and_other_needs_text() {
        assert_eq!(check_reason(ChangeReason::Sickness, None), Ok(None));
        assert_eq!(
            check_reason(ChangeReason::Other, Some("  ")).unwrap_err().0[0].field,
            "reason_text"
        );
        assert_eq!(
            check_reason(ChangeReason::Other, Some("court")),
            Ok(Some("court".into()))
        );
    }

    #[test]
    fn ses4_cancelling_needs_a_new_date_unless_the_relationship_ended() {
        assert!(check_cancellation(Some(d("2026-12-01")), false).is_ok());
        assert!(check_cancellation(None, true).is_ok());
        assert_eq!(
            check_cancellation(None, false).unwrap_err().0[0].field,
            "new_starts_at"
        );
        assert!(check_cancellation(Some(d("2026-12-01")), true).is_err());
    }
}
