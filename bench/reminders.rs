//! Reminder benchmarks (issue 5), on a fresh SQLite file:
//!
//! 1. `sweep`: 100,000 people (4,000 managers over 96,000 practitioners, each with a signed
//!    agreement and a year of monthly sessions: 1.15 million sessions), everyone due for
//!    planning; times one whole tick (plan a batch, fire, claim, send) and reports the
//!    process's peak memory. Target: under 1 s and under 200 MB.
//! 2. `deliveries`: pushes to a local push endpoint on this machine (a bare actix server that
//!    accepts each push after a delay, 50 ms by default, as a real push service's round trip),
//!    encrypted and signed as in production, by one dispatcher and then by two at once (two
//!    instances sharing the queue), on SQLite and, when `SUPERVISION_BENCH_POSTGRES_URL` (or
//!    `SUPERVISION_TEST_POSTGRES_URL`) names a server it may create a database on, on
//!    PostgreSQL. Reports pushes a second and duplicates, counted per (device, Topic) at the
//!    endpoint (REM-5: 0). Target: 2,000 a second.
//!
//! `cargo run --release --example reminders [-- sweep|deliveries] [people] [pushes] [answer ms] [devices]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::{Duration, Months, Utc};
use diesel::connection::SimpleConnection;

use supervision::domain::push::{PushPolicy, Subscription};
use supervision::jobs::reminders::{dispatch_leased, tick, Lease};
use supervision::push::{Sender, VapidKeys};
use supervision::store::organisation::Calendars;
use supervision::store::{new_id, Db, DbConnection};

const MANAGER_SPAN: usize = 24;

fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

/// Runs `rows` as multi-row INSERTs of 500.
fn insert(conn: &mut DbConnection, table: &str, columns: &str, rows: &[String]) {
    for chunk in rows.chunks(500) {
        conn.batch_execute(&format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            chunk.join(",")
        ))
        .expect("seed insert");
    }
}

fn seed(db: &Db, people: usize) {
    db.write_now(move |conn| {
        let now = Utc::now().naive_utc();
        let ts = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let start = (now.date() - Months::new(1)).format("%Y-%m-%d").to_string();
        let ids: Vec<String> = (0..people).map(|_| new_id()).collect();
        let person_rows: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                format!("('{id}','p{i}@bench.example','Person {i}','social_worker','2020-01-06','Europe/London',1,0,0,0,'{ts}','{ts}',1)")
            })
            .collect();
        insert(conn, "people", "id,email,display_name,staff_category,employment_start,time_zone,active,is_admin,is_auditor,must_change_password,created_at,updated_at,version", &person_rows);
        let managers = people / (MANAGER_SPAN + 1);
        // Written a few hundred people at a time, so the seeding's memory does not hide the
        // tick's in the peak figure.
        let (mut agreements_made, mut sessions_made) = (0, 0);
        for (block, chunk) in ids[managers..].chunks(400).enumerate() {
            let mut links = Vec::new();
            let mut agreements = Vec::new();
            let mut sessions = Vec::new();
            for (j, id) in chunk.iter().enumerate() {
                let i = managers + block * 400 + j;
                let manager = &ids[i % managers];
                links.push(format!("('{}','{id}','{manager}','2020-01-01',NULL,'{ts}',NULL)", new_id()));
                let agreement = new_id();
                agreements.push(format!(
                    "('{agreement}','{id}','{manager}','line_management','max_working_days',25,90,4,'10:00','Room 2','Cases','{start}','{ts}','{ts}','{manager}','{ts}','{ts}',1)"
                ));
                // A year of monthly sessions from last month: one held, eleven booked, spread
                // over the day so each minute's tick finds some coming up.
                for month in 0..12u32 {
                    let at = (now - Months::new(1) + Months::new(month)) + Duration::minutes((i % 600) as i64);
                    let status = if month == 0 { "held" } else { "scheduled" };
                    sessions.push(format!(
                        "('{}','{agreement}',NULL,'one_to_one','{manager}','{id}','{}',90,'Room 2','{status}',NULL,'{manager}','{ts}','{ts}',1)",
                        new_id(),
                        at.format("%Y-%m-%d %H:%M:%S")
                    ));
                }
            }
            insert(conn, "line_management", "id,supervisee_id,manager_id,starts_on,ends_on,created_at,created_by", &links);
            insert(conn, "agreements", "id,supervisee_id,supervisor_id,kind,interval_kind,interval_value,session_minutes,usual_weekday,usual_time,place,agenda,starts_on,supervisor_signed_at,supervisee_signed_at,created_by,created_at,updated_at,version", &agreements);
            insert(conn, "sessions", "id,agreement_id,team_id,kind,supervisor_id,supervisee_id,starts_at,duration_minutes,place,status,replaces_id,created_by,created_at,updated_at,version", &sessions);
            agreements_made += agreements.len();
            sessions_made += sessions.len();
        }
        let schedule: Vec<String> = ids.iter().map(|id| format!("('{id}','{ts}')")).collect();
        insert(conn, "reminder_schedule", "person_id,next_plan_at", &schedule);
        println!("seeded {people} people, {agreements_made} agreements, {sessions_made} sessions");
        Ok(())
    })
    .expect("seeded");
}

