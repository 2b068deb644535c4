//! Records of supervision (REC): templates, the content of a record and its limits, the
//! two-party sign-off state machine (REC-4), addenda, lateness (REC-5), the content hash that
//! lets anyone show a printed copy matches what was signed, and coverage of the four
//! functions of supervision.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::calendar::{Calendar, CalendarError};
use super::dates::{check_in_range, Day};
use super::sessions::{text_enum, Party};
use super::validation::{bounded_text, long_text, text_values, Invalid};

/// Bounds on what one record may hold (API-5). A monthly session's record is a few pages;
/// these leave room for a long one and stop a runaway client.
pub const MAX_SECTION_CHARS: usize = 10_000;
pub const MAX_ACTIONS: usize = 30;
pub const MAX_CASE_DISCUSSIONS: usize = 15;
pub const MAX_CASE_ACTIONS: usize = 10;
pub const MAX_SHORT_TEXT: usize = 2_000;
pub const MAX_CASE_TEXT: usize = 3_000;
pub const MAX_TEMPLATE_SECTIONS: usize = 30;
pub const MAX_ADDENDUM_CHARS: usize = 10_000;

/// The section open actions are carried into (REC-2).
pub const REVIEW_OF_ACTIONS: &str = "review_of_actions";

/// REC-4 / REC-5: where a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// The supervisor is writing it.
    Draft,
    /// Sent (and so signed) by the supervisor; the supervisee signs or asks for amendments.
    AwaitingSupervisee,
    /// The supervisee asked for changes; the supervisor amends and sends again.
    AmendmentsRequested,
    /// Signed by both: locked. Only addenda follow.
    Signed,
}

text_enum!(RecordStatus {
    Draft => "draft",
    AwaitingSupervisee => "awaiting_supervisee",
    AmendmentsRequested => "amendments_requested",
    Signed => "signed",
});

/// A step in the sign-off of a record (REC-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Change the content. A sent record returns to draft: the supervisee signs only what
    /// they were last sent.
    Edit,
    /// Complete the record and send it; sending is the supervisor's signature.
    Send,
    /// The supervisee agrees the record as sent.
    Sign,
    /// The supervisee asks for changes, with a comment.
    RequestAmendments,
}

/// Why a step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The record is signed by both; only addenda can be added.
    Locked,
    /// This party does not take this step.
    NotYourStep,
    /// The step does not apply in this state (sign a draft, send twice).
    NotNow(RecordStatus),
}

impl Refusal {
    pub fn message(self) -> String {
        match self {
            Refusal::Locked => {
                "the record is signed by both people and locked; add an addendum instead".into()
            }
            Refusal::NotYourStep => "the other party takes this step".into(),
            Refusal::NotNow(status) => {
                format!("not possible while the record is {}", status.as_str())
            }
        }
    }
}

/// The sign-off state machine (REC-4): the state after `party` takes `step`, or why not.
pub fn next(status: RecordStatus, party: Party, step: Step) -> Result<RecordStatus, Refusal> {
    use RecordStatus::*;
    if status == Signed {
        return Err(Refusal::Locked);
    }
    let (who, allowed): (Party, &[RecordStatus]) = match step {
        Step::Edit => (
            Party::Supervisor,
            &[Draft, AwaitingSupervisee, AmendmentsRequested],
        ),
        Step::Send => (Party::Supervisor, &[Draft, AmendmentsRequested]),
        Step::Sign | Step::RequestAmendments => (Party::Supervisee, &[AwaitingSupervisee]),
    };
    if party != who {
        return Err(Refusal::NotYourStep);
    }
    if !allowed.contains(&status) {
        return Err(Refusal::NotNow(status));
    }
    Ok(match (step, status) {
        (Step::Edit, AmendmentsRequested) => AmendmentsRequested,
        (Step::Edit, _) => Draft,
        (Step::Send, _) => AwaitingSupervisee,
        (Step::Sign, _) => Signed,
        (Step::RequestAmendments, _) => AmendmentsRequested,
    })
}

/// How a person stands to a record, which decides what they may do with it (ACC-2, ACC-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Wrote it and still supervises the supervisee: writes, sends, adds addenda.
    Supervisor,
    /// Signs it, asks for amendments, adds addenda.
    Supervisee,
    /// Wrote it but no longer supervises the person: reads it, nothing more (ACC-3).
    PreviousSupervisor,
    /// Supervises the person now, after the one who wrote it: reads it (ACC-3).
    Successor,
    /// A manager above, an auditor or an administrator: reads only with a stated reason,
    /// logged and notified to the supervisee (ACC-2).
    ThirdParty,
}

/// What is known of the caller's relationships, today, for one record.
#[derive(Debug, Clone, Copy, Default)]
pub struct Relation {
    pub is_supervisor: bool,
    pub is_supervisee: bool,
    /// The record's supervisor still supervises its supervisee (line manager or agreement).
    pub supervisor_still_supervises: bool,
    /// The caller supervises the record's supervisee today.
    pub caller_supervises_supervisee: bool,
    /// The caller is above either party in line management, an auditor or an administrator.
    pub oversight: bool,
}

