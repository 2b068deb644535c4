//! Observations of practice (OBS-1, OBS-2): where they happen and how many a person still
//! needs this practice year.

use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::periods::{practice_year, pro_rata, Period};
use super::sessions::text_enum;

/// OBS-1: where the observed practice took place. Policy profiles name the settings a year
/// must cover in these terms (OBS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ObservationSetting {
    HomeVisit,
    ConferenceOrMeeting,
    Court,
    DirectWorkWithChild,
    DirectWorkWithAdult,
    Other,
}

text_enum!(ObservationSetting {
    HomeVisit => "home_visit",
    ConferenceOrMeeting => "conference_or_meeting",
    Court => "court",
    DirectWorkWithChild => "direct_work_with_child",
    DirectWorkWithAdult => "direct_work_with_adult",
    Other => "other",
});

/// OBS-2: one person's observations in the current practice year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({
    "year": {"starts_on": "2026-04-01", "ends_on": "2027-03-31"},
    "required": 2, "done": 1, "remaining": 1,
    "settings_missing": ["direct_work_with_adult"]
}))]
pub struct ObservationStatus {
    pub year: Period,
    pub required: u32,
    pub done: u32,
    /// Observations still to do: enough for the count and for each missing setting.
    pub remaining: u32,
    pub settings_missing: Vec<ObservationSetting>,
}

/// OBS-2: where a person stands on `today`'s practice year. `per_year` and
/// `settings_required` come from the organisation's policy profile; `observed` is every
/// observation of the person, by date and setting (those outside the year are ignored).
pub fn practice_year_status(
    per_year: u32,
    settings_required: &[ObservationSetting],
    in_post_from: Option<NaiveDate>,
    observed: &[(NaiveDate, ObservationSetting)],
    today: NaiveDate,
) -> ObservationStatus {
    let year = practice_year(today);
    let required = pro_rata(per_year, year, in_post_from);
    let in_year: Vec<ObservationSetting> = observed
        .iter()
        .filter(|(date, _)| year.contains(*date))
        .map(|(_, setting)| *setting)
        .collect();
    let mut wanted: Vec<ObservationSetting> = Vec::new();
    for setting in settings_required {
        if !wanted.contains(setting) {
            wanted.push(*setting);
        }
    }
    // Fewer observations than settings cannot cover them all, so settings are not asked then.
    let settings_missing: Vec<ObservationSetting> = if required as usize >= wanted.len() {
        wanted
            .into_iter()
            .filter(|s| !in_year.contains(s))
            .collect()
    } else {
        Vec::new()
    };
    let done = u32::try_from(in_year.len()).unwrap_or(u32::MAX);
    let remaining = required
        .saturating_sub(done)
        .max(settings_missing.len() as u32);
    ObservationStatus {
        year,
        required,
        done,
        remaining,
        settings_missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ObservationSetting::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// OBS-1: settings read and write as the policy profile spells them.
    #[test]
    fn obs1_settings_as_text() {
        for setting in ObservationSetting::ALL {
            assert_eq!(setting.as_str().parse::<ObservationSetting>(), Ok(*setting));
            assert_eq!(
                serde_json::to_value(setting).unwrap(),
                serde_json::json!(setting.as_str())
            );
        }
        assert_eq!(
            "direct_work_with_child".parse::<ObservationSetting>(),
            Ok(DirectWorkWithChild)
        );
        assert!("home visit".parse::<ObservationSetting>().is_err());
    }

    /// OBS-2: an observation on 31 March counts for the year it closes, not the next.
    #[test]
    fn obs2_31_march_belongs_to_the_closing_year() {
        let observed = [(d(2027, 3, 31), HomeVisit), (d(2026, 11, 2), Court)];
        let closing = practice_year_status(2, &[], None, &observed, d(2027, 3, 31));
        assert_eq!(closing.year.starts_on, d(2026, 4, 1));
        assert_eq!((closing.done, closing.remaining), (2, 0));
        let next = practice_year_status(2, &[], None, &observed, d(2027, 4, 1));
        assert_eq!(next.year.starts_on, d(2027, 4, 1));
        assert_eq!((next.done, next.required, next.remaining), (0, 2, 2));
    }

    /// OBS-2: a starter owes a share of the year by months left; a future starter owes none.
    #[test]
    fn obs2_starter_owes_a_pro_rata_share() {
        let today = d(2027, 2, 1);
        let status = |from| practice_year_status(2, &[], Some(from), &[], today).required;
        assert_eq!(status(d(2027, 1, 10)), 1, "January to March: 3 months");
        assert_eq!(status(d(2026, 4, 15)), 2, "April: the whole year");
        assert_eq!(status(d(2026, 4, 1)), 2);
        assert_eq!(status(d(2020, 9, 1)), 2, "in post before the year");
        assert_eq!(status(d(2026, 10, 1)), 1, "6 months: exactly half");
        assert_eq!(status(d(2026, 9, 30)), 2, "7 months rounds up");
        assert_eq!(status(d(2027, 4, 1)), 0, "starts next year");
        let later = practice_year_status(2, &[], Some(d(2027, 3, 1)), &[], today);
        assert_eq!((later.required, later.remaining), (1, 1));
    }

    /// OBS-2 (003): a profile asking for a child and an adult sees which one is missing,
    /// unless pro rata leaves too few observations to cover both.
    #[test]
    fn obs2_required_settings_missing() {
        let wanted = [DirectWorkWithChild, DirectWorkWithAdult];
        let today = d(2026, 9, 1);
        let observed = [(d(2026, 5, 1), DirectWorkWithChild), (d(2026, 6, 1), Court)];
        let status = practice_year_status(2, &wanted, None, &observed, today);
        assert_eq!(status.settings_missing, [DirectWorkWithAdult]);
        assert_eq!((status.done, status.remaining), (2, 1));

        let last_year = [(d(2026, 3, 1), DirectWorkWithAdult)];
        let status = practice_year_status(2, &wanted, None, &last_year, today);
        assert_eq!(status.settings_missing, wanted);
        assert_eq!(status.remaining, 2);

        let starter = practice_year_status(2, &wanted, Some(d(2027, 1, 10)), &[], d(2027, 2, 1));
        assert_eq!(starter.required, 1);
        assert!(starter.settings_missing.is_empty());
        assert_eq!(starter.remaining, 1);
    }

    fn setting() -> impl Strategy<Value = ObservationSetting> {
        (0..ObservationSetting::ALL.len()).prop_map(|i| ObservationSetting::ALL[i])
    }

    proptest! {
        /// OBS-2: nothing remains exactly when the count is met and no setting is missing.
        #[test]
        fn obs2_nothing_remains_only_when_met(
            per_year in 0u32..5,
            wanted in proptest::collection::vec(setting(), 0..3),
            start in proptest::option::of(0i64..900),
            observed in proptest::collection::vec((0i64..900, setting()), 0..8),
            today in 0i64..900,
        ) {
            let base = d(2025, 1, 1);
            let day = |n: i64| base + chrono::Duration::days(n);
            let observed: Vec<_> = observed.into_iter().map(|(n, s)| (day(n), s)).collect();
            let s = practice_year_status(per_year, &wanted, start.map(day), &observed, day(today));
            prop_assert!(s.required <= per_year);
            prop_assert_eq!(
                s.remaining == 0,
                s.done >= s.required && s.settings_missing.is_empty()
            );
        }
    }
}
