//! The reads a phone makes each time the app opens run a fixed number of SQL statements,
//! whatever the data holds (no statement per session, per supervisee or per notification):
//! the numbers are pinned here, so a change that adds one fails until it is looked at.

use chrono::Utc;
use serde_json::Value;

use crate::support::{is_query, TestApp, PASSWORD};
use supervision::auth::password;
use supervision::store::{people, Backend};

#[path = "../../bench/support.rs"]
mod bench_support;
#[path = "../../bench/history.rs"]
mod history;
use history::{supervisee_with_history, History};

/// Statements per read, the access check (ACC-1) included: the same on both backends.
const PINNED: [(&str, usize); 7] = [
    ("/api/v1/me", 2),
    ("/api/v1/me/sessions", 3),
    // SES-3: a page where no session waits for a decision reads no pending moves.
    ("/api/v1/me/sessions?status=scheduled", 2),
    // The person, their override and their agreements' sessions in one statement.
    ("/api/v1/me/supervision-status", 2),
    ("/api/v1/me/notifications", 2),
    // Who is on the list, with their rows, in one statement.
    ("/api/v1/me/supervisees", 2),
    // SES-3: a manager's pending decisions, looked up from their side (not every pending
    // move in the organisation with a line-manager lookup each).
    ("/api/v1/me/pending-decisions", 2),
];

/// Whether the manager reads this (their supervisees, their decisions), not the worker.
fn managers_read(path: &str) -> bool {
    path.ends_with("/supervisees") || path.ends_with("/pending-decisions")
}

/// Adds `count` supervisees of `manager_id`, each with `history`; returns their ids.
async fn supervisees(
    app: &TestApp,
    manager_id: &str,
    first: usize,
    count: usize,
    history: History,
) -> Vec<String> {
    let hash = password::hash(PASSWORD);
    let manager_id = manager_id.to_string();
    app.db
        .write(move |conn| {
            let now = Utc::now().naive_utc();
            (first..first + count)
                .map(|i| {
                    let email = format!("worker{i}@test.example");
                    let worker =
                        people::insert(conn, bench_support::new_person(email, None, &hash))?;
                    supervisee_with_history(conn, &manager_id, &worker.id, &history, now)?;
                    Ok(worker.id)
                })
                .collect()
        })
        .await
        .expect("supervisees written")
}

/// Statements each home-screen read makes, the first supervisee reading their own and the
/// manager their supervisees, with the access check not cached and the calendars' check of
/// the settings made within the second before (as under load: once a second, not per read).
async fn counts(
    app: &TestApp,
    manager: &(String, String),
    worker: &(String, String),
) -> Vec<usize> {
    let reader = |path: &str| {
        if managers_read(path) {
            manager
        } else {
            worker
        }
    };
    // Warm up: calendars read and cached, the pool at its working size.
    for _ in 0..2 {
        for (path, _) in PINNED {
            app.get(path, &reader(path).1).await.ok(200);
        }
    }
    app.take_prepared_again();
    let mut made = Vec::new();
    let mut prepared_again = Vec::new();
    for (path, _) in PINNED {
        let (id, token) = reader(path);
        // Twice, keeping the fewer: on a loaded machine a read can start more than a second
        // after the check above, and then makes the check itself.
        let mut fewest = usize::MAX;
        for _ in 0..2 {
            app.state.access.forget(id);
            let calendars = app.state.calendars.clone();
            app.db
                .read(move |conn| calendars.load(conn).map(drop))
                .await
                .expect("calendars checked");
            let before = app.statements();
            app.get(path, token).await.ok(200);
            fewest = fewest.min(app.statements() - before);
            prepared_again.extend(app.take_prepared_again().into_iter().map(|sql| (path, sql)));
        }
        made.push(fewest);
    }
    // Each statement is prepared once per connection and kept: none is parsed and planned
    // again on every request.
    assert!(
        prepared_again.is_empty(),
        "prepared again: {prepared_again:#?}"
    );
    made
}

/// A manager and their first supervisee, worker0, with `history`: each as (id, token).
async fn manager_and_worker(
    app: &TestApp,
    history: History,
) -> ((String, String), (String, String)) {
    let admin = app.admin().await;
    let manager = app.worker(&admin, "manager").await;
    let worker = supervisees(app, &manager.0, 0, 1, history).await.remove(0);
    let token = app.token("worker0@test.example", PASSWORD).await;
    (manager, (worker, token))
}

