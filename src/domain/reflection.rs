//! Reflective logs (REF-1) and CPD for professional registration (REF-3): the reflective
//! models an entry follows, the checks on what an entry holds, and the CPD count for the
//! registration year. Who may read an entry (REF-2) is the store's and the API's business.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::periods::{registration_year, Period};
use super::validation::long_text;
use super::validation::{bounded_text, Invalid};

/// One section of a reflective model: the heading and prompt an entry is written under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key": "experience", "title": "Concrete experience",
    "prompt": "What happened? Tell the story.", "required": true, "max_chars": 5000
}))]
pub struct ModelSection {
    /// How an entry names the section (`sections.<key>`).
    pub key: String,
    pub title: String,
    pub prompt: String,
    /// Must be written before the entry is finished; drafts may leave it out.
    pub required: bool,
    pub max_chars: usize,
}

/// REF-1: a reflective model (Kolb, Gibbs, ...). Models are data, shipped in
/// `reflection_models.json`, so adding one needs no code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "driscoll", "name": "Driscoll's what model", "source": "REF-1",
    "sections": [
        {"key": "what", "title": "What?", "prompt": "What happened, and what was your part in it?", "required": true, "max_chars": 5000},
        {"key": "so_what", "title": "So what?", "prompt": "What does it mean, and what did you learn?", "required": true, "max_chars": 5000},
        {"key": "now_what", "title": "Now what?", "prompt": "What will you do now, and what difference will it make?", "required": true, "max_chars": 5000}
    ]
}))]
pub struct Model {
    pub id: String,
    pub name: String,
    /// The policy (or SPEC rule) the model comes from.
    pub source: String,
    pub sections: Vec<ModelSection>,
}

/// Most characters a section may allow: one long free-text reflection.
pub const MAX_SECTION_CHARS: usize = 20_000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 50;
const MAX_CPD_TEXT: usize = 5_000;

/// REF-3: CPD records a registration year needs, and how many of them with a peer reflection.
pub const CPD_RECORDS_REQUIRED: u32 = 2;
pub const PEER_REFLECTIONS_REQUIRED: u32 = 1;

/// Ids and keys become JSON field paths and URL segments, so they stay plain.
fn is_plain_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses and checks the models file, naming the first fault found.
fn load(json: &str) -> Result<Vec<Model>, String> {
    let models: Vec<Model> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut ids = HashSet::new();
    for model in &models {
        if !is_plain_key(&model.id) || !ids.insert(model.id.as_str()) {
            return Err(format!("model id `{}` is malformed or repeated", model.id));
        }
        if model.sections.is_empty() {
            return Err(format!("model `{}` has no sections", model.id));
        }
        let mut keys = HashSet::new();
        for section in &model.sections {
            if !is_plain_key(&section.key) || !keys.insert(section.key.as_str()) {
                return Err(format!(
                    "section `{}` of model `{}` is malformed or repeated",
                    section.key, model.id
                ));
            }
            if !(1..=MAX_SECTION_CHARS).contains(&section.max_chars) {
                return Err(format!(
                    "section `{}` of model `{}`: max_chars must be 1 to {MAX_SECTION_CHARS}",
                    section.key, model.id
                ));
            }
        }
    }
    Ok(models)
}

/// REF-1: every reflective model, in the order offered to people.
pub fn models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        // The file ships inside the binary and a test loads it, so a fault here is a build bug.
        load(include_str!("reflection_models.json"))
            .unwrap_or_else(|e| panic!("reflection_models.json: {e}"))
    })
}

pub fn model(id: &str) -> Option<&'static Model> {
    models().iter().find(|m| m.id == id)
}

