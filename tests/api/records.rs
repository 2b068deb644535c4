//! Records of supervision (REC-1 to REC-5) and who may read them (ACC-2, ACC-3, ACC-5),
//! through the API as the app uses it.

use actix_web::test::TestRequest;
use chrono::Duration;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};

use crate::sessions::{etag_of, past_session, post_if, signed_agreement, team, today, Team};
use crate::support::{bearer, Resp, TestApp};

pub(crate) async fn put_if(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: Value,
) -> Resp {
    app.call(
        TestRequest::put()
            .uri(path)
            .insert_header(bearer(token))
            .insert_header(("If-Match", etag.to_string()))
            .set_json(body),
    )
    .await
}

/// A team with a signed agreement and a session held `days_ago`; returns the session's
/// record as the supervisor sees it.
pub(crate) async fn held_record(app: &TestApp, t: &Team, agreement: &str, days_ago: i64) -> Value {
    let session = past_session(app, agreement, t, days_ago).await;
    let etag = etag_of(app, &t.manager.1, &session).await;
    post_if(
        app,
        &format!("/api/v1/sessions/{session}/held"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await
    .ok(200);
    // REC-1: marking the session held opened its record.
    app.get(&format!("/api/v1/sessions/{session}/record"), &t.manager.1)
        .await
        .ok(200)
}

fn content() -> Value {
    json!({
        "sections": {
            "issues_discussed": "Caseload of 18; two new child protection cases.",
            "development_needs": "Signs of Safety refresher.",
            "supervisee_issues": "Feeling stretched on visits.",
        },
        "actions": [
            {"description": "Book the Signs of Safety refresher", "owner": "supervisee", "due_on": (today() + Duration::days(20)).to_string()},
            {"description": "Review the visit rota", "owner": "supervisor", "due_on": (today() + Duration::days(10)).to_string()},
        ],
        "case_discussions": [{
            "case_reference": "CH-204518", "status_codes": ["CP", "PLO"],
            "what_changed": "Strategy meeting held.", "reflection": "Confident in the analysis.",
            "management_decision": "Pre-proceedings.",
            "actions": [{"action": "Convene core group", "by": (today() + Duration::days(7)).to_string()}]
        }]
    })
}

pub(crate) struct Flow {
    pub id: String,
    pub path: String,
}

/// Writes, sends and signs a record; returns its id and path.
pub(crate) async fn signed_record(app: &TestApp, t: &Team, agreement: &str, days_ago: i64) -> Flow {
    let record = held_record(app, t, agreement, days_ago).await;
    let id = record["record"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/records/{id}");
    let etag = record["record"]["version"].to_string();
    let edited = put_if(
        app,
        &path,
        &t.manager.1,
        &etag,
        json!({"content": content()}),
    )
    .await;
    let etag = edited.header("etag").unwrap();
    edited.ok(200);
    let sent = post_if(app, &format!("{path}/send"), &t.manager.1, &etag, json!({})).await;
    let etag = sent.header("etag").unwrap();
    sent.ok(200);
    post_if(app, &format!("{path}/sign"), &t.worker.1, &etag, json!({}))
        .await
        .ok(200);
    Flow { id, path }
}

async fn rec4_record_is_written_sent_amended_and_signed_by_both(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = held_record(&app, &t, &agreement, 1).await;
    // REC-1: on the default eight-section template, as a draft.
    assert_eq!(record["record"]["status"], "draft");
    assert_eq!(record["standing"], "supervisor");
    assert_eq!(record["template"]["key"], "default");
    assert_eq!(record["template"]["sections"].as_array().unwrap().len(), 8);
    let id = record["record"]["id"].as_str().unwrap();
    let path = format!("/api/v1/records/{id}");
    let etag = format!("\"{}\"", record["record"]["version"]);

    // The supervisee can read but not write it; an empty record is not sent.
    put_if(
        &app,
        &path,
        &t.worker.1,
        &etag,
        json!({"content": content()}),
    )
    .await
    .problem(403, "forbidden");
    let empty = post_if(
        &app,
        &format!("{path}/send"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await;
    assert_eq!(
        empty.problem(422, "validation-failed")["errors"][0]["field"],
        "content.sections"
    );

    let edited = put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"content": content()}),
    )
    .await;
    let etag = edited.header("etag").unwrap();
    let body = edited.ok(200);
    assert_eq!(body["content_version"], 2);
    assert_eq!(
        body["content"]["case_discussions"][0]["status_codes"],
        json!(["CP", "PLO"])
    );

    // The supervisee cannot sign a draft.
    post_if(&app, &format!("{path}/sign"), &t.worker.1, &etag, json!({}))
        .await
        .problem(409, "conflict");
    let sent = post_if(
        &app,
        &format!("{path}/send"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await;
    let etag = sent.header("etag").unwrap();
    assert_eq!(sent.ok(200)["record"]["status"], "awaiting_supervisee");
    let inbox = app
        .get("/api/v1/me/notifications", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(inbox["unread"], 1);
    assert_eq!(inbox["items"][0]["kind"], "record_awaiting_signature");

    // Amendments asked for need a comment, then the supervisor amends and re-sends.
    post_if(
        &app,
        &format!("{path}/amendments"),
        &t.worker.1,
        &etag,
        json!({"comment": "  "}),
    )
    .await
    .problem(422, "validation-failed");
    let asked = post_if(
        &app,
        &format!("{path}/amendments"),
        &t.worker.1,
        &etag,
        json!({"comment": "The rota review was agreed for next month."}),
    )
    .await;
    let etag = asked.header("etag").unwrap();
    assert_eq!(asked.ok(200)["record"]["status"], "amendments_requested");
    let mut amended = content();
    amended["actions"][1]["due_on"] = json!((today() + Duration::days(30)).to_string());
    let edited = put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"content": amended}),
    )
    .await;
    let stale = etag.clone();
    let etag = edited.header("etag").unwrap();
    assert_eq!(edited.ok(200)["record"]["status"], "amendments_requested");
    let sent = post_if(
        &app,
        &format!("{path}/send"),
        &t.manager.1,
        &etag,
        json!({}),
    )
    .await;
    let etag = sent.header("etag").unwrap();
    sent.ok(200);

    // SES-5 for records: a signature on a stale version is refused with the record as it is.
    let refused = post_if(
        &app,
        &format!("{path}/sign"),
        &t.worker.1,
        &stale,
        json!({}),
    )
    .await;
    assert_eq!(
        refused.problem(412, "stale-version")["current"]["record"]["status"],
        "awaiting_supervisee"
    );
    let signed = post_if(&app, &format!("{path}/sign"), &t.worker.1, &etag, json!({})).await;
    let etag = signed.header("etag").unwrap();
    let body = signed.ok(200);
    assert_eq!(body["record"]["status"], "signed");
    assert_eq!(body["record"]["signed_version"], 3);
    assert_eq!(body["record"]["signed_hash"], body["content_hash"]);
    let timeline: Vec<&str> = body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "created",
            "edited",
            "sent",
            "amendments_requested",
            "edited",
            "sent",
            "signed"
        ]
    );
    assert_eq!(
        body["timeline"][3]["comment"],
        "The rota review was agreed for next month."
    );

    // Locked: no edit, no second signature.
    put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"content": content()}),
    )
    .await
    .problem(409, "conflict");
    post_if(&app, &format!("{path}/sign"), &t.worker.1, &etag, json!({}))
        .await
        .problem(409, "conflict");

    // Every version is kept and retrievable, the signed one marked.
    let versions = app
        .get(&format!("{path}/versions"), &t.worker.1)
        .await
        .ok(200);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert!(versions.iter().all(|v| v.get("content").is_none()));
    assert_eq!(versions[2]["signed"], true);
    let first = app
        .get(&format!("{path}/versions/2"), &t.worker.1)
        .await
        .ok(200);
    assert_eq!(
        first["content"]["actions"][1]["due_on"],
        content()["actions"][1]["due_on"]
    );
    assert_eq!(first["author_id"], t.manager.0.as_str());
    app.get(&format!("{path}/versions/9"), &t.worker.1)
        .await
        .problem(404, "not-found");
}

