//! The HTTP API: actix-web app, routes, views, extractors, problem+json mapping and the OpenAPI
//! document. Handlers parse the request, call one use case in `crate::app` and map its answer;
//! they decide nothing, name no diesel type and import no other route file (`tests/layering.rs`).

pub mod app_files;
pub mod csv;
pub mod extract;
pub mod idempotency;
pub mod observe;
pub mod openapi;
pub mod print;
pub mod problem;
pub mod refresh_cookie;
pub mod routes;
pub mod views;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::{middleware, web, App, HttpResponse};
use utoipa::OpenApi as _;
use utoipa_actix_web::{scope, AppExt};

use crate::auth::access::AccessCache;
use crate::auth::rate_limit::{LoginLimiter, SlidingWindow};
use crate::auth::tokens::TokenKeys;
use crate::config::Settings;
use crate::store::organisation::Calendars;
use crate::store::people::Access;
use crate::store::Db;
use observe::Metrics;
use problem::ApiError;

/// How long a person's access, once read, is trusted: the longest a change made on another
/// instance takes to bite (ACC-1).
pub const ACCESS_CHECK: Duration = Duration::from_secs(2);

/// Everything handlers share, built once before the server starts (so there is one pool,
/// not one per worker).
pub struct AppState {
    pub db: Db,
    /// Working-day calendars, rebuilt when closure days or settings change.
    pub calendars: Arc<Calendars>,
    pub tokens: TokenKeys,
    /// Each signed-in person's access, read fresh every few seconds (ACC-1).
    pub access: AccessCache<Access>,
    pub limiter: LoginLimiter,
    pub metrics: Metrics,
    pub refresh_ttl: chrono::Duration,
    pub idempotency_ttl: chrono::Duration,
    pub max_body_bytes: usize,
    pub trust_forwarded_for: bool,
    /// Web Push with the server's VAPID keys (REM-1).
    pub push: Arc<crate::push::Sender>,
}

impl AppState {
    pub fn new(db: Db, settings: &Settings, secret: &str) -> AppState {
        let window = Duration::from_secs(settings.login_window_seconds);
        AppState {
            db,
            calendars: Arc::new(Calendars::default()),
            tokens: TokenKeys::new(secret.as_bytes(), settings.access_token_ttl_seconds),
            access: AccessCache::new(ACCESS_CHECK),
            limiter: LoginLimiter {
                per_account: SlidingWindow::new(settings.login_max_failures_per_account, window),
                per_address: SlidingWindow::new(settings.login_max_attempts_per_address, window),
            },
            metrics: Metrics::default(),
            refresh_ttl: chrono::Duration::days(settings.refresh_token_ttl_days),
            idempotency_ttl: chrono::Duration::hours(settings.idempotency_ttl_hours),
            max_body_bytes: settings.max_body_bytes,
            trust_forwarded_for: settings.trust_forwarded_for,
            push: Arc::new(crate::push::Sender::new(
                // `serve` resolves the key first (configured or kept in the data folder);
                // without one, as in tests, the keys live as long as the process.
                settings
                    .vapid_private_key
                    .as_deref()
                    .and_then(|key| crate::push::VapidKeys::from_private(key).ok())
                    .unwrap_or_else(crate::push::VapidKeys::generate),
                settings.vapid_subject.clone(),
                Duration::from_secs(settings.push_timeout_seconds),
                settings.push_policy(),
            )),
        }
    }

    /// What the sign-in use cases sign tokens with.
    pub fn issuer(&self) -> crate::app::auth::Issuer<'_> {
        crate::app::auth::Issuer {
            keys: &self.tokens,
            refresh_ttl: self.refresh_ttl,
        }
    }
}

/// Registers the documented routes on `app` and returns it with the OpenAPI document they make.
fn with_api<T>(app: App<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .configure(routes::ops::configure)
        .service(scope("/api/v1").configure(routes::configure))
        .split_for_parts()
}

/// The OpenAPI document, generated from the same route registrations the server uses.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut document = with_api(App::new()).1;
    openapi::complete(&mut document);
    document
}

/// The document as served: serialised once per process and shared by every worker (the
/// document is large; one copy per worker would cost megabytes each).
fn openapi_json() -> web::Bytes {
    static JSON: OnceLock<web::Bytes> = OnceLock::new();
    JSON.get_or_init(|| {
        web::Bytes::from(
            openapi_document()
                .to_json()
                .expect("the OpenAPI document serialises"),
        )
    })
    .clone()
}

