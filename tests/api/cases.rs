//! Case supervision (CASE-1) through the API: the optional module, registering cases, the
//! frequency by status, case discussions in records, the child protection plan's nine-month
//! discussion, concurrency, who may see what (ACC-5) and the supervisor's reminders (REM-6).

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime, Utc, Weekday};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::records::{held_record, put_if};
use crate::sessions::{post_if, signed_agreement, team, Team};
use crate::support::{Resp, TestApp};
use supervision::domain::calendar::{Calendar, Region};
use supervision::domain::people::organisation_today;
use supervision::jobs::reminders::tick;
use supervision::store::schema::reminders;

fn today() -> NaiveDate {
    organisation_today()
}

fn months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(Months::new(n)).unwrap()
}

fn months_ago(n: u32) -> NaiveDate {
    today().checked_sub_months(Months::new(n)).unwrap()
}

fn date(value: &Value) -> NaiveDate {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a date: {value}"))
        .parse()
        .unwrap()
}

/// The administrator turns the module on.
pub(crate) async fn turn_on(app: &TestApp, admin: &str, on: bool) {
    let etag = app
        .get("/api/v1/organisation", admin)
        .await
        .header("etag")
        .unwrap();
    let set = app
        .patch(
            "/api/v1/organisation",
            admin,
            &etag,
            json!({"case_supervision": on}),
        )
        .await
        .ok(200);
    assert_eq!(set["case_supervision"], on);
}

async fn register(app: &TestApp, t: &Team, body: Value) -> Resp {
    let mut body = body;
    body["supervisee_id"] = json!(t.worker.0);
    app.post("/api/v1/cases", &t.manager.1, body).await
}

/// Registers a case as the worker's manager; returns it.
async fn registered(
    app: &TestApp,
    t: &Team,
    reference: &str,
    status: &str,
    since: NaiveDate,
) -> Value {
    register(
        app,
        t,
        json!({"case_reference": reference, "status": status, "status_since": since}),
    )
    .await
    .ok(201)
}

fn path(case: &Value) -> String {
    format!("/api/v1/cases/{}", case["id"].as_str().unwrap())
}

fn etag(case: &Value) -> String {
    format!("\"{}\"", case["version"])
}

async fn case1_the_module_is_off_until_an_administrator_turns_it_on(app: TestApp) {
    let t = team(&app).await;
    let org = app.get("/api/v1/organisation", &t.admin).await.ok(200);
    assert_eq!(org["case_supervision"], false);
    let body = json!({"case_reference": "CH-204518", "status": "child_in_need", "status_since": months_ago(1)});
    let refused = register(&app, &t, body.clone())
        .await
        .problem(409, "module-off");
    assert_eq!(refused["code"], "module-off");
    assert!(refused["detail"]
        .as_str()
        .unwrap()
        .contains("case_supervision"));
    app.get("/api/v1/cases", &t.manager.1)
        .await
        .problem(409, "module-off");
    // Only administrators turn it on.
    let etag = app
        .get("/api/v1/organisation", &t.manager.1)
        .await
        .header("etag")
        .unwrap();
    app.patch(
        "/api/v1/organisation",
        &t.manager.1,
        &etag,
        json!({"case_supervision": true}),
    )
    .await
    .problem(403, "forbidden");
    turn_on(&app, &t.admin, true).await;
    let case = register(&app, &t, body).await.ok(201);
    // Off again: the case is kept but the endpoints refuse.
    turn_on(&app, &t.admin, false).await;
    app.get(&path(&case), &t.manager.1)
        .await
        .problem(409, "module-off");
    turn_on(&app, &t.admin, true).await;
    app.get(&path(&case), &t.manager.1).await.ok(200);
}

