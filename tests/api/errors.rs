//! API-1 and API-5: bad input is a clear 4xx problem naming the field, never a 500.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{bearer, TestApp};

async fn api1_malformed_json_is_a_400_problem(app: TestApp) {
    let admin = app.admin().await;
    let body = app
        .call(
            TestRequest::post()
                .uri("/api/v1/teams")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"name\": "),
        )
        .await
        .problem(400, "malformed-request");
    assert!(body["detail"].as_str().unwrap().contains("JSON"));
    let body = app
        .call(
            TestRequest::post()
                .uri("/api/v1/teams")
                .insert_header(bearer(&admin))
                .insert_header(("content-type", "application/json"))
                .set_payload("{\"name\": \"A\"} trailing"),
        )
        .await
        .problem(400, "malformed-request");
    assert!(body["detail"].as_str().unwrap().contains("trailing"));
}

async fn api5_unknown_fields_and_wrong_types_name_the_field(app: TestApp) {
    let admin = app.admin().await;
    let body = app
        .post(
            "/api/v1/teams",
            &admin,
            json!({"name": "A", "colour": "red"}),
        )
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "colour");
    let body = app
        .post("/api/v1/teams", &admin, json!({"name": 7}))
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "name");
    let body = app
        .get("/api/v1/people?colour=red", &admin)
        .await
        .problem(400, "malformed-request");
    assert!(body["detail"].as_str().unwrap().contains("colour"));
    let body = app
        .get("/api/v1/people?active=perhaps", &admin)
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "active");
}

async fn api5_oversized_bodies_are_413(app: TestApp) {
    let admin = app.admin().await;
    let huge = "x".repeat(600 * 1024);
    app.post("/api/v1/teams", &admin, json!({"name": huge}))
        .await
        .problem(413, "payload-too-large");
    // Within the body limit but over the field's own bound.
    let long = "x".repeat(121);
    let body = app
        .post("/api/v1/teams", &admin, json!({"name": long}))
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "name");
}

async fn api1_a_body_that_is_not_json_is_415(app: TestApp) {
    let admin = app.admin().await;
    app.call(
        TestRequest::post()
            .uri("/api/v1/teams")
            .insert_header(bearer(&admin))
            .insert_header(("content-type", "text/plain"))
            .set_payload("name=A"),
    )
    .await
    .problem(415, "unsupported-media-type");
}

async fn api1_unknown_routes_are_404_problems(app: TestApp) {
    let admin = app.admin().await;
    app.get("/api/v1/nothing-here", &admin)
        .await
        .problem(404, "not-found");
    app.get("/elsewhere", &admin)
        .await
        .problem(404, "not-found");
}

async fn api3_page_size_has_a_hard_maximum(app: TestApp) {
    let admin = app.admin().await;
    let body = app
        .get("/api/v1/people?limit=201", &admin)
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "limit");
    let body = app
        .get("/api/v1/teams?offset=-1", &admin)
        .await
        .problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], "offset");
    let page = app.get("/api/v1/people?limit=200", &admin).await.ok(200);
    assert_eq!(page["limit"], 200);
}

/// Dates that chrono reads but no supervision date can be: year 0, a two-digit year typed as
/// it reads, a signed and extended year, a five-digit year. `+` is written as `%2B` where
/// the text goes into a query string.
const OUT_OF_RANGE: [&str; 4] = ["0000-01-01", "0026-01-01", "+002026-01-01", "20260-01-01"];

fn refuses_date(resp: &crate::support::Resp, field: &str, sent: &str) {
    let body = resp.problem(422, "validation-failed");
    assert_eq!(body["errors"][0]["field"], field, "{sent}: {body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1900-01-01 to 2100-12-31"),
        "{sent}: {body}"
    );
}

fn agreement_starting(starts_on: &str) -> serde_json::Value {
    json!({
        "supervisee_id": "nobody", "kind": "line_management", "frequency": {"every_months": 1},
        "session_minutes": 90, "usual_weekday": "thursday", "usual_time": "10:00",
        "place": "Room 2", "agenda": "Cases", "starts_on": starts_on
    })
}

/// API-5: a body date outside 1900 to 2100 is a 422 naming the field (before anything else is
/// looked at); text that is no date at all stays a 400 naming it.
async fn api5_body_dates_outside_1900_to_2100_are_422_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    for sent in OUT_OF_RANGE {
        let resp = app
            .post("/api/v1/agreements", &admin, agreement_starting(sent))
            .await;
        refuses_date(&resp, "starts_on", sent);
    }
    let body = app
        .post(
            "/api/v1/agreements",
            &admin,
            agreement_starting("2026-02-30"),
        )
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "starts_on");
}

