//! Seeds what the home-screen benchmark in `bench/run.sh` reads: a manager supervising ten
//! social workers, each with a signed agreement that began 400 days ago, a year of monthly
//! held sessions, three booked ones (the first with a move waiting for a decision) and 60
//! notifications (20 unread); and `newcomer@home.bench`, a social worker in the same team with
//! no agreement, sessions or notifications at all (the shape issue 18 was first measured on).
//! Every password is `benchmark password`.
//!
//! `cargo run --release --example home -- DATABASE_URL` (a SQLite path or postgres://...)

use chrono::Utc;

use supervision::auth::password;
use supervision::store::{people, seed, teams, Db};

#[path = "support.rs"]
mod support;
use support::new_person;

#[path = "history.rs"]
mod history;
use history::{supervisee_with_history, History};

const SUPERVISEES: usize = 10;

fn main() {
    let url = std::env::args().nth(1).expect("usage: home DATABASE_URL");
    let db = Db::connect(&url, 2).expect("database");
    db.migrate().expect("migrations");
    let hash = password::hash("benchmark password");
    let history = History {
        held_months: 12,
        booked: 3,
        notifications: 60,
        unread: 20,
    };
    db.write_now(|conn| {
        let admin = seed::create_admin(conn, "admin@home.bench", "Admin", &hash)?;
        people::set_password(conn, &admin.id, &hash, false)?;
        let team = teams::insert(conn, "Home team")?;
        let manager = people::insert(
            conn,
            new_person("manager@home.bench".into(), Some(team.id.clone()), &hash),
        )?;
        let now = Utc::now().naive_utc();
        for i in 0..SUPERVISEES {
            let worker = people::insert(
                conn,
                new_person(
                    format!("worker{i}@home.bench"),
                    Some(team.id.clone()),
                    &hash,
                ),
            )?;
            supervisee_with_history(conn, &manager.id, &worker.id, &history, now)?;
        }
        people::insert(
            conn,
            new_person("newcomer@home.bench".into(), Some(team.id), &hash),
        )?;
        Ok(())
    })
    .expect("seeded");
    println!(
        "seeded manager@home.bench supervising worker0..worker{}@home.bench, each with {} held \
         sessions, {} booked (two moves pending, one past due_by), {} notifications ({} unread); \
         newcomer@home.bench with none",
        SUPERVISEES - 1,
        history.held_months,
        history.booked,
        history.notifications,
        history.unread
    );
}
