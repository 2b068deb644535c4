//! The `supervision` command line as an operator uses it.

use std::process::{Command, Output};

fn supervision(args: &[&str], data_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_supervision"))
        .args(args)
        .env("SUPERVISION_DATA_DIR", data_dir)
        .env_remove("SUPERVISION_DATABASE_URL")
        .env_remove("SUPERVISION_CONFIG")
        .output()
        .expect("the binary runs")
}

fn scratch() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("supervision-cli-{}", uuid::Uuid::now_v7()))
}

#[test]
fn help_names_every_command() {
    let dir = scratch();
    let out = supervision(&["--help"], &dir);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in [
        "serve",
        "migrate",
        "create-admin",
        "openapi",
        "vapid-keys",
        "holidays",
        "import",
    ] {
        assert!(text.contains(command), "{command} missing from:\n{text}");
    }
}

#[test]
fn migrate_then_create_admin_prints_a_one_time_password_once() {
    let dir = scratch();
    let migrated = supervision(&["migrate"], &dir);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(dir.join("supervision.db").exists());

    let created = supervision(
        &[
            "create-admin",
            "--email",
            "Lead@Council.example",
            "--name",
            "Lead",
        ],
        &dir,
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let text = String::from_utf8_lossy(&created.stdout);
    assert!(text.contains("lead@council.example"), "{text}");
    let password = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("one-time password:"))
        .map(str::trim)
        .expect("a one-time password is printed");
    assert_eq!(password.len(), 20);

    // The same address twice is refused, with a clear message and a failing exit code.
    let again = supervision(&["create-admin", "--email", "lead@council.example"], &dir);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let bad = supervision(&["create-admin", "--email", "not-an-address"], &dir);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("e-mail"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn openapi_prints_the_committed_document() {
    let dir = scratch();
    let out = supervision(&["openapi"], &dir);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../openapi/openapi.json")).unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn a_config_file_with_an_unknown_key_stops_with_a_clear_error() {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("supervision.toml");
    std::fs::write(&file, "bnid = \"0.0.0.0:8080\"\n").unwrap();
    let out = supervision(&["--config", file.to_str().unwrap(), "migrate"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bnid"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn vapid_keys_prints_a_usable_key_pair() {
    let dir = scratch();
    let out = supervision(&["vapid-keys"], &dir);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let private = text
        .lines()
        .find_map(|l| l.strip_prefix("SUPERVISION_VAPID_PRIVATE_KEY="))
        .expect("a line to paste into the environment");
    let keys = supervision::push::VapidKeys::from_private(private).expect("a valid key");
    assert!(text.contains(keys.public_key()));
}

/// The GOV.UK feed for 2027 and 2028 as the service knows it, plus a proclaimed extra day in
/// Scotland on Monday 12 June 2028.
fn feed_with_extra_day() -> serde_json::Value {
    use supervision::domain::calendar::{Calendar, Region};
    let mut feed = serde_json::Map::new();
    for region in Region::ALL {
        let calendar = Calendar::new(region, &[]);
        let mut events: Vec<serde_json::Value> = (2027..=2028)
            .flat_map(|year| calendar.holidays(year).unwrap())
            .map(|h| serde_json::json!({"title": h.title, "date": h.date, "notes": "", "bunting": true}))
            .collect();
        if region == Region::Scotland {
            events.push(serde_json::json!({"title": "Extra day", "date": "2028-06-12", "notes": "Extra bank holiday", "bunting": true}));
        }
        feed.insert(
            region.as_str().to_string(),
            serde_json::json!({"division": region.as_str(), "events": events}),
        );
    }
    serde_json::Value::Object(feed)
}

#[test]
fn cal2_holidays_import_previews_then_applies_the_feed() {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bank-holidays.json");
    std::fs::write(&file, feed_with_extra_day().to_string()).unwrap();
    let path = file.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = supervision(args, &dir);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let preview = run(&["holidays", "import", path, "--dry-run"]);
    assert!(preview.contains("Dry run: nothing changed"), "{preview}");
    assert!(preview.contains("+ 2028-06-12 Extra day"), "{preview}");
    // Still not applied: the preview says the same again.
    assert_eq!(run(&["holidays", "import", path, "--dry-run"]), preview);
    let applied = run(&["holidays", "import", path]);
    assert!(applied.contains("Imported."), "{applied}");
    assert!(
        applied.contains("scotland: 1 added, 0 removed; data until 2028-12-31"),
        "{applied}"
    );
    let again = run(&["holidays", "import", path, "--dry-run"]);
    assert!(again.contains("scotland: 0 added, 0 removed"), "{again}");

    // A malformed entry is named, with a failing exit code.
    let mut bad = feed_with_extra_day();
    bad["scotland"]["events"][0]["date"] = serde_json::json!("2028-02-30");
    std::fs::write(&file, bad.to_string()).unwrap();
    let out = supervision(&["holidays", "import", path], &dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("scotland.events[0].date"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The CLI's database, opened alongside it as an operator's second console would.
fn open_db(dir: &std::path::Path) -> supervision::store::Db {
    let url = format!("sqlite://{}", dir.join("supervision.db").display());
    supervision::store::Db::connect(&url, 1).expect("the database opens")
}

/// Sessions recorded after the fact, and their audit events.
fn history_written(dir: &std::path::Path) -> (i64, i64) {
    use diesel::prelude::*;
    use supervision::store::schema::{audit_events, sessions};
    open_db(dir)
        .write_now(|conn| {
            let held: i64 = sessions::table
                .filter(sessions::recorded_after_the_fact.eq(true))
                .filter(sessions::status.eq("held"))
                .count()
                .get_result(conn)?;
            let audited: i64 = audit_events::table
                .filter(audit_events::action.eq("session.recorded_after_the_fact"))
                .filter(audit_events::actor_id.is_null())
                .count()
                .get_result(conn)?;
            Ok((held, audited))
        })
        .unwrap()
}

#[test]
fn ses6_import_sessions_is_all_or_nothing_with_a_dry_run() {
    use chrono::{Duration, NaiveTime, Utc, Weekday};
    use supervision::domain::policy::Interval;
    use supervision::domain::sessions::{AgreementKind, Party};
    use supervision::store::agreements::{self, NewAgreement};
    use supervision::store::{people, seed};

    let dir = scratch();
    let migrated = supervision(&["migrate"], &dir);
    assert!(migrated.status.success());
    let today = Utc::now().date_naive();
    let starts_on = today - Duration::days(60);
    {
        let db = open_db(&dir);
        seed::demo(&db, today).unwrap().expect("an empty database");
        db.write_now(|conn| {
            let id = |conn: &mut _, email: &str| {
                people::credentials_by_email(conn, email).map(|found| found.unwrap().0.id)
            };
            let manager = id(conn, "tom.reed@demo.council.example")?;
            for worker in ["aisha.khan", "ben.carter"] {
                let worker = id(conn, &format!("{worker}@demo.council.example"))?;
                let agreement = agreements::insert(
                    conn,
                    NewAgreement {
                        supervisee_id: worker,
                        supervisor_id: manager.clone(),
                        kind: AgreementKind::LineManagement,
                        frequency: Interval::EveryMonths(1),
                        session_minutes: 90,
                        usual_weekday: Weekday::Thu,
                        usual_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                        place: "Room 2".into(),
                        agenda: "Cases".into(),
                        starts_on,
                        created_by: manager.clone(),
                    },
                )?;
                agreements::sign(conn, &agreement.id, Party::Supervisor, 1)?;
                agreements::sign(conn, &agreement.id, Party::Supervisee, 2)?;
            }
            Ok(())
        })
        .unwrap();
    }
    let file = dir.join("history.csv");
    let path = file.to_str().unwrap();
    let good = format!(
        "supervisee,supervisor,date,kind\n\
         aisha.khan@demo.council.example,tom.reed@demo.council.example,{},one_to_one\n\
         ben.carter@demo.council.example,tom.reed@demo.council.example,{},one_to_one\n",
        today - Duration::days(10),
        today - Duration::days(20),
    );
    let bad = format!(
        "{good}aisha.khan@demo.council.example,tom.reed@demo.council.example,{},one_to_one\n\
         ben.carter@demo.council.example,tom.reed@demo.council.example,{},weekly\n",
        starts_on - Duration::days(1),
        today - Duration::days(5),
    );

    // A bad row: named by row and column, and nothing is written, dry run or not.
    std::fs::write(&file, &bad).unwrap();
    for args in [
        &["import", "sessions", path, "--dry-run"][..],
        &["import", "sessions", path][..],
    ] {
        let out = supervision(args, &dir);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("row 4, date: before the agreement's start"),
            "{stderr}"
        );
        assert!(stderr.contains("row 5, kind:"), "{stderr}");
        assert!(!stderr.contains("row 2"), "{stderr}");
        assert_eq!(history_written(&dir), (0, 0));
    }

    // A good file: previewed, then applied, each session audited.
    std::fs::write(&file, &good).unwrap();
    let preview = supervision(&["import", "sessions", path, "--dry-run"], &dir);
    assert!(preview.status.success());
    let text = String::from_utf8_lossy(&preview.stdout);
    assert!(text.contains("Dry run: nothing changed"), "{text}");
    assert!(text.contains("row 2: one_to_one"), "{text}");
    assert_eq!(history_written(&dir), (0, 0));
    let applied = supervision(&["import", "sessions", path], &dir);
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(String::from_utf8_lossy(&applied.stdout).contains("Imported 2 held sessions"));
    assert_eq!(history_written(&dir), (2, 2));

    // The same file again would double the history: refused, nothing more written.
    let again = supervision(&["import", "sessions", path], &dir);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("row 2, date: a session held then"));
    assert_eq!(history_written(&dir), (2, 2));
    std::fs::remove_dir_all(dir).unwrap();
}
