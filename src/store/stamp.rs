//! Timestamps and dates as rows carry them. SQLite keeps both as text, which diesel reads with
//! chrono's format-string parser (the format parsed again for every value); on the
//! home-screen reads that cost more than the rest of the row. [`Stamp`] and [`Day`] read the
//! one format this service writes (`YYYY-MM-DD HH:MM:SS`, then up to nine fraction digits;
//! `YYYY-MM-DD`) by hand and leave anything else to diesel; PostgreSQL's binary values go
//! through diesel as before.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Date, Nullable, Timestamp};
use diesel::sqlite::Sqlite;

use super::SqlBackend;

/// A newtype that reads a column of `$sql` into `$value`, and its twin for the nullable
/// column: SQLite's text through `$parse` first, diesel's own reading deciding whatever
/// `$parse` returns None for.
macro_rules! read_by_hand {
    ($(#[$doc:meta])* $one:ident, $(#[$maybe_doc:meta])* $maybe:ident, $value:ty, $sql:ty, $parse:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
        pub struct $one(pub $value);

        impl From<$one> for $value {
            fn from(read: $one) -> $value {
                read.0
            }
        }

        $(#[$maybe_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
        pub struct $maybe(pub Option<$value>);

        impl From<$maybe> for Option<$value> {
            fn from(read: $maybe) -> Option<$value> {
                read.0
            }
        }

        impl FromSql<$sql, Sqlite> for $one {
            fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                match $parse(value.read_text()) {
                    Some(read) => Ok($one(read)),
                    None => <$value as FromSql<$sql, Sqlite>>::from_sql(value).map($one),
                }
            }
        }

        impl FromSql<$sql, Pg> for $one {
            fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$value as FromSql<$sql, Pg>>::from_sql(value).map($one)
            }
        }

        impl FromSql<$sql, SqlBackend> for $one {
            fn from_sql(value: <SqlBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, $sql>()
            }
        }

        impl FromSql<Nullable<$sql>, SqlBackend> for $maybe {
            fn from_sql(value: <SqlBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$one as FromSql<$sql, SqlBackend>>::from_sql(value).map(|read| $maybe(Some(read.0)))
            }

            fn from_nullable_sql(
                value: Option<<SqlBackend as Backend>::RawValue<'_>>,
            ) -> deserialize::Result<Self> {
                match value {
                    Some(value) => Self::from_sql(value),
                    None => Ok($maybe(None)),
                }
            }
        }
    };
}

read_by_hand!(
    /// A timestamp column read into a row; `.into()` gives the value.
    Stamp,
    /// A nullable timestamp column read into a row; `.into()` gives the value.
    MaybeStamp,
    NaiveDateTime,
    Timestamp,
    parse_text
);

read_by_hand!(
    /// A date column read into a row; `.into()` gives the value.
    Day,
    /// A nullable date column read into a row; `.into()` gives the value.
    MaybeDay,
    NaiveDate,
    Date,
    parse_date
);

/// A timestamp bound into a statement. On SQLite it is written as the text diesel writes
/// (`%F %T%.f`) by hand: chrono parses that format string again for every value, which cost
/// a home-screen read more than any other bind. PostgreSQL's binary value goes through
/// diesel as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Timestamp)]
pub struct At(pub NaiveDateTime);

impl ToSql<Timestamp, Sqlite> for At {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        match write_text(self.0) {
            Some(text) => {
                out.set_value(text);
                Ok(IsNull::No)
            }
            None => <NaiveDateTime as ToSql<Timestamp, Sqlite>>::to_sql(&self.0, out),
        }
    }
}

impl ToSql<Timestamp, Pg> for At {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

impl ToSql<Timestamp, SqlBackend> for At {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, SqlBackend>) -> serialize::Result {
        out.set_value((Timestamp, self));
        Ok(IsNull::No)
    }
}