/// The caller's standing, or `None`: a stranger, who must not learn the record exists.
pub fn standing(r: Relation) -> Option<Standing> {
    if r.is_supervisee {
        Some(Standing::Supervisee)
    } else if r.is_supervisor && r.supervisor_still_supervises {
        Some(Standing::Supervisor)
    } else if r.is_supervisor {
        Some(Standing::PreviousSupervisor)
    } else if r.caller_supervises_supervisee {
        Some(Standing::Successor)
    } else if r.oversight {
        Some(Standing::ThirdParty)
    } else {
        None
    }
}

impl Standing {
    /// Reads without stating a reason.
    pub fn reads_directly(self) -> bool {
        self != Standing::ThirdParty
    }

    /// The party this person acts as in sign-off, if they act at all.
    pub fn party(self) -> Option<Party> {
        match self {
            Standing::Supervisor => Some(Party::Supervisor),
            Standing::Supervisee => Some(Party::Supervisee),
            _ => None,
        }
    }

    /// One of the record's two parties, past or present (ACC-4 logs reads by anyone else).
    pub fn is_party(self) -> bool {
        matches!(
            self,
            Standing::Supervisor | Standing::Supervisee | Standing::PreviousSupervisor
        )
    }
}

/// ACC-2: the reasons a third party may give to read a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessReason {
    Audit,
    Disciplinary,
    Regulator,
    Safeguarding,
    Handover,
}

text_enum!(AccessReason {
    Audit => "audit",
    Disciplinary => "disciplinary",
    Regulator => "regulator",
    Safeguarding => "safeguarding",
    Handover => "handover",
});

/// REC-4: what a disagreement proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisagreementProposal {
    /// Settle it between the two, as described.
    Resolve,
    /// Take it to the supervisor's manager.
    Escalate,
}

text_enum!(DisagreementProposal {
    Resolve => "resolve",
    Escalate => "escalate",
});

/// Who may add an addendum, and who countersigns it: after the record is locked, either party
/// adds one (signing it as its author) and the other countersigns (REC-4).
pub fn may_add_addendum(status: RecordStatus) -> Result<(), Refusal> {
    if status == RecordStatus::Signed {
        Ok(())
    } else {
        Err(Refusal::NotNow(status))
    }
}

/// Whether `party` may countersign an addendum written by `author`, not yet countersigned.
pub fn may_countersign(author: Party, party: Party, countersigned: bool) -> Result<(), Refusal> {
    if countersigned {
        Err(Refusal::Locked)
    } else if author == party {
        Err(Refusal::NotYourStep)
    } else {
        Ok(())
    }
}

/// REC-5: a record is due by the end of the first working day after the session.
pub fn due_by(calendar: &Calendar, held_on: NaiveDate) -> Result<NaiveDate, CalendarError> {
    calendar.add_working_days(held_on, 1)
}

/// REC-5: how late a record is. The supervisor's part is done when they first send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lateness {
    pub late: bool,
    /// Working days past `due_by` the record was sent, or is now while unsent.
    pub working_days_late: i32,
}

pub fn lateness(
    calendar: &Calendar,
    due_by: NaiveDate,
    first_sent_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Lateness {
    let done_or_now = first_sent_on.unwrap_or(today);
    let days = calendar
        .working_days_between(due_by, done_or_now)
        .unwrap_or_else(|_| (done_or_now - due_by).num_days() as i32)
        .max(0);
    Lateness {
        late: done_or_now > due_by,
        working_days_late: days,
    }
}

/// The four functions of supervision (003, 004), used to tag template sections.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionFunction {
    Management,
    Development,
    Support,
    Mediation,
}

/// One section of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "issues_discussed", "title": "Issues discussed and agreed goals",
    "guidance": "What was discussed; what was agreed.", "functions": ["management", "support"]
}))]
pub struct TemplateSection {
    /// Lower-case letters, digits and underscores; how a record names the section.
    #[schema(format = "key", min_length = 1, max_length = 40)]
    pub key: String,
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(format = "one-line", max_length = 2000)]
    pub guidance: String,
    #[serde(default)]
    pub functions: Vec<SupervisionFunction>,
}

fn section(
    key: &str,
    title: &str,
    guidance: &str,
    functions: &[SupervisionFunction],
) -> TemplateSection {
    TemplateSection {
        key: key.into(),
        title: title.into(),
        guidance: guidance.into(),
        functions: functions.to_vec(),
    }
}

