//! API-2: the committed OpenAPI document is the one the code generates, and it documents every
//! operation's errors, auth and examples.

use serde_json::Value;

const COMMITTED: &str = "openapi/openapi.json";

fn generated() -> Value {
    serde_json::from_str(
        &supervision::http::openapi_document()
            .to_pretty_json()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn api2_committed_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_else(|e| panic!("cannot read {COMMITTED}: {e}"));
    let committed: Value = serde_json::from_str(&committed).expect("committed document is JSON");
    assert!(
        committed == generated(),
        "{COMMITTED} is out of date with the code. Refresh it with:\n\n    \
         cargo run --quiet -- openapi > {COMMITTED}\n"
    );
}

fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    found
}

#[test]
fn api2_every_operation_has_auth_errors_and_typed_responses() {
    let document = generated();
    let operations = operations(&document);
    assert!(
        operations.len() >= 20,
        "only {} operations",
        operations.len()
    );
    let public = [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/calendar/working-days",
        "/api/v1/calendar/add-working-days",
        "/api/v1/calendar/holidays",
        "/api/v1/push/vapid-public-key",
        "/api/v1/calendar-feeds/{token}",
        "/healthz",
        "/readyz",
        "/metrics",
    ];
    for (path, method, operation) in &operations {
        let name = format!("{} {path}", method.to_uppercase());
        assert!(
            operation["summary"].is_string() || operation["description"].is_string(),
            "{name} has no description"
        );
        // `{}` among the requirements makes them optional: refresh and logout take the
        // refresh cookie or a token in the body.
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty() && !s.iter().any(|r| r == &serde_json::json!({})));
        assert_eq!(
            secured,
            !public.contains(&path.as_str()),
            "{name}: security requirement"
        );
        let responses = operation["responses"].as_object().unwrap();
        if secured {
            assert!(
                responses.contains_key("401"),
                "{name} does not document 401"
            );
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert!(
                    response["content"]["application/problem+json"].is_object(),
                    "{name} {status} is not documented as a problem document"
                );
            }
        }
        if ["post", "patch"].contains(&method.as_str()) && operation["requestBody"].is_object() {
            assert!(
                responses.keys().any(|s| s == "400" || s == "422"),
                "{name} documents no validation error"
            );
        }
        if method == "patch" {
            let params = operation["parameters"]
                .as_array()
                .expect("PATCH documents If-Match");
            assert!(
                params.iter().any(|p| p["name"] == "If-Match"),
                "{name} lacks If-Match"
            );
            assert!(
                responses.contains_key("412") && responses.contains_key("428"),
                "{name} lacks 412/428"
            );
        }
    }
}

#[test]
fn api2_request_and_response_schemas_carry_examples() {
    let document = generated();
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let without: Vec<&String> = schemas
        .iter()
        .filter(|(name, schema)| {
            // Generic wrappers, enums and list items are shown by the schemas that use them.
            !name.starts_with("Paged")
                && !name.ends_with("Field")
                && schema["enum"].is_null()
                && schema["example"].is_null()
                && schema["examples"].is_null()
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        without.is_empty(),
        "schemas without an example: {without:?}"
    );
    assert!(document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
}

/// API-2: what client generators need of an OpenAPI 3.1 document: every response described,
/// operationIds unique, and every schema reference registered.
#[test]
fn api2_document_is_one_client_generators_accept() {
    let document = generated();
    let mut undescribed = Vec::new();
    let mut ids = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (path, method, operation) in operations(&document) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let described = response["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty());
            if !described && response.get("$ref").is_none() {
                undescribed.push(format!("{method} {path} {status}"));
            }
        }
        if let Some(id) = operation["operationId"].as_str() {
            ids.entry(id.to_string())
                .or_default()
                .push(format!("{method} {path}"));
        }
    }
    assert!(
        undescribed.is_empty(),
        "responses without a description: {undescribed:?}"
    );
    let repeated: Vec<_> = ids.iter().filter(|(_, ops)| ops.len() > 1).collect();
    assert!(repeated.is_empty(), "operationIds used twice: {repeated:?}");
    let text = document.to_string();
    let registered = document["components"]["schemas"].as_object().unwrap();
    let dangling: std::collections::BTreeSet<&str> = text
        .split("\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !registered.contains_key(*name))
        .collect();
    assert!(
        dangling.is_empty(),
        "references to unregistered schemas: {dangling:?}"
    );
}

/// Calls `check` on every schema reachable from `node`, following references into the
/// components (each component once).
fn walk(document: &Value, node: &Value, seen: &mut Vec<String>, check: &mut impl FnMut(&Value)) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let name = target.trim_start_matches("#/components/schemas/");
                if !seen.iter().any(|s| s == name) {
                    seen.push(name.to_string());
                    walk(
                        document,
                        &document["components"]["schemas"][name],
                        seen,
                        check,
                    );
                }
            }
            check(node);
            for value in map.values() {
                walk(document, value, seen, check);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(document, item, seen, check);
            }
        }
        _ => {}
    }
}