async fn home_screen_reads_make_a_fixed_number_of_statements(app: TestApp) {
    let small = History {
        held_months: 1,
        booked: 1,
        notifications: 2,
        unread: 1,
    };
    let (manager, worker) = manager_and_worker(&app, small).await;
    let with_little = counts(&app, &manager, &worker).await;

    // Ten supervisees with a year each, and more of everything for the one reading.
    let year = || History {
        held_months: 12,
        booked: 4,
        notifications: 60,
        unread: 20,
    };
    supervisees(&app, &manager.0, 1, 9, year()).await;
    {
        let (manager_id, worker_id) = (manager.0.clone(), worker.0.clone());
        app.db
            .write(move |conn| {
                supervisee_with_history(
                    conn,
                    &manager_id,
                    &worker_id,
                    &year(),
                    Utc::now().naive_utc(),
                )
            })
            .await
            .expect("more history");
    }
    assert_eq!(
        app.get("/api/v1/me/supervisees", &manager.1).await.ok(200)["total"],
        10
    );
    let with_a_year = counts(&app, &manager, &worker).await;

    let pinned: Vec<usize> = PINNED.iter().map(|&(_, count)| count).collect();
    let reads: Vec<&str> = PINNED.iter().map(|&(path, _)| path).collect();
    assert_eq!(with_little, pinned, "with little data: {reads:?}");
    assert_eq!(with_a_year, pinned, "with a year of data: {reads:?}");
    follow_the_readers_rows(&app, &manager, &worker).await;
}

/// Issue 18, on SQLite, whose plans follow the indexes alone: no statement of a home-screen
/// read walks a whole table; the inbox comes off its index in order, not with the person's
/// whole inbox sorted aside; a page of sessions finds its pending moves by session, not by
/// walking every pending move in the organisation. (A manager's pending decisions do start
/// from the organisation's pending moves, which are the few open proposals.)
async fn follow_the_readers_rows(
    app: &TestApp,
    manager: &(String, String),
    worker: &(String, String),
) {
    app.watch_sql();
    for (path, _) in PINNED {
        let token = if managers_read(path) {
            &manager.1
        } else {
            &worker.1
        };
        app.take_sql();
        app.get(path, token).await.ok(200);
        let ran = app.take_sql();
        if app.db.backend() == Backend::Sqlite {
            no_transaction_on_sqlite(path, &ran);
        }
        for sql in ran.into_iter().filter(|sql| is_query(sql)) {
            let Some(plan) = app.sqlite_plan(&sql) else {
                return;
            };
            let says = |words: &str| plan.iter().any(|step| step.contains(words));
            // "SCAN (subquery-1)" reads a subquery's own rows and "SCAN CONSTANT ROW" none.
            let whole_table = plan.iter().any(|step| {
                step.strip_prefix("SCAN ").is_some_and(|rest| {
                    rest.starts_with(|c: char| c.is_ascii_alphabetic())
                        && !rest.starts_with("CONSTANT ROW")
                })
            });
            assert!(!whole_table, "{path} walks a whole table: {sql}\n{plan:#?}");
            if path.ends_with("/notifications") {
                assert!(!says("TEMP B-TREE"), "the inbox is sorted aside: {plan:#?}");
            }
            if path.ends_with("/sessions") && sql.contains("FROM `session_changes`") {
                assert!(
                    says("session_id=?"),
                    "pending moves not by session: {plan:#?}"
                );
            }
        }
    }
}

/// Issue 18, on SQLite: no home-screen read runs in a transaction. A status, worked out
/// from several tables, reads them in one statement; beginning and ending a transaction
/// costs more than the read lock a statement takes alone.
fn no_transaction_on_sqlite(path: &str, ran: &[String]) {
    let control = |word: &str| ran.iter().filter(|sql| sql.starts_with(word)).count();
    assert_eq!(
        (control("BEGIN"), control("COMMIT")),
        (0, 0),
        "{path} ran {ran:#?}"
    );
}

/// A page of one of my lists (`/api/v1/me/{list}?{query}`): its length, total and unread count.
async fn page(app: &TestApp, token: &str, list: &str, query: &str) -> (usize, Value, Value) {
    let page = app
        .get(&format!("/api/v1/me/{list}?{query}"), token)
        .await
        .ok(200);
    let items = page["items"].as_array().expect("items").len();
    (items, page["total"].clone(), page["unread"].clone())
}

