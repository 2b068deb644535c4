//! Reminders through the whole path (REM-2 to REM-5): plan, sweep, fire into the inbox,
//! claim, push to a local push service, retry, remove; and the calendar feed (REM-7).

use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::push::Receiver;
use crate::records::put_if;
use crate::sessions::{post_if, signed_agreement, team, today, Team};
use crate::support::TestApp;
use supervision::domain::reminders::ReminderKind;
use supervision::jobs::reminders::{dispatch, dispatch_leased, plan_due, tick, Lease, CONCURRENCY};
use supervision::store::reminders as store;
use supervision::store::schema::reminders;

fn at(offset: Duration) -> NaiveDateTime {
    (Utc::now() + offset).naive_utc()
}

async fn run(app: &TestApp, when: NaiveDateTime) -> supervision::jobs::reminders::Tick {
    tick(&app.db, &app.state.calendars, &app.state.push, "test", when)
        .await
        .expect("a tick")
}

/// No quiet hours, so what is tested does not depend on the hour the tests run.
async fn no_quiet_hours(app: &TestApp, token: &str, extra: Value) {
    let mut prefs =
        json!({"quiet_from": "00:00", "quiet_until": "00:00", "session_leads_minutes": [60]});
    for (k, v) in extra.as_object().unwrap() {
        prefs[k] = v.clone();
    }
    put_if(
        app,
        "/api/v1/me/reminder-preferences",
        token,
        "\"0\"",
        prefs,
    )
    .await
    .ok(200);
}

async fn booked(app: &TestApp, t: &Team, agreement: &str, starts_in: Duration) -> (String, String) {
    let starts = Utc::now() + starts_in;
    let created = app
        .post(
            &format!("/api/v1/agreements/{agreement}/sessions"),
            &t.manager.1,
            json!({"starts_at": starts.with_nanosecond(0).unwrap().to_rfc3339()}),
        )
        .await;
    let etag = created.header("etag").unwrap();
    (created.ok(201)["id"].as_str().unwrap().to_string(), etag)
}

async fn rem5_a_session_coming_up_is_pushed_once_to_each_device(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let receiver = Receiver::start();
    for device in ["phone", "tablet"] {
        app.post(
            "/api/v1/me/devices",
            &t.worker.1,
            receiver.subscription(device),
        )
        .await
        .ok(201);
    }
    let (session, _) = booked(&app, &t, &agreement, Duration::minutes(90)).await;

    // Planned, not yet due: nothing is pushed.
    let first = run(&app, at(Duration::zero())).await;
    assert!(first.added >= 1, "{first:?}");
    assert_eq!(receiver.received().len(), 0);
    // Half an hour later the one-hour reminder fires: inbox and both devices.
    let due = run(&app, at(Duration::minutes(31))).await;
    assert!(due.fired >= 1);
    let got = receiver.received();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got
        .iter()
        .all(|r| r.payload["title"] == "Supervision coming up"));
    assert!(got
        .iter()
        .all(|r| r.payload["link"] == format!("/sessions/{session}")));
    let inbox = app
        .get("/api/v1/me/notifications", &t.worker.1)
        .await
        .ok(200);
    assert!(inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "session_coming_up"));
    // Later ticks, and planning again, send nothing twice.
    store_touch(&app, &t.worker.0).await;
    run(&app, at(Duration::minutes(32))).await;
    run(&app, at(Duration::minutes(33))).await;
    assert_eq!(receiver.received().len(), 2);
}

/// REM-6: what a person typed (a session's place, here with a case reference and
/// initials) never goes into a push; the app shows it after signing in.
async fn rem6_a_session_place_never_reaches_a_push(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let receiver = Receiver::start();
    app.post(
        "/api/v1/me/devices",
        &t.worker.1,
        receiver.subscription("phone"),
    )
    .await
    .ok(201);
    let place = "Home visit re CIN-4471 (J.S.)";
    let starts = (Utc::now() + Duration::minutes(90))
        .with_nanosecond(0)
        .unwrap();
    app.post(
        &format!("/api/v1/agreements/{agreement}/sessions"),
        &t.manager.1,
        json!({"starts_at": starts.to_rfc3339(), "place": place}),
    )
    .await
    .ok(201);
    run(&app, at(Duration::zero())).await;
    run(&app, at(Duration::minutes(31))).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let payload = got[0].payload.to_string();
    assert_eq!(got[0].payload["title"], "Supervision coming up");
    for typed in ["CIN-4471", "J.S.", "Home visit"] {
        assert!(!payload.contains(typed), "{payload}");
    }
}

