//! Organisation settings, policy profiles and per-person frequency overrides through the API
//! (CAL-1, FREQ-3, ACC-5).

use actix_web::test::TestRequest;
use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::support::{bearer, Resp, TestApp};

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

async fn working_days(app: &TestApp, query: &str) -> i64 {
    app.get_public(&format!("/api/v1/calendar/working-days?{query}"))
        .await
        .ok(200)["working_days"]
        .as_i64()
        .unwrap()
}

async fn auditor(app: &TestApp, admin: &str) -> String {
    app.person(
        admin,
        json!({"email": "audrey@test.example", "display_name": "audrey", "staff_category": "other_staff", "is_auditor": true}),
    )
    .await
    .1
}

async fn cal1_organisation_settings_change_with_if_match(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    let audrey = auditor(&app, &admin).await;
    let path = "/api/v1/organisation";

    app.get_public(path).await.problem(401, "unauthenticated");
    let read = app.get(path, &ann).await;
    let body = read.ok(200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(body["holiday_region"], "england-and-wales");
    assert_eq!(body["policy_profile"], "default");
    assert_eq!(body["version"], 1);
    assert!(body["updated_at"].is_string());

    app.patch(path, &ann, "\"1\"", json!({"holiday_region": "scotland"}))
        .await
        .problem(403, "forbidden");
    app.call(
        TestRequest::patch()
            .uri(path)
            .insert_header(bearer(&admin))
            .set_json(json!({"holiday_region": "scotland"})),
    )
    .await
    .problem(428, "if-match-required");
    let body = names_field(
        &app.patch(path, &admin, "\"1\"", json!({"policy_profile": "lenient"}))
            .await,
        422,
        "policy_profile",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("cafcass"));
    names_field(
        &app.patch(path, &admin, "\"1\"", json!({"holiday_region": "wales"}))
            .await,
        400,
        "holiday_region",
    );
    names_field(
        &app.patch(path, &admin, "\"1\"", json!({"timezone": "UTC"}))
            .await,
        400,
        "timezone",
    );

    let changed = app
        .patch(path, &admin, "\"1\"", json!({"holiday_region": "scotland"}))
        .await;
    let body = changed.ok(200);
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(body["holiday_region"], "scotland");
    assert_eq!(body["policy_profile"], "default");
    assert_eq!(body["version"], 2);
    let stale = app
        .patch(path, &admin, "\"1\"", json!({"policy_profile": "cafcass"}))
        .await
        .problem(412, "stale-version");
    assert_eq!(stale["current"]["holiday_region"], "scotland");
    assert_eq!(stale["current"]["version"], 2);
    let body = app
        .patch(path, &admin, "\"2\"", json!({"policy_profile": "cafcass"}))
        .await
        .ok(200);
    assert_eq!(
        (&body["holiday_region"], &body["policy_profile"]),
        (&json!("scotland"), &json!("cafcass"))
    );
    assert_eq!(app.get(path, &ann).await.ok(200)["version"], 3);

    // The public helpers keep England and Wales as their default region; St Andrew's Day
    // (Monday 30 November 2026) counts only when Scotland is asked for.
    assert_eq!(working_days(&app, "from=2026-11-27&to=2026-11-30").await, 1);
    assert_eq!(
        working_days(&app, "from=2026-11-27&to=2026-11-30&region=scotland").await,
        0
    );

    let audit = app
        .get("/api/v1/audit?action=organisation.updated", &audrey)
        .await
        .ok(200);
    assert_eq!(audit["total"], 2);
    assert_eq!(
        audit["items"][0]["detail"]["after"]["policy_profile"],
        "cafcass"
    );
}

async fn freq3_policy_profiles_are_listed_with_their_rules(app: TestApp) {
    let admin = app.admin().await;
    let (_, ann) = app.worker(&admin, "ann").await;
    app.get_public("/api/v1/policy-profiles")
        .await
        .problem(401, "unauthenticated");
    let listed = app.get("/api/v1/policy-profiles", &ann).await.ok(200);
    assert_eq!(listed["total"], 2);
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "cafcass"]);

    let default = &listed["items"][0];
    assert_eq!(default["name"], "Default");
    assert!(default["description"].as_str().unwrap().len() > 20);
    let categories = default["categories"].as_object().unwrap();
    assert_eq!(categories.len(), 7);
    assert_eq!(
        default["categories"]["social_worker"]["phases"][0]["interval"],
        json!({"max_working_days": 25})
    );
    let asye = &default["categories"]["asye"];
    assert_eq!(asye["anchor"], "asye_start");
    let intervals: Vec<&Value> = asye["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["interval"])
        .collect();
    assert_eq!(
        intervals,
        [
            &json!({"max_calendar_days": 7}),
            &json!({"max_calendar_days": 14}),
            &json!({"max_working_days": 25})
        ]
    );
    assert_eq!(asye["phases"][0]["to_week"], 6);
    assert_eq!(asye["phases"][2]["to_week"], Value::Null);
    let student = &default["categories"]["student"]["phases"][0];
    assert_eq!(student["min_duration_minutes"], 90);
    assert_eq!(student["alternate_supervisors"], true);
    assert_eq!(default["group_supervision"], json!({"every_months": 1}));
    assert_eq!(default["observations_per_year"], 2);

    let cafcass = app
        .get("/api/v1/policy-profiles/cafcass", &ann)
        .await
        .ok(200);
    let social_worker = &cafcass["categories"]["social_worker"]["phases"][0];
    assert_eq!(social_worker["interval"], json!({"max_calendar_days": 42}));
    assert_eq!(social_worker["min_per_year"], 8);
    assert_eq!(social_worker["min_duration_minutes"], 90);
    assert_eq!(
        cafcass["observation_settings_required"],
        json!(["direct_work_with_child", "direct_work_with_adult"])
    );
    let page = app
        .get("/api/v1/policy-profiles?limit=1&offset=1", &ann)
        .await
        .ok(200);
    assert_eq!(page["items"][0]["id"], "cafcass");
    app.get("/api/v1/policy-profiles/lenient", &ann)
        .await
        .problem(404, "not-found");
    app.get_public("/api/v1/policy-profiles/default")
        .await
        .problem(401, "unauthenticated");
}

