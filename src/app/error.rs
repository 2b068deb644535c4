//! The application layer's one error type. A refusal carries a stable, machine-readable
//! [`Code`] so a client can tell "the session is not scheduled" from "a move is already
//! pending" without parsing English; the HTTP layer maps each to a problem document in one
//! place (`http::problem`).

use std::borrow::Cow;

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::validation::Invalid;
use crate::store::StoreError;

/// What kind of refusal a code is: the HTTP layer picks the status and problem type from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The actor may not do this (403).
    Forbidden,
    /// The resource's state does not allow it now (409).
    Conflict,
    /// ACC-2: reading needs an access request with a reason (403).
    ReasonRequired,
    /// An optional module the organisation has not turned on (409).
    ModuleOff,
    /// REM-1: the push endpoint is registered to someone else (409).
    SubscriptionTaken,
}

/// Declares the refusal codes once: the enum, its wire names, its kinds and the list of all.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $kind:ident;)*) => {
        /// Why a request was refused: stable across releases; clients switch on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
        #[serde(rename_all = "kebab-case")]
        #[schema(as = RefusalCode)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            pub fn kind(self) -> Kind {
                match self { $(Code::$variant => Kind::$kind),* }
            }
        }
    };
}

codes! {
    // Who may act.
    /// The action needs an administrator.
    AdminOnly = "admin-only", Forbidden;
    /// Only the supervisor and supervisee of a session or agreement may do this.
    NotAParty = "not-a-party", Forbidden;
    /// Only the supervisor may do this.
    SupervisorOnly = "supervisor-only", Forbidden;
    /// Only a manager above the supervisor (or an administrator) may decide this.
    ManagerAboveOnly = "manager-above-only", Forbidden;
    /// Only an administrator or an auditor may read this (the organisation's report).
    AdminOrAuditorOnly = "admin-or-auditor-only", Forbidden;
    /// Reading this needs an access request that states a reason (ACC-2).
    AccessReasonRequired = "access-reason-required", ReasonRequired;
    /// A request that reads or sets the refresh cookie came from another site's page
    /// (its `Origin` or `Sec-Fetch-Site` says so; ACC-1).
    CrossSiteRequest = "cross-site-request", Forbidden;

    // State.
    /// Something with the same identity already exists.
    AlreadyExists = "already-exists", Conflict;
    /// The agreement must be signed by both people, and not ended, first.
    AgreementNotSigned = "agreement-not-signed", Conflict;
    /// The session is not scheduled (it was held, missed, cancelled or has a move pending).
    SessionNotScheduled = "session-not-scheduled", Conflict;
    /// A move of this session is already waiting for a decision.
    MovePending = "move-pending", Conflict;
    /// There is no move waiting for a decision.
    NoMovePending = "no-move-pending", Conflict;
    /// The session has not happened yet.
    SessionNotStarted = "session-not-started", Conflict;
    /// A group session is recorded with the group, not as a two-party record.
    GroupSession = "group-session", Conflict;
    /// The session must be marked held first.
    SessionNotHeld = "session-not-held", Conflict;
    /// A date falls outside the working-day calendar's range; import the holidays first.
    OutsideCalendar = "outside-calendar", Conflict;

    // records.
    /// You may read the record but not change it: a previous supervisor, or the successor.
    RecordReadOnly = "record-read-only", Forbidden;
    /// The other party takes this sign-off step (REC-4).
    NotYourStep = "not-your-step", Forbidden;
    /// The record is signed by both and locked; add an addendum instead (REC-4).
    RecordLocked = "record-locked", Conflict;
    /// The record's status does not allow this step now (signing a draft, sending twice).
    StepNotNow = "step-not-now", Conflict;
    /// Only a record signed by both can be printed or have addenda.
    RecordNotSigned = "record-not-signed", Conflict;
    /// The addendum is already countersigned.
    AlreadyCountersigned = "already-countersigned", Conflict;
    /// You read this record directly; an access request with a reason is for third parties.
    ReasonNotNeeded = "reason-not-needed", Conflict;

    // reflections.
    /// Only the entry's author may do this; a supervisor it is shared with reads and comments.
    AuthorOnly = "author-only", Forbidden;

    // observations.
    /// Only someone who supervises the person, or manages them further up, may do this.
    SupervisorOrManagerOnly = "supervisor-or-manager-only", Forbidden;
    /// Only the observer may change an observation's feedback.
    ObserverOnly = "observer-only", Forbidden;
    /// Only the person themselves may do this (reflect on an observation of their practice,
    /// log their own protected time).
    SelfOnly = "self-only", Forbidden;

    // cases.
    /// Case supervision is turned off for this organisation; an administrator turns it on.
    ModuleOff = "module-off", ModuleOff;
    /// Only the case's supervisor, a manager above the worker or an administrator may change it.
    CaseSupervisorOnly = "case-supervisor-only", Forbidden;
    /// The case is closed.
    CaseClosed = "case-closed", Conflict;

    // agreements.
    /// Only the person's line manager, a manager above them or an administrator may do this.
    LineManagerOnly = "line-manager-only", Forbidden;
    /// You have already signed this agreement.
    AlreadySigned = "already-signed", Conflict;
    /// The agreement has ended.
    AgreementEnded = "agreement-ended", Conflict;

    // groups.
    /// Only a manager of the team's members or an administrator (for a group session's
    /// record, also its facilitator) may do this.
    TeamManagerOnly = "team-manager-only", Forbidden;

    // people.
    /// The period of line management overlaps another period for the same person.
    LineManagementOverlaps = "line-management-overlaps", Conflict;

    // asye.
    /// Only the person themselves or someone who supervises them may do this.
    SelfOrSupervisorOnly = "self-or-supervisor-only", Forbidden;
    /// There is no open pause to end.
    NoPauseOpen = "no-pause-open", Conflict;

    // pdr.
    /// Only the person, their line manager (anyone above them) or an administrator may do this.
    SelfOrLineManagerOnly = "self-or-line-manager-only", Forbidden;
    /// The cycle already holds as many goals as it may.
    CycleFull = "cycle-full", Conflict;

    // push.
    /// The person already has as many devices as they may; remove one first.
    TooManyDevices = "too-many-devices", Conflict;
    /// Someone else registered this push endpoint first; it stays theirs (REM-1). Make a
    /// fresh subscription on the device.
    SubscriptionTaken = "subscription-taken", SubscriptionTaken;
}