async fn serve_openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_json())
}

/// The interactive docs page: Swagger UI's files are compiled into the binary, so it works
/// with no internet access (API-2).
async fn serve_docs(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    let config = CONFIG
        .get_or_init(|| Arc::new(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")))
        .clone();
    match utoipa_swagger_ui::serve(&file, config) {
        Ok(Some(found)) => Ok(HttpResponse::Ok()
            .content_type(found.content_type)
            .body(found.bytes.into_owned())),
        Ok(None) => Err(ApiError::NotFound),
        Err(err) => Err(ApiError::Internal(err.to_string())),
    }
}

/// HEAD wherever GET is (RFC 9110): the request runs as a GET and the body is dropped.
async fn head_as_get(
    mut req: ServiceRequest,
    next: middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let response = next.call(req).await?;
    Ok(if head {
        response.map_body(|_, _| EitherBody::right(()))
    } else {
        response.map_into_left_body()
    })
}

/// Each documented path template, split into segments (`None` for a parameter), with the
/// methods it allows as an `Allow` header lists them.
fn path_methods() -> &'static [(Vec<Option<String>>, String)] {
    static PATHS: OnceLock<Vec<(Vec<Option<String>>, String)>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let document: serde_json::Value =
            serde_json::from_slice(&openapi_json()).expect("the OpenAPI document is JSON");
        let paths = document["paths"].as_object().cloned().unwrap_or_default();
        paths
            .into_iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                    .collect();
                let mut methods: Vec<String> = item
                    .as_object()
                    .into_iter()
                    .flat_map(|ops| ops.keys())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".into());
                }
                (segments, methods.join(", "))
            })
            .collect()
    })
}

/// No route took the request: 405 with `Allow` when the path is one the API documents (the
/// most literal template that fits), otherwise 404.
async fn unrouted(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let segments: Vec<&str> = req.path().split('/').collect();
    path_methods()
        .iter()
        .filter(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.as_deref().map_or(!s.is_empty(), |t| t == *s))
        })
        .max_by_key(|(template, _)| template.iter().flatten().count())
        .filter(|(_, allow)| !allow.split(", ").any(|m| m == req.method().as_str()))
        .map_or(Err(ApiError::NotFound), |(_, allow)| {
            Err(ApiError::MethodNotAllowed {
                allow: allow.clone(),
            })
        })
}

/// The whole application: routes, docs, middleware and error mapping.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.max_body_bytes;
    // The document goes first: the `/api/v1` scope would otherwise claim the path. The docs
    // and the companion app's files (plain routes, outside the OpenAPI document) go after the
    // API, so no API request pays for trying their patterns (issues 18 and 19).
    let base = App::new()
        .app_data(state)
        .app_data(web::PayloadConfig::new(limit))
        .route("/api/v1/openapi.json", web::get().to(serve_openapi));
    let (app, _) = with_api(base);
    app_files::register(app)
        .route("/docs/{file:.*}", web::get().to(serve_docs))
        .service(web::redirect("/docs", "/docs/"))
        .app_data(web::PathConfig::default().error_handler(extract::path_error))
        .default_service(web::to(unrouted))
        .wrap(middleware::from_fn(head_as_get))
        .wrap(middleware::from_fn(idempotency::idempotency))
        .wrap(middleware::from_fn(observe::observe))
        .wrap(middleware::Compress::default())
}

#[cfg(test)]
mod tests {
    /// actix tries routes in the order they are registered (`routes::configure` puts the
    /// home-screen reads first); that order cannot change which handler answers only while no
    /// two documented paths with a method in common match the same request.
    #[test]
    fn no_two_routes_match_the_same_request() {
        let paths = super::path_methods();
        assert!(paths.len() > 100, "{} paths", paths.len());
        for (i, (a, allow_a)) in paths.iter().enumerate() {
            for (b, allow_b) in &paths[i + 1..] {
                let same_shape = a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.is_none() || y.is_none() || x == y);
                let common = allow_a
                    .split(", ")
                    .any(|m| allow_b.split(", ").any(|n| n == m));
                assert!(!(same_shape && common), "{a:?} and {b:?} overlap");
            }
        }
    }
}