/// REC-1: the pro-forma of 000 Appendix 1, tagged with the functions each section serves.
pub fn default_template() -> Vec<TemplateSection> {
    use SupervisionFunction::*;
    vec![
        section(
            REVIEW_OF_ACTIONS,
            "Review of actions from the previous meeting",
            "Open actions from the last record are listed here; say what happened to each.",
            &[Management],
        ),
        section(
            "issues_discussed",
            "Issues discussed and agreed goals",
            "What was discussed and what was agreed.",
            &[Management, Support],
        ),
        section(
            "goals_review",
            "Review of goals, targets and priorities",
            "Progress against goals, targets and priorities; any change to them.",
            &[Management, Development],
        ),
        section(
            "case_management",
            "Case management review",
            "Summary of the case discussions below. Name children and adults only by case reference.",
            &[Management, Mediation],
        ),
        section(
            "development_needs",
            "Personal development needs (links with PDR)",
            "Learning and development needs and how they will be met.",
            &[Development],
        ),
        section(
            "supervisee_issues",
            "Issues raised by the supervisee",
            "Anything the supervisee brought, including wellbeing and workload.",
            &[Support, Mediation],
        ),
        section(
            "other_business",
            "Any other business",
            "",
            &[Management, Support, Development, Mediation],
        ),
        section(
            "next_meeting",
            "Date of next meeting",
            "When and where the next session will be.",
            &[Management],
        ),
    ]
}

/// What [`check_key`] takes, less its length of 1 to 40: the OpenAPI document gives it to
/// every field of format `key`.
pub const KEY_PATTERN: &str = "^[a-z0-9_]+$";

/// Keys of templates and sections: short, lower-case, safe in URLs and JSON paths.
pub fn check_key(field: &str, key: &str) -> Result<(), Invalid> {
    let ok = (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Invalid::field(
            field,
            "must be 1 to 40 lower-case letters, digits or underscores",
        ))
    }
}

/// Checks a template's sections: keys unique and well-formed, titles bounded, no repeated tag.
pub fn check_template(sections: &[TemplateSection]) -> Result<Vec<TemplateSection>, Invalid> {
    let mut invalid = Invalid::default();
    if sections.is_empty() || sections.len() > MAX_TEMPLATE_SECTIONS {
        invalid.push(
            "sections",
            format!("must hold 1 to {MAX_TEMPLATE_SECTIONS} sections"),
        );
    }
    let mut clean = Vec::with_capacity(sections.len());
    for (i, s) in sections.iter().enumerate() {
        let at = |field: &str| format!("sections[{i}].{field}");
        if invalid.check(check_key(&at("key"), &s.key)).is_some()
            && sections[..i].iter().any(|other| other.key == s.key)
        {
            invalid.push(at("key"), "is used by an earlier section");
        }
        let title = invalid.check(bounded_text(&at("title"), &s.title, 1, 200));
        let guidance = invalid.check(bounded_text(&at("guidance"), &s.guidance, 0, 2_000));
        let mut functions = s.functions.clone();
        functions.sort();
        functions.dedup();
        if let (Some(title), Some(guidance)) = (title, guidance) {
            clean.push(TemplateSection {
                key: s.key.clone(),
                title,
                guidance,
                functions,
            });
        }
    }
    invalid.into_result(|| clean)
}

/// Who owns an action (REC-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionOwner {
    Supervisor,
    Supervisee,
    /// Another named person, with `owner_name` (and `owner_person_id` when they use the
    /// service, so the action shows in their list).
    Other,
}

text_enum!(ActionOwner {
    Supervisor => "supervisor",
    Supervisee => "supervisee",
    Other => "other",
});

/// An action agreed in the record (REC-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "description": "Book the Signs of Safety refresher", "owner": "supervisee",
    "owner_name": null, "owner_person_id": null, "due_on": "2026-12-18"
}))]
pub struct ActionItem {
    #[schema(format = "one-line", min_length = 1, max_length = 1000)]
    pub description: String,
    pub owner: ActionOwner,
    /// For an action owned by another person: their name.
    #[serde(default)]
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub owner_name: Option<String>,
    #[serde(default)]
    pub owner_person_id: Option<String>,
    #[schema(value_type = Day)]
    pub due_on: NaiveDate,
}

/// Case status codes of 000 Appendix 3 (REC-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum CaseStatus {
    /// Early help.
    #[serde(rename = "EH")]
    EarlyHelp,
    /// Child in need.
    #[serde(rename = "CIN")]
    ChildInNeed,
    /// Child protection.
    #[serde(rename = "CP")]
    ChildProtection,
    /// Child in care.
    #[serde(rename = "CIC")]
    ChildInCare,
    /// Public Law Outline.
    #[serde(rename = "PLO")]
    PublicLawOutline,
    /// Care proceedings.
    #[serde(rename = "C/Proc")]
    CareProceedings,
    /// Supervision order.
    #[serde(rename = "SO")]
    SupervisionOrder,
    /// Placement order.
    #[serde(rename = "PO")]
    PlacementOrder,
    /// Education, health and care plan.
    #[serde(rename = "EHCP")]
    EducationHealthCarePlan,
}

/// A SMART action agreed for a case, with its timescale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "Convene core group", "by": "2026-12-10"}))]
pub struct CaseAction {
    #[schema(format = "one-line", min_length = 1, max_length = 1000)]
    pub action: String,
    #[schema(value_type = Day)]
    pub by: NaiveDate,
}