/// A refusal: its code, and a sentence for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: Code,
    pub detail: Cow<'static, str>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Values that break a rule, by field.
    #[error("{0}")]
    Invalid(Invalid),
    /// No such thing, or not one the actor may see (the same answer, so ids cannot be probed).
    #[error("not found")]
    NotFound,
    #[error("{}", .0.detail)]
    Refused(Refusal),
    /// The thing changed since the client read it; `current` is how it is now, when known.
    #[error("the resource has changed since it was read")]
    Stale { current: Option<serde_json::Value> },
    #[error(transparent)]
    Store(StoreError),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn refuse(code: Code, detail: impl Into<Cow<'static, str>>) -> AppError {
        AppError::Refused(Refusal {
            code,
            detail: detail.into(),
        })
    }

    /// The code of a refusal, for tests and logs.
    pub fn code(&self) -> Option<Code> {
        match self {
            AppError::Refused(refusal) => Some(refusal.code),
            _ => None,
        }
    }
}

impl From<Invalid> for AppError {
    fn from(invalid: Invalid) -> AppError {
        AppError::Invalid(invalid)
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> AppError {
        match err {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::refuse(Code::AlreadyExists, what),
            StoreError::VersionMismatch { .. } => AppError::Stale { current: None },
            other => AppError::Store(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name} is not kebab-case"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), name);
        }
    }
}