async fn rec4_addenda_follow_the_lock_and_are_countersigned_once(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = signed_record(&app, &t, &agreement, 1).await;
    let etag = app
        .get(&record.path, &t.worker.1)
        .await
        .header("etag")
        .unwrap();
    post_if(
        &app,
        &format!("{}/addenda", record.path),
        &t.worker.1,
        &etag,
        json!({"text": ""}),
    )
    .await
    .problem(422, "validation-failed");
    let added = post_if(
        &app,
        &format!("{}/addenda", record.path),
        &t.worker.1,
        &etag,
        json!({"text": "The training <date> moved to January."}),
    )
    .await;
    let etag = added.header("etag").unwrap();
    let body = added.ok(200);
    let addendum = body["addenda"][0]["id"].as_str().unwrap().to_string();
    assert!(body["addenda"][0]["content_hash"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    let countersign = format!("{}/addenda/{addendum}/countersign", record.path);
    // Its author does not countersign it; the other party does, once.
    post_if(&app, &countersign, &t.worker.1, &etag, json!({}))
        .await
        .problem(403, "forbidden");
    let done = post_if(&app, &countersign, &t.manager.1, &etag, json!({})).await;
    let etag = done.header("etag").unwrap();
    assert_eq!(
        done.ok(200)["addenda"][0]["countersigned_by"],
        t.manager.0.as_str()
    );
    post_if(&app, &countersign, &t.manager.1, &etag, json!({}))
        .await
        .problem(409, "conflict");

    // The printable page shows the hash, escapes text, and is only for signed records.
    let page = app
        .get(&format!("{}/print", record.path), &t.worker.1)
        .await;
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    let signed = app.get(&record.path, &t.worker.1).await.ok(200);
    assert!(html.contains(signed["record"]["signed_hash"].as_str().unwrap()));
    assert!(html.contains("Caseload of 18"));
    assert!(html.contains("The training &lt;date&gt; moved"));
    assert!(!html.contains("<date>"));

    let draft = held_record(&app, &t, &agreement, 2).await;
    let draft_id = draft["record"]["id"].as_str().unwrap();
    app.get(&format!("/api/v1/records/{draft_id}/print"), &t.manager.1)
        .await
        .problem(409, "conflict");
    let etag = format!("\"{}\"", draft["record"]["version"]);
    post_if(
        &app,
        &format!("/api/v1/records/{draft_id}/addenda"),
        &t.manager.1,
        &etag,
        json!({"text": "Too early"}),
    )
    .await
    .problem(409, "conflict");
    let _ = record.id;
}

async fn rec4_signed_content_is_immutable_in_the_database(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = signed_record(&app, &t, &agreement, 1).await;
    let id = record.id.clone();
    let attempts = [
        format!("UPDATE record_versions SET content = '{{}}' WHERE record_id = '{id}'"),
        format!("DELETE FROM record_versions WHERE record_id = '{id}'"),
        format!("UPDATE records SET status = 'draft' WHERE id = '{id}'"),
        format!("UPDATE records SET current_version = 9 WHERE id = '{id}'"),
        format!("UPDATE records SET signed_hash = 'sha256:0' WHERE id = '{id}'"),
        format!("DELETE FROM records WHERE id = '{id}'"),
        format!("DELETE FROM record_events WHERE record_id = '{id}'"),
    ];
    for sql in attempts {
        let refused = app
            .db
            .write(move |conn| Ok(conn.batch_execute(&sql).is_err()))
            .await
            .unwrap();
        assert!(refused, "the database accepted a change to signed content");
    }
    let after = app.get(&record.path, &t.worker.1).await.ok(200);
    assert_eq!(after["record"]["status"], "signed");
    assert_eq!(after["record"]["signed_hash"], after["content_hash"]);
}

async fn rec3_case_references_and_bounds_are_checked(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = held_record(&app, &t, &agreement, 1).await;
    let path = format!(
        "/api/v1/records/{}",
        record["record"]["id"].as_str().unwrap()
    );
    let etag = format!("\"{}\"", record["record"]["version"]);

    let mut bad = content();
    bad["case_discussions"][0]["case_reference"] = json!("Jane Smith");
    bad["sections"]["diary"] = json!("not a section");
    bad["sections"]["other_business"] = json!("x".repeat(10_001));
    bad["actions"] = json!(vec![content()["actions"][0].clone(); 31]);
    let refused = put_if(&app, &path, &t.manager.1, &etag, json!({"content": bad})).await;
    let body = refused.problem(422, "validation-failed");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "content.case_discussions[0].case_reference",
        "content.sections.diary",
        "content.sections.other_business",
        "content.actions",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    // Unknown fields and unknown status codes are refused, naming the field.
    let mut unknown = content();
    unknown["case_discussions"][0]["child_name"] = json!("Jane");
    let body = put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"content": unknown}),
    )
    .await
    .problem(400, "malformed-request");
    assert!(body["errors"][0]["field"]
        .as_str()
        .unwrap()
        .contains("case_discussions[0]"));
    let mut code = content();
    code["case_discussions"][0]["status_codes"] = json!(["XX"]);
    put_if(&app, &path, &t.manager.1, &etag, json!({"content": code}))
        .await
        .problem(400, "malformed-request");

    // The organisation sets its own pattern; a broken pattern is refused.
    let org = app.get("/api/v1/organisation", &t.admin).await;
    let org_etag = org.header("etag").unwrap();
    assert_eq!(
        org.ok(200)["case_reference_pattern"],
        "[A-Z]{0,4}-?[0-9]{4,12}"
    );
    let bad_pattern = app
        .patch(
            "/api/v1/organisation",
            &t.admin,
            &org_etag,
            json!({"case_reference_pattern": "(["}),
        )
        .await;
    assert_eq!(
        bad_pattern.problem(422, "validation-failed")["errors"][0]["field"],
        "case_reference_pattern"
    );
    app.patch(
        "/api/v1/organisation",
        &t.admin,
        &org_etag,
        json!({"case_reference_pattern": "LL[0-9]{6}"}),
    )
    .await
    .ok(200);
    let mut local = content();
    local["case_discussions"][0]["case_reference"] = json!("LL123456");
    put_if(&app, &path, &t.manager.1, &etag, json!({"content": local}))
        .await
        .ok(200);
}