/// One case discussed in a record (REC-3). The case is named only by its reference: never
/// write a child's or adult's name in any field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "case_reference": "CH-204518", "status_codes": ["CP", "PLO"],
    "what_changed": "Second strategy meeting held; risk from the home environment remains.",
    "reflection": "Worker is confident in the analysis but stretched on visits.",
    "management_decision": "Proceed to pre-proceedings; legal planning meeting this month.",
    "actions": [{"action": "Convene core group", "by": "2026-12-10"}]
}))]
pub struct CaseDiscussion {
    pub case_reference: String,
    #[serde(default)]
    pub status_codes: Vec<CaseStatus>,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 3000)]
    pub what_changed: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 3000)]
    pub reflection: String,
    #[serde(default)]
    #[schema(format = "multi-line", max_length = 3000)]
    pub management_decision: String,
    #[serde(default)]
    #[schema(max_items = 10)]
    pub actions: Vec<CaseAction>,
}

/// What a record says: the text of each template section, the actions and the case
/// discussions. This, as of one version, is what both people sign.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sections": {"issues_discussed": "Caseload of 18; two new CP cases.", "next_meeting": "8 January, 10:00, Room 2"},
    "actions": [{"description": "Book the Signs of Safety refresher", "owner": "supervisee", "owner_name": null, "owner_person_id": null, "due_on": "2026-12-18"}],
    "case_discussions": []
}))]
pub struct Content {
    #[serde(default)]
    #[schema(schema_with = section_texts)]
    pub sections: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub actions: Vec<ActionItem>,
    #[serde(default)]
    #[schema(max_items = 15)]
    pub case_discussions: Vec<CaseDiscussion>,
}

/// A compiled case-reference pattern (REC-3), anchored so it must match the whole reference.
#[derive(Debug, Clone)]
pub struct CaseReferencePattern(regex::Regex);

/// The default: up to four capital letters, an optional hyphen, then 4 to 12 digits
/// (`204518`, `CH-204518`). A name cannot match it.
pub const DEFAULT_CASE_REFERENCE_PATTERN: &str = "[A-Z]{0,4}-?[0-9]{4,12}";

impl FromStr for CaseReferencePattern {
    type Err = String;

    /// Patterns are administrators' regular expressions, bounded in length and compiled size.
    fn from_str(pattern: &str) -> Result<Self, String> {
        if pattern.is_empty() || pattern.chars().count() > 200 {
            return Err("must be 1 to 200 characters".into());
        }
        regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 16)
            .build()
            .map(CaseReferencePattern)
            .map_err(|e| format!("is not a valid regular expression: {e}"))
    }
}

impl CaseReferencePattern {
    pub fn matches(&self, reference: &str) -> bool {
        self.0.is_match(reference)
    }
}

fn section_texts() -> utoipa::openapi::schema::Object {
    text_values(
        MAX_SECTION_CHARS,
        "Section key to its text. Keys come from the record's template.",
    )
}

