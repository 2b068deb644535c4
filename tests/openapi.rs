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
        let secured = operation["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
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
