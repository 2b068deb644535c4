//! Record templates (REC-1), versioned as data, and how a person's records covered the four
//! functions of supervision over a period.

use chrono::{Days, Months, NaiveDate};
use serde_json::json;

use super::{visibility, Actor, AppResult};
use crate::domain::people::organisation_today;
use crate::domain::records::{check_key, check_template, Coverage, TemplateSection};
use crate::domain::validation::{bounded_text, Invalid};
use crate::store::records::{self as store, Template};
use crate::store::{audit, DbConnection, Page};

/// Every version of every template, newest version of each first.
pub fn list(conn: &mut DbConnection) -> AppResult<Vec<Template>> {
    Ok(store::templates(conn)?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Template> {
    Ok(store::template(conn, id)?)
}

/// A template, or a new version of one.
pub struct NewTemplate {
    pub key: String,
    pub name: String,
    pub sections: Vec<TemplateSection>,
}

/// Adds a template, or a new version of one if the key exists (administrators).
pub fn add(conn: &mut DbConnection, actor: &Actor, new: NewTemplate) -> AppResult<Template> {
    actor.require_admin()?;
    let mut invalid = Invalid::default();
    invalid.check(check_key("key", &new.key));
    let name = invalid.check(bounded_text("name", &new.name, 1, 200));
    let sections = invalid.check(check_template(&new.sections));
    let (name, sections) = invalid.into_result(|| (name, sections))?;
    let (name, sections) = (name.unwrap_or_default(), sections.unwrap_or_default());
    let template = store::add_template(conn, &new.key, &name, &sections, Some(&actor.person_id))?;
    audit::record(
        conn,
        &actor.for_audit(),
        "record_template.added",
        "record_template",
        Some(&template.id),
        json!({"key": template.key, "version": template.version}),
    )?;
    Ok(template)
}

/// Longest period one coverage question may span (API-5).
const MAX_COVERAGE_YEARS: u32 = 10;

/// How one person's records covered the functions over a period.
pub struct FunctionCoverage {
    pub person_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub coverage: Coverage,
}

/// The period asked for: by default the year up to tomorrow, at most ten years.
fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), Invalid> {
    let to = to.unwrap_or_else(|| organisation_today() + Days::new(1));
    let from = from.unwrap_or_else(|| to.checked_sub_months(Months::new(12)).unwrap_or(to));
    if from > to {
        return Err(Invalid::field("to", "must not be before from"));
    }
    if to
        .checked_sub_months(Months::new(12 * MAX_COVERAGE_YEARS))
        .is_some_and(|limit| from < limit)
    {
        return Err(Invalid::field(
            "from",
            format!("the period may span at most {MAX_COVERAGE_YEARS} years"),
        ));
    }
    Ok((from, to))
}

/// How a person's supervision covered the four functions over a period (REC-1): for those
/// who may see the person; it counts sections, never shows their text.
pub fn coverage(
    conn: &mut DbConnection,
    actor: &Actor,
    person_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<FunctionCoverage> {
    let (from, to) = period(from, to)?;
    let person = visibility::person(conn, actor, person_id)?;
    let filter = store::Filter {
        supervisee_id: Some(person.id.clone()),
        from: Some(from),
        to: Some(to),
        ..store::Filter::default()
    };
    // Ten years of weekly sessions is about 520 records.
    let (records, _) = store::list(
        conn,
        &filter,
        Page {
            limit: 1_000,
            offset: 0,
        },
    )?;
    let mut coverage = Coverage::default();
    for record in &records {
        let number = record.signed_version.unwrap_or(record.current_version);
        let version = store::version(conn, &record.id, number)?;
        let template = store::template(conn, &version.template_id)?;
        coverage.add(&template.sections, &version.content);
    }
    Ok(FunctionCoverage {
        person_id: person.id,
        from,
        to,
        coverage,
    })
}