/// Pushes `value`'s last `width` decimal digits, zero-padded.
fn push_digits(text: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u32.pow(place) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// The text diesel writes for a timestamp on SQLite, chrono's `%F %T%.f`: the fraction as
/// none, 3, 6 or 9 digits, the fewest that hold it. None for a year outside 0 to 9999 or a
/// leap second, which chrono then writes.
pub fn write_text(at: NaiveDateTime) -> Option<String> {
    let (year, nanos) = (u32::try_from(at.year()).ok()?, at.nanosecond());
    if year > 9999 || nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = String::with_capacity(29);
    push_digits(&mut text, year, 4);
    for (separator, value) in [
        ('-', at.month()),
        ('-', at.day()),
        (' ', at.hour()),
        (':', at.minute()),
        (':', at.second()),
    ] {
        text.push(separator);
        push_digits(&mut text, value, 2);
    }
    let (value, width) = match nanos {
        0 => (0, 0),
        _ if nanos % 1_000_000 == 0 => (nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => (nanos / 1_000, 6),
        _ => (nanos, 9),
    };
    if width > 0 {
        text.push('.');
        push_digits(&mut text, value, width);
    }
    Some(text)
}

/// Digits as a number; None if any is not a digit.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `b` (which is at least 10 bytes long).
fn date_of(b: &[u8]) -> Option<NaiveDate> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)
}

/// `YYYY-MM-DD`; None for anything else, which diesel's own reading then decides.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 {
        return None;
    }
    date_of(b)
}

/// `YYYY-MM-DD HH:MM:SS`, optionally `.` and one to nine digits; None for anything else
/// (a leap second included), which diesel's own reading then decides.
pub fn parse_text(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    let shaped = b.len() >= 19 && b[10] == b' ' && b[13] == b':' && b[16] == b':';
    if !shaped {
        return None;
    }
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
    let date = date_of(b)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time))
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

    /// What diesel's SQLite reading gives for a date's text.
    fn chrono_date(text: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(text, "%F").ok()
    }

    #[test]
    fn reads_dates_the_service_writes_and_leaves_the_rest() {
        for text in [
            "2026-03-01",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "2024-02-29",
        ] {
            assert_eq!(parse_date(text), chrono_date(text), "{text}");
            assert!(parse_date(text).is_some(), "{text}");
        }
        for text in [
            "2026-02-30",
            "2026-3-01",
            "2026-03-1",
            "+2026-03-01",
            "12026-03-01",
            "2026-03-01 ",
            "2026/03/01",
            "2026-03-01 00:00:00",
            "",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn writes_what_diesel_writes_at_the_edges() {
        for text in [
            "0000-01-01 00:00:00",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999999",
            "2026-03-01 09:30:00.100",
            "2026-03-01 09:30:00.000001",
            "2026-03-01 09:30:00.000000001",
        ] {
            let at = chrono_reading(text).expect(text);
            assert_eq!(write_text(at).as_deref(), Some(text));
        }
        let beyond = NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_time(NaiveTime::MIN);
        assert_eq!(write_text(beyond), None);
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        assert_eq!(write_text(leap), None);
    }

    proptest! {
        /// A timestamp bound by hand is the text diesel would have bound: a comparison with
        /// what diesel wrote orders as it did before.
        #[test]
        fn writes_what_diesel_writes(
            secs in -62_167_219_200i64..253_402_300_800i64,
            nanos in 0u32..1_000_000_000,
            rounding in 0usize..4,
        ) {
            let nanos = nanos / [1, 1_000, 1_000_000, 1_000_000_000][rounding]
                * [1, 1_000, 1_000_000, 1_000_000_000][rounding];
            let at = chrono::DateTime::from_timestamp(secs, nanos).unwrap().naive_utc();
            prop_assert_eq!(write_text(at), Some(at.format("%F %T%.f").to_string()));
        }

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

        #[test]
        fn agrees_with_chrono_on_every_date_diesel_writes(days in 0i32..3_652_425) {
            let date = NaiveDate::from_ymd_opt(0, 1, 1).unwrap() + chrono::Days::new(days as u64);
            // diesel writes `%F`.
            let text = date.format("%F").to_string();
            prop_assert_eq!(parse_date(&text), Some(date));
        }

        /// Whatever date or timestamp text is read by hand reads as chrono reads it.
        #[test]
        fn never_reads_text_otherwise_than_chrono(
            date in "([0-9]{4}|[0-9+-]{3,5})-[0-9]{1,3}-[0-9]{1,3}",
            time in "[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{0,10})?",
            joint in "[ T]",
        ) {
            if let Some(read) = parse_date(&date) {
                prop_assert_eq!(Some(read), chrono_date(&date));
            }
            let text = format!("{date}{joint}{time}");
            if let Some(read) = parse_text(&text) {
                prop_assert_eq!(Some(read), chrono_reading(&text));
            }
        }
    }
}