/// REF-1: checks an entry's sections against its model and returns them trimmed, blank ones
/// dropped. Field paths are `sections.<key>`. A draft may leave sections out; a `complete`
/// entry must have every required one.
pub fn check_sections(
    model: &Model,
    sections: &BTreeMap<String, String>,
    complete: bool,
) -> Result<BTreeMap<String, String>, Invalid> {
    let mut invalid = Invalid::default();
    let mut clean = BTreeMap::new();
    for (key, text) in sections {
        let field = format!("sections.{key}");
        let Some(section) = model.sections.iter().find(|s| &s.key == key) else {
            invalid.push(field, format!("is not a section of the {} model", model.id));
            continue;
        };
        if let Some(text) = invalid.check(long_text(&field, text, section.max_chars)) {
            if !text.is_empty() {
                clean.insert(key.clone(), text);
            }
        }
    }
    if complete {
        for section in model.sections.iter().filter(|s| s.required) {
            if sections
                .get(&section.key)
                .is_none_or(|t| t.trim().is_empty())
            {
                invalid.push(
                    format!("sections.{}", section.key),
                    "is required to finish the entry",
                );
            }
        }
    }
    invalid.into_result(|| clean)
}

/// REF-1: tags (capability domains, themes) trimmed and lower-cased so they group, repeats
/// dropped keeping the first. Field paths are `tags[i]`, or `tags` for too many.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, Invalid> {
    let mut invalid = Invalid::default();
    if tags.len() > MAX_TAGS {
        invalid.push("tags", format!("at most {MAX_TAGS} tags an entry"));
    }
    let mut clean: Vec<String> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        if let Some(tag) = invalid.check(bounded_text(&format!("tags[{i}]"), tag, 1, MAX_TAG_CHARS))
        {
            let tag = tag.to_lowercase();
            if !clean.contains(&tag) {
                clean.push(tag);
            }
        }
    }
    invalid.into_result(|| clean)
}

/// REF-3: the type of CPD activity, as Social Work England asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CpdActivity {
    Course,
    Reading,
    Supervision,
    Research,
    Shadowing,
    Conference,
    OnlineLearning,
    Other,
}

/// REF-3: who the peer reflection was with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeerRole {
    RegisteredSocialWorker,
    Supervisor,
    /// Another professional who knows the person's practice.
    OtherProfessional,
}

/// REF-3: a conversation with a peer about the CPD and its effect on practice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "peer_name": "Sam Patel", "peer_role": "supervisor",
    "discussion": "How the course changed the way I plan direct work with teenagers."
}))]
pub struct PeerReflection {
    #[schema(format = "one-line", min_length = 1, max_length = 200)]
    pub peer_name: String,
    pub peer_role: PeerRole,
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub discussion: String,
}

/// REF-3: the regulator's fields for a log entry marked as a CPD record. Its title and date
/// are the entry's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "activity": "course",
    "description": "Two-day course on direct work with adolescents at risk of exploitation.",
    "learning": "Using the young person's own words in assessments.",
    "impact": "My assessments now quote the young person and say how their view was weighed.",
    "peer_reflection": {
        "peer_name": "Sam Patel", "peer_role": "supervisor",
        "discussion": "How the course changed the way I plan direct work with teenagers."
    }
}))]
pub struct CpdRecord {
    pub activity: CpdActivity,
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub description: String,
    /// What was learnt.
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub learning: String,
    /// The impact on practice.
    #[schema(format = "multi-line", min_length = 1, max_length = 5000)]
    pub impact: String,
    #[serde(default)]
    pub peer_reflection: Option<PeerReflection>,
}

/// Multi-line text that must say something.
fn written(field: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let text = long_text(field, value, max)?;
    if text.is_empty() {
        Err(Invalid::field(field, "must not be empty"))
    } else {
        Ok(text)
    }
}