async fn store_touch(app: &TestApp, person: &str) {
    let person = person.to_string();
    app.db
        .write(move |conn| store::touch(conn, &person, supervision::store::now()))
        .await
        .unwrap();
}

async fn rem5_moving_a_session_replaces_its_reminders(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let (session, etag) = booked(&app, &t, &agreement, Duration::minutes(180)).await;
    run(&app, at(Duration::zero())).await;
    let fire_times = |app: &TestApp| {
        let (person, session) = (t.worker.0.clone(), session.clone());
        let db = app.db.clone();
        async move {
            db.read(move |conn| {
                Ok(reminders::table
                    .filter(reminders::person_id.eq(&person))
                    .filter(reminders::subject_id.eq(&session))
                    .select(reminders::fire_at)
                    .load::<NaiveDateTime>(conn)?)
            })
            .await
            .unwrap()
        }
    };
    let before = fire_times(&app).await;
    assert_eq!(before.len(), 1);
    let moved_to = (Utc::now() + Duration::minutes(300))
        .with_nanosecond(0)
        .unwrap();
    post_if(
        &app,
        &format!("/api/v1/sessions/{session}/reschedule"),
        &t.manager.1,
        &etag,
        json!({"starts_at": moved_to.to_rfc3339(), "reason": "urgent_work"}),
    )
    .await
    .ok(200);
    run(&app, at(Duration::minutes(1))).await;
    let after = fire_times(&app).await;
    assert_eq!(after, [(moved_to - Duration::minutes(60)).naive_utc()]);
}