/// API-5: so is a date filter on a list.
async fn api5_query_dates_outside_1900_to_2100_are_422_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    for sent in OUT_OF_RANGE {
        let query = sent.replace('+', "%2B");
        let resp = app
            .get(&format!("/api/v1/me/records?from={query}"), &admin)
            .await;
        refuses_date(&resp, "from", sent);
        let resp = app
            .get(&format!("/api/v1/me/reflections?to={query}"), &admin)
            .await;
        refuses_date(&resp, "to", sent);
    }
    app.get("/api/v1/me/records?from=1900-01-01&to=2100-12-31", &admin)
        .await
        .ok(200);
}

/// API-5: and a date in a path.
async fn api5_path_dates_outside_1900_to_2100_are_422_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    for sent in OUT_OF_RANGE {
        let resp = app
            .delete(&format!("/api/v1/calendar/closure-days/{sent}"), &admin)
            .await;
        refuses_date(&resp, "date", sent);
    }
    let body = app
        .delete("/api/v1/calendar/closure-days/yesterday", &admin)
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "date");
}

/// API-1: HEAD answers wherever GET does, with GET's status and headers and no body.
async fn api1_head_is_served_wherever_get_is(app: TestApp) {
    let admin = app.admin().await;
    let head = app
        .call(TestRequest::default().method(Method::HEAD).uri("/readyz"))
        .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let head = app
        .call(
            TestRequest::default()
                .method(Method::HEAD)
                .uri("/api/v1/me")
                .insert_header(bearer(&admin)),
        )
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-type").as_deref(),
        Some("application/json")
    );
    assert!(head.body.is_empty());
}

/// API-1: a method a path does not have is 405 with `Allow`, as a problem document; a path
/// the API does not have stays 404.
async fn api1_a_method_the_path_lacks_is_405_with_allow(app: TestApp) {
    let admin = app.admin().await;
    let resp = app
        .call(
            TestRequest::delete()
                .uri("/readyz")
                .insert_header(bearer(&admin)),
        )
        .await;
    resp.problem(405, "method-not-allowed");
    assert_eq!(resp.header("allow").as_deref(), Some("GET, HEAD"));
    let resp = app
        .call(
            TestRequest::put()
                .uri("/api/v1/teams/some-team")
                .insert_header(bearer(&admin)),
        )
        .await;
    resp.problem(405, "method-not-allowed");
    let allow = resp.header("allow").unwrap();
    assert!(allow.contains("PATCH") && allow.contains("GET"), "{allow}");
    app.call(TestRequest::delete().uri("/api/v1/nothing-here"))
        .await
        .problem(404, "not-found");
}

/// API-1 (RFC 9110): `If-Match: *` matches whatever version is current; an empty If-Match
/// is a 400 naming the header, not a stale version.
async fn api1_if_match_star_matches_any_version_and_empty_is_400(app: TestApp) {
    let admin = app.admin().await;
    let team = app
        .post("/api/v1/teams", &admin, json!({"name": "North"}))
        .await
        .ok(201);
    let path = format!("/api/v1/teams/{}", team["id"].as_str().unwrap());
    let renamed = app
        .patch(&path, &admin, "*", json!({"name": "North East"}))
        .await
        .ok(200);
    assert_eq!(renamed["name"], "North East");
    let again = app
        .patch(&path, &admin, " * ", json!({"name": "North"}))
        .await
        .ok(200);
    assert!(again["version"].as_i64() > renamed["version"].as_i64());
    let body = app
        .patch(&path, &admin, "", json!({"name": "South"}))
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "If-Match");
    app.patch(&path, &admin, "\"1\"", json!({"name": "South"}))
        .await
        .problem(412, "stale-version");
}

/// API-1: a path parameter that does not parse is a 400 problem naming it, in the API's words.
async fn api1_a_path_parameter_that_does_not_parse_is_a_400_naming_it(app: TestApp) {
    let admin = app.admin().await;
    let body = app
        .get("/api/v1/records/some-record/versions/abc", &admin)
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "number");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("whole number") && !message.contains("i32"),
        "{message}"
    );
}