/// REF-3: checks a CPD record and returns it trimmed. Field paths start `cpd.`.
pub fn check_cpd(cpd: &CpdRecord) -> Result<CpdRecord, Invalid> {
    let mut invalid = Invalid::default();
    let description = invalid.check(written("cpd.description", &cpd.description, MAX_CPD_TEXT));
    let learning = invalid.check(written("cpd.learning", &cpd.learning, MAX_CPD_TEXT));
    let impact = invalid.check(written("cpd.impact", &cpd.impact, MAX_CPD_TEXT));
    let peer_reflection = cpd.peer_reflection.as_ref().map(|peer| {
        let name = invalid.check(bounded_text(
            "cpd.peer_reflection.peer_name",
            &peer.peer_name,
            1,
            200,
        ));
        let discussion = invalid.check(written(
            "cpd.peer_reflection.discussion",
            &peer.discussion,
            MAX_CPD_TEXT,
        ));
        PeerReflection {
            peer_name: name.unwrap_or_default(),
            peer_role: peer.peer_role,
            discussion: discussion.unwrap_or_default(),
        }
    });
    invalid.into_result(|| CpdRecord {
        activity: cpd.activity,
        description: description.unwrap_or_default(),
        learning: learning.unwrap_or_default(),
        impact: impact.unwrap_or_default(),
        peer_reflection,
    })
}

/// REF-3: a registered social worker's CPD in the current registration year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "year": {"starts_on": "2025-12-01", "ends_on": "2026-11-30"},
    "records": 1, "with_peer_reflection": 0, "required": 2,
    "peer_reflections_required": 1, "met": false, "days_left": 42
}))]
pub struct CpdStatus {
    pub year: Period,
    pub records: u32,
    pub with_peer_reflection: u32,
    pub required: u32,
    pub peer_reflections_required: u32,
    pub met: bool,
    /// Days left in the registration year, today and 30 November included.
    pub days_left: i64,
}

