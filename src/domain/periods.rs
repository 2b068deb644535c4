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

/// PDR-1: the performance and development review cycle containing `date`, from the first of
/// the organisation's goals month (April by default) to the day before the next one.
pub fn pdr_cycle(date: NaiveDate, goals_month: u32) -> Period {
    year_from(goals_month, date)
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

/// The same day `months` calendar months later, the month's last day where it is shorter
/// (31 January + 1 month is 28 or 29 February): "every month" as people count it. Saturates
/// at the last representable date rather than failing.
pub fn months_after(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The calendar months that overlap `period`, in order: a report's month-by-month columns.
pub fn months_in(period: Period) -> Vec<Period> {
    let mut months = Vec::new();
    let mut current = month(period.starts_on);
    while current.starts_on <= period.ends_on {
        let next = current.end_exclusive();
        months.push(current);
        current = month(next);
    }
    months
}

/// A starter's share of a yearly quota (OBS-2, PDR-1): the whole months of `year` left from
/// the month they start in, that month counted, as a share of `per_year` rounded up. Someone
/// in post before the year owes all of it; someone starting after it, none.
pub fn pro_rata(per_year: u32, year: Period, in_post_from: Option<NaiveDate>) -> u32 {
    let month_number = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    match in_post_from {
        Some(start) if start > year.ends_on => 0,
        Some(start) if start > year.starts_on => {
            let months = month_number(year.end_exclusive()) - month_number(year.starts_on);
            let left = months - (month_number(start) - month_number(year.starts_on));
            let owed = (u64::from(per_year) * left as u64).div_ceil(months as u64);
            u32::try_from(owed).unwrap_or(per_year)
        }
        _ => per_year,
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

    #[test]
    fn rpt1_months_in_a_practice_year_are_twelve_whole_months() {
        let months = months_in(practice_year(d(2026, 6, 1)));
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], period(d(2026, 4, 1), d(2026, 4, 30)));
        assert_eq!(months[11], period(d(2027, 3, 1), d(2027, 3, 31)));
        // A part month still gets its whole month, once.
        let part = months_in(period(d(2026, 1, 31), d(2026, 2, 1)));
        assert_eq!(part, vec![month(d(2026, 1, 1)), month(d(2026, 2, 1))]);
        assert_eq!(months_in(period(d(2026, 5, 9), d(2026, 5, 9))).len(), 1);
    }

    /// PDR-1: the cycle turns on the first of the goals month, wherever the organisation puts it.
    #[test]
    fn pdr1_cycle_runs_from_the_goals_month() {
        assert_eq!(
            pdr_cycle(d(2027, 3, 31), 4),
            period(d(2026, 4, 1), d(2027, 3, 31))
        );
        assert_eq!(
            pdr_cycle(d(2027, 4, 1), 4),
            period(d(2027, 4, 1), d(2028, 3, 31))
        );
        assert_eq!(
            pdr_cycle(d(2026, 12, 2), 1),
            period(d(2026, 1, 1), d(2026, 12, 31))
        );
        assert_eq!(
            pdr_cycle(d(2026, 8, 31), 9),
            period(d(2025, 9, 1), d(2026, 8, 31))
        );
        assert_eq!(pdr_cycle(d(2026, 6, 1), 4), practice_year(d(2026, 6, 1)));
    }

    /// OBS-2, PDR-1: a starter owes the months left, their first counted, rounded up.
    #[test]
    fn pdr1_pro_rata_counts_the_starting_month() {
        let year = pdr_cycle(d(2026, 6, 1), 4);
        let owed = |start| pro_rata(5, year, Some(start));
        assert_eq!(pro_rata(5, year, None), 5);
        assert_eq!(owed(d(2020, 1, 1)), 5, "in post before the cycle");
        assert_eq!(owed(d(2026, 4, 1)), 5);
        assert_eq!(owed(d(2026, 4, 30)), 5, "April counts whole");
        assert_eq!(owed(d(2026, 10, 1)), 3, "6 of 12 months: 2.5 rounds up");
        assert_eq!(owed(d(2027, 1, 15)), 2, "3 months: 1.25 rounds up");
        assert_eq!(owed(d(2027, 3, 31)), 1, "the last month still owes one");
        assert_eq!(owed(d(2027, 4, 1)), 0, "starts in the next cycle");
        assert_eq!(pro_rata(0, year, Some(d(2026, 10, 1))), 0);
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