async fn case1_registering_checks_the_reference_and_the_dates(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let since = months_ago(1);
    let named = register(
        &app,
        &t,
        json!({"case_reference": "Jane Smith", "status": "child_in_need", "status_since": since}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(named["errors"][0]["field"], "case_reference");
    let fields = |body: &Value| -> Vec<String> {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect()
    };
    let bad = register(
        &app,
        &t,
        json!({"case_reference": "CH-1", "status": "child_in_need", "status_since": today() + Duration::days(1), "permanence_plan_on": since}),
    )
    .await
    .problem(422, "validation-failed");
    assert_eq!(
        fields(&bad),
        ["case_reference", "status_since", "permanence_plan_on"]
    );
    register(
        &app,
        &t,
        json!({"case_reference": "CH-204518", "status": "looked_after", "status_since": since}),
    )
    .await
    .problem(400, "malformed-request");
    register(
        &app,
        &t,
        json!({"case_reference": "CH-204518", "status": "child_in_need", "status_since": since, "child_name": "x"}),
    )
    .await
    .problem(400, "malformed-request");
    // One open registration of a reference per worker.
    registered(&app, &t, "CH-204518", "child_in_need", since).await;
    register(
        &app,
        &t,
        json!({"case_reference": "CH-204518", "status": "child_protection", "status_since": since}),
    )
    .await
    .problem(409, "conflict");
    // The organisation's own pattern applies.
    let etag = app
        .get("/api/v1/organisation", &t.admin)
        .await
        .header("etag")
        .unwrap();
    app.patch(
        "/api/v1/organisation",
        &t.admin,
        &etag,
        json!({"case_reference_pattern": "LL[0-9]{6}"}),
    )
    .await
    .ok(200);
    registered(&app, &t, "LL123456", "child_in_need", since).await;
    register(
        &app,
        &t,
        json!({"case_reference": "CH-204519", "status": "child_in_need", "status_since": since}),
    )
    .await
    .problem(422, "validation-failed");
}

/// CASE-1: each status's frequency, counted from the status's start when never discussed.
async fn case1_each_status_is_due_at_its_frequency(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let since = today() - Duration::days(10);
    for (i, (status, every)) in [
        ("child_in_need", 2),
        ("child_in_need_reduced", 6),
        ("child_protection", 2),
        ("pre_proceedings", 1),
        ("public_law_proceedings", 1),
        ("placement_with_parents", 1),
        ("placed_for_adoption", 1),
        ("foster_placement", 1),
        ("residential_placement", 1),
    ]
    .into_iter()
    .enumerate()
    {
        let case = registered(&app, &t, &format!("CH-10000{i}"), status, since).await;
        assert_eq!(
            date(&case["next_discussion_due"]),
            months(since, every),
            "{status}"
        );
        assert_eq!(case["last_discussed_on"], Value::Null);
        assert_eq!(case["standing"], "on_track", "{status}");
        assert_eq!(case["cp_review"].is_null(), status != "child_protection");
    }
    // Never discussed for 3 months: overdue, and listed as such.
    let late = registered(&app, &t, "CH-200000", "child_in_need", months_ago(3)).await;
    assert_eq!(late["standing"], "overdue");
    let overdue = app
        .get("/api/v1/cases?overdue=true", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["id"], late["id"]);
    let all = app.get("/api/v1/cases?limit=3", &t.manager.1).await.ok(200);
    assert_eq!(all["total"], 10);
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    assert_eq!(all["items"][0]["id"], late["id"], "soonest due first");
    let monthly = app
        .get("/api/v1/cases?status=pre_proceedings", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(monthly["total"], 1);
    let soon = app
        .get("/api/v1/cases?due_within_days=40", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(soon["total"], 7, "the monthly ones and the overdue one");
    app.get("/api/v1/cases?due_within_days=400", &t.manager.1)
        .await
        .problem(422, "validation-failed");
    app.get("/api/v1/cases?standing=late", &t.manager.1)
        .await
        .problem(400, "malformed-request");
}

fn discussing(references: &[&str]) -> Value {
    let discussions: Vec<Value> = references
        .iter()
        .map(|r| json!({"case_reference": r, "status_codes": ["CIC"], "what_changed": "Placement settling."}))
        .collect();
    json!({"content": {"sections": {"issues_discussed": "Caseload."}, "case_discussions": discussions}})
}

/// CASE-1: a case discussion in a record of the worker counts as the case being discussed,
/// as the record says now: an edited draft that drops the case no longer counts.
async fn case1_a_record_discussing_the_case_moves_its_due_date(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(200)).await;
    let cin = registered(&app, &t, "CH-204518", "child_in_need", months_ago(1)).await;
    // Placed more than 3 months ago: every 2 months, or 3 once the permanence plan is in place.
    let placed = today() - Duration::days(120);
    let foster = registered(&app, &t, "CH-300001", "foster_placement", placed).await;
    let settled = register(
        &app,
        &t,
        json!({"case_reference": "CH-300002", "status": "residential_placement", "status_since": placed, "permanence_plan_on": today() - Duration::days(20)}),
    )
    .await
    .ok(201);
    assert_eq!(date(&foster["next_discussion_due"]), months(placed, 1));

    let record = held_record(&app, &t, &agreement, 5).await;
    let held_on = date(&record["record"]["held_on"]);
    let record_path = format!(
        "/api/v1/records/{}",
        record["record"]["id"].as_str().unwrap()
    );
    let saved = put_if(
        &app,
        &record_path,
        &t.manager.1,
        &format!("\"{}\"", record["record"]["version"]),
        discussing(&["CH-204518", "CH-300001", "CH-300002", "CH-999999"]),
    )
    .await;
    let record_etag = saved.header("etag").unwrap();
    saved.ok(200);
    let read = |case: &Value| {
        let path = path(case);
        let app = &app;
        let token = t.manager.1.clone();
        async move { app.get(&path, &token).await.ok(200) }
    };
    let cin_now = read(&cin).await;
    assert_eq!(date(&cin_now["last_discussed_on"]), held_on);
    assert_eq!(date(&cin_now["next_discussion_due"]), months(held_on, 2));
    assert_eq!(
        date(&read(&foster).await["next_discussion_due"]),
        months(held_on, 2)
    );
    assert_eq!(
        date(&read(&settled).await["next_discussion_due"]),
        months(held_on, 3)
    );
    // The draft edited to drop the first case: it is no longer discussed.
    put_if(
        &app,
        &record_path,
        &t.manager.1,
        &record_etag,
        discussing(&["CH-300001"]),
    )
    .await
    .ok(200);
    let cin_now = read(&cin).await;
    assert_eq!(cin_now["last_discussed_on"], Value::Null);
    assert_eq!(
        date(&cin_now["next_discussion_due"]),
        months(months_ago(1), 2)
    );
    assert_eq!(date(&read(&foster).await["last_discussed_on"]), held_on);
    assert_eq!(read(&settled).await["last_discussed_on"], Value::Null);
}

/// CASE-1 (001 §5.3): a child protection plan approaching 9 months is flagged to be
/// discussed 6 weeks before its review conference.
async fn case1_a_cp_plan_is_flagged_six_weeks_before_its_review_conference(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let since = months_ago(7);
    let cp = registered(&app, &t, "CH-204518", "child_protection", since).await;
    let review = &cp["cp_review"];
    let conference = months(since, 9);
    assert_eq!(date(&review["conference_on"]), conference);
    assert_eq!(date(&review["discuss_by"]), conference - Duration::days(42));
    assert_eq!(date(&review["flagged_on"]), conference - Duration::days(56));
    assert_eq!(review["standing"], "upcoming");
    // The conference is booked sooner: the discussion is now overdue.
    let conference = today() + Duration::days(30);
    let changed = app
        .patch(
            &path(&cp),
            &t.manager.1,
            &etag(&cp),
            json!({"review_conference_on": conference}),
        )
        .await
        .ok(200);
    assert_eq!(
        date(&changed["cp_review"]["discuss_by"]),
        today() - Duration::days(12)
    );
    assert_eq!(changed["cp_review"]["standing"], "overdue");
    // A review conference belongs to a child protection plan only.
    let refused = app
        .patch(
            &path(&cp),
            &t.manager.1,
            &etag(&changed),
            json!({"status": "child_in_need", "review_conference_on": conference}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(refused["errors"][0]["field"], "review_conference_on");
    // Stepped down to child in need: no flag, and the conference date goes with the plan.
    let stepped = app
        .patch(
            &path(&cp),
            &t.manager.1,
            &etag(&changed),
            json!({"status": "child_in_need"}),
        )
        .await
        .ok(200);
    assert_eq!(stepped["cp_review"], Value::Null);
    assert_eq!(stepped["review_conference_on"], Value::Null);
    assert_eq!(date(&stepped["status_since"]), today());
}

/// CASE-1 with SES-5's concurrency: a status change resets the count from the given date;
/// a stale If-Match is 412 with the case now, a missing one 428; a closed case stays
/// readable but is no longer tracked.
async fn case1_changes_need_a_fresh_if_match_and_closing_ends_tracking(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let case = registered(&app, &t, "CH-204518", "child_in_need", months_ago(1)).await;
    let started = today() - Duration::days(3);
    let changed = app
        .patch(
            &path(&case),
            &t.manager.1,
            &etag(&case),
            json!({"status": "pre_proceedings", "status_since": started}),
        )
        .await;
    assert_eq!(changed.header("etag").unwrap(), "\"2\"");
    let changed = changed.ok(200);
    assert_eq!(changed["status"], "pre_proceedings");
    assert_eq!(date(&changed["next_discussion_due"]), months(started, 1));
    let stale = app
        .patch(
            &path(&case),
            &t.manager.1,
            &etag(&case),
            json!({"status": "public_law_proceedings"}),
        )
        .await
        .problem(412, "stale-version");
    assert_eq!(stale["current"]["version"], 2);
    assert_eq!(stale["current"]["status"], "pre_proceedings");
    let missing = app
        .call(
            actix_web::test::TestRequest::patch()
                .uri(&path(&case))
                .insert_header(crate::support::bearer(&t.manager.1))
                .set_json(json!({"status": "public_law_proceedings"})),
        )
        .await;
    missing.problem(428, "if-match-required");

    post_if(
        &app,
        &format!("{}/close", path(&case)),
        &t.manager.1,
        &etag(&changed),
        json!({"closed_on": today() + Duration::days(1)}),
    )
    .await
    .problem(422, "validation-failed");
    let closed = post_if(
        &app,
        &format!("{}/close", path(&case)),
        &t.manager.1,
        &etag(&changed),
        json!({}),
    )
    .await
    .ok(200);
    assert_eq!(date(&closed["closed_on"]), today());
    assert_eq!(closed["standing"], "closed");
    assert_eq!(closed["next_discussion_due"], Value::Null);
    let refused = app
        .patch(
            &path(&case),
            &t.manager.1,
            &etag(&closed),
            json!({"status": "child_in_need"}),
        )
        .await
        .problem(409, "conflict");
    assert_eq!(refused["code"], "case-closed");
    let open = app.get("/api/v1/cases", &t.manager.1).await.ok(200);
    assert_eq!(open["total"], 0);
    let all = app
        .get("/api/v1/cases?include_closed=true", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(all["items"][0]["standing"], "closed");
    // Closed, the reference may be registered again.
    registered(&app, &t, "CH-204518", "child_in_need", today()).await;
}

/// ACC-5: the supervisor, managers above the worker and administrators change a case; the
/// worker and auditors read it; anyone else is told it does not exist.
async fn case1_access_follows_supervision_and_strangers_get_404(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    let (stranger_id, stranger) = app.worker(&t.admin, "stranger").await;
    let (_, auditor) = app
        .person(
            &t.admin,
            json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}),
        )
        .await;
    let case = registered(&app, &t, "CH-204518", "child_in_need", months_ago(1)).await;
    assert_eq!(case["supervisor_id"], t.manager.0);
    for token in [&t.manager.1, &t.worker.1, &t.head.1, &auditor, &t.admin] {
        app.get(&path(&case), token).await.ok(200);
    }
    app.get(&path(&case), &stranger)
        .await
        .problem(404, "not-found");
    let change = |token: String, version: i64| {
        let app = &app;
        let path = path(&case);
        async move {
            app.patch(
                &path,
                &token,
                &format!("\"{version}\""),
                json!({"status_since": months_ago(1) - Duration::days(1)}),
            )
            .await
        }
    };
    let refused = change(t.worker.1.clone(), 1)
        .await
        .problem(403, "forbidden");
    assert_eq!(refused["code"], "case-supervisor-only");
    change(auditor.clone(), 1).await.problem(403, "forbidden");
    change(stranger.clone(), 1).await.problem(404, "not-found");
    change(t.head.1.clone(), 1).await.ok(200);
    change(t.admin.clone(), 2).await.ok(200);

    // Registering: not for yourself, and not for someone you neither supervise nor manage.
    let body = json!({"case_reference": "CH-555555", "status": "child_in_need", "status_since": today(), "supervisee_id": t.worker.0});
    let refused = app
        .post("/api/v1/cases", &t.worker.1, body.clone())
        .await
        .problem(403, "forbidden");
    assert_eq!(refused["code"], "supervisor-or-manager-only");
    app.post("/api/v1/cases", &stranger, body.clone())
        .await
        .problem(404, "not-found");
    app.post("/api/v1/cases", &t.head.1, body).await.ok(201);

    // Lists: your own as supervisor; a worker's for them and those above them.
    let listed = |token: String, query: String| {
        let app = &app;
        async move { app.get(&format!("/api/v1/cases{query}"), &token).await }
    };
    assert_eq!(
        listed(t.manager.1.clone(), String::new()).await.ok(200)["total"],
        1
    );
    assert_eq!(
        listed(t.worker.1.clone(), String::new()).await.ok(200)["total"],
        0
    );
    let of_worker = format!("?supervisee_id={}", t.worker.0);
    for token in [&t.worker.1, &t.head.1, &auditor] {
        assert_eq!(
            listed(token.clone(), of_worker.clone()).await.ok(200)["total"],
            2
        );
    }
    listed(stranger.clone(), of_worker.clone())
        .await
        .problem(404, "not-found");
    listed(
        stranger,
        "?supervisee_id=019ab7c1-0000-7000-8000-000000000000".into(),
    )
    .await
    .problem(404, "not-found");

    // A handover, only to someone who supervises or manages the worker.
    let now = app.get(&path(&case), &t.manager.1).await;
    let etag = now.header("etag").unwrap();
    let refused = app
        .patch(
            &path(&case),
            &t.manager.1,
            &etag,
            json!({"supervisor_id": stranger_id}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(refused["errors"][0]["field"], "supervisor_id");
    let handed = app
        .patch(
            &path(&case),
            &t.manager.1,
            &etag,
            json!({"supervisor_id": t.head.0}),
        )
        .await
        .ok(200);
    assert_eq!(handed["supervisor_id"], t.head.0);
    assert_eq!(
        listed(t.manager.1.clone(), String::new()).await.ok(200)["total"],
        0
    );
    assert_eq!(
        listed(t.head.1.clone(), String::new()).await.ok(200)["total"],
        2
    );
}

/// The next working Wednesday after today, 06:00 UTC: a working morning before anything
/// fires, whatever day the tests run.
fn next_wednesday_morning() -> NaiveDateTime {
    let calendar = Calendar::new(Region::EnglandAndWales, &[]);
    let mut day = Utc::now().date_naive() + Duration::days(1);
    while day.weekday() != Weekday::Wed || !calendar.is_working_day(day).unwrap() {
        day += Duration::days(1);
    }
    day.and_hms_opt(6, 0, 0).unwrap()
}

/// CASE-1, REM-2, REM-6: the supervisor is reminded of an overdue case and of a child
/// protection plan's nine-month discussion, by a link to the case and never its reference;
/// with the module off, not at all.
async fn case1_case_reminders_go_to_the_supervisor_without_the_reference(app: TestApp) {
    let t = team(&app).await;
    turn_on(&app, &t.admin, true).await;
    put_if(
        &app,
        "/api/v1/me/reminder-preferences",
        &t.manager.1,
        "\"0\"",
        json!({"quiet_from": "00:00", "quiet_until": "00:00"}),
    )
    .await
    .ok(200);
    let overdue = registered(&app, &t, "CH-204518", "child_in_need", months_ago(3)).await;
    let when = next_wednesday_morning();
    // Flagged on that Wednesday: the conference is 8 weeks later.
    let cp = register(
        &app,
        &t,
        json!({"case_reference": "CH-300001", "status": "child_protection", "status_since": months_ago(1), "review_conference_on": when.date() + Duration::days(56)}),
    )
    .await
    .ok(201);
    let run = |at: NaiveDateTime| {
        let app = &app;
        async move {
            tick(&app.db, &app.state.calendars, &app.state.push, "test", at)
                .await
                .expect("a tick")
        }
    };
    run(when).await;
    let planned = |kind: &'static str| {
        let db = app.db.clone();
        async move {
            db.read(move |conn| {
                Ok(reminders::table
                    .filter(reminders::kind.eq(kind))
                    .select((
                        reminders::person_id,
                        reminders::subject_id,
                        reminders::title,
                        reminders::body,
                        reminders::link,
                    ))
                    .load::<(String, String, String, String, String)>(conn)?)
            })
            .await
            .unwrap()
        }
    };
    let due = planned("case_discussion_due").await;
    assert!(!due.is_empty());
    let flagged = planned("cp_review_discussion_due").await;
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    for ((person, subject, title, body, link), case) in due
        .iter()
        .map(|r| (r, &overdue))
        .chain(flagged.iter().map(|r| (r, &cp)))
    {
        assert_eq!(person, &t.manager.0);
        assert_eq!(subject, case["id"].as_str().unwrap());
        assert_eq!(link, &format!("/cases/{subject}"));
        for text in [title, body, link] {
            assert!(!text.contains("CH-"), "{text}");
        }
    }
    // Off: the next planning drops them.
    turn_on(&app, &t.admin, false).await;
    run(when + Duration::minutes(1)).await;
    assert!(planned("case_discussion_due").await.is_empty());
    assert!(planned("cp_review_discussion_due").await.is_empty());
}

crate::on_both_backends!(
    case1_the_module_is_off_until_an_administrator_turns_it_on,
    case1_registering_checks_the_reference_and_the_dates,
    case1_each_status_is_due_at_its_frequency,
    case1_a_record_discussing_the_case_moves_its_due_date,
    case1_a_cp_plan_is_flagged_six_weeks_before_its_review_conference,
    case1_changes_need_a_fresh_if_match_and_closing_ends_tracking,
    case1_access_follows_supervision_and_strangers_get_404,
    case1_case_reminders_go_to_the_supervisor_without_the_reference,
);
