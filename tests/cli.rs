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