/// REM-4, SES-1: a page of the inbox or of the sessions carries its counts in its own rows;
/// a page past the end, and the unread inbox alone, still say how many there are.
async fn rem4_lists_count_every_row_on_any_page(app: TestApp) {
    let history = History {
        held_months: 2,
        booked: 3,
        notifications: 7,
        unread: 3,
    };
    let (_, (_, token)) = manager_and_worker(&app, history).await;
    let inbox = |query: &'static str| page(&app, &token, "notifications", query);
    assert_eq!(inbox("").await, (7, 7.into(), 3.into()));
    assert_eq!(inbox("limit=5&offset=5").await, (2, 7.into(), 3.into()));
    assert_eq!(inbox("limit=5&offset=10").await, (0, 7.into(), 3.into()));
    assert_eq!(inbox("unread=true").await, (3, 3.into(), 3.into()));
    assert_eq!(inbox("unread=true&offset=3").await, (0, 3.into(), 3.into()));

    let sessions = |query: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let (items, total, _) = page(app, token, "sessions", query).await;
            (items, total)
        }
    };
    assert_eq!(sessions("").await, (3, 3.into()));
    assert_eq!(sessions("limit=2&offset=2").await, (1, 3.into()));
    assert_eq!(sessions("limit=2&offset=4").await, (0, 3.into()));
    // A full page counts what lies beyond it; one short of full counts itself.
    assert_eq!(sessions("limit=3").await, (3, 3.into()));
    assert_eq!(sessions("limit=4").await, (3, 3.into()));
    for offset in 0..5 {
        let query = format!("limit=1&offset={offset}");
        let (items, total, _) = page(&app, &token, "sessions", &query).await;
        assert_eq!(
            (items, total),
            (usize::from(offset < 3), 3.into()),
            "{query}"
        );
    }
}

/// A person's sessions by start and status (SES-1), as the app lists them (issue 18's page of
/// one statement): for any window, status and page, the page holds the matching sessions in
/// time order from its offset, and its total counts them all, whether the page is full,
/// short or past the end. Sampled over half a year of held sessions and four booked,
/// against the table itself.
async fn ses1_any_page_of_my_sessions_is_the_matching_slice_with_its_total(app: TestApp) {
    use chrono::{Duration, NaiveDateTime, SecondsFormat};
    use diesel::prelude::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use supervision::store::schema::sessions;
    let history = History {
        held_months: 6,
        booked: 4,
        notifications: 0,
        unread: 0,
    };
    let (_, (worker, token)) = manager_and_worker(&app, history).await;
    let all: Vec<(String, NaiveDateTime, String)> = app
        .db
        .read(move |conn| {
            Ok(sessions::table
                .filter(
                    sessions::supervisee_id
                        .eq(&worker)
                        .or(sessions::supervisor_id.eq(&worker)),
                )
                .select((sessions::id, sessions::starts_at, sessions::status))
                .load(conn)?)
        })
        .await
        .expect("the worker's sessions");
    assert_eq!(all.len(), 10, "{all:?}");
    let now = Utc::now().naive_utc();
    let statuses = [
        "scheduled",
        "reschedule_pending",
        "held",
        "missed",
        "cancelled",
    ];
    let samples = (
        -220i64..60,
        prop::option::of(1i64..240),
        prop::option::of(prop::sample::select(statuses.to_vec())),
        1i64..7,
        0i64..12,
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..40 {
        let (from_days, span_days, status, limit, offset) =
            samples.new_tree(&mut runner).unwrap().current();
        let from = now + Duration::days(from_days);
        let to = span_days.map(|span| from + Duration::days(span));
        let rfc3339 = |at: NaiveDateTime| at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut query = format!("from={}&limit={limit}&offset={offset}", rfc3339(from));
        if let Some(to) = to {
            query += &format!("&to={}", rfc3339(to));
        }
        if let Some(status) = status {
            query += &format!("&status={status}");
        }
        let wanted: &[&str] = match status {
            Some(status) => &[status][..],
            None => &statuses[..2],
        };
        // Whole seconds, as the query sends them.
        let from = rfc3339(from)
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
            .naive_utc();
        let to = to.map(|to| {
            rfc3339(to)
                .parse::<chrono::DateTime<Utc>>()
                .unwrap()
                .naive_utc()
        });
        let mut matching: Vec<&(String, NaiveDateTime, String)> = all
            .iter()
            .filter(|(_, starts_at, status)| {
                *starts_at >= from
                    && to.is_none_or(|to| *starts_at < to)
                    && wanted.contains(&status.as_str())
            })
            .collect();
        matching.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let expected: Vec<&str> = matching
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(id, _, _)| id.as_str())
            .collect();
        let page = app
            .get(&format!("/api/v1/me/sessions?{query}"), &token)
            .await
            .ok(200);
        let ids: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["id"].as_str().expect("an id"))
            .collect();
        assert_eq!(ids, expected, "{query}");
        assert_eq!(page["total"], matching.len(), "{query}");
    }
}