/// REF-3: counts the CPD records dated within `today`'s registration year. `entries` are
/// every CPD record of the person: its date and whether it has a peer reflection.
pub fn cpd_status(entries: &[(NaiveDate, bool)], today: NaiveDate) -> CpdStatus {
    let year = registration_year(today);
    let in_year = || entries.iter().filter(|(date, _)| year.contains(*date));
    let records = in_year().count() as u32;
    let with_peer_reflection = in_year().filter(|(_, peer)| *peer).count() as u32;
    CpdStatus {
        year,
        records,
        with_peer_reflection,
        required: CPD_RECORDS_REQUIRED,
        peer_reflections_required: PEER_REFLECTIONS_REQUIRED,
        met: records >= CPD_RECORDS_REQUIRED && with_peer_reflection >= PEER_REFLECTIONS_REQUIRED,
        days_left: year.days_left(today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn sections(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn fields(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    /// REF-1: the shipped file loads, with the five models of the SPEC and their sections.
    #[test]
    fn ref1_shipped_models_load() {
        let keys = |id: &str| -> Vec<&str> {
            model(id)
                .unwrap()
                .sections
                .iter()
                .map(|s| s.key.as_str())
                .collect()
        };
        let ids: Vec<&str> = models().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            ["kolb", "gibbs", "driscoll", "cpd_questions", "free_text"]
        );
        assert_eq!(
            keys("kolb"),
            ["experience", "reflection", "analysis", "plans"]
        );
        assert_eq!(
            keys("gibbs"),
            [
                "description",
                "feelings",
                "evaluation",
                "analysis",
                "conclusion",
                "action_plan"
            ]
        );
        assert_eq!(keys("driscoll"), ["what", "so_what", "now_what"]);
        assert_eq!(
            keys("cpd_questions"),
            ["how_am_i_doing", "how_do_i_know", "improving"]
        );
        assert_eq!(keys("free_text"), ["text"]);
        assert_eq!(model("kolb").unwrap().sections[3].title, "Plans / action");
        assert_eq!(model("free_text").unwrap().sections[0].max_chars, 20_000);
        assert!(models()
            .iter()
            .flat_map(|m| &m.sections)
            .all(|s| s.required));
        assert!(model("six_hats").is_none());
    }

    /// REF-1: faults in the models file are caught at load.
    #[test]
    fn ref1_bad_model_files_are_refused() {
        let section = |key: &str, max: usize| {
            format!(
                r#"{{"key":"{key}","title":"T","prompt":"P","required":true,"max_chars":{max}}}"#
            )
        };
        let model = |id: &str, sections: &[String]| {
            format!(
                r#"{{"id":"{id}","name":"N","source":"S","sections":[{}]}}"#,
                sections.join(",")
            )
        };
        let ok = model("a", &[section("x", 10)]);
        assert!(load(&format!("[{ok}]")).is_ok());
        for bad in [
            format!("[{ok},{ok}]"),
            model("b", &[]),
            model("b", &[section("x", 10), section("x", 10)]),
            model("b", &[section("x", 0)]),
            model("b", &[section("x", 20_001)]),
            model("B c", &[section("x", 10)]),
            r#"[{"id":"a","name":"N","source":"S","sections":[],"extra":1}]"#.to_string(),
        ] {
            let json = if bad.starts_with('[') {
                bad
            } else {
                format!("[{bad}]")
            };
            assert!(load(&json).is_err(), "{json}");
        }
    }

    /// REF-1: every model's sections are checked, trimmed and blank ones dropped; a complete
    /// entry needs them all.
    #[test]
    fn ref1_each_models_sections_are_checked() {
        for m in models() {
            let full: BTreeMap<String, String> = m
                .sections
                .iter()
                .map(|s| (s.key.clone(), format!("  {}\nsecond line\t ", s.title)))
                .collect();
            let clean = check_sections(m, &full, true).unwrap();
            assert_eq!(clean.len(), m.sections.len(), "{}", m.id);
            assert!(clean.values().all(|t| t.ends_with("second line")));

            let first = &m.sections[0];
            let mut long = full.clone();
            long.insert(first.key.clone(), "x".repeat(first.max_chars + 1));
            assert_eq!(
                fields(check_sections(m, &long, false).unwrap_err()),
                [format!("sections.{}", first.key)]
            );
            let mut exact = full.clone();
            exact.insert(first.key.clone(), "é".repeat(first.max_chars));
            assert!(check_sections(m, &exact, true).is_ok());
        }
    }

    /// REF-1: a Gibbs draft may leave out its feelings; the finished entry may not.
    #[test]
    fn ref1_gibbs_missing_feelings_is_a_draft() {
        let gibbs = model("gibbs").unwrap();
        let entry = sections(&[
            ("description", "Visit to the family."),
            ("feelings", "   "),
            ("evaluation", "Good rapport."),
            ("analysis", "Trust was built."),
            ("conclusion", "Could have asked more."),
            ("action_plan", "Plan the next visit with the child."),
        ]);
        let draft = check_sections(gibbs, &entry, false).unwrap();
        assert_eq!(draft.len(), 5);
        assert!(!draft.contains_key("feelings"));
        let err = check_sections(gibbs, &entry, true).unwrap_err();
        assert_eq!(err.0[0].field, "sections.feelings");
        assert_eq!(err.0[0].message, "is required to finish the entry");
        assert!(check_sections(gibbs, &BTreeMap::new(), false)
            .unwrap()
            .is_empty());
    }

    /// REF-1: a section of another model, or control characters, are refused.
    #[test]
    fn ref1_unknown_sections_and_control_characters() {
        let kolb = model("kolb").unwrap();
        let err = check_sections(kolb, &sections(&[("feelings", "x")]), false).unwrap_err();
        assert_eq!(err.0[0].field, "sections.feelings");
        assert_eq!(err.0[0].message, "is not a section of the kolb model");
        let err = check_sections(kolb, &sections(&[("experience", "a\u{7}b")]), false);
        assert_eq!(fields(err.unwrap_err()), ["sections.experience"]);
    }

    /// REF-1: tags are tidied, repeats dropped in order, and bounded.
    #[test]
    fn ref1_tags_are_tidied_and_bounded() {
        let tags = |list: &[&str]| -> Vec<String> { list.iter().map(|s| s.to_string()).collect() };
        assert_eq!(
            check_tags(&tags(&[
                " Values and Ethics ",
                "diversity",
                "values and ethics"
            ]))
            .unwrap(),
            ["values and ethics", "diversity"]
        );
        assert!(check_tags(&[]).unwrap().is_empty());
        let err = check_tags(&tags(&["ok", " ", &"x".repeat(51)])).unwrap_err();
        assert_eq!(fields(err), ["tags[1]", "tags[2]"]);
        assert!(check_tags(&tags(&[&"x".repeat(50)])).is_ok());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(fields(check_tags(&many).unwrap_err()), ["tags"]);
        assert_eq!(check_tags(&many[..20]).unwrap().len(), 20);
    }

    fn cpd() -> CpdRecord {
        CpdRecord {
            activity: CpdActivity::Course,
            description: "  Course on exploitation.\nTwo days. ".into(),
            learning: "Use their words.".into(),
            impact: "Better assessments.".into(),
            peer_reflection: Some(PeerReflection {
                peer_name: " Sam Patel ".into(),
                peer_role: PeerRole::Supervisor,
                discussion: "Planning direct work.".into(),
            }),
        }
    }

    /// REF-3: a CPD record is trimmed; every missing or bad field is named.
    #[test]
    fn ref3_cpd_record_is_checked() {
        let clean = check_cpd(&cpd()).unwrap();
        assert_eq!(clean.description, "Course on exploitation.\nTwo days.");
        assert_eq!(clean.peer_reflection.unwrap().peer_name, "Sam Patel");
        assert!(check_cpd(&CpdRecord {
            peer_reflection: None,
            ..cpd()
        })
        .is_ok());

        let mut bad = cpd();
        bad.description = " ".into();
        bad.learning = "x".repeat(5_001);
        bad.impact = "a\u{0}".into();
        let peer = bad.peer_reflection.as_mut().unwrap();
        peer.peer_name = "a\nb".into();
        peer.discussion = String::new();
        assert_eq!(
            fields(check_cpd(&bad).unwrap_err()),
            [
                "cpd.description",
                "cpd.learning",
                "cpd.impact",
                "cpd.peer_reflection.peer_name",
                "cpd.peer_reflection.discussion"
            ]
        );
    }

    /// REF-3: the record reads as the API sends it; unknown fields are refused.
    #[test]
    fn ref3_cpd_record_json() {
        let json = serde_json::json!({
            "activity": "online_learning", "description": "d", "learning": "l", "impact": "i"
        });
        let record: CpdRecord = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(record.activity, CpdActivity::OnlineLearning);
        assert_eq!(record.peer_reflection, None);
        let mut extra = json;
        extra["title"] = "t".into();
        assert!(serde_json::from_value::<CpdRecord>(extra).is_err());
        let role = serde_json::to_value(PeerRole::RegisteredSocialWorker).unwrap();
        assert_eq!(role, "registered_social_worker");
    }

    /// REF-3: records count in the registration year they fall in: 30 November closes it.
    #[test]
    fn ref3_cpd_counts_by_registration_year() {
        let entries = [
            (d(2025, 11, 30), true),
            (d(2025, 12, 1), false),
            (d(2026, 11, 30), false),
            (d(2026, 12, 1), true),
        ];
        let status = cpd_status(&entries, d(2026, 11, 30));
        assert_eq!(status.year.starts_on, d(2025, 12, 1));
        assert_eq!((status.records, status.with_peer_reflection), (2, 0));
        assert!(!status.met, "two records but no peer reflection");
        assert_eq!(status.days_left, 1);

        let next = cpd_status(&entries, d(2026, 12, 1));
        assert_eq!((next.records, next.with_peer_reflection), (1, 1));
        assert!(!next.met, "a peer reflection but one record");
        assert_eq!(next.days_left, 365);
        assert_eq!((next.required, next.peer_reflections_required), (2, 1));
    }

    /// REF-3: met needs two records, at least one with a peer reflection.
    #[test]
    fn ref3_met_needs_two_records_and_a_peer_reflection() {
        let today = d(2026, 6, 1);
        let met = |entries: &[(NaiveDate, bool)]| cpd_status(entries, today).met;
        assert!(met(&[(d(2026, 1, 5), true), (d(2026, 3, 5), false)]));
        assert!(met(&[(d(2026, 1, 5), true), (d(2026, 3, 5), true)]));
        assert!(!met(&[(d(2026, 1, 5), true)]));
        assert!(!met(&[(d(2026, 1, 5), false), (d(2026, 3, 5), false)]));
        assert!(!met(&[]));
    }
}
