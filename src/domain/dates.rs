//! The one date type every request reads (API-5): `YYYY-MM-DD` with a four-digit year from
//! 1900 to 2100. chrono alone reads `0026-01-01` (a two-digit year typed into a form),
//! `+002026-01-01` and `20260-01-01`, which no supervision date can be.
//!
//! A date-shaped text whose year is outside the range, signed or not four digits is a value
//! breaking a rule (422 naming the field); text that is no date at all, or a month or day
//! that does not exist, is unreadable as before (400 naming the field).

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::validation::{rule_broken, Invalid};

pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// `YYYY-MM-DD` with a year from [`FIRST_YEAR`] to [`LAST_YEAR`], for the document. Months
/// and days are spelled out too: generators filter `format: date` after the pattern, and a
/// looser pattern makes most of what they draw an impossible date.
pub const DAY_PATTERN: &str =
    "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// A calendar date from 1900-01-01 to 2100-12-31, read strictly as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(NaiveDate);

/// Why a text is not a [`Day`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    /// Not `YYYY-MM-DD` at all, or no such month or day.
    #[error("must be a date as YYYY-MM-DD")]
    Malformed,
    /// A date, but its year is signed, not four digits, or outside 1900..=2100.
    #[error("must be a date from 1900-01-01 to 2100-12-31, written YYYY-MM-DD")]
    OutOfRange,
}

impl Day {
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// The same years for a date that arrives inside a record's content, which is stored and
/// signed as it was written: older content may hold any date chrono reads, and must stay
/// readable, so the content keeps `NaiveDate` and its checks apply this.
pub fn check_in_range(field: &str, date: NaiveDate) -> Result<NaiveDate, Invalid> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(Invalid::field(field, DayError::OutOfRange.to_string()))
    }
}

impl Deref for Day {
    type Target = NaiveDate;

    fn deref(&self) -> &NaiveDate {
        &self.0
    }
}

impl From<Day> for NaiveDate {
    fn from(day: Day) -> NaiveDate {
        day.0
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn two_digits(text: &str) -> Result<u32, DayError> {
    if text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().map_err(|_| DayError::Malformed)
    } else {
        Err(DayError::Malformed)
    }
}

impl FromStr for Day {
    type Err = DayError;

    fn from_str(text: &str) -> Result<Day, DayError> {
        // Split from the right: the year is whatever comes before the month, sign and all.
        let mut parts = text.rsplitn(3, '-');
        let (Some(day), Some(month), Some(year)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(DayError::Malformed);
        };
        let (month, day) = (two_digits(month)?, two_digits(day)?);
        let digits = year.strip_prefix(['+', '-']).unwrap_or(year);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DayError::Malformed);
        }
        let unsigned_four_digits = digits.len() == 4 && digits.len() == year.len();
        let year = match year.parse::<i32>() {
            Ok(year) if unsigned_four_digits && (FIRST_YEAR..=LAST_YEAR).contains(&year) => year,
            _ => return Err(DayError::OutOfRange),
        };
        NaiveDate::from_ymd_opt(year, month, day)
            .map(Day)
            .ok_or(DayError::Malformed)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        struct DayVisitor;

        impl Visitor<'_> for DayVisitor {
            type Value = Day;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Day, E> {
                text.parse().map_err(|err| match err {
                    DayError::Malformed => E::custom(err),
                    DayError::OutOfRange => rule_broken(err),
                })
            }
        }

        deserializer.deserialize_str(DayVisitor)
    }
}

impl PartialSchema for Day {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            // The years, which `format: date` alone does not bound.
            .pattern(Some(DAY_PATTERN))
            .description(Some(
                "A date as `YYYY-MM-DD`, from 1900-01-01 to 2100-12-31; other years are refused \
                 with 422 naming the field.",
            ))
            .examples(["2026-12-01"])
            .into()
    }
}

impl ToSchema for Day {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn api5_years_outside_the_range_or_not_four_digits_are_out_of_range() {
        for text in [
            "0000-01-01",
            "0026-01-01",
            "1899-12-31",
            "2101-01-01",
            "+002026-01-01",
            "+2026-01-01",
            "-2026-01-01",
            "20260-01-01",
            "026-01-01",
        ] {
            assert_eq!(text.parse::<Day>(), Err(DayError::OutOfRange), "{text}");
        }
    }

    #[test]
    fn api5_text_that_is_no_date_is_malformed() {
        for text in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-1-01",
            "2026-01-1",
            "2026/01/01",
            "2026-01-01T00:00",
            " 2026-01-01",
            "--01-01",
            "2026-01-01-",
        ] {
            assert_eq!(text.parse::<Day>(), Err(DayError::Malformed), "{text}");
        }
    }

    #[test]
    fn api5_only_the_out_of_range_error_is_marked_as_a_broken_rule() {
        let out: serde_json::Error = serde_json::from_str::<Day>("\"0026-01-01\"").unwrap_err();
        assert!(crate::domain::validation::broken_rule(&out.to_string()).is_some());
        let malformed = serde_json::from_str::<Day>("\"2026-02-30\"").unwrap_err();
        assert!(crate::domain::validation::broken_rule(&malformed.to_string()).is_none());
        let day: Day = serde_json::from_str("\"2100-12-31\"").unwrap();
        assert_eq!(day.date(), NaiveDate::from_ymd_opt(2100, 12, 31).unwrap());
    }

    fn in_range() -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap();
        (0..=(last - first).num_days()).prop_map(move |n| first + chrono::Days::new(n as u64))
    }

    proptest! {
        #[test]
        fn api5_every_date_in_range_round_trips(date in in_range()) {
            let text = date.format("%Y-%m-%d").to_string();
            let day: Day = text.parse().unwrap();
            prop_assert_eq!(day.date(), date);
            prop_assert_eq!(day.to_string(), text);
        }

        #[test]
        fn api5_any_year_outside_the_range_is_refused(
            year in prop_oneof![-999_999i32..FIRST_YEAR, (LAST_YEAR + 1)..=999_999],
            month in 1u32..=12,
            day in 1u32..=28,
        ) {
            for text in [
                format!("{year:04}-{month:02}-{day:02}"),
                format!("{year:+05}-{month:02}-{day:02}"),
            ] {
                prop_assert_eq!(text.parse::<Day>(), Err(DayError::OutOfRange), "{}", text);
            }
        }

        #[test]
        fn api5_any_signed_or_extended_year_is_refused(
            date in in_range(),
            sign in prop_oneof![Just(""), Just("+"), Just("-")],
            zeros in 0usize..4,
        ) {
            let extended = format!("{sign}{}{}", "0".repeat(zeros), date.format("%Y-%m-%d"));
            prop_assume!(extended.len() != 10);
            prop_assert_eq!(extended.parse::<Day>(), Err(DayError::OutOfRange), "{}", extended);
        }

        /// The document's pattern and the parser agree on the years: a client that keeps
        /// to the pattern is never refused for the year.
        #[test]
        fn api5_the_day_pattern_accepts_exactly_the_years_read(
            year in -99_999i32..=99_999,
            month in 1u32..=12,
            day in 1u32..=28,
        ) {
            let pattern = regex::Regex::new(DAY_PATTERN).unwrap();
            for text in [
                format!("{year:04}-{month:02}-{day:02}"),
                format!("{year:+05}-{month:02}-{day:02}"),
            ] {
                prop_assert_eq!(pattern.is_match(&text), text.parse::<Day>().is_ok(), "{}", text);
            }
        }
    }
}
