//! Timestamps as rows carry them. SQLite keeps a timestamp as text, which diesel reads with
//! chrono's format-string parser (the format parsed again for every value); on the
//! home-screen reads that cost more than the rest of the row. [`Stamp`] reads the one format
//! this service writes (`YYYY-MM-DD HH:MM:SS`, then up to nine fraction digits) by hand and
//! leaves anything else to diesel; PostgreSQL's binary timestamps go through diesel as before.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::SqlBackend;

/// A timestamp column read into a row; `.into()` gives the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

impl From<Stamp> for NaiveDateTime {
    fn from(stamp: Stamp) -> NaiveDateTime {
        stamp.0
    }
}

/// A nullable timestamp column read into a row; `.into()` gives the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct MaybeStamp(pub Option<NaiveDateTime>);

impl From<MaybeStamp> for Option<NaiveDateTime> {
    fn from(stamp: MaybeStamp) -> Option<NaiveDateTime> {
        stamp.0
    }
}

/// `YYYY-MM-DD HH:MM:SS`, optionally `.` and one to nine digits; None for anything else
/// (a leap second included), which diesel's own reading then decides.
pub fn parse_text(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let shaped = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':';
    if !shaped {
        return None;
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    let (month, day) = (number(&b[5..7])?, number(&b[8..10])?);
    let (hour, minute) = (number(&b[11..13])?, number(&b[14..16])?);
    let second = number(&b[17..19])?;
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            number(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time))
}

impl FromSql<Timestamp, Sqlite> for Stamp {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match parse_text(value.read_text()) {
            Some(at) => Ok(Stamp(at)),
            None => <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(Stamp),
        }
    }
}

impl FromSql<Timestamp, Pg> for Stamp {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Stamp)
    }
}

impl FromSql<Timestamp, SqlBackend> for Stamp {
    fn from_sql(value: <SqlBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Timestamp>()
    }
}

impl FromSql<Nullable<Timestamp>, SqlBackend> for MaybeStamp {
    fn from_sql(value: <SqlBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <Stamp as FromSql<Timestamp, SqlBackend>>::from_sql(value).map(|s| MaybeStamp(Some(s.0)))
    }

    fn from_nullable_sql(
        value: Option<<SqlBackend as Backend>::RawValue<'_>>,
    ) -> deserialize::Result<Self> {
        match value {
            Some(value) => Self::from_sql(value),
            None => Ok(MaybeStamp(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What diesel's SQLite reading gives for the text (its first format is the one the
    /// service writes).
    fn chrono_reading(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%F %T%.f").ok()
    }

    #[test]
    fn reads_what_the_service_writes() {
        for text in [
            "2026-03-01 09:30:00",
            "2026-03-01 09:30:00.1",
            "2026-03-01 09:30:00.123456",
            "2026-03-01 09:30:00.123456789",
            "9999-12-31 23:59:59.999999",
            "0001-01-01 00:00:00",
            "2024-02-29 12:00:00.5",
        ] {
            assert_eq!(parse_text(text), chrono_reading(text), "{text}");
            assert!(parse_text(text).is_some(), "{text}");
        }
    }

    #[test]
    fn leaves_other_shapes_to_diesel() {
        for text in [
            "2026-03-01T09:30:00",
            "2026-03-01 09:30",
            "2026-03-01 09:30:00Z",
            "2026-03-01 09:30:00.",
            "2026-03-01 09:30:00.1234567890",
            "2026-02-30 09:30:00",
            "2026-03-01 24:00:00",
            "2026-03-01 23:59:60",
            "2026-3-01 09:30:00",
            "+2026-03-01 09:30:00",
            "2460000.5",
            "",
        ] {
            assert_eq!(parse_text(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_chrono_on_what_diesel_writes(
            secs in -62_135_596_800i64..253_402_300_799i64,
            nanos in 0u32..1_000_000_000,
            micros_only in any::<bool>(),
        ) {
            let nanos = if micros_only { nanos / 1000 * 1000 } else { nanos };
            let at = chrono::DateTime::from_timestamp(secs, nanos).unwrap().naive_utc();
            // diesel writes `%F %T%.f`.
            let text = at.format("%F %T%.f").to_string();
            prop_assert_eq!(parse_text(&text), Some(at));
            prop_assert_eq!(parse_text(&text), chrono_reading(&text));
        }
    }
}