async fn rem3_quiet_hours_hold_a_push_until_they_end(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    let receiver = Receiver::start();
    app.post(
        "/api/v1/me/devices",
        &t.worker.1,
        receiver.subscription("phone"),
    )
    .await
    .ok(201);
    // The reminder fires in an hour, inside quiet hours that end half an hour later; the
    // session itself, an hour after that, is outside them.
    let fire = Utc::now() + Duration::minutes(60);
    let london = |at: DateTime<Utc>| {
        at.with_timezone(&chrono_tz::Europe::London)
            .format("%H:%M")
            .to_string()
    };
    let quiet_from = london(fire - Duration::minutes(30));
    let quiet_until = london(fire + Duration::minutes(30));
    put_if(
        &app,
        "/api/v1/me/reminder-preferences",
        &t.worker.1,
        "\"0\"",
        json!({"quiet_from": quiet_from, "quiet_until": quiet_until, "session_leads_minutes": [120]}),
    )
    .await
    .ok(200);
    booked(&app, &t, &agreement, Duration::minutes(180)).await;
    run(&app, at(Duration::zero())).await;
    let worker = t.worker.0.clone();
    let deliver_at: NaiveDateTime = app
        .db
        .read(move |conn| {
            Ok(reminders::table
                .filter(reminders::person_id.eq(&worker))
                .select(reminders::deliver_at)
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert!(
        deliver_at >= (fire + Duration::minutes(29)).naive_utc(),
        "held past quiet hours"
    );
    // At the fire time it is in the inbox but not pushed; once quiet hours end it is.
    run(&app, at(Duration::minutes(61))).await;
    assert_eq!(receiver.received().len(), 0);
    let inbox = app
        .get("/api/v1/me/notifications?unread=true", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(inbox["total"], 1);
    dispatch(
        &app.db,
        &app.state.push,
        "test",
        deliver_at + Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!(receiver.received().len(), 1);
}

async fn rem1_busy_push_services_are_retried_and_gone_ones_removed(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let receiver = Receiver::start();
    app.post(
        "/api/v1/me/devices",
        &t.worker.1,
        receiver.subscription("phone"),
    )
    .await
    .ok(201);
    booked(&app, &t, &agreement, Duration::minutes(61)).await;
    receiver.answer(500, None);
    receiver.answer(429, Some("120"));
    let start = Utc::now();
    run(&app, at(Duration::minutes(2))).await;
    let state = |app: &TestApp| {
        let worker = t.worker.0.clone();
        let db = app.db.clone();
        async move {
            db.read(move |conn| store::deliveries_of(conn, &worker, ReminderKind::SessionComingUp))
                .await
                .unwrap()
        }
    };
    assert_eq!(state(&app).await[0].2, "pending");
    assert_eq!(state(&app).await[0].3, 1);
    // Retry times run from when the push service answered (now, in real time): 30 s of
    // backoff after the 500, then the two minutes the 429 asks for.
    let after = |seconds: i64| (start + Duration::seconds(seconds)).naive_utc();
    dispatch(&app.db, &app.state.push, "test", after(10))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 1, "not before the backoff");
    dispatch(&app.db, &app.state.push, "test", after(40))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 2);
    dispatch(&app.db, &app.state.push, "test", after(100))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 2, "Retry-After is honoured");
    dispatch(&app.db, &app.state.push, "test", after(170))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 3);
    assert_eq!(state(&app).await[0].2, "delivered");

    // A 410 removes the device and what was queued for it.
    booked(&app, &t, &agreement, Duration::minutes(62)).await;
    receiver.answer(410, None);
    run(&app, at(Duration::minutes(3))).await;
    assert_eq!(
        app.get("/api/v1/me/devices", &t.worker.1).await.ok(200),
        json!([])
    );
}

async fn rem2_kinds_turned_off_are_not_planned(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(
        &app,
        &t.worker.1,
        json!({"disabled": ["session_coming_up"]}),
    )
    .await;
    booked(&app, &t, &agreement, Duration::minutes(90)).await;
    run(&app, at(Duration::zero())).await;
    let worker = t.worker.0.clone();
    let count: i64 = app
        .db
        .read(move |conn| {
            Ok(reminders::table
                .filter(reminders::person_id.eq(&worker))
                .filter(reminders::kind.eq("session_coming_up"))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(count, 0);
    // The supervisor has not turned them off.
    let manager = t.manager.0.clone();
    let theirs: i64 = app
        .db
        .read(move |conn| {
            Ok(reminders::table
                .filter(reminders::person_id.eq(&manager))
                .filter(reminders::kind.eq("session_coming_up"))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert!(theirs >= 1);
    // Settings are checked.
    let etag = app
        .get("/api/v1/me/reminder-preferences", &t.worker.1)
        .await
        .header("etag")
        .unwrap();
    let bad = put_if(
        &app,
        "/api/v1/me/reminder-preferences",
        &t.worker.1,
        &etag,
        json!({"session_leads_minutes": [45]}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(bad["errors"][0]["field"], "session_leads_minutes");
    put_if(
        &app,
        "/api/v1/me/reminder-preferences",
        &t.worker.1,
        "\"0\"",
        json!({}),
    )
    .await
    .problem(412, "stale-version");
}

/// REM-5: two dispatchers share the work; one killed after claiming loses nothing once its
/// lease runs out, and nothing is sent twice.
async fn rem5_two_dispatchers_and_a_killed_one_deliver_each_push_once(app: TestApp) {
    let t = team(&app).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let receiver = Receiver::start();
    for device in ["phone", "tablet"] {
        app.post(
            "/api/v1/me/devices",
            &t.worker.1,
            receiver.subscription(device),
        )
        .await
        .ok(201);
    }
    fired_reminders(&app, &t.worker.0, 30).await;
    // A dispatcher claims ten and dies before sending.
    let claimed = app
        .db
        .write(|conn| {
            store::claim_deliveries(
                conn,
                "killed",
                supervision::store::now(),
                Duration::seconds(120),
                10,
            )
        })
        .await
        .unwrap()
        .claimed;
    assert_eq!(claimed.len(), 10);
    // Two live dispatchers run at once and share the rest.
    let (a, b) = futures_util::future::join(
        dispatch(&app.db, &app.state.push, "a", at(Duration::zero())),
        dispatch(&app.db, &app.state.push, "b", at(Duration::zero())),
    )
    .await;
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 50);
    assert_eq!(receiver.received().len(), 50);
    // After the lease the killed one's claims are taken over.
    dispatch(&app.db, &app.state.push, "a", at(Duration::seconds(121)))
        .await
        .unwrap();
    let per_push = pushes_per_delivery(&receiver);
    assert_eq!(per_push.len(), 60);
    assert!(
        per_push.values().all(|n| *n == 1),
        "every push once per device"
    );
    // And the killed dispatcher's late report changes nothing.
    let outcome = supervision::domain::push::Delivery::Delivered;
    app.db
        .write(move |conn| {
            for c in &claimed {
                store::record_delivery(conn, c, "killed", &outcome, supervision::store::now())?;
            }
            Ok(())
        })
        .await
        .unwrap();
    dispatch(&app.db, &app.state.push, "b", at(Duration::minutes(10)))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 60);
}

/// `n` action reminders for `person`, fired a minute ago: one pending delivery per device.
async fn fired_reminders(app: &TestApp, person: &str, n: usize) {
    let person = person.to_string();
    let now = Utc::now();
    app.db
        .write(move |conn| {
            let plan: Vec<_> = (0..n)
                .map(|i| supervision::domain::reminder_plan::Planned {
                    person_id: person.clone(),
                    kind: ReminderKind::ActionDue,
                    subject_id: format!("action-{i}"),
                    fire_at: now - Duration::minutes(1),
                    deliver_at: now - Duration::minutes(1),
                    deliver_by: now + Duration::hours(1),
                    title: "An action is due".into(),
                    body: "Test".into(),
                    link: "/me/actions".into(),
                })
                .collect();
            store::replace_plan(conn, &person, &plan, now.naive_utc())?;
            store::fire_due(conn, now.naive_utc(), n as i64)
        })
        .await
        .unwrap();
}

/// How many times the receiver got each (device, reminder), counted at the receiver.
fn pushes_per_delivery(receiver: &Receiver) -> std::collections::HashMap<(String, String), usize> {
    let mut per_push = std::collections::HashMap::new();
    for r in receiver.received() {
        let tag = r.payload["tag"].as_str().unwrap().to_string();
        *per_push.entry((r.path.clone(), tag)).or_default() += 1;
    }
    per_push
}

/// The states of `person`'s action reminders' deliveries, by subject.
async fn action_states(app: &TestApp, person: &str) -> Vec<(String, String)> {
    let person = person.to_string();
    app.db
        .read(move |conn| store::deliveries_of(conn, &person, ReminderKind::ActionDue))
        .await
        .unwrap()
        .into_iter()
        .map(|(subject, _, state, _)| (subject, state))
        .collect()
}

async fn with_devices(app: &TestApp, token: &str, receiver: &Receiver, devices: &[&str]) {
    for device in devices {
        app.post("/api/v1/me/devices", token, receiver.subscription(device))
            .await
            .ok(201);
    }
}

/// REM-5: a push service answering so slowly that the whole run outlasts the lease (three
/// seconds here, two minutes in service; the push timeout is half of it, as in service at
/// its longest). Three dispatchers, one joining once the first claims would have lapsed had
/// they been taken all at once: each (reminder, device) is pushed exactly once, and each
/// outcome recorded.
async fn rem5_dispatchers_sharing_a_slow_push_service_push_each_once(app: TestApp) {
    let t = team(&app).await;
    let receiver = Receiver::answering_in(std::time::Duration::from_millis(500));
    with_devices(&app, &t.worker.1, &receiver, &["phone", "tablet"]).await;
    fired_reminders(&app, &t.worker.0, 300).await;
    let lease = Lease {
        length: std::time::Duration::from_secs(3),
        push_timeout: std::time::Duration::from_millis(1_500),
    };
    assert_eq!(lease.claim_size(), CONCURRENCY as i64);
    let started = std::time::Instant::now();
    let run = |instance: &'static str, after: u64| {
        let app = &app;
        async move {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(after)).await;
            dispatch_leased(
                &app.db,
                &app.state.push,
                lease,
                instance,
                at(Duration::zero()),
            )
            .await
            .unwrap()
        }
    };
    let (a, b, c) = futures_util::future::join3(run("a", 0), run("b", 0), run("c", 3_200)).await;
    assert!(
        started.elapsed() > lease.length,
        "the pushes outlast one lease"
    );
    assert_eq!(a.sent + b.sent + c.sent, 600, "{a:?} {b:?} {c:?}");
    let per_push = pushes_per_delivery(&receiver);
    assert_eq!(per_push.len(), 600);
    assert!(per_push.values().all(|n| *n == 1), "each pushed once");
    let states = action_states(&app, &t.worker.0).await;
    assert!(
        states.iter().all(|(_, state)| state == "delivered"),
        "{states:?}"
    );
}

/// REM-5: each outcome is recorded as its push service answers, so a dispatcher stopped
/// mid-batch (as by `kill -9`) leaves only what was in flight to send again.
async fn rem5_a_dispatcher_stopped_mid_batch_resends_no_acknowledged_push(app: TestApp) {
    let t = team(&app).await;
    let receiver = Receiver::answering_in(std::time::Duration::from_millis(200));
    with_devices(&app, &t.worker.1, &receiver, &["phone"]).await;
    fired_reminders(&app, &t.worker.0, 100).await;
    let lease = Lease {
        length: std::time::Duration::from_secs(2),
        push_timeout: std::time::Duration::from_millis(500),
    };
    // Stopped once some outcomes are recorded, with more pushes in flight.
    let stopped = dispatch_leased(
        &app.db,
        &app.state.push,
        lease,
        "stopped",
        at(Duration::zero()),
    );
    let some_acknowledged = async {
        loop {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            let states = action_states(&app, &t.worker.0).await;
            if states.iter().filter(|(_, s)| s == "delivered").count() >= 10 {
                break;
            }
        }
    };
    let raced = futures_util::future::select(Box::pin(stopped), Box::pin(some_acknowledged)).await;
    assert!(
        matches!(raced, futures_util::future::Either::Right(_)),
        "stopped mid-batch"
    );
    drop(raced);
    let acknowledged: Vec<String> = action_states(&app, &t.worker.0)
        .await
        .into_iter()
        .filter(|(_, state)| state == "delivered")
        .map(|(subject, _)| format!("action_due-{subject}"))
        .collect();
    assert!(acknowledged.len() < 100);
    // Another instance, once the stopped one's lease has run out, sends the rest.
    dispatch_leased(
        &app.db,
        &app.state.push,
        lease,
        "next",
        at(Duration::seconds(3)),
    )
    .await
    .unwrap();
    let per_push = pushes_per_delivery(&receiver);
    assert_eq!(per_push.len(), 100, "none lost");
    for tag in &acknowledged {
        assert_eq!(
            per_push[&("/push/phone".to_string(), tag.clone())],
            1,
            "{tag} sent again"
        );
    }
    let again = per_push.values().filter(|n| **n > 1).count();
    assert!(
        again <= CONCURRENCY,
        "only pushes in flight are sent again: {again}"
    );
    assert!(per_push.values().all(|n| *n <= 2));
    let states = action_states(&app, &t.worker.0).await;
    assert!(states.iter().all(|(_, state)| state == "delivered"));
}

/// REM-5: a session reminder is not pushed once the session has started, and a busy push
/// service is not retried past it: both are recorded `expired`.
async fn rem5_a_session_reminder_past_its_start_is_expired_not_pushed(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    no_quiet_hours(&app, &t.worker.1, json!({})).await;
    let receiver = Receiver::start();
    with_devices(&app, &t.worker.1, &receiver, &["phone"]).await;
    let (first, _) = booked(&app, &t, &agreement, Duration::minutes(61)).await;
    let (second, _) = booked(&app, &t, &agreement, Duration::minutes(181)).await;
    plan_due(&app.db, &app.state.calendars, at(Duration::zero()))
        .await
        .unwrap();
    let states = |app: &TestApp| {
        let worker = t.worker.0.clone();
        let db = app.db.clone();
        async move {
            db.read(move |conn| store::deliveries_of(conn, &worker, ReminderKind::SessionComingUp))
                .await
                .unwrap()
                .into_iter()
                .map(|(subject, _, state, attempts)| (subject, (state, attempts)))
                .collect::<std::collections::HashMap<_, _>>()
        }
    };
    // The dispatcher was down until a minute after the first session started.
    let late = dispatch(&app.db, &app.state.push, "test", at(Duration::minutes(62)))
        .await
        .unwrap();
    assert_eq!(late.expired, 1, "{late:?}");
    assert_eq!(receiver.received().len(), 0);
    assert_eq!(states(&app).await[&first], ("expired".to_string(), 0));
    // The push service asks to wait until after the second session has started.
    receiver.answer(429, Some("21600"));
    dispatch(&app.db, &app.state.push, "test", at(Duration::minutes(122)))
        .await
        .unwrap();
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(states(&app).await[&second], ("expired".to_string(), 1));
    dispatch(&app.db, &app.state.push, "test", at(Duration::hours(7)))
        .await
        .unwrap();
    assert_eq!(
        receiver.received().len(),
        1,
        "not retried past its deadline"
    );
    // Both are still in the inbox (REM-4).
    let inbox = app
        .get("/api/v1/me/notifications", &t.worker.1)
        .await
        .ok(200);
    let coming_up = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "session_coming_up")
        .count();
    assert_eq!(coming_up, 2);
}

async fn rem7_the_calendar_feed_follows_changes(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(10)).await;
    let (session, etag) = booked(&app, &t, &agreement, Duration::days(3)).await;
    let made = app
        .post("/api/v1/me/calendar-feed", &t.worker.1, json!({}))
        .await
        .ok(201);
    let path = made["path"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/v1/me/calendar-feed", &t.worker.1)
            .await
            .ok(200)["path"],
        Value::Null
    );
    let (status, ics) = read_feed(&app, path.clone()).await;
    assert_eq!(status, 200);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains(&format!("UID:{session}@supervision")));
    assert!(ics.contains("TZID=Europe/London"));
    assert!(ics.contains("STATUS:CONFIRMED"));
    // A cancellation shows, with a higher SEQUENCE and the same UID.
    post_if(
        &app,
        &format!("/api/v1/sessions/{session}/cancel"),
        &t.manager.1,
        &etag,
        json!({"reason": "sickness", "new_starts_at": (Utc::now() + Duration::days(4)).with_nanosecond(0).unwrap().to_rfc3339()}),
    )
    .await
    .ok(200);
    let (_, after) = read_feed(&app, path.clone()).await;
    assert!(after.contains("STATUS:CANCELLED"), "{after}");
    // A new link revokes the old one; so does revoking.
    let renewed = app
        .post("/api/v1/me/calendar-feed", &t.worker.1, json!({}))
        .await
        .ok(201);
    assert_eq!(read_feed(&app, path).await.0, 404);
    let renewed = renewed["path"].as_str().unwrap().to_string();
    assert_eq!(read_feed(&app, renewed.clone()).await.0, 200);
    app.delete("/api/v1/me/calendar-feed", &t.worker.1)
        .await
        .ok(204);
    assert_eq!(read_feed(&app, renewed).await.0, 404);
}

/// A feed as a calendar app fetches it: status and text.
async fn read_feed(app: &TestApp, path: String) -> (u16, String) {
    let got = app.get_public(&path).await;
    (
        got.status.as_u16(),
        String::from_utf8(got.body.to_vec()).unwrap(),
    )
}

crate::on_both_backends!(
    rem5_a_session_coming_up_is_pushed_once_to_each_device,
    rem5_moving_a_session_replaces_its_reminders,
    rem3_quiet_hours_hold_a_push_until_they_end,
    rem1_busy_push_services_are_retried_and_gone_ones_removed,
    rem2_kinds_turned_off_are_not_planned,
    rem5_two_dispatchers_and_a_killed_one_deliver_each_push_once,
    rem5_dispatchers_sharing_a_slow_push_service_push_each_once,
    rem5_a_dispatcher_stopped_mid_batch_resends_no_acknowledged_push,
    rem5_a_session_reminder_past_its_start_is_expired_not_pushed,
    rem7_the_calendar_feed_follows_changes,
    rem6_a_session_place_never_reaches_a_push,
);
