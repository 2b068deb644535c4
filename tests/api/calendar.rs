//! The working-day calendar through the API (CAL-1 to CAL-3): the public helpers, the holiday
//! listing and the organisation's closure days.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{json, Value};

use supervision::domain::calendar::{Calendar, Region};

use crate::support::{Resp, TestApp};

const REGIONS: [&str; 3] = ["england-and-wales", "scotland", "northern-ireland"];

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn working_days(app: &TestApp, from: &str, to: &str, region: Option<&str>) -> i64 {
    let region = region.map_or(String::new(), |r| format!("&region={r}"));
    app.get_public(&format!(
        "/api/v1/calendar/working-days?from={from}&to={to}{region}"
    ))
    .await
    .ok(200)["working_days"]
        .as_i64()
        .unwrap()
}

async fn add_working_days(app: &TestApp, from: &str, days: i64, region: Option<&str>) -> String {
    let region = region.map_or(String::new(), |r| format!("&region={r}"));
    app.get_public(&format!(
        "/api/v1/calendar/add-working-days?from={from}&days={days}{region}"
    ))
    .await
    .ok(200)["date"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Asserts a problem naming `field` (400 or 422) and returns it.
#[track_caller]
fn names_field(resp: &Resp, status: u16, field: &str) -> Value {
    let kind = if status == 400 {
        "malformed-request"
    } else {
        "validation-failed"
    };
    let body = resp.problem(status, kind);
    assert_eq!(body["errors"][0]["field"], field, "{body}");
    body
}

async fn cal3_working_days_between_and_add_over_christmas(app: TestApp) {
    // 2026: Christmas on a Friday, Boxing Day on a Saturday (observed Monday 28th); New
    // Year's Day 2027 on a Friday, 2 January (Scotland) on a Saturday (observed Monday 4th).
    assert_eq!(
        working_days(&app, "2026-12-24", "2026-12-29", None).await,
        1
    );
    assert_eq!(
        working_days(&app, "2026-12-24", "2027-01-04", None).await,
        4
    );
    assert_eq!(
        working_days(&app, "2027-01-04", "2026-12-24", None).await,
        -4
    );
    assert_eq!(
        working_days(&app, "2026-12-24", "2026-12-24", None).await,
        0
    );
    assert_eq!(
        working_days(&app, "2026-12-24", "2027-01-04", Some("england-and-wales")).await,
        4
    );
    assert_eq!(
        working_days(&app, "2026-12-24", "2027-01-04", Some("scotland")).await,
        3
    );
    assert_eq!(
        working_days(&app, "2026-12-24", "2027-01-04", Some("northern-ireland")).await,
        4
    );

    assert_eq!(
        add_working_days(&app, "2026-12-24", 1, None).await,
        "2026-12-29"
    );
    assert_eq!(
        add_working_days(&app, "2026-12-29", -1, None).await,
        "2026-12-24"
    );
    assert_eq!(
        add_working_days(&app, "2026-12-24", 4, None).await,
        "2027-01-04"
    );
    assert_eq!(
        add_working_days(&app, "2026-12-24", 4, Some("scotland")).await,
        "2027-01-05"
    );
    // Adding nothing gives the date itself, even a Saturday.
    assert_eq!(
        add_working_days(&app, "2026-12-26", 0, None).await,
        "2026-12-26"
    );
    // FREQ-1: held on Friday 6 February 2026, the next is due by Friday 13 March.
    assert_eq!(
        add_working_days(&app, "2026-02-06", 25, None).await,
        "2026-03-13"
    );
}

async fn cal3_bad_input_names_the_field(app: TestApp) {
    let wd = "/api/v1/calendar/working-days";
    let add = "/api/v1/calendar/add-working-days";
    let hol = "/api/v1/calendar/holidays";

    let body = names_field(
        &app.get_public(&format!("{wd}?from=2026-01-01&to=2026-02-01&region=wales"))
            .await,
        400,
        "region",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("england-and-wales"));
    names_field(
        &app.get_public(&format!("{wd}?from=2026-13-01&to=2026-02-01"))
            .await,
        400,
        "from",
    );
    names_field(
        &app.get_public(&format!("{wd}?from=2026-01-01&to=tomorrow"))
            .await,
        400,
        "to",
    );
    names_field(
        &app.get_public(&format!("{wd}?from=2026-01-01")).await,
        400,
        "to",
    );
    names_field(
        &app.get_public(&format!("{wd}?to=2026-01-01")).await,
        400,
        "from",
    );
    app.get_public(&format!("{wd}?from=2026-01-01&to=2026-02-01&colour=red"))
        .await
        .problem(400, "malformed-request");
    // API-5: the range is bounded by the years the calendar covers.
    names_field(
        &app.get_public(&format!("{wd}?from=1989-12-31&to=2026-02-01"))
            .await,
        422,
        "from",
    );
    names_field(
        &app.get_public(&format!("{wd}?from=2026-01-01&to=2101-01-01"))
            .await,
        422,
        "to",
    );
    let whole = working_days(&app, "1990-01-01", "2100-12-31", None).await;
    assert!((27_000..29_000).contains(&whole), "{whole}");

    names_field(
        &app.get_public(&format!("{add}?from=2026-01-01")).await,
        400,
        "days",
    );
    names_field(
        &app.get_public(&format!("{add}?from=2026-01-01&days=many"))
            .await,
        400,
        "days",
    );
    names_field(
        &app.get_public(&format!("{add}?from=2026-01-01&days=10001"))
            .await,
        422,
        "days",
    );
    names_field(
        &app.get_public(&format!("{add}?from=2026-01-01&days=-10001"))
            .await,
        422,
        "days",
    );
    app.get_public(&format!("{add}?from=2026-01-01&days=10000"))
        .await
        .ok(200);
    names_field(
        &app.get_public(&format!("{add}?from=1900-01-01&days=1"))
            .await,
        422,
        "from",
    );
    // The answer would be in 2101.
    names_field(
        &app.get_public(&format!("{add}?from=2100-12-30&days=5"))
            .await,
        422,
        "days",
    );
    names_field(
        &app.get_public(&format!("{add}?from=1990-01-03&days=-5"))
            .await,
        422,
        "days",
    );

    names_field(&app.get_public(hol).await, 400, "year");
    names_field(
        &app.get_public(&format!("{hol}?year=1989")).await,
        422,
        "year",
    );
    names_field(
        &app.get_public(&format!("{hol}?year=2101")).await,
        422,
        "year",
    );
    names_field(
        &app.get_public(&format!("{hol}?year=twenty")).await,
        400,
        "year",
    );
    names_field(
        &app.get_public(&format!("{hol}?year=2026&region=england"))
            .await,
        400,
        "region",
    );
}

fn dated(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["date"].as_str().unwrap().to_string(),
                h["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn cal2_holidays_list_with_names_per_region(app: TestApp) {
    let england = app
        .get_public("/api/v1/calendar/holidays?year=2026")
        .await
        .ok(200);
    assert_eq!(england["region"], "england-and-wales");
    assert_eq!(england["year"], 2026);
    assert_eq!(england["closure_days"], json!([]));
    let days = dated(&england["holidays"]);
    let dates: Vec<&str> = days.iter().map(|(date, _)| date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-04",
            "2026-05-25",
            "2026-08-31",
            "2026-12-25",
            "2026-12-28"
        ]
    );
    assert_eq!(days[1].1, "Good Friday");
    assert_eq!(days[5].1, "Summer bank holiday");
    assert_eq!(days[7].1, "Boxing Day (substitute day)");

    let scotland = app
        .get_public("/api/v1/calendar/holidays?year=2026&region=scotland")
        .await
        .ok(200);
    assert_eq!(scotland["region"], "scotland");
    let days: HashMap<String, String> = dated(&scotland["holidays"]).into_iter().collect();
    assert_eq!(days["2026-01-02"], "2nd January");
    assert!(days["2026-11-30"].contains("Andrew"), "{days:?}");
    assert!(days.contains_key("2026-08-03"), "first Monday in August");
    assert!(!days.contains_key("2026-04-06"), "no Easter Monday");
    assert!(!days.contains_key("2026-08-31"));

    let ni = app
        .get_public("/api/v1/calendar/holidays?year=2026&region=northern-ireland")
        .await
        .ok(200);
    let days: HashMap<String, String> = dated(&ni["holidays"]).into_iter().collect();
    assert!(days["2026-03-17"].contains("Patrick"), "{days:?}");
    // 12 July 2026 is a Sunday: the Battle of the Boyne is observed on Monday 13th.
    assert!(days["2026-07-13"].contains("(substitute day)"), "{days:?}");
    assert!(days.contains_key("2026-04-06"), "Easter Monday");
    assert_eq!(days.len(), 10);
}

async fn cal1_closure_days_are_not_working_days(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    // Friday 12 June to Friday 19 June 2026: five working days, Monday 15th the first.
    assert_eq!(
        working_days(&app, "2026-06-12", "2026-06-19", None).await,
        5
    );
    assert_eq!(
        add_working_days(&app, "2026-06-12", 1, None).await,
        "2026-06-15"
    );

    let created = app
        .post(
            "/api/v1/calendar/closure-days",
            &admin,
            json!({"date": "2026-06-15", "title": "  Staff training day  "}),
        )
        .await;
    let body = created.ok(201);
    assert_eq!(
        created.header("location").unwrap(),
        "/api/v1/calendar/closure-days/2026-06-15"
    );
    assert_eq!(body["date"], "2026-06-15");
    assert_eq!(body["title"], "Staff training day");

    // At once, in every region (CAL-1).
    for region in REGIONS {
        assert_eq!(
            working_days(&app, "2026-06-12", "2026-06-19", Some(region)).await,
            4,
            "{region}"
        );
        assert_eq!(
            add_working_days(&app, "2026-06-12", 1, Some(region)).await,
            "2026-06-16",
            "{region}"
        );
        assert_eq!(
            add_working_days(&app, "2026-06-16", -1, Some(region)).await,
            "2026-06-12",
            "{region}"
        );
    }
    let listed = app
        .get_public("/api/v1/calendar/holidays?year=2026&region=scotland")
        .await
        .ok(200);
    assert_eq!(
        listed["closure_days"],
        json!([{"date": "2026-06-15", "title": "Staff training day"}])
    );
    let other_year = app
        .get_public("/api/v1/calendar/holidays?year=2027")
        .await
        .ok(200);
    assert_eq!(other_year["closure_days"], json!([]));
    let list = app
        .get("/api/v1/calendar/closure-days?year=2026", &ann)
        .await
        .ok(200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["date"], "2026-06-15");

    app.delete("/api/v1/calendar/closure-days/2026-06-15", &admin)
        .await
        .ok(204);
    assert_eq!(
        working_days(&app, "2026-06-12", "2026-06-19", None).await,
        5
    );
    assert_eq!(
        add_working_days(&app, "2026-06-12", 1, None).await,
        "2026-06-15"
    );
    let listed = app
        .get_public("/api/v1/calendar/holidays?year=2026")
        .await
        .ok(200);
    assert_eq!(listed["closure_days"], json!([]));
}

async fn cal2_closure_days_are_for_administrators_and_validated(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let (_, audrey) = app
        .person(
            &admin,
            json!({"email": "audrey@test.example", "display_name": "audrey", "staff_category": "other_staff", "is_auditor": true}),
        )
        .await;
    let path = "/api/v1/calendar/closure-days";
    let day = json!({"date": "2026-12-24", "title": "Christmas Eve closure"});

    app.call(
        actix_web::test::TestRequest::post()
            .uri(path)
            .set_json(&day),
    )
    .await
    .problem(401, "unauthenticated");
    app.get_public(path).await.problem(401, "unauthenticated");
    app.post(path, &ann, day.clone())
        .await
        .problem(403, "forbidden");
    app.post(path, &admin, day.clone()).await.ok(201);
    app.post(
        path,
        &admin,
        json!({"date": "2026-12-24", "title": "Again"}),
    )
    .await
    .problem(409, "conflict");
    app.post(
        path,
        &admin,
        json!({"date": "2026-12-31", "title": "New Year's Eve"}),
    )
    .await
    .ok(201);

    let empty = app
        .post(path, &admin, json!({"date": "2026-12-30", "title": "  "}))
        .await;
    names_field(&empty, 422, "title");
    let long = app
        .post(
            path,
            &admin,
            json!({"date": "2026-12-30", "title": "x".repeat(121)}),
        )
        .await;
    names_field(&long, 422, "title");
    app.post(
        path,
        &admin,
        json!({"date": "2026-12-30", "title": "x".repeat(120)}),
    )
    .await
    .ok(201);
    let early = app
        .post(
            path,
            &admin,
            json!({"date": "1989-12-29", "title": "Too early"}),
        )
        .await;
    names_field(&early, 422, "date");
    let bad = app
        .post(
            path,
            &admin,
            json!({"date": "2026-02-30", "title": "No such day"}),
        )
        .await;
    names_field(&bad, 400, "date");
    let unknown = app
        .post(
            path,
            &admin,
            json!({"date": "2026-12-29", "title": "A", "region": "scotland"}),
        )
        .await;
    names_field(&unknown, 400, "region");

    let list = app.get(&format!("{path}?limit=2"), &ann).await.ok(200);
    assert_eq!(list["total"], 3);
    let dates: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-12-24", "2026-12-30"]);
    let rest = app
        .get(&format!("{path}?limit=2&offset=2"), &ann)
        .await
        .ok(200);
    assert_eq!(rest["items"][0]["date"], "2026-12-31");
    let none = app.get(&format!("{path}?year=2027"), &ann).await.ok(200);
    assert_eq!(none["total"], 0);
    names_field(
        &app.get(&format!("{path}?year=3000"), &ann).await,
        422,
        "year",
    );
    names_field(
        &app.get(&format!("{path}?limit=0"), &ann).await,
        422,
        "limit",
    );

    app.delete(&format!("{path}/2026-12-31"), &ann)
        .await
        .problem(403, "forbidden");
    app.delete(&format!("{path}/2027-01-01"), &admin)
        .await
        .problem(404, "not-found");
    names_field(
        &app.delete(&format!("{path}/31-12-2026"), &admin).await,
        400,
        "date",
    );
    app.delete(&format!("{path}/2026-12-31"), &admin)
        .await
        .ok(204);
    app.delete(&format!("{path}/2026-12-31"), &admin)
        .await
        .problem(404, "not-found");

    // ACC-4: every change is in the audit log.
    let created = app
        .get("/api/v1/audit?action=closure_day.created", &audrey)
        .await
        .ok(200);
    assert_eq!(created["total"], 3);
    let deleted = app
        .get("/api/v1/audit?action=closure_day.deleted", &audrey)
        .await
        .ok(200);
    assert_eq!(deleted["total"], 1);
    assert_eq!(deleted["items"][0]["subject_type"], "closure_day");
    assert_eq!(deleted["items"][0]["subject_id"], "2026-12-31");
}

/// A small deterministic generator (64-bit LCG, Knuth's constants): the same pairs every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform-ish in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// CAL-1 and CAL-3 by walking day by day over the days the `holidays` endpoint lists.
struct Reference {
    closed: HashSet<NaiveDate>,
}

impl Reference {
    fn is_working(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.closed.contains(&day)
    }

    fn between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.between(to, from);
        }
        from.iter_days()
            .skip(1)
            .take_while(|&day| day <= to)
            .filter(|&day| self.is_working(day))
            .count() as i64
    }

    fn add(&self, from: NaiveDate, n: i64) -> NaiveDate {
        if n == 0 {
            return from;
        }
        if n > 0 {
            // The n-th working day after `from`.
            from.iter_days()
                .skip(1)
                .filter(|&day| self.is_working(day))
                .nth(n as usize - 1)
                .unwrap()
        } else {
            // The earliest day d with between(from, d) = n: counting back from `from` itself,
            // the (|n| + 1)-th working day.
            let mut day = from;
            let mut seen = 0;
            loop {
                if self.is_working(day) {
                    seen += 1;
                    if seen == -n + 1 {
                        return day;
                    }
                }
                day = day.pred_opt().unwrap();
            }
        }
    }
}

