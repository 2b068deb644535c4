//! People, teams membership and line management through the API; ACC-5 scoping.

use serde_json::json;

use crate::support::{TestApp, PASSWORD};

async fn newcomer_flow_admin_creates_a_team_and_a_person_who_signs_in(app: TestApp) {
    let admin = app.admin().await;
    let team = app
        .post("/api/v1/teams", &admin, json!({"name": "Assessment North"}))
        .await
        .ok(201);
    let created = app
        .post(
            "/api/v1/people",
            &admin,
            json!({
                "email": "Daniel.Evans@Test.example",
                "display_name": "Daniel Evans",
                "staff_category": "asye",
                "team_id": team["id"],
                "employment_start": "2026-09-07",
                "asye_start": "2026-09-07"
            }),
        )
        .await;
    let body = created.ok(201);
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/people/{}", body["person"]["id"].as_str().unwrap())
    );
    assert_eq!(body["person"]["email"], "daniel.evans@test.example");
    assert_eq!(body["person"]["time_zone"], "Europe/London");
    assert_eq!(body["person"]["must_change_password"], true);
    let one_time = body["one_time_password"].as_str().unwrap();
    let tokens = app
        .login_as("daniel.evans@test.example", one_time)
        .await
        .ok(200);
    assert_eq!(tokens["must_change_password"], true);
    let listed = app
        .get(
            &format!("/api/v1/people?team_id={}", team["id"].as_str().unwrap()),
            &admin,
        )
        .await
        .ok(200);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["staff_category"], "asye");
}

async fn acc5_another_persons_profile_is_404_not_403(app: TestApp) {
    let admin = app.admin().await;
    let (ann, ann_token) = app.worker(&admin, "ann").await;
    let (bob, _) = app.worker(&admin, "bob").await;
    app.get(&format!("/api/v1/people/{ann}"), &ann_token)
        .await
        .ok(200);
    let theirs = app.get(&format!("/api/v1/people/{bob}"), &ann_token).await;
    let missing = app
        .get(
            "/api/v1/people/0190aaaa-0000-7000-8000-000000000000",
            &ann_token,
        )
        .await;
    theirs.problem(404, "not-found");
    assert_eq!(
        theirs.body, missing.body,
        "someone else's id looks exactly like no id"
    );
    app.get(&format!("/api/v1/people/{bob}/line-management"), &ann_token)
        .await
        .problem(404, "not-found");
    app.get(&format!("/api/v1/people/{bob}/managers"), &ann_token)
        .await
        .problem(404, "not-found");
}

async fn acc5_managers_see_their_reports_down_the_chain_only(app: TestApp) {
    let admin = app.admin().await;
    let (head, head_token) = app.worker(&admin, "head").await;
    let (tm, tm_token) = app.worker(&admin, "tm").await;
    let (sw, sw_token) = app.worker(&admin, "sw").await;
    let (other, _) = app.worker(&admin, "other").await;
    app.manage(&admin, &tm, &head).await;
    app.manage(&admin, &sw, &tm).await;

    app.get(&format!("/api/v1/people/{sw}"), &tm_token)
        .await
        .ok(200);
    app.get(&format!("/api/v1/people/{sw}"), &head_token)
        .await
        .ok(200);
    app.get(&format!("/api/v1/people/{tm}"), &sw_token)
        .await
        .problem(404, "not-found");
    app.get(&format!("/api/v1/people/{other}"), &head_token)
        .await
        .problem(404, "not-found");

    let listed = app.get("/api/v1/people", &head_token).await.ok(200);
    let mut names: Vec<_> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["display_name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["head", "sw", "tm"]);
    assert_eq!(listed["total"], 3);
    let mine = app.get("/api/v1/people", &sw_token).await.ok(200);
    assert_eq!(mine["total"], 1);

    let chain = app
        .get(&format!("/api/v1/people/{sw}/managers"), &sw_token)
        .await
        .ok(200);
    assert_eq!(chain[0]["id"], tm.as_str());
    assert_eq!(chain[0]["level"], 1);
    assert_eq!(chain[1]["id"], head.as_str());
    assert_eq!(chain[1]["level"], 2);
}

async fn only_administrators_create_and_change_people(app: TestApp) {
    let admin = app.admin().await;
    let (ann, ann_token) = app.worker(&admin, "ann").await;
    app.post(
        "/api/v1/people",
        &ann_token,
        json!({"email": "x@test.example", "display_name": "X", "staff_category": "student"}),
    )
    .await
    .problem(403, "forbidden");
    app.patch(
        &format!("/api/v1/people/{ann}"),
        &ann_token,
        "\"2\"",
        json!({"is_admin": true}),
    )
    .await
    .problem(403, "forbidden");
    app.post("/api/v1/teams", &ann_token, json!({"name": "Mine"}))
        .await
        .problem(403, "forbidden");
}

async fn invalid_people_are_422_naming_every_field(app: TestApp) {
    let admin = app.admin().await;
    let body = app
        .post(
            "/api/v1/people",
            &admin,
            json!({
                "email": "not-an-email",
                "display_name": "   ",
                "staff_category": "student",
                "time_zone": "Atlantis/Capital",
                "placement_start": "2026-09-01",
                "placement_end": "2026-08-01"
            }),
        )
        .await
        .problem(422, "validation-failed");
    let mut fields: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["display_name", "email", "placement_end", "time_zone"]
    );

    let body = app
        .post(
            "/api/v1/people",
            &admin,
            json!({"email": "a@test.example", "display_name": "A", "staff_category": "wizard"}),
        )
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "staff_category");
    let body = app
        .post("/api/v1/people", &admin, json!({"email": "a@test.example", "display_name": "A", "staff_category": "student", "team_id": "no-such-team"}))
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "team_id");
    let body = app
        .post("/api/v1/people", &admin, json!({"email": "a@test.example", "display_name": "A", "staff_category": "student", "asye_start": "2026-02-30"}))
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "asye_start");
}