/// FREQ-4 (issue 18): one person's status, read in one statement (the person, their override
/// and their agreements with each one's last held and next booked 1:1), is read from the
/// rows the agreements' and the override's own reads find, and is the status their line in
/// a manager's list shows; they are on that list when an agreement with the manager is in
/// force (AGR-3). Sampled over people of each category, with or without an override, one to
/// three agreements of any kind with the manager or another, signed or not, begun or not yet,
/// and sessions of two kinds in every status, past and future.
async fn freq4_one_persons_status_matches_their_line_in_a_list(app: TestApp) {
    use std::collections::BTreeMap;

    use chrono::{Duration, NaiveDateTime, NaiveTime, Weekday};
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use supervision::domain::people::StaffCategory;
    use supervision::domain::policy::Interval;
    use supervision::domain::sessions::{
        agreement_in_force, AgreementKind, Party, SessionKind, SessionStatus,
    };
    use supervision::store::agreements::{self, NewAgreement};
    use supervision::store::organisation;
    use supervision::store::sessions::{self, NewSession};
    use supervision::store::status as status_rows;

    let admin = app.admin().await;
    let manager = app.worker(&admin, "manager").await;
    let other = app.worker(&admin, "other").await;
    let hash = password::hash(PASSWORD);
    let categories = vec![
        StaffCategory::SocialWorker,
        StaffCategory::Asye,
        StaffCategory::Student,
        StaffCategory::OtherStaff,
    ];
    let kinds = vec![
        AgreementKind::LineManagement,
        AgreementKind::PracticeEducator,
        AgreementKind::PlacementSupervisor,
        AgreementKind::Professional,
        AgreementKind::Clinical,
    ];
    let statuses = vec![
        SessionStatus::Held,
        SessionStatus::Scheduled,
        SessionStatus::ReschedulePending,
        SessionStatus::Missed,
        SessionStatus::Cancelled,
    ];
    let interval = prop_oneof![
        (5u32..40).prop_map(Interval::MaxWorkingDays),
        (7u32..60).prop_map(Interval::MaxCalendarDays),
        (1u32..4).prop_map(Interval::EveryMonths),
    ];
    // (agreement, one-to-one or ad hoc, days from now, status)
    let session = (
        0usize..3,
        any::<bool>(),
        -400i64..60,
        prop::sample::select(statuses),
    );
    let samples = (
        prop::sample::select(categories),
        0i64..900,
        prop::option::of(interval),
        // (kind, days since it began or, below 0, until it begins, signed, with the manager)
        prop::collection::vec(
            (
                prop::sample::select(kinds),
                -30i64..500,
                any::<bool>(),
                any::<bool>(),
            ),
            1..4,
        ),
        prop::collection::vec(session, 0..9),
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for case in 0..24 {
        let sample = samples.new_tree(&mut runner).unwrap().current();
        let described = format!("{sample:?}");
        let (category, employed_days, interval, agreed, held) = sample;
        let (manager_id, other_id, hash) = (manager.0.clone(), other.0.clone(), hash.clone());
        // On the manager's list: under an agreement with them in force today (AGR-3).
        let today = Utc::now().date_naive();
        let listed = agreed.iter().any(|&(_, began_days, signed, with_manager)| {
            with_manager
                && agreement_in_force(
                    signed,
                    signed,
                    today - Duration::days(began_days),
                    None,
                    today,
                )
        });
        let person = app
            .db
            .write(move |conn| {
                let now = Utc::now().naive_utc();
                let today = now.date();
                let mut new =
                    bench_support::new_person(format!("p{case}@test.example"), None, &hash);
                new.staff_category = category;
                new.employment_start = Some(today - Duration::days(employed_days));
                new.asye_start = Some(today - Duration::days(employed_days / 2));
                new.placement_start = Some(today - Duration::days(employed_days / 3));
                new.placement_end = Some(today + Duration::days(60));
                let person = people::insert(conn, new)?;
                if let Some(interval) = interval {
                    organisation::set_override(conn, &person.id, interval, "Sampled", &manager_id)?;
                }
                let mut ids = Vec::new();
                for (kind, began_days, signed, with_manager) in agreed {
                    let supervisor_id = if with_manager { &manager_id } else { &other_id };
                    let agreement = agreements::insert(
                        conn,
                        NewAgreement {
                            supervisee_id: person.id.clone(),
                            supervisor_id: supervisor_id.clone(),
                            kind,
                            frequency: Interval::EveryMonths(1),
                            session_minutes: 60,
                            usual_weekday: Weekday::Tue,
                            usual_time: NaiveTime::from_hms_opt(10, 0, 0).expect("a time"),
                            place: "Room 1".into(),
                            agenda: "Cases".into(),
                            starts_on: today - Duration::days(began_days),
                            created_by: manager_id.clone(),
                        },
                    )?;
                    if signed {
                        let agreement = agreements::sign(
                            conn,
                            &agreement.id,
                            Party::Supervisor,
                            agreement.version,
                        )?;
                        agreements::sign(
                            conn,
                            &agreement.id,
                            Party::Supervisee,
                            agreement.version,
                        )?;
                    }
                    ids.push(agreement.id);
                }
                for (which, one_to_one, days, status) in held {
                    let new = NewSession {
                        agreement_id: Some(ids[which % ids.len()].clone()),
                        team_id: None,
                        kind: if one_to_one {
                            SessionKind::OneToOne
                        } else {
                            SessionKind::AdHoc
                        },
                        supervisor_id: manager_id.clone(),
                        supervisee_id: Some(person.id.clone()),
                        starts_at: now + Duration::days(days),
                        duration_minutes: 60,
                        place: "Room 1".into(),
                        replaces_id: None,
                        created_by: manager_id.clone(),
                    };
                    let session = sessions::insert(conn, new)?;
                    if status != SessionStatus::Scheduled {
                        sessions::update(conn, &session.id, session.version, status, None)?;
                    }
                }
                Ok(person.id)
            })
            .await
            .expect("a sampled person");
        // The rows themselves, against the reads a plan's due date still makes apart.
        let (id, now) = (person.clone(), Utc::now().naive_utc());
        let (together, apart) = app
            .db
            .read(move |conn| {
                type Summary = (
                    Vec<agreements::Terms>,
                    BTreeMap<String, NaiveDateTime>,
                    BTreeMap<String, NaiveDateTime>,
                    Option<Interval>,
                );
                let summary = |mut terms: Vec<agreements::Terms>,
                               found: sessions::FrequencySessions,
                               interval|
                 -> Summary {
                    terms.sort_by(|a, b| a.id.cmp(&b.id));
                    (
                        terms,
                        found.last_held.into_iter().collect(),
                        found.next_booked.into_iter().collect(),
                        interval,
                    )
                };
                let (_, rows) = status_rows::of_person(conn, &id, now)?;
                let interval = rows.overrides.get(&id).copied();
                let together = summary(
                    rows.terms,
                    rows.sessions.expect("read with the terms"),
                    interval,
                );
                let (terms, found) = sessions::frequency_sessions(
                    conn,
                    sessions::AgreementsOf::Supervisees(std::slice::from_ref(&id)),
                    None,
                    now,
                )?;
                let interval = organisation::frequency_override(conn, &id)?.map(|o| o.interval);
                Ok((together, summary(terms, found, interval)))
            })
            .await
            .expect("the rows read both ways");
        assert_eq!(together, apart, "{described}");

        let alone = app
            .get(
                &format!("/api/v1/people/{person}/supervision-status"),
                &admin,
            )
            .await
            .ok(200);
        let list = app
            .get("/api/v1/me/supervisees?limit=200", &manager.1)
            .await
            .ok(200);
        let in_list = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|line| line["person_id"] == person.as_str());
        assert_eq!(in_list.is_some(), listed, "on the list: {described}");
        if let Some(in_list) = in_list {
            assert_eq!(&alone, in_list, "{described}");
        }
    }
}

crate::on_both_backends!(
    home_screen_reads_make_a_fixed_number_of_statements,
    rem4_lists_count_every_row_on_any_page,
    ses1_any_page_of_my_sessions_is_the_matching_slice_with_its_total,
    freq4_one_persons_status_matches_their_line_in_a_list,
);
