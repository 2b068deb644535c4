//! Seeds one person's reflective log of 1,000 entries (five models, tags, a CPD record in
//! ten) into a fresh SQLite file and times listing it with filters through the whole app.
//! Target (issue 6): under 10 ms a request.
//!
//! `cargo run --release --example reflections`

use std::collections::BTreeMap;
use std::time::Instant;

use actix_web::test::{self, TestRequest};
use actix_web::web;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use supervision::auth::password;
use supervision::config::Settings;
use supervision::domain::reflection::{models, CpdActivity, CpdRecord};
use supervision::http::{self, AppState};
use supervision::store::reflections::{self, Draft};
use supervision::store::{people, Db};

#[path = "support.rs"]
mod support;
use support::new_person;

const ENTRIES: usize = 1_000;

#[actix_web::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("supervision-bench-{}", uuid::Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.display()), 8).expect("database");
    db.migrate().expect("migrations");
    let hash = password::hash("benchmark password");
    db.write(move |conn| {
        let author = people::insert(conn, new_person("worker@bench.example".into(), None, &hash))?;
        let today = Utc::now().date_naive();
        for i in 0..ENTRIES {
            let model = &models()[i % models().len()];
            let sections: BTreeMap<String, String> = model
                .sections
                .iter()
                .map(|s| {
                    (
                        s.key.clone(),
                        "What happened, how it felt, what I will do next. ".repeat(8),
                    )
                })
                .collect();
            let cpd = (i % 10 == 0).then(|| CpdRecord {
                activity: CpdActivity::Reading,
                description: "Read the guidance".into(),
                learning: "A lot".into(),
                impact: "Visits start differently".into(),
                peer_reflection: None,
            });
            let draft = Draft {
                entry_date: today - Duration::days((i / 2) as i64),
                title: format!("Entry {i}"),
                model: model.id.clone(),
                sections,
                status: if i % 7 == 0 { "draft" } else { "complete" }.into(),
                tags: vec![
                    format!("pcf-{}", i % 9 + 1),
                    if i % 3 == 0 { "risk" } else { "wellbeing" }.into(),
                ],
                session_id: None,
                observation_id: None,
                case_reference: None,
                cpd,
            };
            reflections::insert(conn, &author.id, &draft)?;
        }
        Ok(())
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
    let login = TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr("127.0.0.1:4000".parse().unwrap())
        .set_json(json!({"email": "worker@bench.example", "password": "benchmark password"}))
        .to_request();
    let tokens: Value = test::call_and_read_body_json(&app, login).await;
    let token = tokens["access_token"].as_str().unwrap().to_string();

    let since = (Utc::now() - Duration::days(180)).date_naive();
    for (name, query) in [
        ("first page of 50, no filter", "limit=50".to_string()),
        ("a page of 200", "limit=200".to_string()),
        ("tag=risk", "tag=risk&limit=50".to_string()),
        (
            "model=gibbs, last 180 days",
            format!("model=gibbs&from={since}&limit=50"),
        ),
        ("cpd=true", "cpd=true&limit=200".to_string()),
        (
            "status=complete, offset 800",
            "status=complete&limit=50&offset=800".to_string(),
        ),
    ] {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..40 {
            let request = TestRequest::get()
                .uri(&format!("/api/v1/me/reflections?{query}"))
                .insert_header(("Authorization", format!("Bearer {token}")))
                .peer_addr("127.0.0.1:4000".parse().unwrap())
                .to_request();
            let started = Instant::now();
            let body: Value = test::call_and_read_body_json(&app, request).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            total = body["total"].as_u64().expect("a page");
        }
        times.sort_by(f64::total_cmp);
        println!(
            "GET /me/reflections {name} ({total} match): median {:.2} ms, p95 {:.2} ms over {} requests",
            times[times.len() / 2],
            times[times.len() * 95 / 100],
            times.len()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
