//! Instants and dates written to JSON by hand. chrono writes them through `fmt`, a character
//! or two at a time, and serde_json escapes each piece on its own: on the home-screen reads
//! that cost more than the rest of the row. [`text`] writes the very same text (RFC 3339 with
//! `Z`, the fraction only when there is one, in 3, 6 or 9 digits; dates as `YYYY-MM-DD`) from
//! a buffer in one go, and leaves what it does not expect (years outside 0..=9999, leap
//! seconds) to chrono.
//!
//! Use as `#[serde(serialize_with = "rfc3339::text")]` on a `DateTime<Utc>` or `NaiveDate`
//! field, or an `Option` of either.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Serialises the value as chrono would, without chrono's formatter.
pub fn text<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Written,
    S: Serializer,
{
    value.write(serializer)
}

/// A value [`text`] can write.
pub trait Written {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Longest text written here: `9999-12-31T23:59:59.123456789Z`.
const LONGEST: usize = 30;

/// A few ASCII bytes on the stack.
struct Buffer {
    bytes: [u8; LONGEST],
    len: usize,
}

impl Buffer {
    fn new() -> Buffer {
        Buffer {
            bytes: [0; LONGEST],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// `n` in `width` digits, zero-padded; `n` has no more digits than that.
    fn digits(&mut self, mut n: u32, width: usize) {
        for i in (0..width).rev() {
            self.bytes[self.len + i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        self.len += width;
    }

    /// `YYYY-MM-DD`, or None for a year chrono writes with a sign.
    fn date(&mut self, date: NaiveDate) -> Option<()> {
        let year = u32::try_from(date.year()).ok().filter(|&y| y <= 9999)?;
        self.digits(year, 4);
        self.push(b'-');
        self.digits(date.month(), 2);
        self.push(b'-');
        self.digits(date.day(), 2);
        Some(())
    }

    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Only ASCII digits and punctuation were pushed: always UTF-8.
        match std::str::from_utf8(&self.bytes[..self.len]) {
            Ok(text) => serializer.serialize_str(text),
            Err(err) => Err(serde::ser::Error::custom(err)),
        }
    }
}

impl Written for DateTime<Utc> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = Buffer::new();
        let nanos = self.nanosecond();
        if nanos >= 1_000_000_000 || buffer.date(self.date_naive()).is_none() {
            return self.serialize(serializer);
        }
        buffer.push(b'T');
        buffer.digits(self.hour(), 2);
        buffer.push(b':');
        buffer.digits(self.minute(), 2);
        buffer.push(b':');
        buffer.digits(self.second(), 2);
        // chrono's `SecondsFormat::AutoSi`: as few of 3, 6 or 9 digits as say it exactly.
        if nanos != 0 {
            buffer.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                buffer.digits(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                buffer.digits(nanos / 1_000, 6);
            } else {
                buffer.digits(nanos, 9);
            }
        }
        buffer.push(b'Z');
        buffer.serialize(serializer)
    }
}

impl Written for NaiveDate {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = Buffer::new();
        match buffer.date(*self) {
            Some(()) => buffer.serialize(serializer),
            None => self.serialize(serializer),
        }
    }
}

impl<T: Written> Written for Option<T> {
    fn write<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The inner value as serde's `serialize_some` wants it.
        struct Inner<'a, T>(&'a T);

        impl<T: Written> Serialize for Inner<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.write(serializer)
            }
        }

        match self {
            Some(value) => serializer.serialize_some(&Inner(value)),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, NaiveTime};
    use proptest::prelude::*;

    /// The value written by [`text`].
    struct Ours<'a, T>(&'a T);

    impl<T: Written> Serialize for Ours<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            text(self.0, serializer)
        }
    }

    /// Ours and chrono's JSON for the value, to a string and to a `serde_json::Value`.
    fn both<T: Written + Serialize>(value: &T) -> [(String, String); 2] {
        [
            (
                serde_json::to_string(&Ours(value)).unwrap(),
                serde_json::to_string(value).unwrap(),
            ),
            (
                serde_json::to_value(Ours(value)).unwrap().to_string(),
                serde_json::to_value(value).unwrap().to_string(),
            ),
        ]
    }

    fn assert_same<T: Written + Serialize>(value: &T) {
        for (ours, chrono) in both(value) {
            assert_eq!(ours, chrono);
        }
    }

    #[test]
    fn writes_what_chrono_writes() {
        for (text, json) in [
            ("2026-03-01 09:30:00", "\"2026-03-01T09:30:00Z\""),
            ("2026-03-01 09:30:00.5", "\"2026-03-01T09:30:00.500Z\""),
            (
                "2026-03-01 09:30:00.000120",
                "\"2026-03-01T09:30:00.000120Z\"",
            ),
            (
                "2026-03-01 09:30:00.000000001",
                "\"2026-03-01T09:30:00.000000001Z\"",
            ),
            ("0000-01-01 00:00:00", "\"0000-01-01T00:00:00Z\""),
            ("9999-12-31 23:59:59.999", "\"9999-12-31T23:59:59.999Z\""),
        ] {
            let at = NaiveDateTime::parse_from_str(text, "%F %T%.f")
                .unwrap()
                .and_utc();
            assert_eq!(serde_json::to_string(&Ours(&at)).unwrap(), json);
            assert_same(&at);
        }
        let date = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            serde_json::to_string(&Ours(&date)).unwrap(),
            "\"2026-03-01\""
        );
        assert_same(&Some(date));
        assert_same(&None::<NaiveDate>);
        assert_same(&None::<DateTime<Utc>>);
    }

    #[test]
    fn leaves_signed_years_and_leap_seconds_to_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_time(NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap())
            .and_utc();
        assert_same(&leap);
        for year in [-1, 10_000, -262_000, 262_000] {
            let date = NaiveDate::from_ymd_opt(year, 6, 30).unwrap();
            assert_same(&date);
            assert_same(&date.and_hms_opt(12, 0, 0).unwrap().and_utc());
        }
    }

    proptest! {
        #[test]
        fn agrees_with_chrono_for_every_instant(
            secs in prop_oneof![
                // Years 0 to 9999, which are written by hand, most of the time.
                4 => -62_167_219_200i64..=253_402_300_799,
                1 => DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
            ],
            nanos in 0u32..2_000_000_000,
            rounding in 0u32..4,
            some in any::<bool>(),
        ) {
            // Whole seconds, milli- and microseconds are the common shapes: hit each.
            let nanos = nanos / [1, 1_000, 1_000_000, 1_000_000_000][rounding as usize]
                * [1, 1_000, 1_000_000, 1_000_000_000][rounding as usize];
            let whole = DateTime::from_timestamp(secs, 0).unwrap();
            // A leap second exists only at :59, as chrono allows it.
            let nanos = if whole.second() == 59 { nanos } else { nanos % 1_000_000_000 };
            let Some(at) = whole.with_nanosecond(nanos) else { return Ok(()) };
            for (ours, chrono) in both(&at) {
                prop_assert_eq!(ours, chrono);
            }
            for (ours, chrono) in both(&at.date_naive()) {
                prop_assert_eq!(ours, chrono);
            }
            let maybe = some.then_some(at);
            for (ours, chrono) in both(&maybe) {
                prop_assert_eq!(ours, chrono);
            }
        }
    }
}