/// Checks and tidies content against the record's template and the organisation's case
/// reference pattern, naming each bad field by its JSON path.
pub fn check_content(
    content: Content,
    template: &[TemplateSection],
    pattern: &CaseReferencePattern,
) -> Result<Content, Invalid> {
    let mut invalid = Invalid::default();
    let mut sections = BTreeMap::new();
    for (key, text) in &content.sections {
        let field = format!("sections.{key}");
        if !template.iter().any(|s| &s.key == key) {
            invalid.push(field, "is not a section of the record's template");
            continue;
        }
        if let Some(text) = invalid.check(long_text(&field, text, MAX_SECTION_CHARS)) {
            if !text.is_empty() {
                sections.insert(key.clone(), text);
            }
        }
    }
    if content.actions.len() > MAX_ACTIONS {
        invalid.push("actions", format!("at most {MAX_ACTIONS} actions a record"));
    }
    let mut actions = Vec::new();
    for (i, a) in content.actions.iter().enumerate() {
        let at = |f: &str| format!("actions[{i}].{f}");
        let description = invalid.check(bounded_text(&at("description"), &a.description, 1, 1_000));
        let owner_name = match (a.owner, &a.owner_name) {
            (ActionOwner::Other, Some(name)) => {
                invalid.check(bounded_text(&at("owner_name"), name, 1, 200))
            }
            (ActionOwner::Other, None) => {
                invalid.push(at("owner_name"), "name the person who owns the action");
                None
            }
            (_, Some(_)) => {
                invalid.push(
                    at("owner_name"),
                    "only for an action owned by another person",
                );
                None
            }
            (_, None) => None,
        };
        if a.owner != ActionOwner::Other && a.owner_person_id.is_some() {
            invalid.push(
                at("owner_person_id"),
                "only for an action owned by another person",
            );
        }
        let due_on = invalid.check(check_in_range(&at("due_on"), a.due_on));
        if let (Some(description), Some(due_on)) = (description, due_on) {
            actions.push(ActionItem {
                description,
                owner: a.owner,
                owner_name,
                owner_person_id: a.owner_person_id.clone(),
                due_on,
            });
        }
    }
    if content.case_discussions.len() > MAX_CASE_DISCUSSIONS {
        invalid.push(
            "case_discussions",
            format!("at most {MAX_CASE_DISCUSSIONS} case discussions a record"),
        );
    }
    let mut cases = Vec::new();
    for (i, c) in content.case_discussions.iter().enumerate() {
        let at = |f: &str| format!("case_discussions[{i}].{f}");
        let reference = c.case_reference.trim();
        if !pattern.matches(reference) {
            invalid.push(
                at("case_reference"),
                "must be a case reference in the organisation's format, never a name",
            );
        }
        let mut status_codes = c.status_codes.clone();
        status_codes.dedup();
        if c.actions.len() > MAX_CASE_ACTIONS {
            invalid.push(
                at("actions"),
                format!("at most {MAX_CASE_ACTIONS} actions a case"),
            );
        }
        let mut case_actions = Vec::new();
        for (j, a) in c.actions.iter().enumerate() {
            let field = |f: &str| format!("case_discussions[{i}].actions[{j}].{f}");
            let action = invalid.check(bounded_text(&field("action"), &a.action, 1, 1_000));
            let by = invalid.check(check_in_range(&field("by"), a.by));
            if let (Some(action), Some(by)) = (action, by) {
                case_actions.push(CaseAction { action, by });
            }
        }
        let what_changed = invalid.check(long_text(
            &at("what_changed"),
            &c.what_changed,
            MAX_CASE_TEXT,
        ));
        let reflection = invalid.check(long_text(&at("reflection"), &c.reflection, MAX_CASE_TEXT));
        let decision = invalid.check(long_text(
            &at("management_decision"),
            &c.management_decision,
            MAX_CASE_TEXT,
        ));
        if let (Some(what_changed), Some(reflection), Some(management_decision)) =
            (what_changed, reflection, decision)
        {
            cases.push(CaseDiscussion {
                case_reference: reference.to_string(),
                status_codes,
                what_changed,
                reflection,
                management_decision,
                actions: case_actions,
            });
        }
    }
    invalid.into_result(|| Content {
        sections,
        actions,
        case_discussions: cases,
    })
}

/// A record cannot be sent empty: the supervisor completes it first (REC-4).
pub fn check_complete(content: &Content) -> Result<(), Invalid> {
    if content.sections.is_empty() && content.case_discussions.is_empty() {
        Err(Invalid::field(
            "sections",
            "write the record before sending it",
        ))
    } else {
        Ok(())
    }
}

/// The text that opens the review of actions in a new record (REC-2): one line per open
/// action of the previous record, as many as fit in a section; the rest are named by count
/// (the record's `carried_actions` lists them all).
pub fn review_of_actions_text<'a>(open: impl IntoIterator<Item = (&'a str, NaiveDate)>) -> String {
    let lines: Vec<String> = open
        .into_iter()
        .map(|(description, due_on)| format!("- {description} (due {due_on}): "))
        .collect();
    // Room for the closing note about what did not fit.
    let budget = MAX_SECTION_CHARS - 100;
    let mut text = String::new();
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        let cost = line.chars().count() + usize::from(i > 0);
        if used + cost > budget {
            text.push_str(&format!("\n… and {} more open actions", lines.len() - i));
            break;
        }
        if i > 0 {
            text.push('\n');
        }
        text.push_str(line);
        used += cost;
    }
    text
}

/// What a content hash covers: the record's identity and parties and the content as of one
/// version. Serialised with fields in this order and maps sorted, so the same record always
/// gives the same bytes.
#[derive(Debug, Serialize)]
pub struct SignedVersion<'a> {
    pub record_id: &'a str,
    pub session_id: &'a str,
    pub supervisor_id: &'a str,
    pub supervisee_id: &'a str,
    pub held_on: NaiveDate,
    pub template_id: &'a str,
    pub version: i32,
    pub content: &'a Content,
}

/// `sha256:` and the hex SHA-256 of the canonical JSON of `value`.
pub fn content_hash<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).expect("record content serialises");
    let digest = Sha256::digest(&bytes);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// What an addendum's hash covers.
#[derive(Debug, Serialize)]
pub struct SignedAddendum<'a> {
    pub record_id: &'a str,
    pub addendum_id: &'a str,
    pub author_id: &'a str,
    pub text: &'a str,
}

/// How often each function was covered: the number of records with text in at least one
/// section tagged with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"records": 11, "management": 11, "development": 7, "support": 9, "mediation": 3}))]
pub struct Coverage {
    pub records: u32,
    pub management: u32,
    pub development: u32,
    pub support: u32,
    pub mediation: u32,
}