async fn rec2_open_actions_carry_into_the_next_record_until_done(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    signed_record(&app, &t, &agreement, 20).await;
    // Each owner lists their own open actions across records.
    let mine = app.get("/api/v1/me/actions", &t.worker.1).await.ok(200);
    assert_eq!(mine["total"], 1);
    assert_eq!(
        mine["items"][0]["description"],
        "Book the Signs of Safety refresher"
    );
    let theirs = app.get("/api/v1/me/actions", &t.manager.1).await.ok(200);
    assert_eq!(theirs["items"][0]["description"], "Review the visit rota");

    let next = held_record(&app, &t, &agreement, 1).await;
    let review = next["content"]["sections"]["review_of_actions"]
        .as_str()
        .unwrap();
    assert!(
        review.contains("Book the Signs of Safety refresher"),
        "{review}"
    );
    assert!(review.contains("Review the visit rota"), "{review}");
    assert_eq!(next["carried_actions"].as_array().unwrap().len(), 2);

    // The owner marks theirs done; a stranger cannot see it.
    let action = mine["items"][0]["id"].as_str().unwrap();
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.post(
        &format!("/api/v1/actions/{action}/status"),
        &stranger,
        json!({"status": "done"}),
    )
    .await
    .problem(404, "not-found");
    let done = app
        .post(
            &format!("/api/v1/actions/{action}/status"),
            &t.worker.1,
            json!({"status": "done"}),
        )
        .await
        .ok(200);
    assert_eq!(done["status"], "done");
    assert_eq!(done["done_by"], t.worker.0.as_str());
    assert_eq!(
        app.get("/api/v1/me/actions", &t.worker.1).await.ok(200)["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/me/actions?status=done", &t.worker.1)
            .await
            .ok(200)["total"],
        1
    );
    let next_id = next["record"]["id"].as_str().unwrap();
    let now = app
        .get(&format!("/api/v1/records/{next_id}"), &t.manager.1)
        .await
        .ok(200);
    assert_eq!(now["carried_actions"].as_array().unwrap().len(), 1);
}

