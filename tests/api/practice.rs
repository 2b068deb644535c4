//! Observations (OBS-1, OBS-2), reflective logs with sharing and CPD (REF-1 to REF-3) and
//! the ASYE year (ASYE-1), through the API.

use chrono::{Datelike, Duration, Months};
use serde_json::{json, Value};

use crate::sessions::{post_if, team, today, Team};
use crate::support::TestApp;
use supervision::domain::periods::{practice_year, registration_year};

fn observation(on: chrono::NaiveDate, setting: &str) -> Value {
    json!({"observed_on": on, "setting": setting, "feedback": "Clear plan agreed with the family.", "learning": "Summarise before leaving."})
}

async fn obs1_supervisors_record_observations_and_the_supervisee_reflects(app: TestApp) {
    let t = team(&app).await;
    let path = format!("/api/v1/people/{}/observations", t.worker.0);
    // The person cannot observe themselves; a stranger cannot find them.
    app.post(&path, &t.worker.1, observation(today(), "home_visit"))
        .await
        .problem(403, "forbidden");
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.post(&path, &stranger, observation(today(), "home_visit"))
        .await
        .problem(404, "not-found");
    let bad = app
        .post(
            &path,
            &t.manager.1,
            json!({"observed_on": today() + Duration::days(3), "setting": "home_visit", "feedback": " "}),
        )
        .await
        .problem(422, "validation-failed");
    assert!(bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["field"] == "feedback"));
    app.post(
        &path,
        &t.manager.1,
        json!({"observed_on": today(), "setting": "picnic", "feedback": "x"}),
    )
    .await
    .problem(400, "malformed-request");

    let created = app
        .post(&path, &t.manager.1, observation(today(), "court"))
        .await;
    let etag = created.header("etag").unwrap();
    let body = created.ok(201);
    assert_eq!(body["observer_id"], t.manager.0.as_str());
    let id = body["id"].as_str().unwrap();
    // The manager above also observes; the supervisee reflects, the observer edits feedback.
    app.post(&path, &t.head.1, observation(today(), "home_visit"))
        .await
        .ok(201);
    let reflect = format!("/api/v1/observations/{id}/reflection");
    let refused = post_if(
        &app,
        &reflect,
        &t.manager.1,
        &etag,
        json!({"reflection": "mine"}),
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(refused["code"], "self-only");
    let reflected = post_if(
        &app,
        &reflect,
        &t.worker.1,
        &etag,
        json!({"reflection": "I rushed the ending."}),
    )
    .await;
    let new_etag = reflected.header("etag").unwrap();
    assert_eq!(
        reflected.ok(200)["supervisee_reflection"],
        "I rushed the ending."
    );
    // A stale write is refused (SES-5 style concurrency).
    post_if(
        &app,
        &reflect,
        &t.worker.1,
        &etag,
        json!({"reflection": "again"}),
    )
    .await
    .problem(412, "stale-version");
    let listed = app.get(&path, &t.worker.1).await.ok(200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    app.get(&format!("/api/v1/observations/{id}"), &stranger)
        .await
        .problem(404, "not-found");
    let _ = new_etag;
}

async fn obs2_practice_year_status_counts_from_1_april(app: TestApp) {
    let t = team(&app).await;
    let year = practice_year(today());
    let path = format!("/api/v1/people/{}/observations", t.worker.0);
    // 31 March belongs to the year before; 1 April opens this one.
    app.post(
        &path,
        &t.manager.1,
        observation(year.starts_on - Duration::days(1), "home_visit"),
    )
    .await
    .ok(201);
    app.post(
        &path,
        &t.manager.1,
        observation(year.starts_on, "home_visit"),
    )
    .await
    .ok(201);
    let status = app
        .get("/api/v1/me/observation-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(status["year"]["starts_on"], year.starts_on.to_string());
    assert_eq!(status["year"]["ends_on"], year.ends_on.to_string());
    assert_eq!(
        (
            status["done"].as_u64(),
            status["required"].as_u64(),
            status["remaining"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    let seen = app
        .get(
            &format!("/api/v1/people/{}/observation-status", t.worker.0),
            &t.head.1,
        )
        .await
        .ok(200);
    assert_eq!(seen["done"], 1);

    // A starter in January needs a pro-rata number: 3 of 12 months of two observations
    // rounds up to one.
    let starter = app
        .person(
            &t.admin,
            json!({"email": "starter@test.example", "display_name": "starter", "staff_category": "social_worker",
                   "employment_start": year.starts_on.checked_add_months(Months::new(9)).unwrap()}),
        )
        .await;
    let status = app
        .get("/api/v1/me/observation-status", &starter.1)
        .await
        .ok(200);
    assert_eq!(status["required"], 1);

    // The Cafcass-style profile wants one with a child and one with an adult.
    let org = app
        .get("/api/v1/organisation", &t.admin)
        .await
        .header("etag")
        .unwrap();
    app.patch(
        "/api/v1/organisation",
        &t.admin,
        &org,
        json!({"policy_profile": "cafcass"}),
    )
    .await
    .ok(200);
    app.post(
        &path,
        &t.manager.1,
        observation(year.starts_on, "direct_work_with_child"),
    )
    .await
    .ok(201);
    let status = app
        .get("/api/v1/me/observation-status", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(status["done"], 2);
    assert_eq!(
        status["settings_missing"],
        json!(["direct_work_with_adult"])
    );
    assert_eq!(status["remaining"], 1);
}

/// A body with every section of the model filled.
fn complete_entry(model: &Value, date: chrono::NaiveDate) -> Value {
    let sections: serde_json::Map<String, Value> = model["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["key"].as_str().unwrap().to_string(),
                json!("Some thought about it."),
            )
        })
        .collect();
    json!({"entry_date": date, "title": format!("A {} entry", model["id"].as_str().unwrap()),
           "model": model["id"], "sections": sections, "status": "complete", "tags": ["PCF-5", " risk "]})
}

async fn ref1_entries_follow_each_model_and_drafts_are_never_lost(app: TestApp) {
    let t = team(&app).await;
    let models = app
        .get("/api/v1/reflection-models", &t.worker.1)
        .await
        .ok(200);
    let ids: Vec<&str> = models
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["kolb", "gibbs", "driscoll", "cpd_questions", "free_text"]
    );
    for model in models.as_array().unwrap() {
        let body = app
            .post(
                "/api/v1/me/reflections",
                &t.worker.1,
                complete_entry(model, today()),
            )
            .await
            .ok(201);
        assert_eq!(body["status"], "complete");
        assert_eq!(body["tags"], json!(["pcf-5", "risk"]));
    }
    // A Gibbs entry without its feelings is a fine draft but not a complete entry.
    let mut gibbs = complete_entry(&models[1], today());
    gibbs["sections"]
        .as_object_mut()
        .unwrap()
        .remove("feelings");
    let refused = app
        .post("/api/v1/me/reflections", &t.worker.1, gibbs.clone())
        .await;
    assert_eq!(
        refused.problem(422, "validation-failed")["errors"][0]["field"],
        "sections.feelings"
    );
    gibbs["status"] = json!("draft");
    gibbs["sections"]["diary"] = json!("not in the model");
    gibbs["case_reference"] = json!("Jane Smith");
    let fields: Vec<String> = app
        .post("/api/v1/me/reflections", &t.worker.1, gibbs.clone())
        .await
        .problem(422, "validation-failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["sections.diary", "case_reference"]);
    gibbs["sections"].as_object_mut().unwrap().remove("diary");
    gibbs["case_reference"] = json!("CH-204518");
    let created = app
        .post("/api/v1/me/reflections", &t.worker.1, gibbs.clone())
        .await;
    let etag = created.header("etag").unwrap();
    let id = created.ok(201)["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/reflections/{id}");

    // The phone saves, loses the answer, and saves the same text again with the old ETag.
    gibbs["sections"]["feelings"] = json!("Anxious, then calmer.");
    let first = crate::records::put_if(&app, &path, &t.worker.1, &etag, gibbs.clone()).await;
    assert_eq!(first.ok(200)["version"], 2);
    let retry = crate::records::put_if(&app, &path, &t.worker.1, &etag, gibbs.clone()).await;
    assert_eq!(
        retry.ok(200)["sections"]["feelings"],
        "Anxious, then calmer."
    );
    // Different text on the old ETag is a real conflict: refused with what is there now.
    gibbs["sections"]["feelings"] = json!("Something else");
    let stale = crate::records::put_if(&app, &path, &t.worker.1, &etag, gibbs.clone()).await;
    assert_eq!(
        stale.problem(412, "stale-version")["current"]["sections"]["feelings"],
        "Anxious, then calmer."
    );

    // Filters: model, tag, status.
    let gibbs_only = app
        .get("/api/v1/me/reflections?model=gibbs", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(gibbs_only["total"], 2);
    let tagged = app
        .get(
            "/api/v1/me/reflections?tag=risk&status=complete",
            &t.worker.1,
        )
        .await
        .ok(200);
    assert_eq!(tagged["total"], 5);
    let drafts = app
        .get("/api/v1/me/reflections?status=draft", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(drafts["total"], 1);
}

/// REF-2: who sees an entry: its author, and a supervisor only while it is shared with them.
async fn ref2_entries_are_private_until_shared_and_unsharing_removes_access(app: TestApp) {
    let t = team(&app).await;
    let models = app
        .get("/api/v1/reflection-models", &t.worker.1)
        .await
        .ok(200);
    let id = app
        .post(
            "/api/v1/me/reflections",
            &t.worker.1,
            complete_entry(&models[2], today()),
        )
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/reflections/{id}");
    let auditor = app
        .person(&t.admin, json!({"email": "qa@test.example", "display_name": "QA", "staff_category": "other_staff", "is_auditor": true}))
        .await;
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    for (who, token) in [
        ("manager", &t.manager.1),
        ("manager above", &t.head.1),
        ("auditor", &auditor.1),
        ("administrator", &t.admin),
        ("stranger", &stranger),
    ] {
        let got = app.get(&path, token).await;
        assert_eq!(got.status.as_u16(), 404, "{who} saw an unshared entry");
    }
    let shared_list = app
        .get("/api/v1/me/shared-reflections", &t.manager.1)
        .await
        .ok(200);
    assert_eq!(shared_list["total"], 0);

    // Only someone who supervises the author can be named.
    app.post(
        &format!("{path}/shares"),
        &t.worker.1,
        json!({"supervisor_id": t.head.0}),
    )
    .await
    .problem(422, "validation-failed");
    app.post(
        &format!("{path}/shares"),
        &t.manager.1,
        json!({"supervisor_id": t.manager.0}),
    )
    .await
    .problem(404, "not-found");
    let shared = app
        .post(
            &format!("{path}/shares"),
            &t.worker.1,
            json!({"supervisor_id": t.manager.0}),
        )
        .await
        .ok(200);
    assert_eq!(shared["shared_with"], json!([t.manager.0]));
    app.get(&path, &t.manager.1).await.ok(200);
    app.get(&path, &t.head.1).await.problem(404, "not-found");
    let commented = app
        .post(
            &format!("{path}/comments"),
            &t.manager.1,
            json!({"text": "Bring this to supervision."}),
        )
        .await
        .ok(201);
    assert_eq!(commented["comments"][0]["author_id"], t.manager.0.as_str());
    assert_eq!(
        app.get("/api/v1/me/shared-reflections", &t.manager.1)
            .await
            .ok(200)["total"],
        1
    );
    // The shared supervisor reads but does not edit.
    let etag = app.get(&path, &t.manager.1).await.header("etag").unwrap();
    let refused = crate::records::put_if(
        &app,
        &path,
        &t.manager.1,
        &etag,
        complete_entry(&models[2], today()),
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(refused["code"], "author-only");

    app.delete(&format!("{path}/shares/{}", t.manager.0), &t.worker.1)
        .await
        .ok(204);
    app.get(&path, &t.manager.1).await.problem(404, "not-found");
    app.post(
        &format!("{path}/comments"),
        &t.manager.1,
        json!({"text": "Still here?"}),
    )
    .await
    .problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/me/shared-reflections", &t.manager.1)
            .await
            .ok(200)["total"],
        0
    );
    app.delete(&format!("{path}/shares/{}", t.manager.0), &t.worker.1)
        .await
        .problem(404, "not-found");
    // The author still sees the comment in their own copy and export.
    let export = app
        .get("/api/v1/me/reflections/export", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(
        export[0]["comments"][0]["text"],
        "Bring this to supervision."
    );
}

fn cpd_entry(date: chrono::NaiveDate, peer: bool) -> Value {
    let mut cpd = json!({"activity": "course", "description": "Trauma-informed practice course", "learning": "Regulate, relate, reason.", "impact": "Changed how I open visits."});
    if peer {
        cpd["peer_reflection"] = json!({"peer_name": "A colleague", "peer_role": "registered_social_worker", "discussion": "How to use it in CP visits."});
    }
    json!({"entry_date": date, "title": "CPD", "model": "free_text", "sections": {"text": "Notes"}, "status": "complete", "cpd": cpd})
}

async fn ref3_cpd_records_count_per_registration_year(app: TestApp) {
    let t = team(&app).await;
    let year = registration_year(today());
    // 30 November closes the previous registration year; 1 December opens this one.
    for (date, peer) in [
        (year.starts_on - Duration::days(1), true),
        (year.starts_on, false),
    ] {
        app.post("/api/v1/me/reflections", &t.worker.1, cpd_entry(date, peer))
            .await
            .ok(201);
    }
    let status = app.get("/api/v1/me/cpd-status", &t.worker.1).await.ok(200);
    assert_eq!(status["registered"], true);
    assert_eq!(
        status["status"]["year"]["starts_on"],
        year.starts_on.to_string()
    );
    assert_eq!(status["status"]["records"], 1);
    assert_eq!(status["status"]["with_peer_reflection"], 0);
    assert_eq!(status["status"]["met"], false);
    assert_eq!(status["status"]["days_left"], year.days_left(today()));
    app.post(
        "/api/v1/me/reflections",
        &t.worker.1,
        cpd_entry(today(), true),
    )
    .await
    .ok(201);
    let status = app.get("/api/v1/me/cpd-status", &t.worker.1).await.ok(200);
    assert_eq!(
        (
            status["status"]["records"].as_u64(),
            status["status"]["met"].as_bool()
        ),
        (Some(2), Some(true))
    );
    // Nobody else's totals include them: the manager's count is their own.
    let theirs = app.get("/api/v1/me/cpd-status", &t.manager.1).await.ok(200);
    assert_eq!(theirs["status"]["records"], 0);

    let mut bad = cpd_entry(today(), true);
    bad["cpd"]["impact"] = json!("");
    bad["cpd"]["peer_reflection"]["peer_name"] = json!("");
    let fields: Vec<String> = app
        .post("/api/v1/me/reflections", &t.worker.1, bad)
        .await
        .problem(422, "validation-failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"cpd.impact".to_string()), "{fields:?}");
    assert!(
        fields.contains(&"cpd.peer_reflection.peer_name".to_string()),
        "{fields:?}"
    );

    // Exports: CPD records only, as JSON and as a printable page.
    let cpd_only = app
        .get("/api/v1/me/reflections/export?cpd=true", &t.worker.1)
        .await
        .ok(200);
    assert_eq!(cpd_only.as_array().unwrap().len(), 3);
    let page = app
        .get(
            "/api/v1/me/reflections/export?format=html&cpd=true",
            &t.worker.1,
        )
        .await;
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    assert!(html.contains("Trauma-informed practice course"));
    assert!(html.contains("With A colleague"));
}

/// An ASYE worker under the team's manager, started `days_ago`.
pub(crate) async fn asye_worker(app: &TestApp, t: &Team, days_ago: i64) -> (String, String) {
    let person = app
        .person(
            &t.admin,
            json!({"email": "asye@test.example", "display_name": "asye", "staff_category": "asye",
                   "asye_start": today() - Duration::days(days_ago), "employment_start": today() - Duration::days(days_ago)}),
        )
        .await;
    app.manage(&t.admin, &person.0, &t.manager.0).await;
    person
}

async fn asye1_timeline_moves_with_pauses_and_tracks_evidence(app: TestApp) {
    let t = team(&app).await;
    let (id, token) = asye_worker(&app, &t, 200).await;
    let start = today() - Duration::days(200);
    let path = format!("/api/v1/people/{id}/asye");
    let view = app.get(&path, &token).await.ok(200);
    let end = start.checked_add_months(Months::new(12)).unwrap();
    assert_eq!(view["timeline"]["expected_end"], end.to_string());
    let months: Vec<u64> = view["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["month"].as_u64().unwrap())
        .collect();
    assert_eq!(months, [3, 6, 9, 12]);
    assert_eq!(view["reviews"][2]["optional"], true);
    // A person not in the ASYE, and strangers, get 404.
    app.get(&format!("/api/v1/people/{}/asye", t.worker.0), &t.manager.1)
        .await
        .problem(404, "not-found");
    let (_, stranger) = app.worker(&t.admin, "stranger").await;
    app.get(&path, &stranger).await.problem(404, "not-found");

    // A 30-day pause after the 3-month review moves the 6- and 12-month reviews and the end.
    let pause_start = start + Duration::days(120);
    app.post(&format!("{path}/pauses"), &token, json!({"starts_on": pause_start, "ends_on": pause_start + Duration::days(30), "reason": "Leave"}))
        .await
        .problem(403, "forbidden");
    let paused = app
        .post(&format!("{path}/pauses"), &t.manager.1, json!({"starts_on": pause_start, "ends_on": pause_start + Duration::days(30), "reason": "Leave"}))
        .await
        .ok(200);
    assert_eq!(paused["timeline"]["paused_days"], 30);
    assert_eq!(
        paused["timeline"]["expected_end"],
        (end + Duration::days(30)).to_string()
    );
    assert_eq!(paused["reviews"][0]["due_on"], view["reviews"][0]["due_on"]);
    let six = chrono::NaiveDate::parse_from_str(
        view["reviews"][1]["due_on"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    assert_eq!(
        paused["reviews"][1]["due_on"],
        (six + Duration::days(30)).to_string()
    );
    let overlap = app
        .post(
            &format!("{path}/pauses"),
            &t.manager.1,
            json!({"starts_on": pause_start + Duration::days(10), "reason": "Again"}),
        )
        .await
        .problem(422, "validation-failed");
    assert_eq!(overlap["errors"][0]["field"], "starts_on");
    app.post(
        &format!("{path}/pauses/end"),
        &t.manager.1,
        json!({"ends_on": today()}),
    )
    .await
    .problem(409, "conflict");

    // Evidence, observations and protected time fill the checklist.
    for kind in [
        "service_user_feedback",
        "professional_feedback",
        "critical_reflection_6",
    ] {
        app.post(
            &format!("{path}/evidence"),
            &token,
            json!({"kind": kind, "title": "Feedback", "received_on": today()}),
        )
        .await
        .ok(200);
    }
    app.post(
        &format!("/api/v1/people/{id}/observations"),
        &t.manager.1,
        observation(today(), "home_visit"),
    )
    .await
    .ok(201);
    app.post(
        &format!("{path}/protected-time"),
        &t.manager.1,
        json!({"taken_on": today(), "minutes": 210, "activity": "Reading"}),
    )
    .await
    .problem(403, "forbidden");
    app.post(
        &format!("{path}/protected-time"),
        &token,
        json!({"taken_on": today(), "minutes": 5, "activity": "Reading"}),
    )
    .await
    .problem(422, "validation-failed");
    let logged = app
        .post(
            &format!("{path}/protected-time"),
            &token,
            json!({"taken_on": today(), "minutes": 210, "activity": "Reading"}),
        )
        .await
        .ok(200);
    assert_eq!(logged["checklist"]["direct_observations"]["done"], 1);
    assert_eq!(logged["checklist"]["service_user_feedback"]["done"], 1);
    assert_eq!(
        logged["checklist"]["critical_reflection_6"]["complete"],
        true
    );
    assert_eq!(logged["checklist"]["complete"], false);
    assert_eq!(logged["protected_time"]["logged_minutes"], 210);
    // 170 days in the programme (200 less the 30 paused) at 10 % of 37 hours.
    assert_eq!(
        logged["protected_time"]["expected_minutes"],
        170 * 2220 / 70
    );

    // A two-year programme, set with If-Match (0 while the defaults apply).
    let programme = format!("{path}/programme");
    let set = crate::records::put_if(
        &app,
        &programme,
        &t.manager.1,
        "\"0\"",
        json!({"programme_months": 24, "weekly_minutes": 2220}),
    )
    .await;
    assert_eq!(set.header("etag").as_deref(), Some("\"1\""));
    let body = set.ok(200);
    assert_eq!(
        body["timeline"]["expected_end"],
        (start.checked_add_months(Months::new(24)).unwrap() + Duration::days(30)).to_string()
    );
    crate::records::put_if(
        &app,
        &programme,
        &t.manager.1,
        "\"0\"",
        json!({"programme_months": 12, "weekly_minutes": 2220}),
    )
    .await
    .problem(412, "stale-version");
    let _ = start.year();
}

crate::on_both_backends!(
    obs1_supervisors_record_observations_and_the_supervisee_reflects,
    obs2_practice_year_status_counts_from_1_april,
    ref1_entries_follow_each_model_and_drafts_are_never_lost,
    ref2_entries_are_private_until_shared_and_unsharing_removes_access,
    ref3_cpd_records_count_per_registration_year,
    asye1_timeline_moves_with_pauses_and_tracks_evidence,
);
