//! History from before the service (SES-6): sessions already held, recorded after the fact,
//! one at a time through the API or many from a file at the command line. Both go through
//! [`check`] and [`record`], so a row of a file is judged exactly as a request is.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use serde_json::json;

use super::agreements::Agreement;
use super::audit::{self, Actor};
use super::schema::sessions as sessions_table;
use super::sessions::{self, NewSession, Session};
use super::status::zone;
use super::{now, people, DbConnection, StoreResult};
use crate::domain::people::Email;
use crate::domain::scheduling::{local_to_utc, utc_to_local_date};
use crate::domain::sessions::{
    check_held_on, check_kind_under, AgreementKind, SessionKind, SessionStatus, SESSION_MINUTES,
};
use crate::domain::validation::Invalid;

/// A session someone says was held, in their terms.
#[derive(Debug, Clone)]
pub struct HeldSession {
    pub held_on: NaiveDate,
    /// Local time in the supervisee's zone; default the agreement's usual time.
    pub time: Option<NaiveTime>,
    pub kind: SessionKind,
    /// Default the agreement's session length.
    pub duration_minutes: Option<i32>,
}

/// What a request or a file calls each part of a [`HeldSession`], for error messages.
#[derive(Debug, Clone, Copy)]
pub struct FieldNames {
    pub held_on: &'static str,
    pub kind: &'static str,
    pub duration_minutes: &'static str,
}

/// Judges a held session under `agreement` (which both have signed) as of `now` (UTC), and
/// gives the session to insert. A session of the same kind already held at the same time
/// is refused, so running an import twice does not double the history.
pub fn check(
    conn: &mut DbConnection,
    agreement: &Agreement,
    held: &HeldSession,
    names: FieldNames,
    created_by: &str,
    now: NaiveDateTime,
) -> StoreResult<Result<NewSession, Invalid>> {
    let supervisee = people::find(conn, &agreement.supervisee_id)?;
    let tz = zone(&supervisee);
    let mut invalid = Invalid::default();
    invalid.check(check_kind_under(names.kind, held.kind, agreement.kind));
    if held
        .duration_minutes
        .is_some_and(|m| !SESSION_MINUTES.contains(&m))
    {
        invalid.push(
            names.duration_minutes,
            format!(
                "must be between {} and {}",
                SESSION_MINUTES.start(),
                SESSION_MINUTES.end()
            ),
        );
    }
    let today = utc_to_local_date(now, tz);
    let Some(held_on) = invalid.check(check_held_on(
        names.held_on,
        held.held_on,
        agreement.starts_on,
        agreement.ends_on,
        today,
    )) else {
        return Ok(Err(invalid));
    };
    let starts_at = local_to_utc(held_on, held.time.unwrap_or(agreement.usual_time), tz);
    if starts_at > now {
        invalid.push(
            names.held_on,
            "must not be in the future (a time later today)",
        );
    }
    let already: i64 = sessions_table::table
        .filter(sessions_table::agreement_id.eq(&agreement.id))
        .filter(sessions_table::kind.eq(held.kind.as_str()))
        .filter(sessions_table::status.eq(SessionStatus::Held.as_str()))
        .filter(sessions_table::starts_at.eq(starts_at))
        .count()
        .get_result(conn)?;
    if already > 0 {
        invalid.push(names.held_on, "a session held then is already recorded");
    }
    Ok(invalid.into_result(|| NewSession {
        agreement_id: Some(agreement.id.clone()),
        team_id: None,
        kind: held.kind,
        supervisor_id: agreement.supervisor_id.clone(),
        supervisee_id: Some(agreement.supervisee_id.clone()),
        starts_at,
        duration_minutes: held.duration_minutes.unwrap_or(agreement.session_minutes),
        place: agreement.place.clone(),
        replaces_id: None,
        created_by: created_by.to_string(),
    }))
}

/// Records a checked session as held after the fact, audited. It opens no record and books
/// nothing, so no reminder follows from it; it counts for the status and the reports as
/// any held session does.
pub fn record(conn: &mut DbConnection, new: NewSession, actor: &Actor) -> StoreResult<Session> {
    let session = sessions::insert_held(conn, new)?;
    audit::record(
        conn,
        actor,
        "session.recorded_after_the_fact",
        "session",
        Some(&session.id),
        json!({
            "agreement_id": session.agreement_id,
            "kind": session.kind.as_str(),
            "starts_at": session.starts_at.and_utc(),
        }),
    )?;
    Ok(session)
}

/// One line of an import file: supervisee e-mail, supervisor e-mail, date, kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line number in the file (the header is row 1).
    pub row: usize,
    pub supervisee: String,
    pub supervisor: String,
    pub date: String,
    pub kind: String,
}

/// The columns of an import file, in order.
pub const IMPORT_COLUMNS: [&str; 4] = ["supervisee", "supervisor", "date", "kind"];

/// A problem with one row, named by row and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, {}: {}", self.row, self.column, self.message)
    }
}