impl Coverage {
    /// Adds one record: its template and its content.
    pub fn add(&mut self, template: &[TemplateSection], content: &Content) {
        self.records += 1;
        let mut covered: Vec<SupervisionFunction> = template
            .iter()
            .filter(|s| content.sections.contains_key(&s.key))
            .flat_map(|s| s.functions.iter().copied())
            .collect();
        covered.sort();
        covered.dedup();
        for function in covered {
            *match function {
                SupervisionFunction::Management => &mut self.management,
                SupervisionFunction::Development => &mut self.development,
                SupervisionFunction::Support => &mut self.support,
                SupervisionFunction::Mediation => &mut self.mediation,
            } += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Region;
    use proptest::prelude::*;
    use RecordStatus::*;

    const ALL_STEPS: [Step; 4] = [Step::Edit, Step::Send, Step::Sign, Step::RequestAmendments];
    const PARTIES: [Party; 2] = [Party::Supervisor, Party::Supervisee];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// REC-4: the whole table of allowed transitions; every other pair is refused.
    #[test]
    fn rec4_every_allowed_transition() {
        let allowed = [
            (Draft, Party::Supervisor, Step::Edit, Draft),
            (Draft, Party::Supervisor, Step::Send, AwaitingSupervisee),
            (AwaitingSupervisee, Party::Supervisor, Step::Edit, Draft),
            (AwaitingSupervisee, Party::Supervisee, Step::Sign, Signed),
            (
                AwaitingSupervisee,
                Party::Supervisee,
                Step::RequestAmendments,
                AmendmentsRequested,
            ),
            (
                AmendmentsRequested,
                Party::Supervisor,
                Step::Edit,
                AmendmentsRequested,
            ),
            (
                AmendmentsRequested,
                Party::Supervisor,
                Step::Send,
                AwaitingSupervisee,
            ),
        ];
        for status in RecordStatus::ALL {
            for party in PARTIES {
                for step in ALL_STEPS {
                    let expected = allowed
                        .iter()
                        .find(|(s, p, st, _)| s == status && *p == party && *st == step)
                        .map(|(_, _, _, to)| *to);
                    let got = next(*status, party, step);
                    match expected {
                        Some(to) => assert_eq!(got, Ok(to), "{status:?} {party:?} {step:?}"),
                        None => assert!(got.is_err(), "{status:?} {party:?} {step:?} allowed"),
                    }
                }
            }
        }
    }

    /// REC-4: the reasons given for refusals.
    #[test]
    fn rec4_refusals_say_why() {
        assert_eq!(
            next(Signed, Party::Supervisor, Step::Edit),
            Err(Refusal::Locked)
        );
        assert_eq!(
            next(Signed, Party::Supervisee, Step::Sign),
            Err(Refusal::Locked)
        );
        assert_eq!(
            next(Draft, Party::Supervisee, Step::Edit),
            Err(Refusal::NotYourStep)
        );
        assert_eq!(
            next(AwaitingSupervisee, Party::Supervisor, Step::Sign),
            Err(Refusal::NotYourStep)
        );
        assert_eq!(
            next(Draft, Party::Supervisee, Step::Sign),
            Err(Refusal::NotNow(Draft))
        );
        assert_eq!(
            next(AwaitingSupervisee, Party::Supervisor, Step::Send),
            Err(Refusal::NotNow(AwaitingSupervisee))
        );
    }

    fn step() -> impl Strategy<Value = (Party, Step)> {
        (0usize..2, 0usize..4).prop_map(|(p, s)| (PARTIES[p], ALL_STEPS[s]))
    }

    proptest! {
        /// API-5: the document's key pattern, with its length, is exactly what `check_key`
        /// takes.
        #[test]
        fn api5_key_pattern_is_what_check_key_takes(key in "[a-z0-9_A-Z. -]{0,45}") {
            let pattern = regex::Regex::new(KEY_PATTERN).unwrap();
            let documented = pattern.is_match(&key) && (1..=40).contains(&key.chars().count());
            prop_assert_eq!(check_key("key", &key).is_ok(), documented);
        }
    }

    proptest! {
        /// REC-4: whatever order people act in, a signed record never changes again, and it
        /// is signed only straight after the supervisee signed what they were sent.
        #[test]
        fn rec4_signed_is_final(steps in proptest::collection::vec(step(), 0..40)) {
            let mut status = Draft;
            let mut last_ok: Option<(Party, Step)> = None;
            for (party, step) in steps {
                let before = status;
                if let Ok(after) = next(status, party, step) {
                    prop_assert_ne!(before, Signed);
                    status = after;
                    last_ok = Some((party, step));
                }
            }
            if status == Signed {
                prop_assert_eq!(last_ok, Some((Party::Supervisee, Step::Sign)));
            }
        }
    }

    /// REC-4: addenda follow a locked record; the other party countersigns each.
    #[test]
    fn rec4_addenda_after_lock_countersigned_by_the_other_party() {
        assert!(may_add_addendum(Signed).is_ok());
        for status in [Draft, AwaitingSupervisee, AmendmentsRequested] {
            assert_eq!(may_add_addendum(status), Err(Refusal::NotNow(status)));
        }
        assert!(may_countersign(Party::Supervisor, Party::Supervisee, false).is_ok());
        assert!(may_countersign(Party::Supervisee, Party::Supervisor, false).is_ok());
        assert_eq!(
            may_countersign(Party::Supervisor, Party::Supervisor, false),
            Err(Refusal::NotYourStep)
        );
        assert_eq!(
            may_countersign(Party::Supervisor, Party::Supervisee, true),
            Err(Refusal::Locked)
        );
    }

    /// REC-5: due the next working day; a Friday session's record is due on Monday, and
    /// Christmas pushes it past the bank holidays.
    #[test]
    fn rec5_due_by_the_next_working_day() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        assert_eq!(due_by(&calendar, d(2026, 11, 24)).unwrap(), d(2026, 11, 25));
        assert_eq!(due_by(&calendar, d(2026, 11, 27)).unwrap(), d(2026, 11, 30));
        assert_eq!(due_by(&calendar, d(2026, 12, 24)).unwrap(), d(2026, 12, 29));
    }

    /// REC-5: lateness counts working days past `due_by`, to the first send or to today.
    #[test]
    fn rec5_lateness_in_working_days() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let due = d(2026, 11, 27); // Friday
        let on_time = lateness(&calendar, due, Some(due), d(2026, 12, 10));
        assert_eq!(
            on_time,
            Lateness {
                late: false,
                working_days_late: 0
            }
        );
        let unsent = lateness(&calendar, due, None, d(2026, 11, 27));
        assert!(!unsent.late);
        let monday = lateness(&calendar, due, None, d(2026, 11, 30));
        assert_eq!(
            monday,
            Lateness {
                late: true,
                working_days_late: 1
            }
        );
        let sent_late = lateness(&calendar, due, Some(d(2026, 12, 2)), d(2027, 1, 5));
        assert_eq!(
            sent_late,
            Lateness {
                late: true,
                working_days_late: 3
            }
        );
    }

