//! Start-up data: the first administrator, and the demo organisation.

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::audit::{self, Actor};
use super::line_management::{self, NewLink};
use super::people::{self, NewPerson};
use super::{teams, Db, StoreResult};
use crate::auth::password;
use crate::domain::people::{StaffCategory, DEFAULT_TIME_ZONE};

/// The password every demo account has; printed when the demo is loaded.
pub const DEMO_PASSWORD: &str = "demo-supervision-2026";

/// Creates an administrator with a one-time password when no active administrator exists.
/// Returns the e-mail and password to show once.
pub fn bootstrap_admin(db: &Db, email: &str) -> StoreResult<Option<(String, String)>> {
    db.write_now(|conn| {
        if people::any_admin(conn)? {
            return Ok(None);
        }
        let one_time = password::one_time();
        let admin = create_admin(conn, email, "Administrator", &password::hash(&one_time))?;
        Ok(Some((admin.email, one_time)))
    })
}

/// Creates an administrator (CLI `create-admin` and the first start).
pub fn create_admin(
    conn: &mut super::DbConnection,
    email: &str,
    display_name: &str,
    password_hash: &str,
) -> StoreResult<people::Person> {
    let admin = people::insert(
        conn,
        NewPerson {
            email: email.to_string(),
            display_name: display_name.to_string(),
            staff_category: StaffCategory::NonOperationalStaff,
            team_id: None,
            employment_start: None,
            asye_start: None,
            placement_start: None,
            placement_end: None,
            time_zone: DEFAULT_TIME_ZONE.to_string(),
            is_admin: true,
            is_auditor: false,
            password_hash: password_hash.to_string(),
            must_change_password: true,
        },
    )?;
    audit::record(
        conn,
        &Actor::default(),
        "person.created",
        "person",
        Some(&admin.id),
        json!({ "email": admin.email, "is_admin": true, "by": "system" }),
    )?;
    Ok(admin)
}

/// One demo account, as printed for the person trying the demo.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: &'static str,
    pub email: String,
}

struct DemoPerson {
    role: &'static str,
    name: &'static str,
    email: &'static str,
    category: StaffCategory,
    team: Option<usize>,
    manager: Option<&'static str>,
    admin: bool,
    auditor: bool,
}

const DEMO_TEAMS: [&str; 2] = ["Assessment Team North", "Children in Care South"];