/// API-5: every date a request carries (body, query or path) is the one `Day` schema, which
/// states the years it accepts; no request reads a date some other way.
#[test]
fn api5_request_dates_are_the_bounded_day_schema() {
    let document = generated();
    let day = document["components"]["schemas"]["Day"].clone();
    assert_eq!(day["type"], "string");
    assert_eq!(day["format"], "date");
    assert!(day["description"]
        .as_str()
        .unwrap()
        .contains("1900-01-01 to 2100-12-31"));
    let mut seen = Vec::new();
    let mut days = 0;
    for (path, method, operation) in operations(&document) {
        for input in [&operation["requestBody"], &operation["parameters"]] {
            walk(&document, input, &mut seen, &mut |node| {
                if *node == day {
                    days += 1;
                } else {
                    assert!(
                        node["format"] != "date",
                        "{method} {path} reads a date that is not a Day: {node}"
                    );
                }
            });
        }
    }
    assert!(days > 0, "no request reads a date at all");
}

/// API-2, API-3, API-4: what the extractors answer and enforce is in the document for every
/// operation: 413 and 415 wherever there is a body, the bounds of paging and of
/// `Idempotency-Key`, and the shape of `If-Match`.
#[test]
fn api2_extractor_problems_and_bounds_are_documented_everywhere() {
    let document = generated();
    for (path, method, operation) in operations(&document) {
        let responses = operation["responses"].as_object().unwrap();
        if operation["requestBody"].is_object() {
            for status in ["400", "413", "415", "422"] {
                assert!(
                    responses[status]["content"]["application/problem+json"].is_object(),
                    "{method} {path} does not document {status}"
                );
            }
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            match parameter["name"].as_str().unwrap() {
                "limit" => assert!(schema["minimum"] == 1 && schema["maximum"] == 200, "{path}"),
                "offset" => assert!(schema["minimum"] == 0, "{path}"),
                "Idempotency-Key" => assert!(schema["maxLength"] == 255, "{path}"),
                // Header bytes HTTP cannot carry get a bare 400 from the parser, before any
                // problem document could be written: the pattern keeps clients from them.
                "If-Match" => assert!(schema["pattern"] == r#"^(\*|(W/)?"[!#-~]*")$"#, "{path}"),
                _ => {}
            }
        }
        assert!(
            operation["summary"].is_string() && operation["description"].is_string(),
            "{method} {path} lacks a summary and description"
        );
    }
}

/// API-5: the limits the server enforces on what a client writes are in the schemas, so a
/// generated client can refuse a value before sending it. A sample across the modules guards
/// against an annotation lost in a refactor.
#[test]
fn api5_enforced_limits_are_in_the_request_schemas() {
    let document = generated();
    let schemas = &document["components"]["schemas"];
    for (schema, field, key, value) in [
        ("CreateTeam", "name", "maxLength", 120),
        ("UpdateMe", "display_name", "maxLength", 200),
        ("CreatePerson", "email", "maxLength", 254),
        ("LoginRequest", "email", "maxLength", 254),
        ("AccessRequest", "detail", "minLength", 10),
        ("NewAddendum", "text", "maxLength", 10_000),
        ("EndAgreement", "reason", "maxLength", 1_000),
        ("CreateAgreement", "agenda", "maxLength", 4_000),
        ("CreateAgreement", "session_minutes", "minimum", 15),
        ("BookSession", "duration_minutes", "maximum", 480),
        ("NewCaseBody", "case_reference", "maxLength", 50),
        ("EntryBody", "tags", "maxItems", 20),
        ("GroupRecordBody", "attendees", "maxItems", 100),
        ("FeedbackBody", "feedback", "maxLength", 5_000),
        ("GoalBody", "specific", "maxLength", 2_000),
        ("ProgrammeBody", "programme_months", "maximum", 36),
        ("UpdateOrganisation", "pdr_goals_per_year", "maximum", 20),
        ("NewDevice", "label", "maxLength", 100),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field][key], value,
            "{schema}.{field} should carry {key} {value}"
        );
    }
    let operations = operations(&document);
    let parameter = |path: &str, name: &str| {
        let (_, _, operation) = operations
            .iter()
            .find(|(p, m, _)| p == path && m == "get")
            .unwrap();
        operation["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    assert_eq!(parameter("/api/v1/people", "q")["maxLength"], 200);
    assert_eq!(
        parameter("/api/v1/cases", "due_within_days")["maximum"],
        366
    );
    assert_eq!(
        parameter("/api/v1/calendar/add-working-days", "days")["minimum"],
        -10_000
    );
}

/// API-5: every text a request writes says in the schema what the server takes: a length,
/// and for free text the pattern of its validator (no blank or padded text, no control
/// characters, or only newlines and tabs in multi-line text), so nothing the schema allows
/// is refused for a reason it could have said. Identifiers are the exception: a wrong one
/// is not found, whatever its shape.
#[test]
fn api5_every_text_a_request_writes_states_its_rule() {
    use supervision::domain::records::KEY_PATTERN;
    use supervision::domain::validation::{MULTI_LINE_PATTERN, ONE_LINE_PATTERN};
    let document = generated();
    let mut seen = Vec::new();
    let mut unbounded = std::collections::BTreeSet::new();
    let mut any_text = std::collections::BTreeSet::new();
    let mut texts = 0;
    for (_, _, operation) in operations(&document) {
        walk(
            &document,
            &operation["requestBody"],
            &mut seen,
            &mut |node| {
                let mut fields: Vec<(String, &Value)> = Vec::new();
                for (name, property) in node["properties"].as_object().into_iter().flatten() {
                    fields.push((name.clone(), property));
                    fields.push((format!("{name}[]"), &property["items"]));
                    fields.push((format!("{name}.*"), &property["additionalProperties"]));
                }
                for (name, property) in fields {
                    let is_string = property["type"] == "string"
                        || property["type"]
                            .as_array()
                            .is_some_and(|t| t.contains(&"string".into()));
                    if !is_string
                        || property["enum"].is_array()
                        || property["pattern"].is_string() && property["format"].is_null()
                        || matches!(property["format"].as_str(), Some("date" | "date-time"))
                    {
                        continue;
                    }
                    let expected = match property["format"].as_str() {
                        Some("one-line") => ONE_LINE_PATTERN,
                        Some("multi-line") => MULTI_LINE_PATTERN,
                        Some("key") => KEY_PATTERN,
                        _ => {
                            if property["maxLength"].is_null() {
                                unbounded.insert(name);
                            } else {
                                any_text.insert(name);
                            }
                            continue;
                        }
                    };
                    texts += 1;
                    assert_eq!(property["pattern"], expected, "{name}: {property}");
                    assert!(property["maxLength"].is_u64(), "{name} has no maxLength");
                }
            },
        );
    }
    assert!(texts > 50, "only {texts} free-text fields found");
    // What a request names rather than writes: a wrong one is simply not found or not
    // accepted. Case references match the organisation's own pattern, which is data.
    let named = [
        "alternate_with",
        "attendees[]",
        "case_reference",
        "case_references[]",
        "model",
        "policy_profile",
        "refresh_token",
    ];
    let unstated: Vec<&String> = unbounded
        .iter()
        .filter(|name| !name.ends_with("_id") && !named.contains(&name.as_str()))
        .collect();
    assert!(
        unstated.is_empty(),
        "request text with no stated rule: {unstated:?}"
    );
    // Bounded text taken as it comes: passwords (spaces and all), addresses with rules of
    // their own, and an administrator's regular expression.
    assert_eq!(
        any_text.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "case_reference_pattern",
            "current_password",
            "email",
            "endpoint",
            "new_password",
            "password"
        ],
        "free text should carry format one-line or multi-line"
    );
}