    fn pattern() -> CaseReferencePattern {
        DEFAULT_CASE_REFERENCE_PATTERN.parse().unwrap()
    }

    /// REC-3: references in the organisation's format; names are refused.
    #[test]
    fn rec3_case_references_follow_the_pattern() {
        let p = pattern();
        for good in ["204518", "CH-204518", "AD12345"] {
            assert!(p.matches(good), "{good}");
        }
        for bad in ["Jane Smith", "Smith", "CH-12", "", "204518 Jane"] {
            assert!(!p.matches(bad), "{bad}");
        }
        let custom: CaseReferencePattern = "LL[0-9]{6}".parse().unwrap();
        assert!(custom.matches("LL123456"));
        // Anchored: a match inside a longer string does not count.
        assert!(!custom.matches("xLL123456"));
        assert!("(".parse::<CaseReferencePattern>().is_err());
        assert!("".parse::<CaseReferencePattern>().is_err());
    }

    fn content() -> Content {
        Content {
            sections: BTreeMap::from([
                (
                    "issues_discussed".to_string(),
                    "  Caseload of 18.  ".to_string(),
                ),
                ("other_business".to_string(), "   ".to_string()),
            ]),
            actions: vec![ActionItem {
                description: "Book training".into(),
                owner: ActionOwner::Supervisee,
                owner_name: None,
                owner_person_id: None,
                due_on: d(2026, 12, 18),
            }],
            case_discussions: vec![CaseDiscussion {
                case_reference: " CH-204518 ".into(),
                status_codes: vec![CaseStatus::ChildProtection],
                what_changed: "Strategy meeting held.".into(),
                reflection: String::new(),
                management_decision: "Pre-proceedings.".into(),
                actions: vec![CaseAction {
                    action: "Core group".into(),
                    by: d(2026, 12, 10),
                }],
            }],
        }
    }

    /// REC-1, REC-2, REC-3: content is tidied and checked against the template.
    #[test]
    fn rec1_content_is_checked_against_the_template() {
        let clean = check_content(content(), &default_template(), &pattern()).unwrap();
        assert_eq!(clean.sections.len(), 1, "blank sections are dropped");
        assert_eq!(clean.sections["issues_discussed"], "Caseload of 18.");
        assert_eq!(clean.case_discussions[0].case_reference, "CH-204518");

        let mut bad = content();
        bad.sections.insert("diary".into(), "x".into());
        bad.sections
            .insert("next_meeting".into(), "x".repeat(MAX_SECTION_CHARS + 1));
        bad.actions[0].owner = ActionOwner::Other;
        bad.actions
            .extend(std::iter::repeat_n(bad.actions[0].clone(), MAX_ACTIONS));
        bad.case_discussions[0].case_reference = "Jane Smith".into();
        let fields: Vec<String> = check_content(bad, &default_template(), &pattern())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        for expected in [
            "sections.diary",
            "sections.next_meeting",
            "actions",
            "actions[0].owner_name",
            "case_discussions[0].case_reference",
        ] {
            assert!(
                fields.iter().any(|f| f == expected),
                "{expected} in {fields:?}"
            );
        }
    }

