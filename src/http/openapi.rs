//! The OpenAPI 3.1 document's frame: info, tags and the bearer scheme. Paths and schemas are
//! collected from the handlers as they are registered (see `http::with_api`).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Supervision API",
        description = "Plans and tracks supervision of social-care staff as UK policies require, keeps \
the records of it, and reminds people before things are due.\n\n\
Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `type`; \
validation errors list each field in `errors`. Sign in at `/api/v1/auth/login` and send the \
access token as `Authorization: Bearer <token>`. Changes to a resource need `If-Match` with \
its ETag. POSTs accept an `Idempotency-Key` header: a retry with the same key and body returns \
the first response (marked `Idempotent-Replayed: true`) and creates nothing twice.",
        license(name = "MIT")
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Sign-in and tokens (ACC-1)"),
        (name = "me", description = "The signed-in person"),
        (name = "people", description = "People and line management"),
        (name = "teams", description = "Teams"),
        (name = "audit", description = "The append-only audit log (ACC-4)"),
        (name = "agreements", description = "Supervision agreements and the year plan (AGR, SES-2)"),
        (name = "sessions", description = "Sessions: booking, moving, cancelling, held and missed (SES)"),
        (name = "groups", description = "Group reflective supervision per team (GRP-1)"),
        (name = "status", description = "Supervision status against the frequency limit (FREQ-4)"),
        (name = "calendar", description = "Working days, public holidays and closure days (CAL-1 to CAL-3)"),
        (name = "organisation", description = "Organisation settings, policy profiles and frequency overrides (FREQ-3)"),
        (name = "records", description = "Records of supervision: templates, sign-off, addenda, actions and access (REC, ACC-2, ACC-3)"),
        (name = "observations", description = "Observations of practice and the practice-year status (OBS)"),
        (name = "reflections", description = "Reflective logs, sharing, comments and CPD records (REF)"),
        (name = "asye", description = "The assessed and supported year in employment (ASYE-1)"),
        (name = "cases", description = "Case supervision, an optional module: how often each case must be discussed, by status (CASE-1)"),
        (name = "pdr", description = "The performance and development review: the yearly cycle, its reviews and SMART goals (PDR-1)"),
        (name = "push", description = "Web Push: the VAPID key and your devices (REM-1)"),
        (name = "reminders", description = "Reminder settings and the private calendar feed (REM-2, REM-3, REM-7)"),
        (name = "reports", description = "Compliance reports for teams, supervisors and the organisation, as JSON or CSV (RPT-1)"),
        (name = "operations", description = "Health, readiness and metrics"),
    ),
    components(schemas(
        crate::http::problem::Problem,
        crate::http::problem::ProblemField,
        // Enums named only by query parameters: registered so their references resolve.
        crate::app::reports::Format,
        crate::http::routes::reflections::ExportFormat,
        crate::http::routes::records::RecordRole,
    ))
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from /api/v1/auth/login or /api/v1/auth/refresh (HS256, 15 minutes)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "refresh_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::refresh_cookie::NAME,
                "The refresh token of a sign-in that asked for `refresh_token_delivery: \"cookie\"`: \
HttpOnly, SameSite=Strict, Path=/api/v1/auth; only from this site's own pages",
            ))),
        );
    }
}

/// Completes what the handlers' annotations leave out, centrally so no handler can forget:
/// every response has a description (for an unannotated one, its status's reason phrase);
/// every problem the extractors can answer is documented (400 and 422 for any parameter or
/// body; 413 and 415 for a body); paging and `Idempotency-Key` carry the bounds the server
/// enforces; and the doc comment's first sentence is the summary, the whole the description.
pub fn complete(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    if let Some(components) = document.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let RefOr::T(schema) = schema {
                text_patterns(schema);
            }
        }
    }
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            describe(operation);
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            let mut problems = Vec::new();
            // A parameter or body that does not read is 400; one that reads but breaks a
            // bound (a date outside 1900 to 2100, a page size) is 422.
            if !parameters.is_empty() || operation.request_body.is_some() {
                problems.extend(["400", "422"]);
            }
            if operation.request_body.is_some() {
                problems.extend(["413", "415"]);
            }
            for status in problems {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(problem_response(reason(status))));
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter {
                    bound(parameter);
                }
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    if response.description.is_empty() {
                        response.description = reason(status).to_string();
                    }
                }
            }
        }
    }
}