async fn rec5_lateness_shows_to_both_and_in_lists(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    let late = held_record(&app, &t, &agreement, 14).await;
    assert_eq!(late["record"]["late"], true);
    assert!(late["record"]["working_days_late"].as_i64().unwrap() >= 5);
    let fresh = held_record(&app, &t, &agreement, 0).await;
    assert_eq!(fresh["record"]["late"], false);
    assert!(
        fresh["record"]["due_by"].as_str().unwrap() > fresh["record"]["held_on"].as_str().unwrap()
    );

    for token in [&t.manager.1, &t.worker.1] {
        let all = app.get("/api/v1/me/records", token).await.ok(200);
        assert_eq!(all["total"], 2);
        let only_late = app.get("/api/v1/me/records?late=true", token).await.ok(200);
        assert_eq!(only_late["total"], 1);
        assert_eq!(only_late["items"][0]["id"], late["record"]["id"]);
    }
    let as_supervisee = app
        .get(
            "/api/v1/me/records?role=supervisee&status=draft",
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(as_supervisee["total"], 0);
    // The person's managers see the list (status and lateness, no content).
    let listed = app
        .get(&format!("/api/v1/people/{}/records", t.worker.0), &t.head.1)
        .await
        .ok(200);
    assert_eq!(listed["total"], 2);
    assert!(listed["items"][0].get("content").is_none());
    app.get(
        "/api/v1/me/records?from=2026-12-01&to=2026-11-01",
        &t.worker.1,
    )
    .await
    .problem(422, "validation-failed");
}

/// ACC-2, ACC-3, ACC-5: for each role and each record endpoint, what comes back.
async fn acc2_access_matrix_for_every_role_and_endpoint(app: TestApp) {
    let t = team(&app).await;
    let admin = &t.admin;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(60)).await;
    let record = signed_record(&app, &t, &agreement, 10).await;

    // The worker moves to a new manager today; the old agreement ends.
    let (new_manager, new_manager_token) = app.worker(admin, "newmanager").await;
    app.manage(admin, &new_manager, &t.head.0).await;
    app.post(
        &format!("/api/v1/people/{}/line-management", t.worker.0),
        admin,
        json!({"manager_id": new_manager, "starts_on": today()}),
    )
    .await
    .ok(201);
    let agreement_etag = app
        .get(&format!("/api/v1/agreements/{agreement}"), &t.manager.1)
        .await
        .header("etag")
        .unwrap();
    post_if(
        &app,
        &format!("/api/v1/agreements/{agreement}/end"),
        &t.manager.1,
        &agreement_etag,
        json!({"ends_on": today(), "reason": "Moved team"}),
    )
    .await
    .ok(200);

    let (other_manager, other_token) = app.worker(admin, "othermanager").await;
    let (other_worker, _) = app.worker(admin, "otherworker").await;
    app.manage(admin, &other_worker, &other_manager).await;
    let auditor = app
        .person(
            admin,
            json!({"email": "auditor@test.example", "display_name": "auditor", "staff_category": "other_staff", "is_auditor": true}),
        )
        .await;
    let (_, stranger) = app.worker(admin, "stranger").await;

    let roles: [(&str, &str); 8] = [
        ("supervisee", &t.worker.1),
        ("supervisor", &t.manager.1),
        ("new supervisor", &new_manager_token),
        ("other supervisor", &other_token),
        ("manager above", &t.head.1),
        ("auditor", &auditor.1),
        ("administrator", admin),
        ("stranger", &stranger),
    ];
    // GET record, versions, print, list of the person's records; PUT; addendum; access with
    // and without a reason.
    let expected: [(&str, [u16; 8]); 8] = [
        ("get", [200, 200, 200, 404, 403, 403, 403, 404]),
        ("versions", [200, 200, 200, 404, 403, 403, 403, 404]),
        ("print", [200, 200, 200, 404, 403, 403, 403, 404]),
        ("person list", [200, 404, 200, 404, 200, 200, 200, 404]),
        ("edit", [409, 403, 403, 404, 403, 403, 403, 404]),
        ("addendum", [200, 403, 403, 404, 403, 403, 403, 404]),
        (
            "access, no reason",
            [400, 400, 400, 400, 400, 400, 400, 400],
        ),
        ("access", [409, 409, 409, 404, 200, 200, 200, 404]),
    ];
    for (endpoint, statuses) in expected {
        for ((role, token), want) in roles.iter().zip(statuses) {
            let etag = app
                .get(&record.path, &t.worker.1)
                .await
                .header("etag")
                .unwrap();
            let got = match endpoint {
                "get" => app.get(&record.path, token).await,
                "versions" => app.get(&format!("{}/versions", record.path), token).await,
                "print" => app.get(&format!("{}/print", record.path), token).await,
                "person list" => {
                    app.get(&format!("/api/v1/people/{}/records", t.worker.0), token)
                        .await
                }
                "edit" => {
                    put_if(
                        &app,
                        &record.path,
                        token,
                        &etag,
                        json!({"content": content()}),
                    )
                    .await
                }
                "addendum" => {
                    post_if(
                        &app,
                        &format!("{}/addenda", record.path),
                        token,
                        &etag,
                        json!({"text": "Matrix check"}),
                    )
                    .await
                }
                "access, no reason" => {
                    app.post(
                        &format!("{}/access", record.path),
                        token,
                        json!({"detail": "Routine quarterly audit"}),
                    )
                    .await
                }
                _ => {
                    app.post(
                        &format!("{}/access", record.path),
                        token,
                        json!({"reason": "audit", "detail": "Routine quarterly audit"}),
                    )
                    .await
                }
            };
            assert_eq!(
                got.status.as_u16(),
                want,
                "{endpoint} as {role}: {}",
                String::from_utf8_lossy(&got.body)
            );
            if want >= 400 {
                assert_eq!(
                    got.header("content-type").as_deref(),
                    Some("application/problem+json")
                );
            }
            if endpoint == "get" && want == 403 {
                got.problem(403, "access-reason-required");
            }
            if want == 404 {
                // Nothing of the record leaks into a 404.
                assert!(!String::from_utf8_lossy(&got.body).contains("Caseload"));
            }
        }
    }

    // Each third-party read was logged with its reason and notified to the supervisee, who
    // sees who read it.
    let reads = app
        .get(
            &format!("/api/v1/audit?action=record.read&subject_id={}", record.id),
            &auditor.1,
        )
        .await
        .ok(200);
    let reasons: Vec<&Value> = reads["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["detail"]["reason"] == "audit")
        .collect();
    assert_eq!(reasons.len(), 3);
    // The new supervisor's reads were logged too (ACC-4: anyone but the two parties).
    assert!(reads["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["actor_id"] == new_manager.as_str()));
    let inbox = app
        .get("/api/v1/me/notifications?unread=true", &t.worker.1)
        .await
        .ok(200);
    let accessed: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "record_accessed")
        .collect();
    assert_eq!(accessed.len(), 3);
    assert!(!accessed[0]["body"].as_str().unwrap().contains("CH-204518"));
    let seen = app.get(&record.path, &t.worker.1).await.ok(200);
    assert_eq!(seen["third_party_reads"].as_array().unwrap().len(), 3);
    assert_eq!(seen["standing"], "supervisee");
    let by_successor = app.get(&record.path, &new_manager_token).await.ok(200);
    assert_eq!(by_successor["standing"], "successor");
    assert_eq!(by_successor["third_party_reads"], json!([]));
    let by_writer = app.get(&record.path, &t.manager.1).await.ok(200);
    assert_eq!(by_writer["standing"], "previous_supervisor");

    // Mark a notification read; someone else's is not found.
    let note = accessed[0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/me/notifications/{note}/read"),
        &stranger,
        json!({}),
    )
    .await
    .problem(404, "not-found");
    let read = app
        .post(
            &format!("/api/v1/me/notifications/{note}/read"),
            &t.worker.1,
            json!({}),
        )
        .await
        .ok(200);
    assert!(read["read_at"].is_string());
    let after = app
        .get("/api/v1/me/notifications", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(after["unread"], inbox["unread"].as_i64().unwrap() - 1);
}

async fn rec4_disagreements_are_recorded_and_escalated(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = signed_record(&app, &t, &agreement, 1).await;
    let path = format!("{}/disagreements", record.path);
    app.post(
        &path,
        &t.worker.1,
        json!({"comment": "Not what I said", "proposal": "sideways"}),
    )
    .await
    .problem(400, "malformed-request");
    let body = app
        .post(
            &path,
            &t.worker.1,
            json!({"comment": "The visit was not late.", "proposal": "escalate"}),
        )
        .await
        .ok(200);
    let last = body["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "disagreement");
    assert_eq!(last["proposal"], "escalate");
    assert_eq!(
        body["record"]["status"], "signed",
        "a disagreement changes no content"
    );
    // The supervisor's own manager hears of the escalation.
    let inbox = app.get("/api/v1/me/notifications", &t.head.1).await.ok(200);
    assert_eq!(inbox["items"][0]["kind"], "record_disagreement_escalated");
    app.post(
        &path,
        &t.head.1,
        json!({"comment": "x", "proposal": "resolve"}),
    )
    .await
    .problem(403, "access-reason-required");
}

async fn rec1_templates_are_versioned_data_and_coverage_is_counted(app: TestApp) {
    let t = team(&app).await;
    let sections = json!([
        {"key": "review_of_actions", "title": "Review of actions", "functions": ["management"]},
        {"key": "reflection", "title": "Reflection on practice", "guidance": "PCF domains", "functions": ["development", "support"]}
    ]);
    app.post(
        "/api/v1/record-templates",
        &t.manager.1,
        json!({"key": "asye", "name": "ASYE", "sections": sections}),
    )
    .await
    .problem(403, "forbidden");
    let refused = app
        .post(
            "/api/v1/record-templates",
            &t.admin,
            json!({"key": "Bad Key", "name": "", "sections": [{"key": "a", "title": "A"}, {"key": "a", "title": "B"}]}),
        )
        .await
        .problem(422, "validation-failed");
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["key", "name", "sections[1].key"]);
    let first = app
        .post(
            "/api/v1/record-templates",
            &t.admin,
            json!({"key": "asye", "name": "ASYE", "sections": sections}),
        )
        .await
        .ok(201);
    let second = app
        .post(
            "/api/v1/record-templates",
            &t.admin,
            json!({"key": "asye", "name": "ASYE v2", "sections": sections}),
        )
        .await
        .ok(201);
    assert_eq!(
        (first["version"].as_i64(), second["version"].as_i64()),
        (Some(1), Some(2))
    );
    let all = app
        .get("/api/v1/record-templates", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(all.as_array().unwrap().len(), 3);

    // A record moves to the first version and keeps it after a newer one exists.
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let record = held_record(&app, &t, &agreement, 1).await;
    let path = format!(
        "/api/v1/records/{}",
        record["record"]["id"].as_str().unwrap()
    );
    let etag = format!("\"{}\"", record["record"]["version"]);
    let moved = put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        json!({"template_id": first["id"], "content": {"sections": {"reflection": "Good use of theory."}}}),
    )
    .await
    .ok(200);
    assert_eq!(moved["template"]["id"], first["id"]);
    assert_eq!(moved["template"]["version"], 1);

    // Coverage: the person's records in the period, by function.
    let coverage = app
        .get(
            &format!("/api/v1/people/{}/supervision-functions", t.worker.0),
            &t.manager.1,
        )
        .await
        .ok(200);
    assert_eq!(
        coverage["coverage"],
        json!({"records": 1, "management": 0, "development": 1, "support": 1, "mediation": 0})
    );
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.get(
        &format!("/api/v1/people/{}/supervision-functions", t.worker.0),
        &stranger,
    )
    .await
    .problem(404, "not-found");
}

async fn rec1_a_group_or_unheld_session_has_no_two_party_record(app: TestApp) {
    let t = team(&app).await;
    let agreement = signed_agreement(&app, &t, today() - Duration::days(30)).await;
    let session = past_session(&app, &agreement, &t, 1).await;
    app.get(&format!("/api/v1/sessions/{session}/record"), &t.manager.1)
        .await
        .problem(404, "not-found");
    app.post(
        &format!("/api/v1/sessions/{session}/record"),
        &t.manager.1,
        json!({}),
    )
    .await
    .problem(409, "conflict");
    let record = held_record(&app, &t, &agreement, 2).await;
    let session = record["record"]["session_id"].as_str().unwrap();
    // Opening again returns the record already open.
    let again = app
        .post(
            &format!("/api/v1/sessions/{session}/record"),
            &t.manager.1,
            json!({}),
        )
        .await
        .ok(200);
    assert_eq!(again["record"]["id"], record["record"]["id"]);
    app.post(
        &format!("/api/v1/sessions/{session}/record"),
        &t.worker.1,
        json!({}),
    )
    .await
    .problem(403, "forbidden");
}

crate::on_both_backends!(
    rec4_record_is_written_sent_amended_and_signed_by_both,
    rec4_addenda_follow_the_lock_and_are_countersigned_once,
    rec4_signed_content_is_immutable_in_the_database,
    rec3_case_references_and_bounds_are_checked,
    rec2_open_actions_carry_into_the_next_record_until_done,
    rec5_lateness_shows_to_both_and_in_lists,
    acc2_access_matrix_for_every_role_and_endpoint,
    rec4_disagreements_are_recorded_and_escalated,
    rec1_templates_are_versioned_data_and_coverage_is_counted,
    rec1_a_group_or_unheld_session_has_no_two_party_record,
);
