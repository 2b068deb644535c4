//! People: staff categories (FREQ-2 keys requirements on them), e-mail addresses, time zones
//! (CAL-4) and the password rule.

use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::validation::Invalid;

/// Staff category: which supervision requirement applies to a person (FREQ-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffCategory {
    SocialWorker,
    Asye,
    Student,
    CpChairIro,
    OperationalManager,
    NonOperationalStaff,
    OtherStaff,
}

impl StaffCategory {
    pub const ALL: [StaffCategory; 7] = [
        StaffCategory::SocialWorker,
        StaffCategory::Asye,
        StaffCategory::Student,
        StaffCategory::CpChairIro,
        StaffCategory::OperationalManager,
        StaffCategory::NonOperationalStaff,
        StaffCategory::OtherStaff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffCategory::SocialWorker => "social_worker",
            StaffCategory::Asye => "asye",
            StaffCategory::Student => "student",
            StaffCategory::CpChairIro => "cp_chair_iro",
            StaffCategory::OperationalManager => "operational_manager",
            StaffCategory::NonOperationalStaff => "non_operational_staff",
            StaffCategory::OtherStaff => "other_staff",
        }
    }
}

impl FromStr for StaffCategory {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StaffCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown staff category `{s}`"))
    }
}

/// A lower-cased e-mail address, checked for shape only (delivery proves the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, Invalid> {
        let value = raw.trim().to_lowercase();
        let well_formed = value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && match value.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if well_formed {
            Ok(Email(value))
        } else {
            Err(Invalid::field(field, "must be an e-mail address"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The zone people get when none is given (CAL-4).
pub const DEFAULT_TIME_ZONE: &str = "Europe/London";

/// The organisation's "today" (in its default zone, CAL-4), for questions such as who manages
/// whom now.
pub fn organisation_today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive()
}

/// Checks an IANA time zone name (CAL-4).
pub fn parse_time_zone(field: &str, raw: &str) -> Result<chrono_tz::Tz, Invalid> {
    raw.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| Invalid::field(field, "must be an IANA time zone such as Europe/London"))
}

/// The schema of a time-zone name: exactly the names [`parse_time_zone`] accepts.
pub struct TimeZoneName;

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())))
            .description(Some("An IANA time zone, such as Europe/London (CAL-4)."))
            .examples(["Europe/London"])
            .into()
    }
}

impl utoipa::ToSchema for TimeZoneName {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TimeZone")
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;
/// The longest password a sign-in or a password change reads: more is refused before it
/// reaches argon2.
pub const PASSWORD_INPUT_MAX_CHARS: usize = 1024;

/// Length is what makes a password strong; composition rules only make them predictable.
pub fn check_password(field: &str, password: &str) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(Invalid::field(
            field,
            format!("must be at least {PASSWORD_MIN_CHARS} characters"),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(Invalid::field(
            field,
            format!("must be at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Dates a person's policy needs; a placement must not end before it starts.
pub fn check_placement(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<(), Invalid> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(Invalid::field(
            "placement_end",
            "must not be before placement_start",
        )),
        (None, Some(_)) => Err(Invalid::field(
            "placement_start",
            "is required when placement_end is given",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_category_round_trips_through_text() {
        for category in StaffCategory::ALL {
            assert_eq!(category.as_str().parse::<StaffCategory>(), Ok(category));
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
        }
        assert!("manager".parse::<StaffCategory>().is_err());
    }

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(
            Email::parse("email", " Ann.Smith@Council.GOV.uk ")
                .unwrap()
                .as_str(),
            "ann.smith@council.gov.uk"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.org",
            "a@b",
            "a b@x.org",
            "a@@x.org",
            "a@x.org.",
        ] {
            let err = Email::parse("email", bad).unwrap_err();
            assert_eq!(err.0[0].field, "email", "{bad}");
        }
    }

    #[test]
    fn cal4_time_zone_must_be_iana() {
        assert!(parse_time_zone("time_zone", "Europe/London").is_ok());
        assert!(parse_time_zone("time_zone", "Mars/Olympus").is_err());
    }

    #[test]
    fn password_length_is_bounded() {
        assert!(check_password("password", "short").is_err());
        assert!(check_password("password", "correct horse battery").is_ok());
        assert!(check_password("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn placement_must_not_end_before_it_starts() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert!(check_placement(d("2026-09-01"), d("2027-06-30")).is_ok());
        assert!(check_placement(d("2026-09-01"), d("2026-08-01")).is_err());
        assert!(check_placement(None, d("2026-08-01")).is_err());
        assert!(check_placement(d("2026-09-01"), None).is_ok());
    }
}