    /// API-5: action dates in the content keep to the years every request date keeps to.
    #[test]
    fn api5_content_dates_outside_1900_to_2100_are_refused() {
        let mut bad = content();
        bad.actions[0].due_on = d(26, 12, 18);
        bad.case_discussions[0].actions[0].by = d(20260, 12, 10);
        let fields: Vec<String> = check_content(bad, &default_template(), &pattern())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["actions[0].due_on", "case_discussions[0].actions[0].by"]
        );
    }

    /// REC-4: an empty record cannot be sent.
    #[test]
    fn rec4_an_empty_record_is_not_sent() {
        assert!(check_complete(&Content::default()).is_err());
        assert!(check_complete(&content()).is_ok());
    }

    /// REC-1: the default template is the eight-section pro-forma, every section tagged.
    #[test]
    fn rec1_default_template_is_the_pro_forma() {
        let template = check_template(&default_template()).unwrap();
        assert_eq!(template.len(), 8);
        assert_eq!(template[0].key, REVIEW_OF_ACTIONS);
        assert!(template.iter().all(|s| !s.functions.is_empty()));
        let mut bad = default_template();
        bad[1].key = REVIEW_OF_ACTIONS.into();
        bad[2].key = "Bad Key".into();
        let fields: Vec<String> = check_template(&bad)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["sections[1].key", "sections[2].key"]);
    }

    /// REC-4: the hash changes with any change to what was signed, and only then.
    #[test]
    fn rec4_content_hash_is_stable_and_sensitive() {
        let c = content();
        let version = |content: &Content, version: i32| {
            content_hash(&SignedVersion {
                record_id: "r",
                session_id: "s",
                supervisor_id: "a",
                supervisee_id: "b",
                held_on: d(2026, 11, 24),
                template_id: "t",
                version,
                content,
            })
        };
        let first = version(&c, 3);
        assert_eq!(first, version(&c.clone(), 3));
        assert!(first.starts_with("sha256:") && first.len() == 71);
        assert_ne!(first, version(&c, 4));
        let mut changed = c.clone();
        changed.actions[0].due_on = d(2026, 12, 19);
        assert_ne!(first, version(&changed, 3));
    }

    /// REC-1: coverage of the four functions counts each record once per function.
    #[test]
    fn rec1_coverage_of_the_four_functions() {
        let template = default_template();
        let mut coverage = Coverage::default();
        coverage.add(
            &template,
            &check_content(content(), &template, &pattern()).unwrap(),
        );
        coverage.add(&template, &Content::default());
        assert_eq!(
            coverage,
            Coverage {
                records: 2,
                management: 1,
                development: 0,
                support: 1,
                mediation: 0
            }
        );
    }

    /// REC-2: carried actions open the review section, one line each.
    #[test]
    fn rec2_review_text_lists_open_actions() {
        let text = review_of_actions_text([
            ("Book training", d(2026, 12, 18)),
            ("Read policy", d(2027, 1, 4)),
        ]);
        assert_eq!(
            text,
            "- Book training (due 2026-12-18): \n- Read policy (due 2027-01-04): "
        );
        // However many are open, the text fits in its section.
        let long = "x".repeat(900);
        let many = vec![(long.as_str(), d(2026, 12, 18)); 30];
        let text = review_of_actions_text(many);
        assert!(text.chars().count() <= MAX_SECTION_CHARS);
        assert!(
            text.ends_with("… and 20 more open actions"),
            "{}",
            &text[text.len() - 60..]
        );
    }

    /// ACC-2, ACC-3: each relationship's standing, strongest first.
    #[test]
    fn acc2_acc3_standing_follows_relationships() {
        let none = Relation::default();
        assert_eq!(standing(none), None);
        let supervisee = Relation {
            is_supervisee: true,
            ..none
        };
        assert_eq!(standing(supervisee), Some(Standing::Supervisee));
        let writer = Relation {
            is_supervisor: true,
            supervisor_still_supervises: true,
            ..none
        };
        assert_eq!(standing(writer), Some(Standing::Supervisor));
        let previous = Relation {
            is_supervisor: true,
            caller_supervises_supervisee: false,
            ..none
        };
        assert_eq!(standing(previous), Some(Standing::PreviousSupervisor));
        let successor = Relation {
            caller_supervises_supervisee: true,
            oversight: true,
            ..none
        };
        assert_eq!(standing(successor), Some(Standing::Successor));
        let third = Relation {
            oversight: true,
            ..none
        };
        assert_eq!(standing(third), Some(Standing::ThirdParty));
        assert!(!Standing::ThirdParty.reads_directly());
        assert!(Standing::Successor.reads_directly() && !Standing::Successor.is_party());
        assert_eq!(Standing::PreviousSupervisor.party(), None);
        assert_eq!(Standing::Supervisor.party(), Some(Party::Supervisor));
    }
}