/// API-5: an integer sent as `90.0` is refused naming the field, without Rust type names.
async fn api5_a_whole_number_sent_with_a_fraction_is_refused_in_plain_words(app: TestApp) {
    let admin = app.admin().await;
    let mut agreement = agreement_starting("2026-01-05");
    agreement["session_minutes"] = json!(90.0);
    let body = app
        .post("/api/v1/agreements", &admin, agreement)
        .await
        .problem(400, "malformed-request");
    assert_eq!(body["errors"][0]["field"], "session_minutes");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("whole number") && !message.contains("i32"),
        "{message}"
    );
}

/// API-5: free text the schema's patterns allow (format `one-line` or `multi-line`) is taken
/// exactly as sent through the API; text they refuse is refused with 422 naming the field, or
/// kept only trimmed. Sampled from the characters the rules turn on and any other.
async fn api5_free_text_the_schema_allows_is_kept_as_sent(app: TestApp) {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use supervision::domain::validation::{MULTI_LINE_PATTERN, ONE_LINE_PATTERN};
    let t = crate::sessions::team(&app).await;
    let (one_line, multi_line) = (
        regex::Regex::new(ONE_LINE_PATTERN).unwrap(),
        regex::Regex::new(MULTI_LINE_PATTERN).unwrap(),
    );
    let edge = prop::sample::select(vec![
        'a', 'é', ' ', '\t', '\n', '\r', '\u{0}', '\u{85}', '\u{a0}', '\u{2003}', '\u{3000}',
    ]);
    let letters = prop::sample::select(vec!['a', 'é', 'Z', '-']);
    let texts = prop::collection::vec(
        prop_oneof![3 => letters, 3 => edge, 1 => any::<char>()],
        1..10,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut kept, mut refused) = (0, 0);
    let mut names = std::collections::HashSet::new();
    for _ in 0..60 {
        let text = texts.new_tree(&mut runner).unwrap().current();
        // One line: a team's name (names are unique, so each is tried once).
        if !names.insert(text.trim().to_string()) {
            continue;
        }
        let team = app
            .post("/api/v1/teams", &t.admin, json!({"name": text}))
            .await;
        if one_line.is_match(&text) {
            assert_eq!(team.ok(201)["name"], text.as_str(), "{text:?}");
            kept += 1;
        } else if team.status == 422 {
            assert_eq!(
                team.problem(422, "validation-failed")["errors"][0]["field"],
                "name"
            );
            refused += 1;
        } else {
            assert_eq!(team.ok(201)["name"], text.trim(), "{text:?}");
        }
        // Many lines: a free-text reflection.
        let entry = json!({"entry_date": crate::sessions::today(), "title": "Notes",
            "model": "free_text", "sections": {"text": text}, "status": "draft"});
        let entry = app.post("/api/v1/me/reflections", &t.worker.1, entry).await;
        if multi_line.is_match(&text) {
            assert_eq!(entry.ok(201)["sections"]["text"], text.as_str(), "{text:?}");
        } else if entry.status == 422 {
            let body = entry.problem(422, "validation-failed");
            assert_eq!(body["errors"][0]["field"], "sections.text");
        } else {
            let trimmed = entry.ok(201)["sections"]["text"].clone();
            assert!(trimmed.is_null() || trimmed == text.trim(), "{text:?}");
        }
    }
    assert!(
        kept >= 10 && refused >= 10,
        "kept {kept}, refused {refused}"
    );
}

crate::on_both_backends!(
    api1_head_is_served_wherever_get_is,
    api1_a_method_the_path_lacks_is_405_with_allow,
    api1_if_match_star_matches_any_version_and_empty_is_400,
    api1_a_path_parameter_that_does_not_parse_is_a_400_naming_it,
    api5_a_whole_number_sent_with_a_fraction_is_refused_in_plain_words,
    api5_free_text_the_schema_allows_is_kept_as_sent,
    api1_malformed_json_is_a_400_problem,
    api5_unknown_fields_and_wrong_types_name_the_field,
    api5_oversized_bodies_are_413,
    api1_a_body_that_is_not_json_is_415,
    api1_unknown_routes_are_404_problems,
    api3_page_size_has_a_hard_maximum,
    api5_body_dates_outside_1900_to_2100_are_422_naming_the_field,
    api5_query_dates_outside_1900_to_2100_are_422_naming_the_field,
    api5_path_dates_outside_1900_to_2100_are_422_naming_the_field,
);
