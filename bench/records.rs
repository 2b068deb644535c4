//! Times the record requests through the whole app on a SQLite file: opening, writing
//! (8 sections, 10 actions, 5 case discussions), sending and signing a record for each of 60
//! monthly sessions (five years), then listing that person's records.
//! Targets (issue 4): under 5 ms a request to write and sign, under 10 ms to list.
//!
//! `cargo run --release --example records`

use std::time::Instant;

use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{Duration, Months, NaiveTime, Utc, Weekday};
use serde_json::{json, Value};

use supervision::auth::password;
use supervision::config::Settings;
use supervision::domain::policy::Interval;
use supervision::domain::sessions::{AgreementKind, Party, SessionKind, SessionStatus};
use supervision::http::{self, AppState};
use supervision::store::agreements::{self, NewAgreement};
use supervision::store::line_management::{self, NewLink};
use supervision::store::people;
use supervision::store::sessions::{self, NewSession};
use supervision::store::Db;

const SESSIONS: u32 = 60;
const PASSWORD: &str = "benchmark password";

#[path = "support.rs"]
mod support;
use support::new_person;

#[actix_web::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("supervision-bench-{}", uuid::Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.display()), 8).expect("database");
    db.migrate().expect("migrations");
    let hash = password::hash(PASSWORD);

    let (worker_id, session_ids) = db
        .write(move |conn| {
            let manager = people::insert(
                conn,
                new_person("manager@bench.example".into(), None, &hash),
            )?;
            let worker =
                people::insert(conn, new_person("worker@bench.example".into(), None, &hash))?;
            let now = Utc::now().naive_utc();
            let five_years_ago = now.date() - Months::new(SESSIONS + 1);
            line_management::insert(
                conn,
                NewLink {
                    supervisee_id: &worker.id,
                    manager_id: &manager.id,
                    starts_on: five_years_ago,
                    ends_on: None,
                    created_by: None,
                },
                None,
            )?;
            let agreement = agreements::insert(
                conn,
                NewAgreement {
                    supervisee_id: worker.id.clone(),
                    supervisor_id: manager.id.clone(),
                    kind: AgreementKind::LineManagement,
                    frequency: Interval::EveryMonths(1),
                    session_minutes: 90,
                    usual_weekday: Weekday::Thu,
                    usual_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                    place: "Room 2".into(),
                    agenda: "Cases".into(),
                    starts_on: five_years_ago,
                    created_by: manager.id.clone(),
                },
            )?;
            let agreement =
                agreements::sign(conn, &agreement.id, Party::Supervisor, agreement.version)?;
            agreements::sign(conn, &agreement.id, Party::Supervisee, agreement.version)?;
            let mut ids = Vec::new();
            for month in (1..=SESSIONS).rev() {
                let starts_at = now
                    .checked_sub_months(Months::new(month))
                    .expect("in range")
                    - Duration::hours(2);
                let session = sessions::insert(
                    conn,
                    NewSession {
                        agreement_id: Some(agreement.id.clone()),
                        team_id: None,
                        kind: SessionKind::OneToOne,
                        supervisor_id: manager.id.clone(),
                        supervisee_id: Some(worker.id.clone()),
                        starts_at,
                        duration_minutes: 90,
                        place: "Room 2".into(),
                        replaces_id: None,
                        created_by: manager.id.clone(),
                    },
                )?;
                sessions::update(
                    conn,
                    &session.id,
                    session.version,
                    SessionStatus::Held,
                    None,
                )?;
                ids.push(session.id);
            }
            Ok((worker.id, ids))
        })
        .await
        .expect("seeded");

    let settings = Settings {
        jwt_secret: Some("benchmark-secret-benchmark-secret-0123".into()),
        ..Settings::default()
    };
    let state = web::Data::new(AppState::new(
        db,
        &settings,
        settings.jwt_secret.as_deref().unwrap(),
    ));
    let app = test::init_service(http::app(state.clone())).await;
    let login = |email: &'static str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .peer_addr("127.0.0.1:4000".parse().unwrap())
            .set_json(json!({"email": email, "password": PASSWORD}))
            .to_request()
    };
    let manager: Value = test::call_and_read_body_json(&app, login("manager@bench.example")).await;
    let worker: Value = test::call_and_read_body_json(&app, login("worker@bench.example")).await;
    let manager = manager["access_token"].as_str().unwrap().to_string();
    let worker = worker["access_token"].as_str().unwrap().to_string();

    // Times one request; returns the body and the ETag.
    macro_rules! timed {
        ($times:expr, $request:expr, $status:expr) => {{
            let request = $request
                .peer_addr("127.0.0.1:4000".parse().unwrap())
                .to_request();
            let started = Instant::now();
            let response = test::call_service(&app, request).await;
            let status = response.status().as_u16();
            let etag = response
                .headers()
                .get("etag")
                .map(|v| v.to_str().unwrap().to_string());
            let body = test::read_body(response).await;
            $times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, $status, "{}", String::from_utf8_lossy(&body));
            (
                serde_json::from_slice::<Value>(&body).unwrap(),
                etag.unwrap_or_default(),
            )
        }};
    }

    let (mut open, mut write, mut send, mut sign) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for session in &session_ids {
        let (record, etag) = timed!(
            open,
            TestRequest::post()
                .uri(&format!("/api/v1/sessions/{session}/record"))
                .insert_header(("Authorization", format!("Bearer {manager}")))
                .set_json(json!({})),
            201
        );
        let path = format!(
            "/api/v1/records/{}",
            record["record"]["id"].as_str().unwrap()
        );
        let (_, etag) = timed!(
            write,
            TestRequest::put()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {manager}")))
                .insert_header(("If-Match", etag))
                .set_json(json!({"content": full_content()})),
            200
        );
        let (_, etag) = timed!(
            send,
            TestRequest::post()
                .uri(&format!("{path}/send"))
                .insert_header(("Authorization", format!("Bearer {manager}")))
                .insert_header(("If-Match", etag)),
            200
        );
        timed!(
            sign,
            TestRequest::post()
                .uri(&format!("{path}/sign"))
                .insert_header(("Authorization", format!("Bearer {worker}")))
                .insert_header(("If-Match", etag)),
            200
        );
    }
    let mut list = Vec::new();
    for _ in 0..50 {
        let (body, _) = timed!(
            list,
            TestRequest::get()
                .uri(&format!("/api/v1/people/{worker_id}/records?limit=100"))
                .insert_header(("Authorization", format!("Bearer {manager}"))),
            200
        );
        assert_eq!(body["total"].as_u64(), Some(u64::from(SESSIONS)));
    }
    for (name, times) in [
        ("open record (POST /sessions/{id}/record)", open),
        (
            "write 8 sections, 10 actions, 5 cases (PUT /records/{id})",
            write,
        ),
        ("send (POST /records/{id}/send)", send),
        ("sign (POST /records/{id}/sign)", sign),
        ("list 60 records (GET /people/{id}/records)", list),
    ] {
        report(name, times);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Median, 95th percentile and maximum in milliseconds.
fn report(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} requests",
        at(0.5),
        at(0.95),
        at(1.0),
        times.len()
    );
}

/// A full record: every section of the default template, 10 actions, 5 case discussions.
fn full_content() -> Value {
    let due = (Utc::now() + Duration::days(20)).date_naive().to_string();
    let text = "Discussed caseload, risk and the plan for the coming month. ".repeat(12);
    let sections: serde_json::Map<String, Value> = [
        "review_of_actions",
        "issues_discussed",
        "goals_review",
        "case_management",
        "development_needs",
        "supervisee_issues",
        "other_business",
        "next_meeting",
    ]
    .iter()
    .map(|key| (key.to_string(), json!(text)))
    .collect();
    let actions: Vec<Value> = (0..10)
        .map(|i| json!({"description": format!("Action {i}: follow up the agreed step"), "owner": if i % 2 == 0 { "supervisee" } else { "supervisor" }, "due_on": due}))
        .collect();
    let cases: Vec<Value> = (0..5)
        .map(|i| json!({
            "case_reference": format!("CH-20451{i}"), "status_codes": ["CP", "PLO"],
            "what_changed": text, "reflection": text, "management_decision": text,
            "actions": [{"action": "Convene core group", "by": due}, {"action": "Update the plan", "by": due}]
        }))
        .collect();
    json!({"sections": sections, "actions": actions, "case_discussions": cases})
}
