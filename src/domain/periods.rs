//! The periods requirements are counted in: the practice year (OBS-2), the registration year
//! (REF-3) and the calendar month. Kept in one place so every count agrees on its edges.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// A run of whole days, both ends included: how people read "1 April to 31 March".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"starts_on": "2026-04-01", "ends_on": "2027-03-31"}))]
pub struct Period {
    pub starts_on: NaiveDate,
    /// The last day of the period, inclusive.
    pub ends_on: NaiveDate,
}

impl Period {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }

    /// The day after the period: the bound half-open range queries want.
    pub fn end_exclusive(&self) -> NaiveDate {
        self.ends_on + Days::new(1)
    }

    /// Days still to come, today and the last day included; the whole length before the
    /// period starts and 0 once it is over.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        if today > self.ends_on {
            return 0;
        }
        (self.ends_on - today.max(self.starts_on)).num_days() + 1
    }
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a period edge is a real date")
}

/// The year from the first of `first_month` that contains `date`, ending the day before the
/// next one starts.
fn year_from(first_month: u32, date: NaiveDate) -> Period {
    let year = if date.month() >= first_month {
        date.year()
    } else {
        date.year() - 1
    };
    Period {
        starts_on: ymd(year, first_month, 1),
        ends_on: ymd(year + 1, first_month, 1) - Days::new(1),
    }
}

/// OBS-2: the practice year, 1 April to 31 March, that contains `date`.
pub fn practice_year(date: NaiveDate) -> Period {
    year_from(4, date)
}

/// REF-3: Social Work England's registration year, 1 December to 30 November, containing `date`.
pub fn registration_year(date: NaiveDate) -> Period {
    year_from(12, date)
}

/// The calendar month containing `date`.
pub fn month(date: NaiveDate) -> Period {
    let starts_on = ymd(date.year(), date.month(), 1);
    let next = starts_on
        .checked_add_months(Months::new(1))
        .expect("a month edge is a real date");
    Period {
        starts_on,
        ends_on: next - Days::new(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period(from: NaiveDate, to: NaiveDate) -> Period {
        Period {
            starts_on: from,
            ends_on: to,
        }
    }

    /// OBS-2: 31 March closes a practice year and 1 April opens the next.
    #[test]
    fn obs2_practice_year_turns_on_1_april() {
        assert_eq!(
            practice_year(d(2027, 3, 31)),
            period(d(2026, 4, 1), d(2027, 3, 31))
        );
        assert_eq!(
            practice_year(d(2027, 4, 1)),
            period(d(2027, 4, 1), d(2028, 3, 31))
        );
        assert_eq!(
            practice_year(d(2027, 1, 15)),
            period(d(2026, 4, 1), d(2027, 3, 31))
        );
    }

    /// REF-3: 30 November closes a registration year and 1 December opens the next.
    #[test]
    fn ref3_registration_year_turns_on_1_december() {
        assert_eq!(
            registration_year(d(2026, 11, 30)),
            period(d(2025, 12, 1), d(2026, 11, 30))
        );
        assert_eq!(
            registration_year(d(2026, 12, 1)),
            period(d(2026, 12, 1), d(2027, 11, 30))
        );
        assert_eq!(
            registration_year(d(2026, 1, 1)),
            period(d(2025, 12, 1), d(2026, 11, 30))
        );
    }

    #[test]
    fn months_end_on_their_last_day_leap_years_included() {
        assert_eq!(month(d(2028, 2, 10)), period(d(2028, 2, 1), d(2028, 2, 29)));
        assert_eq!(month(d(2027, 2, 28)), period(d(2027, 2, 1), d(2027, 2, 28)));
        assert_eq!(
            month(d(2026, 12, 31)),
            period(d(2026, 12, 1), d(2026, 12, 31))
        );
        // A practice year holding a 29 February is a day longer.
        let leap = practice_year(d(2028, 2, 29));
        assert_eq!(leap.days_left(leap.starts_on), 366);
        assert_eq!(leap.end_exclusive(), d(2028, 4, 1));
    }

    #[test]
    fn days_left_counts_today_and_the_last_day() {
        let year = registration_year(d(2026, 6, 1));
        assert_eq!(year.days_left(d(2026, 11, 30)), 1);
        assert_eq!(year.days_left(d(2026, 11, 29)), 2);
        assert_eq!(year.days_left(d(2026, 12, 1)), 0);
        assert_eq!(year.days_left(d(2020, 1, 1)), 365);
        assert!(year.contains(year.starts_on) && year.contains(year.ends_on));
        assert!(!year.contains(year.end_exclusive()));
    }

    proptest! {
        /// Every date lies in its own periods, and a period's next one starts the day after
        /// it ends.
        #[test]
        fn periods_contain_their_date_and_abut(days in 0i64..60_000) {
            let date = d(1950, 1, 1) + chrono::Duration::days(days);
            for of in [practice_year, registration_year, month] {
                let p = of(date);
                prop_assert!(p.contains(date));
                prop_assert!(p.starts_on <= p.ends_on);
                let next = of(p.end_exclusive());
                prop_assert_eq!(next.starts_on, p.end_exclusive());
                prop_assert_eq!(of(p.starts_on - Days::new(1)).end_exclusive(), p.starts_on);
            }
        }
    }
}