const DEMO_PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        role: "administrator",
        name: "Sam Admin",
        email: "admin@demo.council.example",
        category: StaffCategory::NonOperationalStaff,
        team: None,
        manager: None,
        admin: true,
        auditor: false,
    },
    DemoPerson {
        role: "auditor (quality assurance)",
        name: "Quinn Auditor",
        email: "auditor@demo.council.example",
        category: StaffCategory::NonOperationalStaff,
        team: None,
        manager: None,
        admin: false,
        auditor: true,
    },
    DemoPerson {
        role: "director",
        name: "Rachel Moore",
        email: "rachel.moore@demo.council.example",
        category: StaffCategory::OperationalManager,
        team: None,
        manager: None,
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "head of service",
        name: "Hannah Shaw",
        email: "hannah.shaw@demo.council.example",
        category: StaffCategory::OperationalManager,
        team: None,
        manager: Some("rachel.moore@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "team manager",
        name: "Tom Reed",
        email: "tom.reed@demo.council.example",
        category: StaffCategory::OperationalManager,
        team: Some(0),
        manager: Some("hannah.shaw@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "team manager",
        name: "Priya Patel",
        email: "priya.patel@demo.council.example",
        category: StaffCategory::OperationalManager,
        team: Some(1),
        manager: Some("hannah.shaw@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "Aisha Khan",
        email: "aisha.khan@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(0),
        manager: Some("tom.reed@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "Ben Carter",
        email: "ben.carter@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(0),
        manager: Some("tom.reed@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "Chloe Davies",
        email: "chloe.davies@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(0),
        manager: Some("tom.reed@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "ASYE social worker",
        name: "Daniel Evans",
        email: "daniel.evans@demo.council.example",
        category: StaffCategory::Asye,
        team: Some(0),
        manager: Some("tom.reed@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "Ed Foster",
        email: "ed.foster@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(1),
        manager: Some("priya.patel@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "Fiona Grant",
        email: "fiona.grant@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(1),
        manager: Some("priya.patel@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "social worker",
        name: "George Hughes",
        email: "george.hughes@demo.council.example",
        category: StaffCategory::SocialWorker,
        team: Some(1),
        manager: Some("priya.patel@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "student social worker",
        name: "Isla Jones",
        email: "isla.jones@demo.council.example",
        category: StaffCategory::Student,
        team: Some(1),
        manager: Some("priya.patel@demo.council.example"),
        admin: false,
        auditor: false,
    },
    DemoPerson {
        role: "practice educator",
        name: "Jack Lewis",
        email: "jack.lewis@demo.council.example",
        category: StaffCategory::OtherStaff,
        team: None,
        manager: Some("hannah.shaw@demo.council.example"),
        admin: false,
        auditor: false,
    },
];

/// The demo's practice year began on the most recent 1 September: ASYE and placement both
/// started then, so their early weekly phases are live.
pub fn demo_year_start(today: NaiveDate) -> NaiveDate {
    let year = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(today)
}

/// The demo's history begins a year before today, so the reports' twelve months are lived in.
pub fn demo_history_start(today: NaiveDate) -> NaiveDate {
    today - chrono::Days::new(365)
}

/// Loads the demo's people into an empty database (no history). Returns `None` when people
/// already exist, so a restart with `--demo` changes nothing.
pub fn demo(db: &Db, today: NaiveDate) -> StoreResult<Option<Vec<DemoAccount>>> {
    if db.write_now(people::count)? > 0 {
        return Ok(None);
    }
    // One hash for every demo account: argon2 is slow on purpose.
    let hash = password::hash(DEMO_PASSWORD);
    db.write_now(|conn| demo_people(conn, today, &hash))
}

/// The demo's teams, people and line management, inside the caller's transaction, each
/// account with `hash`; `None` when people already exist (checked again here, in case two
/// instances start at once). Line management runs from the start of the demo's history, or
/// from the day a newcomer started.
pub fn demo_people(
    conn: &mut super::DbConnection,
    today: NaiveDate,
    hash: &str,
) -> StoreResult<Option<Vec<DemoAccount>>> {
    if people::count(conn)? > 0 {
        return Ok(None);
    }
    let team_ids = DEMO_TEAMS
        .iter()
        .map(|name| teams::insert(conn, name).map(|team| team.id))
        .collect::<StoreResult<Vec<_>>>()?;
    let year_start = demo_year_start(today);
    let history_start = demo_history_start(today);
    let mut created: Vec<(&'static str, String)> = Vec::new();
    let mut accounts = Vec::new();
    for demo in DEMO_PEOPLE {
        let newcomer = matches!(demo.category, StaffCategory::Asye | StaffCategory::Student);
        let asye = demo.category == StaffCategory::Asye;
        let student = demo.category == StaffCategory::Student;
        let person = people::insert(
            conn,
            NewPerson {
                email: demo.email.to_string(),
                display_name: demo.name.to_string(),
                staff_category: demo.category,
                team_id: demo.team.map(|i| team_ids[i].clone()),
                employment_start: Some(if newcomer {
                    year_start
                } else {
                    year_start - chrono::Days::new(3 * 365)
                }),
                asye_start: asye.then_some(year_start),
                placement_start: student.then_some(year_start),
                placement_end: student.then(|| year_start + chrono::Days::new(200)),
                time_zone: DEFAULT_TIME_ZONE.to_string(),
                is_admin: demo.admin,
                is_auditor: demo.auditor,
                password_hash: hash.to_string(),
                must_change_password: false,
            },
        )?;
        if let Some(manager_email) = demo.manager {
            let manager_id = created
                .iter()
                .find(|(email, _)| *email == manager_email)
                .map(|(_, id)| id.clone())
                .expect("demo managers are listed before their reports");
            line_management::insert(
                conn,
                NewLink {
                    supervisee_id: &person.id,
                    manager_id: &manager_id,
                    starts_on: if newcomer { year_start } else { history_start },
                    ends_on: None,
                    created_by: None,
                },
                None,
            )?;
        }
        created.push((demo.email, person.id));
        accounts.push(DemoAccount {
            role: demo.role,
            email: demo.email.to_string(),
        });
    }
    audit::record(
        conn,
        &Actor::default(),
        "demo.loaded",
        "organisation",
        None,
        json!({ "people": accounts.len(), "teams": team_ids.len() }),
    )?;
    Ok(Some(accounts))
}
