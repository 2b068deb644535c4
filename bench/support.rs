//! What the benchmark programs share: a person to seed.

use supervision::domain::people::StaffCategory;
use supervision::store::people::NewPerson;

/// A social worker in London with the given password hash.
pub fn new_person(email: String, team_id: Option<String>, hash: &str) -> NewPerson {
    NewPerson {
        email,
        display_name: "Worker".into(),
        staff_category: StaffCategory::SocialWorker,
        team_id,
        employment_start: None,
        asye_start: None,
        placement_start: None,
        placement_end: None,
        time_zone: "Europe/London".into(),
        is_admin: false,
        is_auditor: false,
        password_hash: hash.to_string(),
        must_change_password: false,
    }
}