async fn a_second_person_with_the_same_email_is_409(app: TestApp) {
    let admin = app.admin().await;
    app.worker(&admin, "ann").await;
    app.post("/api/v1/people", &admin, json!({"email": "ANN@test.example", "display_name": "Ann 2", "staff_category": "social_worker"}))
        .await
        .problem(409, "conflict");
}

async fn person_changes_need_if_match_and_stale_ones_get_412_with_the_current_state(app: TestApp) {
    let admin = app.admin().await;
    let (ann, _) = app.worker(&admin, "ann").await;
    let path = format!("/api/v1/people/{ann}");
    let etag = app.get(&path, &admin).await.header("etag").unwrap();
    let no_if_match = app
        .call(
            actix_web::test::TestRequest::patch()
                .uri(&path)
                .insert_header(crate::support::bearer(&admin))
                .set_json(json!({"display_name": "Ann A"})),
        )
        .await;
    no_if_match.problem(428, "if-match-required");
    let first = app
        .patch(
            &path,
            &admin,
            &etag,
            json!({"display_name": "Ann A", "team_id": null}),
        )
        .await;
    assert_eq!(first.ok(200)["display_name"], "Ann A");
    assert_ne!(first.header("etag").unwrap(), etag);
    // A second administrator working from the same read loses, and is shown the winner's change.
    let second = app
        .patch(&path, &admin, &etag, json!({"display_name": "Ann B"}))
        .await;
    let problem = second.problem(412, "stale-version");
    assert_eq!(problem["current"]["display_name"], "Ann A");
    app.patch(
        &path,
        &admin,
        "\"garbage\"",
        json!({"display_name": "Ann C"}),
    )
    .await
    .problem(412, "stale-version");
}

async fn deactivation_keeps_the_person_and_their_history(app: TestApp) {
    let admin = app.admin().await;
    let (ann, _) = app.worker(&admin, "ann").await;
    let path = format!("/api/v1/people/{ann}");
    let etag = app.get(&path, &admin).await.header("etag").unwrap();
    app.patch(&path, &admin, &etag, json!({"active": false}))
        .await
        .ok(200);
    let person = app.get(&path, &admin).await.ok(200);
    assert_eq!(person["active"], false);
    let inactive = app.get("/api/v1/people?active=false", &admin).await.ok(200);
    assert_eq!(inactive["total"], 1);
    app.login_as("ann@test.example", PASSWORD)
        .await
        .problem(401, "unauthenticated");
    // An administrator cannot lock themselves out.
    let me = app.get("/api/v1/me", &admin).await;
    let (id, etag) = (
        me.json()["id"].as_str().unwrap().to_string(),
        me.header("etag").unwrap(),
    );
    let body = app
        .patch(
            &format!("/api/v1/people/{id}"),
            &admin,
            &etag,
            json!({"is_admin": false}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "is_admin");
}

async fn a_new_line_manager_ends_the_old_link_on_the_change_date(app: TestApp) {
    let admin = app.admin().await;
    let (old, _) = app.worker(&admin, "old").await;
    let (new, _) = app.worker(&admin, "new").await;
    let (sw, _) = app.worker(&admin, "sw").await;
    app.manage(&admin, &sw, &old).await;
    let path = format!("/api/v1/people/{sw}/line-management");
    app.post(
        &path,
        &admin,
        json!({"manager_id": new, "starts_on": "2026-03-01"}),
    )
    .await
    .ok(201);
    let links = app.get(&path, &admin).await.ok(200);
    assert_eq!(links[0]["manager_id"], old.as_str());
    assert_eq!(links[0]["ends_on"], "2026-03-01");
    assert_eq!(links[1]["manager_id"], new.as_str());
    assert_eq!(links[1]["ends_on"], serde_json::Value::Null);
    let before = app
        .get(
            &format!("/api/v1/people/{sw}/managers?on=2026-02-28"),
            &admin,
        )
        .await
        .ok(200);
    assert_eq!(before[0]["id"], old.as_str());
    let after = app
        .get(
            &format!("/api/v1/people/{sw}/managers?on=2026-03-01"),
            &admin,
        )
        .await
        .ok(200);
    assert_eq!(after[0]["id"], new.as_str());

    // Overlapping the period already recorded, managing oneself and loops are refused.
    app.post(
        &path,
        &admin,
        json!({"manager_id": old, "starts_on": "2025-01-01", "ends_on": "2026-04-01"}),
    )
    .await
    .problem(409, "conflict");
    let body = app
        .post(
            &path,
            &admin,
            json!({"manager_id": sw, "starts_on": "2026-06-01"}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "manager_id");
    app.post(
        &format!("/api/v1/people/{new}/line-management"),
        &admin,
        json!({"manager_id": sw, "starts_on": "2026-06-01"}),
    )
    .await
    .problem(422, "validation-failed");
    app.get(
        &format!("/api/v1/people/{sw}/managers?on=yesterday"),
        &admin,
    )
    .await
    .problem(400, "malformed-request");
}

crate::on_both_backends!(
    newcomer_flow_admin_creates_a_team_and_a_person_who_signs_in,
    acc5_another_persons_profile_is_404_not_403,
    acc5_managers_see_their_reports_down_the_chain_only,
    only_administrators_create_and_change_people,
    invalid_people_are_422_naming_every_field,
    a_second_person_with_the_same_email_is_409,
    person_changes_need_if_match_and_stale_ones_get_412_with_the_current_state,
    deactivation_keeps_the_person_and_their_history,
    a_new_line_manager_ends_the_old_link_on_the_change_date,
);