fn database() -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("supervision-bench-{}", uuid::Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}/bench.db", dir.display()), 8).expect("database");
    db.migrate().expect("migrations");
    (db, dir)
}

/// A fresh PostgreSQL database on the server named by the environment, with a closure that
/// drops it; None (said) without one.
fn postgres() -> Option<(Db, Box<dyn FnOnce()>)> {
    use diesel::{Connection, PgConnection};
    let Ok(server) = std::env::var("SUPERVISION_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("SUPERVISION_TEST_POSTGRES_URL"))
    else {
        println!("PostgreSQL skipped: set SUPERVISION_BENCH_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)");
        return None;
    };
    let name = format!("supervision_bench_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::establish(&server).expect("PostgreSQL connects");
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .expect("create database");
    let root = server
        .rsplit_once('/')
        .map_or(server.as_str(), |(root, _)| root);
    let db = Db::connect(&format!("{root}/{name}"), 8).expect("postgres opens");
    db.migrate().expect("migrations");
    let drop = move || {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    };
    Some((db, Box::new(drop)))
}

/// Pushes a push service saw, per (device path, Topic): one Topic per reminder.
type Seen = Arc<Mutex<HashMap<(String, String), usize>>>;

/// A push service that accepts everything after `delay`, on a free loopback port.
fn receiver(delay: std::time::Duration) -> (u16, Seen) {
    let seen = Seen::default();
    let counts = seen.clone();
    let server = HttpServer::new(move || {
        let seen = counts.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let seen = seen.clone();
            async move {
                let topic = req
                    .headers()
                    .get("topic")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                *seen
                    .lock()
                    .unwrap()
                    .entry((req.path().to_string(), topic))
                    .or_default() += 1;
                actix_web::rt::time::sleep(delay).await;
                HttpResponse::Created().finish()
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("a free port");
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.disable_signals().run());
    (port, seen)
}

fn subscription(port: u16, i: usize) -> Subscription {
    let (keys, auth) = ece_keys();
    Subscription {
        endpoint: format!("http://127.0.0.1:{port}/push/{i}"),
        p256dh: keys,
        auth,
    }
}

/// A browser-like P-256 key and auth secret (the receiver does not decrypt, so one is enough).
fn ece_keys() -> (String, String) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let keys = VapidKeys::generate();
    (
        keys.public_key().to_string(),
        URL_SAFE_NO_PAD.encode([7u8; 16]),
    )
}

async fn sweep(people: usize) {
    let (db, dir) = database();
    let seeded = Instant::now();
    seed(&db, people);
    println!("seeding took {:.1} s", seeded.elapsed().as_secs_f64());
    let calendars = std::sync::Arc::new(Calendars::default());
    let sender = Sender::new(
        VapidKeys::generate(),
        "mailto:bench@example.org".into(),
        std::time::Duration::from_secs(5),
        // The bench's push endpoint is on this machine.
        PushPolicy {
            allow_loopback: true,
            ..PushPolicy::default()
        },
    );
    let before = peak_rss_mb();
    let mut times = Vec::new();
    for n in 0..5 {
        let at = (Utc::now() + Duration::minutes(n)).naive_utc();
        let started = Instant::now();
        let done = tick(&db, &calendars, &sender, "bench", at)
            .await
            .expect("a tick");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        println!("tick {n}: {done:?} in {:.0} ms", times[n as usize]);
    }
    println!(
        "sweep tick with {people} people: median {:.0} ms, max {:.0} ms; peak RSS {:.0} MB (after seeding {:.0} MB)",
        {
            let mut t = times.clone();
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        },
        times.iter().cloned().fold(0.0, f64::max),
        peak_rss_mb(),
        before
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Delivery on each backend: one dispatcher, then two sharing the queue.
async fn deliveries(pushes: usize, answer_ms: u64, devices: usize) {
    let (db, dir) = database();
    for dispatchers in [1, 2] {
        deliver(&db, "SQLite", dispatchers, pushes, answer_ms, devices).await;
    }
    let _ = std::fs::remove_dir_all(dir);
    if let Some((db, drop)) = postgres() {
        for dispatchers in [1, 2] {
            deliver(&db, "PostgreSQL", dispatchers, pushes, answer_ms, devices).await;
        }
        drop();
    }
}

/// Seeds `devices` people with one device each and `pushes` reminders among them, all due
/// now, fires them, and has `dispatchers` instances push them to a local endpoint.
async fn deliver(
    db: &Db,
    backend: &str,
    dispatchers: usize,
    pushes: usize,
    answer_ms: u64,
    devices: usize,
) {
    let (port, seen) = receiver(std::time::Duration::from_millis(answer_ms));
    let subs: Vec<Subscription> = (0..devices).map(|i| subscription(port, i)).collect();
    let per_person = pushes / devices;
    let run = new_id();
    db.write_now(move |conn| {
        let now = Utc::now().naive_utc();
        let ts = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let by = (now + Duration::days(1)).format("%Y-%m-%d %H:%M:%S").to_string();
        let mut people = Vec::new();
        let mut device_rows = Vec::new();
        let mut reminder_rows = Vec::new();
        for (i, sub) in subs.iter().enumerate() {
            let person = new_id();
            people.push(format!("('{person}','d{i}-{run}@bench.example','D','social_worker','Europe/London',TRUE,FALSE,FALSE,FALSE,'{ts}','{ts}',1)"));
            device_rows.push(format!(
                "('{}','{person}','{}','{}','{}','Phone','{ts}','{ts}')",
                new_id(), sub.endpoint, sub.p256dh, sub.auth
            ));
            reminder_rows.extend((0..per_person).map(|n| format!("('{}','{person}','action_due','a{n}','{ts}','{ts}','{by}','{person}','An action is due','Due tomorrow','/me/actions','planned','{ts}',NULL)", new_id())));
        }
        insert(conn, "people", "id,email,display_name,staff_category,time_zone,active,is_admin,is_auditor,must_change_password,created_at,updated_at,version", &people);
        insert(conn, "devices", "id,person_id,endpoint,p256dh,auth,label,created_at,refreshed_at", &device_rows);
        insert(conn, "reminders", "id,person_id,kind,subject_id,fire_at,deliver_at,deliver_by,planned_for,title,body,link,state,created_at,fired_at", &reminder_rows);
        Ok(())
    })
    .expect("seeded");
    let sender = Sender::new(
        VapidKeys::generate(),
        "mailto:bench@example.org".into(),
        std::time::Duration::from_secs(5),
        // The bench's push endpoint is on this machine.
        PushPolicy {
            allow_loopback: true,
            ..PushPolicy::default()
        },
    );
    // Firing (inbox rows, one queued delivery per device) is timed apart from pushing.
    let fired_at = Instant::now();
    let fired = db
        .write(|conn| {
            supervision::store::reminders::fire_due(conn, Utc::now().naive_utc(), 1_000_000)
        })
        .await
        .expect("fired");
    println!(
        "{backend}: fired {fired} reminders for {devices} devices in {:.2} s",
        fired_at.elapsed().as_secs_f64()
    );
    let lease = Lease::for_push_timeout(std::time::Duration::from_secs(5));
    let names: Vec<String> = (0..dispatchers).map(|n| format!("bench-{n}")).collect();
    let started = Instant::now();
    let mut delivered = 0;
    while delivered < per_person * devices {
        // The instances' dispatchers sharing the queue.
        let ticks = futures_util::future::join_all(
            names
                .iter()
                .map(|name| dispatch_leased(db, &sender, lease, name, Utc::now().naive_utc())),
        )
        .await;
        let ticks: Vec<_> = ticks.into_iter().map(|t| t.expect("dispatch")).collect();
        if ticks.iter().map(|t| t.sent).sum::<usize>() == 0 {
            break;
        }
        delivered += ticks.iter().map(|t| t.delivered).sum::<usize>();
    }
    let seconds = started.elapsed().as_secs_f64();
    let duplicates: usize = seen.lock().unwrap().values().map(|n| n - 1).sum();
    println!(
        "{backend}: {delivered} pushes delivered by {dispatchers} dispatcher(s) to a local push endpoint answering in {answer_ms} ms, in {seconds:.2} s: {:.0} a second, {duplicates} duplicates; peak RSS {:.0} MB",
        delivered as f64 / seconds,
        peak_rss_mb()
    );
}

#[actix_web::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("both");
    if which == "sweep" || which == "both" {
        sweep(args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100_000)).await;
    }
    if which == "deliveries" || which == "both" {
        deliveries(
            args.get(3).and_then(|n| n.parse().ok()).unwrap_or(20_000),
            args.get(4).and_then(|n| n.parse().ok()).unwrap_or(50),
            args.get(5).and_then(|n| n.parse().ok()).unwrap_or(100),
        )
        .await;
    }
}