proptest::proptest! {
    /// REM-1, API-5: the key patterns in `SubscriptionKeys` admit every key a browser gives
    /// (as `PushSubscription.toJSON()` encodes them, padded or not) and no key of the wrong
    /// size, so the schema refuses what the server would.
    #[test]
    fn api5_subscription_key_patterns_match_what_browsers_send(
        point in proptest::collection::vec(proptest::num::u8::ANY, 64),
        secret in proptest::collection::vec(proptest::num::u8::ANY, 16),
        short in proptest::collection::vec(proptest::num::u8::ANY, 1..16),
    ) {
        use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
        use base64::Engine;
        let p256dh = regex::Regex::new(SUBSCRIPTION_KEYS.0).unwrap();
        let auth = regex::Regex::new(SUBSCRIPTION_KEYS.1).unwrap();
        let public: Vec<u8> = std::iter::once(4).chain(point).collect();
        for engine in [URL_SAFE, URL_SAFE_NO_PAD] {
            proptest::prop_assert!(p256dh.is_match(&engine.encode(&public)));
            proptest::prop_assert!(auth.is_match(&engine.encode(&secret)));
            proptest::prop_assert!(!p256dh.is_match(&engine.encode(&short)));
            proptest::prop_assert!(!auth.is_match(&engine.encode(&short)));
            proptest::prop_assert!(!p256dh.is_match(&engine.encode(&secret)));
        }
    }
}

