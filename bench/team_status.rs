//! Seeds a team of 10,000 supervisees (each with a signed agreement, a held session and a
//! booked one) into a fresh SQLite file, then times `GET /api/v1/teams/{id}/supervision-status`
//! through the whole app, as an administrator would ask for it (target: under 200 ms).
//!
//! `cargo run --release --example team_status [-- members]`

use std::time::Instant;

use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{Duration, NaiveTime, Utc, Weekday};

use supervision::auth::password;
use supervision::config::Settings;
use supervision::domain::policy::Interval;
use supervision::domain::sessions::{AgreementKind, Party, SessionKind, SessionStatus};
use supervision::http::{self, AppState};
use supervision::store::agreements::{self, NewAgreement};
use supervision::store::people;
use supervision::store::sessions::{self, NewSession};
use supervision::store::{seed, teams, Db};

#[path = "support.rs"]
mod support;
use support::new_person;

#[actix_web::main]
async fn main() {
    let members: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("supervision-bench-{}", uuid::Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.display()), 8).expect("database");
    db.migrate().expect("migrations");
    let hash = password::hash("benchmark password");

    let started = Instant::now();
    let team_id = {
        let hash = hash.clone();
        db.write(move |conn| {
            let admin = seed::create_admin(conn, "admin@bench.example", "Admin", &hash)?;
            people::set_password(conn, &admin.id, &hash, false)?;
            let team = teams::insert(conn, "Big team")?;
            let manager = people::insert(
                conn,
                new_person("manager@bench.example".into(), None, &hash),
            )?;
            let now = Utc::now().naive_utc();
            for i in 0..members {
                let person = people::insert(
                    conn,
                    new_person(
                        format!("worker{i}@bench.example"),
                        Some(team.id.clone()),
                        &hash,
                    ),
                )?;
                let agreement = agreements::insert(
                    conn,
                    NewAgreement {
                        supervisee_id: person.id.clone(),
                        supervisor_id: manager.id.clone(),
                        kind: AgreementKind::LineManagement,
                        frequency: Interval::EveryMonths(1),
                        session_minutes: 90,
                        usual_weekday: Weekday::Thu,
                        usual_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                        place: "Room 2".into(),
                        agenda: "Cases".into(),
                        starts_on: (now - Duration::days(200)).date(),
                        created_by: manager.id.clone(),
                    },
                )?;
                let agreement =
                    agreements::sign(conn, &agreement.id, Party::Supervisor, agreement.version)?;
                agreements::sign(conn, &agreement.id, Party::Supervisee, agreement.version)?;
                // Spread the last held sessions so every status appears.
                for (days, held) in [
                    (-((i % 45) as i64) - 1, true),
                    (((i % 30) as i64) + 1, false),
                ] {
                    let session = sessions::insert(
                        conn,
                        NewSession {
                            agreement_id: Some(agreement.id.clone()),
                            team_id: None,
                            kind: SessionKind::OneToOne,
                            supervisor_id: manager.id.clone(),
                            supervisee_id: Some(person.id.clone()),
                            starts_at: now + Duration::days(days),
                            duration_minutes: 90,
                            place: "Room 2".into(),
                            replaces_id: None,
                            created_by: manager.id.clone(),
                        },
                    )?;
                    if held {
                        sessions::update(
                            conn,
                            &session.id,
                            session.version,
                            SessionStatus::Held,
                            None,
                        )?;
                    }
                }
            }
            Ok(team.id)
        })
        .await
        .expect("seeded")
    };
    println!(
        "seeded {members} supervisees in {:.1} s",
        started.elapsed().as_secs_f64()
    );

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
    let login = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("127.0.0.1:4000".parse().unwrap())
        .set_json(
            serde_json::json!({"email": "admin@bench.example", "password": "benchmark password"}),
        )
        .to_request();
    let tokens: serde_json::Value = test::call_and_read_body_json(&app, login).await;
    let token = tokens["access_token"].as_str().unwrap().to_string();

    let mut times = Vec::new();
    for run in 0..12 {
        let request = TestRequest::get()
            .uri(&format!(
                "/api/v1/teams/{team_id}/supervision-status?limit=10000"
            ))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .peer_addr("127.0.0.1:4000".parse().unwrap())
            .to_request();
        let started = Instant::now();
        let body: serde_json::Value = test::call_and_read_body_json(&app, request).await;
        let elapsed = started.elapsed();
        assert_eq!(body["total"].as_u64(), Some(members as u64));
        if run == 0 {
            println!("counts: {}", body["counts"]);
        }
        // The first run also builds the calendars; report it apart.
        times.push(elapsed.as_secs_f64() * 1000.0);
    }
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    println!(
        "GET team status ({members} supervisees): first {first:.1} ms, then median {:.1} ms, max {:.1} ms over {} runs",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}
