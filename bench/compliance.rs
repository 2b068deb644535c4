//! The organisation-wide compliance report (RPT-1) for 10,000 staff with five years of
//! history (about 650,000 sessions), timed through the whole app as an auditor asks for it,
//! as JSON and as CSV, on SQLite and on PostgreSQL. Target (issue 7): under 500 ms each.
//!
//! The history is written with bulk SQL (the API books only future sessions): 1,000 teams
//! of a manager and nine social workers under ten heads of service; a signed line-management
//! agreement each; a 1:1 about every four weeks for five years, a few cancelled (with their
//! reason) or missed and some gaps past the limit; a record for each held session, a few
//! late or unsigned; monthly group supervision with attendance; two observations and two CPD
//! records a year each.
//!
//! `cargo run --release --example compliance [-- staff]`
//! PostgreSQL runs when `SUPERVISION_BENCH_POSTGRES_URL` (or `SUPERVISION_TEST_POSTGRES_URL`)
//! names a server on which the benchmark may create and drop a database.
//! `SUPERVISION_BENCH_SQLITE_FILE=PATH` keeps the seeded SQLite file and reuses it next time;
//! `SUPERVISION_BENCH_POSTGRES_DB=NAME` does the same with a PostgreSQL database;
//! `SUPERVISION_BENCH_SKIP_SQLITE` / `SUPERVISION_BENCH_SKIP_POSTGRES` run one backend only.

use std::time::{Duration as Elapsed, Instant};

use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use supervision::auth::password;
use supervision::config::Settings;
use supervision::domain::calendar::{Calendar, Region};
use supervision::http::{self, AppState};
use supervision::store::{Backend, Db, DbConnection, StoreError};

const PASSWORD: &str = "benchmark password";
const TEAM_SIZE: usize = 10;
const HEADS: usize = 10;
const YEARS: u32 = 5;
const RUNS: usize = 10;

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn ts(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

fn day(date: NaiveDate) -> String {
    format!("'{date}'")
}

/// Rows for one table, written 500 to a statement.
struct Bulk<'c> {
    conn: &'c mut DbConnection,
    head: String,
    rows: Vec<String>,
    written: usize,
}

