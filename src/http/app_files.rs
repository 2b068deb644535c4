//! The companion app (issue 19): the plain HTML, CSS and JavaScript files of the top-level
//! `app/` folder, compiled into the binary and served from the same origin as the API, so
//! `cargo run` needs no Node, no download and no second web server.
//!
//! Every file answers with its media type, a weak ETag (the `Compress` middleware may gzip the
//! body, so the validator names the content, not the bytes on the wire), `Cache-Control:
//! no-cache` (the names carry no hash, so the browser revalidates and the service worker keeps
//! the offline copy) and a strict Content-Security-Policy. The files are not API operations:
//! they are registered as plain actix routes and stay out of the OpenAPI document.

use std::sync::OnceLock;

use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, App, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::problem::ApiError;

/// What the app's pages may load and do: only this origin's own files, no inline script or
/// style, no plugins, no framing, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
     manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// One file of the app, as served.
pub struct AppFile {
    /// The URL path it answers on.
    pub path: &'static str,
    /// Where it lives under `app/` (what a test compares with the folder).
    pub source: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! app_files {
    ($(($path:literal, $source:literal, $type:literal)),* $(,)?) => {
        /// Every file the binary serves for the app. A test checks that the list and the
        /// `app/` folder agree, so a new file cannot be forgotten.
        pub const FILES: &[AppFile] = &[$(AppFile {
            path: $path,
            source: $source,
            content_type: $type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/app/", $source)),
        }),*];
    };
}

app_files![
    ("/", "index.html", "text/html; charset=utf-8"),
    ("/styles.css", "styles.css", "text/css; charset=utf-8"),
    ("/main.js", "main.js", "text/javascript; charset=utf-8"),
    ("/api.js", "api.js", "text/javascript; charset=utf-8"),
    ("/words.js", "words.js", "text/javascript; charset=utf-8"),
    ("/home.js", "home.js", "text/javascript; charset=utf-8"),
    ("/ui.js", "ui.js", "text/javascript; charset=utf-8"),
    (
        "/sessions.js",
        "sessions.js",
        "text/javascript; charset=utf-8"
    ),
    ("/inbox.js", "inbox.js", "text/javascript; charset=utf-8"),
    (
        "/reminders.js",
        "reminders.js",
        "text/javascript; charset=utf-8"
    ),
    (
        "/reflections.js",
        "reflections.js",
        "text/javascript; charset=utf-8"
    ),
    ("/outbox.js", "outbox.js", "text/javascript; charset=utf-8"),
    (
        "/records.js",
        "records.js",
        "text/javascript; charset=utf-8"
    ),
    (
        "/observations.js",
        "observations.js",
        "text/javascript; charset=utf-8"
    ),
    ("/asye.js", "asye.js", "text/javascript; charset=utf-8"),
    ("/sw.js", "sw.js", "text/javascript; charset=utf-8"),
    (
        "/manifest.webmanifest",
        "manifest.webmanifest",
        "application/manifest+json"
    ),
    ("/icons/icon.svg", "icons/icon.svg", "image/svg+xml"),
    ("/icons/icon-192.png", "icons/icon-192.png", "image/png"),
    ("/icons/icon-512.png", "icons/icon-512.png", "image/png"),
];

/// The app's own addresses (actix patterns), answered with `index.html` so that a link in a
/// notification or push (`domain::reminder_plan`), a reload or a bookmark opens the app at that
/// screen. A fixed list, not a catch-all: any other path keeps the API's problem+json 404.
/// `app/main.js` routes the same patterns (a test checks the two lists agree).
pub const APP_ROUTES: &[&str] = &[
    "/sessions",
    "/sessions/{id}",
    "/inbox",
    "/reminders",
    "/people/{id}/supervision-status",
    "/records/{id}",
    "/records/{id}/versions/{number}",
    "/agreements/{id}",
    "/people/{id}/observation-status",
    "/observations/{id}",
    "/people/{id}/asye",
    "/people/{id}/pdr",
    "/me/supervision-status",
    "/me/pdr",
    "/me/actions",
    "/me/reflections",
    "/me/reflections/new",
    "/me/reflections/waiting/{seq}",
    "/me/shared-reflections",
    "/me/cpd",
    "/reflections/{id}",
    "/reflections/{id}/edit",
    "/cases/{id}",
];

/// Files under `app/` that are for development only (type-checking), never served.
pub const NOT_SERVED: &[&str] = &["tsconfig.json", "tsconfig.sw.json", "types.d.ts"];

/// Each file's ETag, hashed once per process.
fn etags() -> &'static [HeaderValue] {
    static ETAGS: OnceLock<Vec<HeaderValue>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|file| {
                let digest = Sha256::digest(file.bytes);
                let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a header value")
            })
            .collect()
    })
}

/// Whether `If-None-Match` names this ETag (weak comparison, RFC 9110 13.1.2).
fn not_modified(req: &HttpRequest, etag: &HeaderValue) -> bool {
    let Some(tag) = etag.to_str().ok().map(|t| t.trim_start_matches("W/")) else {
        return false;
    };
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == "*" || v == tag)
}

fn serve(req: &HttpRequest, index: usize) -> HttpResponse {
    let file = &FILES[index];
    let etag = etags()[index].clone();
    let unchanged = not_modified(req, &etag);
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if file.path == "/sw.js" {
        // The worker controls the whole origin's app pages; it sits at the root, so this only
        // states the scope it is given.
        response.insert_header(("Service-Worker-Allowed", "/"));
    }
    if unchanged {
        return response.finish();
    }
    response
        .content_type(file.content_type)
        .body(web::Bytes::from_static(file.bytes))
}

/// Any other method on an app file: the API's problem+json 405, not actix's empty one.
async fn read_only() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        allow: "GET, HEAD".into(),
    })
}

/// Registers a GET route for each of the app's files and for the app's addresses (HEAD follows
/// from `head_as_get`).
pub fn register<T>(mut app: App<T>) -> App<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    for (index, file) in FILES.iter().enumerate() {
        app = app.service(
            web::resource(file.path)
                .route(web::get().to(move |req: HttpRequest| async move { serve(&req, index) }))
                .default_service(web::to(read_only)),
        );
    }
    // The page is the first file.
    app.service(
        web::resource(APP_ROUTES.to_vec())
            .route(web::get().to(|req: HttpRequest| async move { serve(&req, 0) }))
            .default_service(web::to(read_only)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("app/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("under app/");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_file_in_the_app_folder_is_served_or_named_as_development_only() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("app");
        let mut found = Vec::new();
        walk(&root, &root, &mut found);
        found.retain(|f| !NOT_SERVED.contains(&f.as_str()));
        found.sort();
        let mut listed: Vec<String> = FILES.iter().map(|f| f.source.to_string()).collect();
        listed.sort();
        assert_eq!(found, listed, "app/ and app_files::FILES disagree");
        // register() serves the page at the app's addresses as the first file.
        assert_eq!(FILES[0].source, "index.html");
    }

    #[test]
    fn etags_differ_by_content_and_match_weakly() {
        let tags = etags();
        assert!(tags.iter().all(|t| t.to_str().unwrap().starts_with("W/\"")));
        let req = actix_web::test::TestRequest::get()
            .insert_header((header::IF_NONE_MATCH, tags[0].clone()))
            .to_http_request();
        assert!(not_modified(&req, &tags[0]));
        assert!(!not_modified(&req, &tags[1]));
    }
}