proptest::proptest! {
    /// REM-1, API-5: and whatever the key patterns admit is a key of the right kind.
    #[test]
    fn api5_what_the_key_patterns_admit_is_a_key(
        p256dh in proptest::string::string_regex(unanchored(SUBSCRIPTION_KEYS.0)).unwrap(),
        auth in proptest::string::string_regex(unanchored(SUBSCRIPTION_KEYS.1)).unwrap(),
    ) {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        let public = URL_SAFE_NO_PAD.decode(p256dh.trim_end_matches('=')).unwrap();
        proptest::prop_assert!(public.len() == 65 && public[0] == 4);
        let secret = URL_SAFE_NO_PAD.decode(auth.trim_end_matches('=')).unwrap();
        proptest::prop_assert_eq!(secret.len(), 16);
    }
}

fn unanchored(pattern: &str) -> &str {
    pattern.trim_start_matches('^').trim_end_matches('$')
}

/// The key patterns the document states, as the tests above take them.
#[test]
fn api5_subscription_key_patterns_are_the_documented_ones() {
    let document = generated();
    let keys = &document["components"]["schemas"]["SubscriptionKeys"]["properties"];
    assert_eq!(keys["p256dh"]["pattern"], SUBSCRIPTION_KEYS.0);
    assert_eq!(keys["auth"]["pattern"], SUBSCRIPTION_KEYS.1);
}

const SUBSCRIPTION_KEYS: (&str, &str) = (
    "^B[A-P][A-Za-z0-9_-]{84}[AEIMQUYcgkosw048]=?$",
    "^[A-Za-z0-9_-]{21}[AQgw](==)?$",
);