async fn cal3_endpoints_match_a_day_by_day_count_over_random_pairs(app: TestApp) {
    let admin = app.admin().await;
    for (date, title) in [
        ("2025-03-10", "Office move"),
        ("2027-10-15", "Staff conference"),
        ("2030-12-24", "Christmas Eve closure"),
    ] {
        app.post(
            "/api/v1/calendar/closure-days",
            &admin,
            json!({"date": date, "title": title}),
        )
        .await
        .ok(201);
    }
    let mut rng = Lcg(0x5eed_2026_cafe_f00d);
    let first = d("2016-01-01");
    let mut checked = 0;
    for region in REGIONS {
        // The reference's closed days come from the listing, not from the calendar index.
        let mut closed = HashSet::new();
        for year in 2014..=2036 {
            let listed = app
                .get_public(&format!(
                    "/api/v1/calendar/holidays?year={year}&region={region}"
                ))
                .await
                .ok(200);
            for (date, _) in dated(&listed["holidays"])
                .into_iter()
                .chain(dated(&listed["closure_days"]))
            {
                let date = d(&date);
                assert_eq!(date.year(), year);
                closed.insert(date);
            }
        }
        assert!(closed.contains(&d("2027-10-15")));
        let model = Reference { closed };
        for _ in 0..100 {
            let from = first + Days::new(rng.between(0, 19 * 365) as u64);
            let span = rng.between(-400, 400);
            let to = if span < 0 {
                from - Days::new(span.unsigned_abs())
            } else {
                from + Days::new(span as u64)
            };
            assert_eq!(
                working_days(&app, &from.to_string(), &to.to_string(), Some(region)).await,
                model.between(from, to),
                "{region} {from} {to}"
            );
            let n = rng.between(-250, 250);
            assert_eq!(
                add_working_days(&app, &from.to_string(), n, Some(region)).await,
                model.add(from, n).to_string(),
                "{region} {from} {n}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 300);
}

// ---- CAL-2: importing the government's bank-holiday feed ----

const IMPORTS: &str = "/api/v1/calendar/holiday-imports";

/// The GOV.UK feed as it would publish the shipped calendar for `years`: substitute days
/// carry the holiday's own title and the note "Substitute day".
pub(crate) fn govuk_feed(years: std::ops::RangeInclusive<i32>) -> Value {
    let mut feed = serde_json::Map::new();
    for region in Region::ALL {
        let calendar = Calendar::new(region, &[]);
        let events: Vec<Value> = years
            .clone()
            .flat_map(|year| calendar.holidays(year).unwrap())
            .map(|h| {
                let (title, notes) = match h.title.strip_suffix(" (substitute day)") {
                    Some(base) => (base.to_string(), "Substitute day"),
                    None => (h.title.clone(), ""),
                };
                json!({"title": title, "date": h.date, "notes": notes, "bunting": true})
            })
            .collect();
        feed.insert(
            region.as_str().to_string(),
            json!({"division": region.as_str(), "events": events}),
        );
    }
    Value::Object(feed)
}

/// The feed for 2026 to 2028 with a proclaimed extra day in Scotland on Monday 12 June 2028
/// and England and Wales's early May holiday of 2027 moved from Monday 3rd to Friday 7th.
fn feed_with_changes() -> Value {
    let mut feed = govuk_feed(2026..=2028);
    feed["scotland"]["events"].as_array_mut().unwrap().push(
        json!({"title": "Extra day", "date": "2028-06-12", "notes": "Extra bank holiday", "bunting": true}),
    );
    let ew = feed["england-and-wales"]["events"].as_array_mut().unwrap();
    let early_may = ew.iter_mut().find(|e| e["date"] == "2027-05-03").unwrap();
    early_may["date"] = json!("2027-05-07");
    feed
}

fn import_path(dry_run: bool) -> String {
    format!("{IMPORTS}?dry_run={dry_run}")
}

async fn holiday_titles(
    app: &TestApp,
    year: i32,
    region: &str,
) -> (HashMap<String, String>, Value) {
    let list = app
        .get_public(&format!(
            "/api/v1/calendar/holidays?year={year}&region={region}"
        ))
        .await
        .ok(200);
    (
        dated(&list["holidays"]).into_iter().collect(),
        list["data_until"].clone(),
    )
}

async fn auditor(app: &TestApp, admin: &str) -> String {
    app.person(
        admin,
        json!({"email": "audrey@test.example", "display_name": "audrey", "staff_category": "other_staff", "is_auditor": true}),
    )
    .await
    .1
}

async fn imports_audited(app: &TestApp, auditor: &str) -> Value {
    app.get("/api/v1/audit?action=holidays.imported", auditor)
        .await
        .ok(200)
}

async fn cal2_holiday_import_dry_run_shows_changes_and_changes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let audrey = auditor(&app, &admin).await;
    // Without dry_run it is a dry run too: applying has to be asked for.
    for path in [import_path(true), IMPORTS.to_string()] {
        let preview = app.post(&path, &admin, feed_with_changes()).await.ok(200);
        assert_eq!(preview["dry_run"], true);
        let regions = preview["regions"].as_array().unwrap();
        let names: Vec<&str> = regions
            .iter()
            .map(|r| r["region"].as_str().unwrap())
            .collect();
        assert_eq!(names, REGIONS);
        assert_eq!(
            dated(&regions[0]["added"]),
            [(
                "2027-05-07".to_string(),
                "Early May bank holiday".to_string()
            )]
        );
        assert_eq!(
            dated(&regions[0]["removed"]),
            [(
                "2027-05-03".to_string(),
                "Early May bank holiday".to_string()
            )]
        );
        assert_eq!(
            dated(&regions[1]["added"]),
            [("2028-06-12".to_string(), "Extra day".to_string())]
        );
        assert_eq!(regions[1]["removed"], json!([]));
        assert_eq!(regions[2]["added"], json!([]));
        for region in regions {
            assert_eq!(region["data_until"], "2028-12-31");
        }
    }
    // Nothing changed.
    let (scotland, data_until) = holiday_titles(&app, 2028, "scotland").await;
    assert!(!scotland.contains_key("2028-06-12"));
    assert_eq!(data_until, "2027-12-31");
    assert_eq!(
        working_days(&app, "2028-06-09", "2028-06-13", Some("scotland")).await,
        2
    );
    assert_eq!(
        add_working_days(&app, "2027-04-30", 1, None).await,
        "2027-05-04"
    );
    assert_eq!(imports_audited(&app, &audrey).await["total"], 0);
}

async fn cal2_holiday_import_applies_on_every_instance_and_is_audited(app: TestApp) {
    let admin = app.admin().await;
    let audrey = auditor(&app, &admin).await;
    let other = app.second_instance();
    let answer = |instance: &actix_web::web::Data<supervision::http::AppState>| {
        let (app, admin, instance) = (&app, admin.clone(), instance.clone());
        async move {
            let count = app
                .get_on(
                    &instance,
                    "/api/v1/calendar/working-days?from=2028-06-09&to=2028-06-13&region=scotland",
                    &admin,
                )
                .await
                .ok(200)["working_days"]
                .clone();
            let due = app
                .get_on(
                    &instance,
                    "/api/v1/calendar/add-working-days?from=2028-06-01&days=25&region=scotland",
                    &admin,
                )
                .await
                .ok(200)["date"]
                .clone();
            (count, due)
        }
    };
    // Both instances have built their calendars before the import. FREQ-1: held on Thursday
    // 1 June 2028 in Scotland, the next is due 25 working days later.
    let before = (json!(2), json!("2028-07-06"));
    assert_eq!(answer(&app.state).await, before);
    assert_eq!(answer(&other).await, before);

    let applied = app
        .post(&import_path(false), &admin, feed_with_changes())
        .await
        .ok(200);
    assert_eq!(applied["dry_run"], false);
    assert_eq!(dated(&applied["regions"][1]["added"])[0].0, "2028-06-12");

    // Scotland's extra day is not a working day, so the due date is a day later; England's
    // early May holiday moved to the Friday, so Monday 3 May counts and Friday 7 May not.
    let after = (json!(1), json!("2028-07-07"));
    assert_eq!(
        answer(&app.state).await,
        after,
        "this instance sees it at once"
    );
    // The other instance checks the settings' versions once a second (issue 18).
    tokio::time::sleep(supervision::store::organisation::CALENDARS_CHECKED_FOR).await;
    assert_eq!(
        answer(&other).await,
        after,
        "the other instance sees the import"
    );
    assert_eq!(
        add_working_days(&app, "2027-04-30", 1, None).await,
        "2027-05-03"
    );
    assert_eq!(
        add_working_days(&app, "2027-05-06", 1, None).await,
        "2027-05-10"
    );
    let (scotland, data_until) = holiday_titles(&app, 2028, "scotland").await;
    assert_eq!(scotland["2028-06-12"], "Extra day");
    assert_eq!(data_until, "2028-12-31");
    // Years the feed does not cover keep the rules and the shipped list.
    let (scotland, _) = holiday_titles(&app, 2025, "scotland").await;
    assert_eq!(scotland.len(), 9);

    // ACC-4: audited with counts and regions, no holiday content.
    let audited = imports_audited(&app, &audrey).await;
    assert_eq!(audited["total"], 1);
    let event = &audited["items"][0];
    assert_eq!(event["subject_type"], "holiday_import");
    let days: usize = REGIONS
        .iter()
        .map(|r| feed_with_changes()[r]["events"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        event["detail"],
        json!({"regions": REGIONS, "days": days, "added": 2, "removed": 1})
    );

    // Importing the plain feed later takes the extra day away again.
    let again = app
        .post(&import_path(false), &admin, govuk_feed(2026..=2028))
        .await
        .ok(200);
    assert_eq!(dated(&again["regions"][1]["removed"])[0].0, "2028-06-12");
    assert_eq!(answer(&app.state).await, before);
    tokio::time::sleep(supervision::store::organisation::CALENDARS_CHECKED_FOR).await;
    assert_eq!(answer(&other).await, before);
    assert_eq!(imports_audited(&app, &audrey).await["total"], 2);
}

async fn cal2_holiday_import_refuses_bad_feeds_and_non_administrators(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let audrey = auditor(&app, &admin).await;
    let apply = import_path(false);

    app.post(&apply, &ann, feed_with_changes())
        .await
        .problem(403, "forbidden");
    app.call(
        actix_web::test::TestRequest::post()
            .uri(&apply)
            .set_json(feed_with_changes()),
    )
    .await
    .problem(401, "unauthenticated");

    let mut bad = feed_with_changes();
    bad["scotland"]["events"][3]["date"] = json!("2026-02-30");
    names_field(
        &app.post(&apply, &admin, bad).await,
        422,
        "scotland.events[3].date",
    );
    let mut bad = feed_with_changes();
    bad["northern-ireland"]["division"] = json!("scotland");
    names_field(
        &app.post(&apply, &admin, bad).await,
        422,
        "northern-ireland.division",
    );
    let mut bad = feed_with_changes();
    bad.as_object_mut().unwrap().remove("england-and-wales");
    names_field(
        &app.post(&apply, &admin, bad).await,
        422,
        "england-and-wales",
    );
    let resp = app
        .call(
            actix_web::test::TestRequest::post()
                .uri(&apply)
                .insert_header(crate::support::bearer(&admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"scotland\": "),
        )
        .await;
    resp.problem(400, "malformed-request");
    names_field(
        &app.post(
            &format!("{IMPORTS}?dry_run=maybe"),
            &admin,
            feed_with_changes(),
        )
        .await,
        400,
        "dry_run",
    );

    // Nothing changed and nothing was audited.
    let (scotland, data_until) = holiday_titles(&app, 2028, "scotland").await;
    assert!(!scotland.contains_key("2028-06-12"));
    assert_eq!(data_until, "2027-12-31");
    assert_eq!(imports_audited(&app, &audrey).await["total"], 0);
}

async fn cal2_readyz_warns_when_holiday_data_ends_within_six_months(app: TestApp) {
    let admin = app.admin().await;
    let today = supervision::domain::people::organisation_today();
    let soon =
        |until: NaiveDate| today.checked_add_months(chrono::Months::new(6)).unwrap() >= until;
    let ready = app
        .call(actix_web::test::TestRequest::get().uri("/readyz"))
        .await
        .ok(200);
    assert_eq!(ready["status"], "ready");
    // The shipped data reaches the end of 2027.
    let warnings = ready["warnings"].as_array().map_or(0, Vec::len);
    assert_eq!(
        warnings,
        if soon(d("2027-12-31")) { 3 } else { 0 },
        "{ready}"
    );
    if warnings > 0 {
        assert!(ready["warnings"][0]
            .as_str()
            .unwrap()
            .contains("england-and-wales"));
    }

    let last_year = today.year() + 3;
    app.post(
        &import_path(false),
        &admin,
        govuk_feed(today.year()..=last_year),
    )
    .await
    .ok(200);
    let ready = app
        .call(actix_web::test::TestRequest::get().uri("/readyz"))
        .await
        .ok(200);
    assert!(!soon(d(&format!("{last_year}-12-31"))));
    assert_eq!(ready["warnings"], Value::Null, "{ready}");
}

async fn cal2_an_applied_import_moves_due_dates(app: TestApp) {
    use crate::sessions::{etag_of, past_session, post_if, signed_agreement, team, today};
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - chrono::Duration::days(60)).await;
    let session = past_session(&app, &agreement, &t, 0).await;
    let etag = etag_of(&app, &t.manager.1, &session).await;
    let held = format!("/api/v1/sessions/{session}/held");
    post_if(&app, &held, &t.manager.1, &etag, json!({}))
        .await
        .ok(200);
    let status = format!("/api/v1/people/{}/supervision-status", t.worker.0);
    let due_by = |status: &Value| d(status["due_by"].as_str().unwrap());
    let before = due_by(&app.get(&status, &t.manager.1).await.ok(200));
    // FREQ-1: a social worker held today is next due 25 working days on.
    let shipped = Calendar::new(Region::EnglandAndWales, &[]);
    assert_eq!(before, shipped.add_working_days(today(), 25).unwrap());

    // The next working day is now proclaimed a holiday in England and Wales (the
    // organisation's region).
    let extra = shipped.add_working_days(today(), 1).unwrap();
    let mut feed = govuk_feed(today().year()..=today().year() + 1);
    feed["england-and-wales"]["events"]
        .as_array_mut()
        .unwrap()
        .push(json!({"title": "Extra day", "date": extra, "notes": "", "bunting": true}));
    app.post(&import_path(false), &t.admin, feed).await.ok(200);

    let after = due_by(&app.get(&status, &t.manager.1).await.ok(200));
    assert_eq!(after, shipped.add_working_days(before, 1).unwrap());
}

crate::on_both_backends!(
    cal3_working_days_between_and_add_over_christmas,
    cal3_bad_input_names_the_field,
    cal2_holidays_list_with_names_per_region,
    cal1_closure_days_are_not_working_days,
    cal2_closure_days_are_for_administrators_and_validated,
    cal3_endpoints_match_a_day_by_day_count_over_random_pairs,
    cal2_holiday_import_dry_run_shows_changes_and_changes_nothing,
    cal2_holiday_import_applies_on_every_instance_and_is_audited,
    cal2_holiday_import_refuses_bad_feeds_and_non_administrators,
    cal2_readyz_warns_when_holiday_data_ends_within_six_months,
    cal2_an_applied_import_moves_due_dates,
);