impl<'c> Bulk<'c> {
    fn new(conn: &'c mut DbConnection, table: &str, columns: &str) -> Bulk<'c> {
        Bulk {
            conn,
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            rows: Vec::with_capacity(500),
            written: 0,
        }
    }

    fn row(&mut self, values: String) -> Result<(), StoreError> {
        self.rows.push(format!("({values})"));
        if self.rows.len() == 500 {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if !self.rows.is_empty() {
            let sql = format!("{}{}", self.head, self.rows.join(","));
            self.conn.batch_execute(&sql)?;
            self.written += self.rows.len();
            self.rows.clear();
        }
        Ok(())
    }

    fn done(mut self) -> Result<usize, StoreError> {
        self.flush()?;
        Ok(self.written)
    }
}

struct Person {
    id: String,
    team: Option<usize>,
    manager: Option<usize>,
}

/// Seeds the organisation; returns how many sessions were written.
fn seed(conn: &mut DbConnection, staff: usize, hash: &str) -> Result<usize, StoreError> {
    let mut rng = StdRng::seed_from_u64(7);
    let calendar = Calendar::new(Region::EnglandAndWales, &[]);
    let now = Utc::now().naive_utc();
    let today = now.date();
    let start = today - Months::new(12 * YEARS);
    let created = ts(now);
    let template: String = {
        use diesel::prelude::*;
        use supervision::store::schema::record_templates;
        record_templates::table
            .select(record_templates::id)
            .first(conn)?
    };

    let teams = (staff - HEADS) / TEAM_SIZE;
    let team_ids: Vec<String> = (0..teams).map(|_| id()).collect();
    let mut bulk = Bulk::new(
        conn,
        "teams",
        "id, name, active, created_at, updated_at, version",
    );
    for (i, team) in team_ids.iter().enumerate() {
        bulk.row(format!(
            "'{team}', 'Team {i}', TRUE, {}, {created}, 1",
            ts(start.and_hms_opt(9, 0, 0).unwrap())
        ))?;
    }
    bulk.done()?;

    // Heads first, then each team's manager and its workers.
    let mut people: Vec<Person> = Vec::with_capacity(staff);
    for _ in 0..HEADS {
        people.push(Person {
            id: id(),
            team: None,
            manager: None,
        });
    }
    for team in 0..teams {
        let manager = people.len();
        people.push(Person {
            id: id(),
            team: Some(team),
            manager: Some(team % HEADS),
        });
        for _ in 1..TEAM_SIZE {
            people.push(Person {
                id: id(),
                team: Some(team),
                manager: Some(manager),
            });
        }
    }
    let mut bulk = Bulk::new(
        conn,
        "people",
        "id, email, display_name, staff_category, team_id, employment_start, time_zone, active, \
         is_admin, is_auditor, password_hash, must_change_password, created_at, updated_at, version",
    );
    for (i, p) in people.iter().enumerate() {
        let category = if p.manager.is_some_and(|m| m >= HEADS) {
            "social_worker"
        } else {
            "operational_manager"
        };
        let team = p
            .team
            .map_or("NULL".to_string(), |t| format!("'{}'", team_ids[t]));
        bulk.row(format!(
            "'{}', 'person{i}@bench.example', 'Person {i}', '{category}', {team}, {}, 'Europe/London', \
             TRUE, FALSE, FALSE, NULL, FALSE, {created}, {created}, 1",
            p.id,
            day(start)
        ))?;
    }
    bulk.row(format!(
        "'{}', 'auditor@bench.example', 'Auditor', 'other_staff', NULL, NULL, 'Europe/London', \
         TRUE, FALSE, TRUE, '{hash}', FALSE, {created}, {created}, 1",
        id()
    ))?;
    bulk.done()?;

    let mut links = Bulk::new(
        conn,
        "line_management",
        "id, supervisee_id, manager_id, starts_on, ends_on, created_at, created_by",
    );
    for p in &people {
        if let Some(m) = p.manager {
            links.row(format!(
                "'{}', '{}', '{}', {}, NULL, {created}, NULL",
                id(),
                p.id,
                people[m].id,
                day(start)
            ))?;
        }
    }
    links.done()?;

    let mut agreement_ids: Vec<Option<String>> = Vec::with_capacity(people.len());
    let mut bulk = Bulk::new(
        conn,
        "agreements",
        "id, supervisee_id, supervisor_id, kind, interval_kind, interval_value, session_minutes, \
         usual_weekday, usual_time, place, agenda, starts_on, ends_on, supervisor_signed_at, \
         supervisee_signed_at, end_reason, created_by, created_at, updated_at, version",
    );
    for p in &people {
        let Some(m) = p.manager else {
            agreement_ids.push(None);
            continue;
        };
        let agreement = id();
        bulk.row(format!(
            "'{agreement}', '{}', '{}', 'line_management', 'every_months', 1, 90, 2, '10:00', 'Room 2', \
             'Cases', {}, NULL, {created}, {created}, NULL, '{}', {created}, {created}, 3",
            p.id, people[m].id, day(start), people[m].id
        ))?;
        agreement_ids.push(Some(agreement));
    }
    bulk.done()?;

    // 1:1s, their history of changes and their records, person by person.
    let mut sessions = Bulk::new(
        conn,
        "sessions",
        "id, agreement_id, team_id, kind, supervisor_id, supervisee_id, starts_at, duration_minutes, \
         place, status, replaces_id, created_by, created_at, updated_at, version",
    );
    let mut pending: Vec<String> = Vec::new();
    let mut records: Vec<String> = Vec::new();
    let reasons = ["sickness", "annual_leave", "urgent_work", "personal"];
    for (p, agreement) in people.iter().zip(&agreement_ids) {
        let (Some(m), Some(agreement)) = (p.manager, agreement) else {
            continue;
        };
        let supervisor = &people[m].id;
        let mut date = start + Days::new(rng.random_range(0..20));
        while date < today + Days::new(21) {
            let at = date.and_hms_opt(10, 0, 0).unwrap();
            let session = id();
            let future = date > today;
            let roll: u32 = rng.random_range(0..100);
            let status = if future {
                "scheduled"
            } else if roll < 3 {
                "cancelled"
            } else if roll < 4 {
                "missed"
            } else {
                "held"
            };
            sessions.row(format!(
                "'{session}', '{agreement}', NULL, 'one_to_one', '{supervisor}', '{}', {}, 90, 'Room 2', \
                 '{status}', NULL, '{supervisor}', {created}, {created}, 2",
                p.id,
                ts(at)
            ))?;
            pending.push(format!(
                "'{}', '{session}', 'booked', 'done', NULL, {}, NULL, NULL, NULL, FALSE, FALSE, '{supervisor}', {}, NULL, NULL, NULL, NULL, \
                 'one_to_one', '{}'",
                id(), ts(at), ts(at - chrono::Duration::days(30)), p.id
            ));
            if status == "cancelled" || status == "missed" {
                let reason = if status == "cancelled" {
                    format!("'{}'", reasons[roll as usize % 4])
                } else {
                    "NULL".into()
                };
                pending.push(format!(
                    "'{}', '{session}', '{status}', 'done', {}, NULL, {reason}, NULL, NULL, FALSE, FALSE, '{supervisor}', {}, NULL, NULL, NULL, NULL, \
                     'one_to_one', '{}'",
                    id(), ts(at), ts(at - chrono::Duration::days(2)), p.id
                ));
            }
            if status == "held" {
                let due = calendar.add_working_days(date, 1).unwrap_or(date);
                let late = rng.random_range(0..100) < 8;
                let recent = (today - date).num_days() < 10;
                let (state, sent) = if recent {
                    ("draft", "NULL".to_string())
                } else if late {
                    ("signed", day(due + Days::new(3)))
                } else {
                    ("signed", day(date))
                };
                records.push(format!(
                    "'{}', '{session}', '{supervisor}', '{}', '{template}', {}, {}, '{state}', 1, {sent}, NULL, NULL, NULL, {created}, {created}, 1",
                    id(), p.id, day(date), day(due)
                ));
            }
            // About every four weeks; now and then a gap past the limit.
            let gap = if rng.random_range(0..100) < 5 {
                45
            } else {
                rng.random_range(22..33)
            };
            date = date + Days::new(gap);
        }
    }
    let written = sessions.written + sessions.rows.len();
    sessions.done()?;
    let mut changes = Bulk::new(
        conn,
        "session_changes",
        "id, session_id, action, state, from_starts_at, to_starts_at, reason, reason_text, due_by, \
         needs_manager, breach, actor_id, acted_at, decided_by, decided_at, justification, comment, \
         session_kind, supervisee_id",
    );
    for row in pending {
        changes.row(row)?;
    }
    changes.done()?;
    let mut bulk = Bulk::new(
        conn,
        "records",
        "id, session_id, supervisor_id, supervisee_id, template_id, held_on, due_by, status, \
         current_version, first_sent_on, signed_at, signed_version, signed_hash, created_at, updated_at, version",
    );
    for row in records {
        bulk.row(row)?;
    }
    bulk.done()?;

    // Monthly group supervision per team, with attendance.
    let mut groups = Bulk::new(
        conn,
        "sessions",
        "id, agreement_id, team_id, kind, supervisor_id, supervisee_id, starts_at, duration_minutes, \
         place, status, replaces_id, created_by, created_at, updated_at, version",
    );
    let mut attendance: Vec<String> = Vec::new();
    for (team, team_id) in team_ids.iter().enumerate() {
        let manager = HEADS + team * TEAM_SIZE;
        let facilitator = &people[manager].id;
        let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap();
        while month <= today {
            // A team in twenty misses a month.
            if rng.random_range(0..20) > 0 {
                let date = month + Days::new(rng.random_range(5..25));
                let session = id();
                let status = if date <= today { "held" } else { "scheduled" };
                groups.row(format!(
                    "'{session}', NULL, '{team_id}', 'group', '{facilitator}', NULL, {}, 90, 'Training room', \
                     '{status}', NULL, '{facilitator}', {created}, {created}, 2",
                    ts(date.and_hms_opt(13, 30, 0).unwrap())
                ))?;
                if status == "held" {
                    for worker in &people[manager + 1..manager + TEAM_SIZE] {
                        if rng.random_range(0..3) > 0 {
                            attendance.push(format!("'{session}', '{}'", worker.id));
                        }
                    }
                }
            }
            month = month + Months::new(1);
        }
    }
    groups.done()?;
    let mut bulk = Bulk::new(conn, "group_attendance", "session_id, person_id");
    for row in attendance {
        bulk.row(row)?;
    }
    bulk.done()?;

    // Two observations and two CPD records a year.
    let mut observations = Bulk::new(
        conn,
        "observations",
        "id, supervisee_id, observer_id, observed_on, setting, feedback, learning, session_id, \
         record_id, supervisee_reflection, reflected_at, created_at, updated_at, version",
    );
    let mut cpd: Vec<String> = Vec::new();
    for p in &people {
        let Some(m) = p.manager else { continue };
        for year in 0..YEARS {
            for half in [2u32, 8] {
                let date =
                    start + Months::new(12 * year + half) + Days::new(rng.random_range(0..60));
                if date > today {
                    continue;
                }
                observations.row(format!(
                    "'{}', '{}', '{}', {}, 'home_visit', 'Clear plan.', 'Summarise.', NULL, NULL, NULL, NULL, {created}, {created}, 1",
                    id(), p.id, people[m].id, day(date)
                ))?;
                cpd.push(format!(
                    "'{}', '{}', {}, 'CPD', 'free_text', '{{\"text\":\"Notes\"}}', 'complete', '[]', NULL, NULL, NULL, \
                     '{{\"activity\":\"course\"}}', {}, {created}, {created}, 1",
                    id(), p.id, day(date + Days::new(7)), if half == 2 { "TRUE" } else { "FALSE" }
                ));
            }
        }
    }
    observations.done()?;
    let mut bulk = Bulk::new(
        conn,
        "reflective_entries",
        "id, author_id, entry_date, title, model, sections, status, tags, session_id, observation_id, \
         case_reference, cpd, cpd_peer_reflection, created_at, updated_at, version",
    );
    for row in cpd {
        bulk.row(row)?;
    }
    bulk.done()?;
    Ok(written)
}

fn median(mut times: Vec<Elapsed>) -> Elapsed {
    times.sort();
    times[times.len() / 2]
}

fn ms(t: Elapsed) -> String {
    format!("{:.1} ms", t.as_secs_f64() * 1000.0)
}

async fn measure(label: &str, db: Db, staff: usize, seeded: bool) {
    db.migrate().expect("migrations");
    if !seeded {
        let hash = password::hash(PASSWORD);
        let seeding = Instant::now();
        let sessions = db
            .write(move |conn| seed(conn, staff, &hash))
            .await
            .expect("seeded");
        println!(
            "\n{label}: {staff} staff, {sessions} 1:1 sessions over {YEARS} years, seeded in {:.0} s",
            seeding.elapsed().as_secs_f64()
        );
        // What autovacuum does to a live PostgreSQL database (statistics, and the visibility
        // map index-only scans need); SQLite is measured as the service leaves it.
        if db.backend() == Backend::Postgres {
            db.read(|conn| Ok(conn.batch_execute("VACUUM ANALYZE")?))
                .await
                .expect("vacuum");
        }
    }
    let settings = Settings {
        jwt_secret: Some("benchmark-secret-benchmark-secret-0123".into()),
        ..Settings::default()
    };
    let state = web::Data::new(AppState::new(
        db,
        &settings,
        "benchmark-secret-benchmark-secret-0123",
    ));
    let app = test::init_service(http::app(state)).await;
    let login: serde_json::Value = test::call_and_read_body_json(
        &app,
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(serde_json::json!({"email": "auditor@bench.example", "password": PASSWORD}))
            .to_request(),
    )
    .await;
    let token = login["access_token"]
        .as_str()
        .expect("signed in")
        .to_string();
    let today = Utc::now().date_naive();
    let month_ago = today - Months::new(1);
    let cases = [
        ("practice year to date, JSON", String::new(), false),
        (
            "last month, JSON",
            format!("&from={month_ago}&to={today}"),
            false,
        ),
        (
            "practice year to date, breaches, JSON",
            "&section=breaches".to_string(),
            false,
        ),
        ("practice year to date, CSV", String::new(), true),
        (
            "practice year to date, breaches CSV",
            "&section=breaches".to_string(),
            true,
        ),
    ];
    println!("| report | median | min | max | body |\n|---|---|---|---|---|");
    for (name, query, csv) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut size = 0;
        // One unmeasured run warms the caches, as a server that has been up would have them.
        for run in 0..=RUNS {
            let mut request = TestRequest::get()
                .uri(&format!("/api/v1/reports/compliance?limit=200{query}"))
                .insert_header(("Authorization", format!("Bearer {token}")));
            if csv {
                request = request.insert_header(("Accept", "text/csv"));
            }
            let started = Instant::now();
            let response = test::call_service(&app, request.to_request()).await;
            assert!(
                response.status().is_success(),
                "{name}: {}",
                response.status()
            );
            let body = test::read_body(response).await;
            if run > 0 {
                times.push(started.elapsed());
            }
            size = body.len();
        }
        println!(
            "| {name} | {} | {} | {} | {} KiB |",
            ms(median(times.clone())),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            size / 1024
        );
    }
}

#[actix_web::main]
async fn main() {
    let staff: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    // SUPERVISION_BENCH_SQLITE_FILE keeps the seeded file, and a later run reuses it.
    let kept = std::env::var("SUPERVISION_BENCH_SQLITE_FILE").ok();
    let dir = std::env::temp_dir().join(format!("supervision-bench-{}", uuid::Uuid::now_v7()));
    let file = kept
        .clone()
        .unwrap_or_else(|| dir.join("bench.db").display().to_string());
    let seeded = std::path::Path::new(&file).exists();
    let db = Db::connect(&format!("sqlite://{file}"), 8).expect("database");
    if std::env::var("SUPERVISION_BENCH_SKIP_SQLITE").is_err() {
        measure("SQLite", db, staff, seeded).await;
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }

    if std::env::var("SUPERVISION_BENCH_SKIP_POSTGRES").is_ok() {
        return;
    }
    let server = std::env::var("SUPERVISION_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("SUPERVISION_TEST_POSTGRES_URL"));
    match server {
        Ok(server) => {
            // SUPERVISION_BENCH_POSTGRES_DB=NAME keeps the seeded database and reuses it.
            let kept = std::env::var("SUPERVISION_BENCH_POSTGRES_DB").ok();
            let name = kept
                .clone()
                .unwrap_or_else(|| format!("supervision_bench_{}", uuid::Uuid::now_v7().simple()));
            let mut admin = PgConnection::establish(&server).expect("PostgreSQL connects");
            let seeded = admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .is_err();
            let root = server.rsplit_once('/').map_or(server.as_str(), |(root, _)| root);
            let url = format!("{root}/{name}");
            let db = Db::connect(&url, 8).expect("postgres opens");
            measure("PostgreSQL", db, staff, seeded && kept.is_some()).await;
            if kept.is_none() {
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .expect("drop database");
            }
        }
        Err(_) => println!(
            "\nPostgreSQL skipped: set SUPERVISION_BENCH_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    }
}