fn interval(value: Value) -> Value {
    json!({"interval": value, "reason": "Performance support plan agreed on 2 November"})
}

async fn freq3_override_more_frequent_only(app: TestApp) {
    let admin = app.admin().await;
    let (tm, tm_token) = app.worker(&admin, "tm").await;
    let (sw, _) = app.worker(&admin, "sw").await;
    let asye_start = Utc::now().date_naive() - Days::new(14);
    let (asye, _) = app
        .person(
            &admin,
            json!({"email": "asha@test.example", "display_name": "asha", "staff_category": "asye", "asye_start": asye_start}),
        )
        .await;
    app.manage(&admin, &sw, &tm).await;
    app.manage(&admin, &asye, &tm).await;
    let sw_path = format!("/api/v1/people/{sw}/frequency-override");
    let asye_path = format!("/api/v1/people/{asye}/frequency-override");

    let set = app
        .put(
            &sw_path,
            &tm_token,
            interval(json!({"max_working_days": 15})),
        )
        .await
        .ok(200);
    assert_eq!(set["person_id"], sw.as_str());
    assert_eq!(set["interval"], json!({"max_working_days": 15}));
    assert_eq!(set["policy_interval"], json!({"max_working_days": 25}));
    assert_eq!(set["in_force"], true);
    assert_eq!(set["set_by"], tm.as_str());
    assert_eq!(
        set["reason"],
        "Performance support plan agreed on 2 November"
    );

    // Less frequent than 25 working days (nominally 35 calendar days) is refused.
    for less in [
        json!({"max_working_days": 26}),
        json!({"max_calendar_days": 36}),
        json!({"every_months": 2}),
    ] {
        let body = names_field(
            &app.put(&sw_path, &tm_token, interval(less.clone())).await,
            422,
            "interval",
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("less frequent than the policy"),
            "{message}"
        );
        assert!(message.contains("25 working days"), "{message}");
    }
    for as_often in [
        json!({"max_working_days": 25}),
        json!({"max_calendar_days": 35}),
        json!({"every_months": 1}),
    ] {
        let body = app
            .put(&sw_path, &tm_token, interval(as_often.clone()))
            .await
            .ok(200);
        assert_eq!(body["interval"], as_often);
    }
    // Interval::check's bounds.
    for out_of_range in [
        json!({"max_working_days": 0}),
        json!({"max_working_days": 261}),
        json!({"max_calendar_days": 0}),
        json!({"every_months": 13}),
    ] {
        names_field(
            &app.put(&sw_path, &tm_token, interval(out_of_range)).await,
            422,
            "interval",
        );
    }
    // The override stays as last set.
    let read = app.get(&sw_path, &tm_token).await.ok(200);
    assert_eq!(read["interval"], json!({"every_months": 1}));

    // An ASYE worker in their first six weeks must be seen weekly.
    let body = names_field(
        &app.put(
            &asye_path,
            &tm_token,
            interval(json!({"max_calendar_days": 14})),
        )
        .await,
        422,
        "interval",
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("7 calendar days"));
    let body = app
        .put(
            &asye_path,
            &tm_token,
            interval(json!({"max_calendar_days": 7})),
        )
        .await
        .ok(200);
    assert_eq!(body["policy_interval"], json!({"max_calendar_days": 7}));

    // The check follows the organisation's profile: Cafcass-style asks for every 6 weeks.
    names_field(
        &app.put(
            &sw_path,
            &tm_token,
            interval(json!({"max_calendar_days": 42})),
        )
        .await,
        422,
        "interval",
    );
    app.patch(
        "/api/v1/organisation",
        &admin,
        "\"1\"",
        json!({"policy_profile": "cafcass"}),
    )
    .await
    .ok(200);
    let body = app
        .put(
            &sw_path,
            &tm_token,
            interval(json!({"max_calendar_days": 42})),
        )
        .await
        .ok(200);
    assert_eq!(body["policy_interval"], json!({"max_calendar_days": 42}));
    names_field(
        &app.put(
            &sw_path,
            &tm_token,
            interval(json!({"max_calendar_days": 43})),
        )
        .await,
        422,
        "interval",
    );
}