/// Gives each free-text field the pattern of what its validator keeps as sent (API-5), so a
/// client can tell blank, padded or control-character text is refused before sending it. A
/// field says which rule it follows with `format = "one-line"` or `format = "multi-line"`;
/// the patterns are the domain's.
fn text_patterns(schema: &mut utoipa::openapi::schema::Schema) {
    use crate::domain::records::KEY_PATTERN;
    use crate::domain::validation::{MULTI_LINE_PATTERN, ONE_LINE_PATTERN};
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Schema, SchemaFormat};
    use utoipa::openapi::RefOr;
    let nested: Vec<&mut RefOr<Schema>> = match schema {
        Schema::Object(object) => {
            if let Some(SchemaFormat::Custom(format)) = &object.format {
                match format.as_str() {
                    "one-line" => object.pattern = Some(ONE_LINE_PATTERN.into()),
                    "multi-line" => object.pattern = Some(MULTI_LINE_PATTERN.into()),
                    "key" => object.pattern = Some(KEY_PATTERN.into()),
                    _ => {}
                }
            }
            let values = match object.additional_properties.as_deref_mut() {
                Some(AdditionalProperties::RefOr(values)) => Some(values),
                _ => None,
            };
            object.properties.values_mut().chain(values).collect()
        }
        Schema::Array(array) => match &mut array.items {
            ArrayItems::RefOrSchema(items) => vec![items.as_mut()],
            _ => Vec::new(),
        },
        Schema::OneOf(one_of) => one_of.items.iter_mut().collect(),
        Schema::AllOf(all_of) => all_of.items.iter_mut().collect(),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().collect(),
        _ => Vec::new(),
    };
    for schema in nested {
        if let RefOr::T(schema) = schema {
            text_patterns(schema);
        }
    }
}

/// utoipa makes the whole doc comment the summary: keep its first sentence there and the
/// whole text, which says who may call the operation and what it changes, as the description.
fn describe(operation: &mut utoipa::openapi::path::Operation) {
    let Some(text) = operation.summary.take() else {
        return;
    };
    let first = text
        .char_indices()
        .find(|&(at, c)| c == '.' && text[at + 1..].starts_with([' ', '\n']))
        .map_or(text.as_str(), |(at, _)| &text[..at]);
    operation.summary = Some(first.replace('\n', " ").trim_end_matches('.').to_string());
    if operation.description.is_none() {
        operation.description = Some(text.replace('\n', " "));
    }
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// What `If-Match` may carry: `*` or one entity tag, weak or strong.
const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[!#-~]*")$"#;

/// The bounds the server enforces on the parameters every list and POST share (API-3, API-4),
/// and the shape of `If-Match`.
fn bound(parameter: &mut utoipa::openapi::path::Parameter) {
    use super::extract::MAX_PAGE_SIZE;
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    use utoipa::Number;
    let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else {
        return;
    };
    match parameter.name.as_str() {
        "limit" => {
            schema.minimum = Some(Number::Int(1));
            schema.maximum = Some(Number::Int(MAX_PAGE_SIZE as isize));
        }
        "offset" => schema.minimum = Some(Number::Int(0)),
        "Idempotency-Key" => {
            schema.min_length = Some(1);
            schema.max_length = Some(super::idempotency::MAX_KEY_LEN);
            schema.pattern = Some("^[!-~]+$".into());
        }
        // An entity tag or `*` (RFC 9110); a value with bytes HTTP cannot carry in a header
        // never reaches the service: the HTTP parser refuses it with a bare 400.
        "If-Match" => schema.pattern = Some(IF_MATCH_PATTERN.into()),
        _ => {}
    }
}

fn reason(status: &str) -> &'static str {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| actix_web::http::StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Response")
}