/// Reads an import file: a header row, then one session per line. Cells are separated by
/// commas and may be quoted; e-mails, dates and kinds hold no commas.
pub fn parse_import(text: &str) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line));
    let cells = |line: &str| -> Vec<String> {
        line.split(',')
            .map(|c| c.trim().trim_matches('"').trim().to_string())
            .collect()
    };
    match lines.next() {
        Some((_, header)) if cells(header).len() == IMPORT_COLUMNS.len() => {}
        _ => {
            return Err(vec![RowError {
                row: 1,
                column: "header".into(),
                message: format!(
                    "must name {} columns: {}",
                    IMPORT_COLUMNS.len(),
                    IMPORT_COLUMNS.join(",")
                ),
            }])
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (row, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
        match <[String; 4]>::try_from(cells(line)) {
            Ok([supervisee, supervisor, date, kind]) => rows.push(ImportRow {
                row,
                supervisee,
                supervisor,
                date,
                kind,
            }),
            Err(found) => errors.push(RowError {
                row,
                column: "line".into(),
                message: format!("has {} cells, not {}", found.len(), IMPORT_COLUMNS.len()),
            }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// What one row records (or, in a dry run, would record).
#[derive(Debug, Clone)]
pub struct Imported {
    pub row: usize,
    pub agreement_id: String,
    pub kind: SessionKind,
    pub starts_at: NaiveDateTime,
}

const ROW_NAMES: FieldNames = FieldNames {
    held_on: "date",
    kind: "kind",
    duration_minutes: "duration_minutes",
};

/// Imports held sessions, all or nothing: every row is judged first, and nothing is written
/// if any fails or `dry_run` is set. Run it inside one transaction.
pub fn import(
    conn: &mut DbConnection,
    rows: &[ImportRow],
    actor: &Actor,
    dry_run: bool,
) -> StoreResult<Result<Vec<Imported>, Vec<RowError>>> {
    let at = now();
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(rows.len());
    // Two rows for the same session would each pass the check against the database.
    let mut seen = HashSet::new();
    for row in rows {
        let failed = |column: &str, message: String| RowError {
            row: row.row,
            column: column.to_string(),
            message,
        };
        match check_row(conn, row)? {
            Ok((agreement, held)) => {
                // A session is made by a person; from the console, by the supervisor it is
                // recorded for (the audit log shows no person acted).
                let created_by = actor
                    .person_id
                    .as_deref()
                    .unwrap_or(&agreement.supervisor_id);
                match check(conn, &agreement, &held, ROW_NAMES, created_by, at)? {
                    Ok(new)
                        if !seen.insert((new.agreement_id.clone(), new.kind, new.starts_at)) =>
                    {
                        errors.push(failed("date", "repeats an earlier row".into()));
                    }
                    Ok(new) => checked.push((row.row, new)),
                    Err(invalid) => {
                        errors.extend(invalid.0.into_iter().map(|e| failed(&e.field, e.message)))
                    }
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut imported = Vec::with_capacity(checked.len());
    for (row, new) in checked {
        let summary = Imported {
            row,
            agreement_id: new.agreement_id.clone().unwrap_or_default(),
            kind: new.kind,
            starts_at: new.starts_at,
        };
        if !dry_run {
            record(conn, new, actor)?;
        }
        imported.push(summary);
    }
    Ok(Ok(imported))
}

/// Reads a row's people, date and kind, and finds the agreement between the two people that
/// was in force on the date (the line-management one first). With none in force, the
/// nearest one is judged, so the error says why the date falls outside it.
fn check_row(
    conn: &mut DbConnection,
    row: &ImportRow,
) -> StoreResult<Result<(Agreement, HeldSession), RowError>> {
    let failed = |column: &str, message: &str| {
        Ok(Err(RowError {
            row: row.row,
            column: column.to_string(),
            message: message.to_string(),
        }))
    };
    let mut ids = Vec::with_capacity(2);
    for (column, email) in [
        ("supervisee", &row.supervisee),
        ("supervisor", &row.supervisor),
    ] {
        let Ok(email) = Email::parse(column, email) else {
            return failed(column, "is not an e-mail address");
        };
        match people::credentials_by_email(conn, email.as_str())? {
            Some((person, _)) => ids.push(person.id),
            None => return failed(column, "no person has this e-mail address"),
        }
    }
    let Ok(held_on) = NaiveDate::parse_from_str(&row.date, "%Y-%m-%d") else {
        return failed("date", "must be a date as YYYY-MM-DD");
    };
    let Ok(kind) = row.kind.parse::<SessionKind>() else {
        let kinds: Vec<&str> = SessionKind::ALL.iter().map(|k| k.as_str()).collect();
        return failed("kind", &format!("must be one of {}", kinds.join(", ")));
    };
    let signed: Vec<Agreement> = super::agreements::for_person(conn, &ids[0])?
        .into_iter()
        .filter(|a| a.supervisee_id == ids[0] && a.supervisor_id == ids[1])
        .filter(|a| a.supervisor_signed_at.is_some() && a.supervisee_signed_at.is_some())
        .collect();
    let in_force = signed
        .iter()
        .filter(|a| a.in_force(held_on))
        .min_by_key(|a| a.kind != AgreementKind::LineManagement);
    let nearest = || {
        signed
            .iter()
            .min_by_key(|a| (a.starts_on - held_on).num_days().abs())
    };
    let Some(agreement) = in_force.or_else(nearest) else {
        return failed(
            "supervisor",
            "has no agreement signed by both with this supervisee",
        );
    };
    Ok(Ok((
        agreement.clone(),
        HeldSession {
            held_on,
            time: None,
            kind,
            duration_minutes: None,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses6_an_import_file_is_read_by_row_and_column() {
        let rows = parse_import(
            "supervisee,supervisor,date,kind\n\
             a@x.example, b@x.example ,2026-09-10,one_to_one\n\
             \n\
             \"c@x.example\",\"d@x.example\",2026-09-11,ad_hoc\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].supervisor, "b@x.example");
        assert_eq!(rows[1].row, 4);
        assert_eq!(rows[1].supervisee, "c@x.example");

        let errors = parse_import("supervisee,supervisor,date,kind\na,b,c\n").unwrap_err();
        assert_eq!(errors[0].to_string(), "row 2, line: has 3 cells, not 4");
        assert!(parse_import("").is_err());
    }
}