async fn freq3_override_access_validation_and_audit(app: TestApp) {
    let admin = app.admin().await;
    let (head, head_token) = app.worker(&admin, "head").await;
    let (tm, tm_token) = app.worker(&admin, "tm").await;
    let (sw, sw_token) = app.worker(&admin, "sw").await;
    let (_, other_token) = app.worker(&admin, "other").await;
    let audrey = auditor(&app, &admin).await;
    app.manage(&admin, &tm, &head).await;
    app.manage(&admin, &sw, &tm).await;
    let path = format!("/api/v1/people/{sw}/frequency-override");
    let weekly = interval(json!({"max_calendar_days": 7}));

    app.get_public(&path).await.problem(401, "unauthenticated");
    app.call(TestRequest::put().uri(&path).set_json(&weekly))
        .await
        .problem(401, "unauthenticated");
    app.get(&path, &sw_token).await.problem(404, "not-found");

    // Only administrators and managers above the person may set it; anyone who may not see
    // the person gets 404 (ACC-5).
    app.put(&path, &sw_token, weekly.clone())
        .await
        .problem(403, "forbidden");
    app.put(&path, &audrey, weekly.clone())
        .await
        .problem(403, "forbidden");
    let theirs = app.put(&path, &other_token, weekly.clone()).await;
    theirs.problem(404, "not-found");
    let missing = app
        .put(
            "/api/v1/people/0190aaaa-0000-7000-8000-000000000000/frequency-override",
            &admin,
            weekly.clone(),
        )
        .await;
    missing.problem(404, "not-found");
    assert_eq!(theirs.body, missing.body);

    let set = app.put(&path, &head_token, weekly.clone()).await.ok(200);
    assert_eq!(set["set_by"], head.as_str());
    for token in [&sw_token, &tm_token, &head_token, &audrey, &admin] {
        let read = app.get(&path, token).await.ok(200);
        assert_eq!(read["interval"], json!({"max_calendar_days": 7}));
    }
    app.get(&path, &other_token).await.problem(404, "not-found");
    let by_admin = app
        .put(&path, &admin, interval(json!({"max_working_days": 10})))
        .await
        .ok(200);
    assert_eq!(by_admin["interval"], json!({"max_working_days": 10}));

    // Validation names the field.
    names_field(
        &app.put(
            &path,
            &tm_token,
            json!({"interval": {"max_working_days": 10}, "reason": "  "}),
        )
        .await,
        422,
        "reason",
    );
    names_field(
        &app.put(
            &path,
            &tm_token,
            json!({"interval": {"max_working_days": 10}, "reason": "x".repeat(501)}),
        )
        .await,
        422,
        "reason",
    );
    app.put(
        &path,
        &tm_token,
        json!({"interval": {"max_working_days": 10}, "reason": "x".repeat(500)}),
    )
    .await
    .ok(200);
    names_field(
        &app.put(
            &path,
            &tm_token,
            json!({"interval": {"max_working_days": 10}, "reason": "r", "until": "2027-01-01"}),
        )
        .await,
        400,
        "until",
    );
    let body = app
        .put(
            &path,
            &tm_token,
            json!({"interval": {"weekly": 1}, "reason": "r"}),
        )
        .await
        .problem(400, "malformed-request");
    assert!(
        body["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("interval"),
        "{body}"
    );
    let body = app
        .put(
            &path,
            &tm_token,
            json!({"interval": {"max_working_days": -3}, "reason": "r"}),
        )
        .await
        .problem(400, "malformed-request");
    assert!(body["errors"][0]["field"]
        .as_str()
        .unwrap()
        .starts_with("interval"));
    let body = app
        .put(&path, &tm_token, json!({"reason": "r"}))
        .await
        .problem(400, "malformed-request");
    assert!(body["detail"].as_str().unwrap().contains("interval"));

    // Removing it.
    app.delete(&path, &sw_token).await.problem(403, "forbidden");
    app.delete(&path, &other_token)
        .await
        .problem(404, "not-found");
    app.delete(&path, &tm_token).await.ok(204);
    app.delete(&path, &tm_token).await.problem(404, "not-found");
    app.get(&path, &sw_token).await.problem(404, "not-found");

    // ACC-4: each write is audited against the person.
    let set = app
        .get(
            "/api/v1/audit?action=frequency_override.set&subject_type=person",
            &audrey,
        )
        .await
        .ok(200);
    assert_eq!(set["total"], 3);
    assert_eq!(set["items"][0]["subject_id"], sw.as_str());
    assert_eq!(set["items"][2]["actor_id"], head.as_str());
    assert_eq!(
        set["items"][2]["detail"]["interval"],
        json!({"max_calendar_days": 7})
    );
    let cleared = app
        .get("/api/v1/audit?action=frequency_override.cleared", &audrey)
        .await
        .ok(200);
    assert_eq!(cleared["total"], 1);
    assert_eq!(cleared["items"][0]["actor_id"], tm.as_str());
}

crate::on_both_backends!(
    cal1_organisation_settings_change_with_if_match,
    freq3_policy_profiles_are_listed_with_their_rules,
    freq3_override_more_frequent_only,
    freq3_override_access_validation_and_audit,
);
