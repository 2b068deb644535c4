//! The companion app (issue 19): its files are served from the binary with the right types,
//! a strict Content-Security-Policy, revalidation headers for the shell and the service worker,
//! and without disturbing the API's own routes and errors.

use actix_web::test::TestRequest;
use regex::Regex;
use serde_json::Value;

use supervision::http::app_files::APP_ROUTES;

use crate::support::TestApp;

const CSP: [&str; 7] = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
];

async fn get(app: &TestApp, path: &str) -> crate::support::Resp {
    app.call(TestRequest::get().uri(path)).await
}

fn text(resp: &crate::support::Resp) -> String {
    String::from_utf8(resp.body.to_vec()).expect("UTF-8")
}

/// Every `src`/`href` the page names on this origin.
fn referenced(html: &str) -> Vec<String> {
    Regex::new(r#"(?:src|href)="(/[^"]*)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_string())
        .filter(|p| !p.starts_with("/docs"))
        .collect()
}

fn expected_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css",
        "js" => "text/javascript",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "text/html",
    }
}

#[actix_web::test]
async fn the_app_page_is_html_under_a_strict_policy_with_no_inline_script_or_style() {
    let app = TestApp::sqlite();
    let page = get(&app, "/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    for directive in CSP {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(page.header("cache-control").as_deref(), Some("no-cache"));
    assert!(page.header("etag").is_some());
    assert_eq!(
        page.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );

    let html = text(&page);
    let script = Regex::new(r"(?is)<script\b([^>]*)>").unwrap();
    let scripts: Vec<_> = script.captures_iter(&html).collect();
    assert!(!scripts.is_empty(), "the page loads its script");
    for tag in scripts {
        assert!(
            tag[1].contains("src="),
            "inline script: <script{}>",
            &tag[1]
        );
    }
    for (what, pattern) in [
        ("an on* handler", r#"(?i)<[^>]*\son[a-z]+\s*="#),
        ("a style attribute", r#"(?i)<[^>]*\sstyle\s*="#),
        ("a style element", r"(?i)<style\b"),
        ("a javascript: URL", r"(?i)javascript:"),
    ] {
        assert!(
            !Regex::new(pattern).unwrap().is_match(&html),
            "{what} in index.html"
        );
    }
    // The landmarks and the sign-in form's labels are there for screen readers.
    for needed in [
        r#"<html lang="en-GB">"#,
        r##"href="#main""##,
        r#"<main id="main""#,
        r#"<label for="email">"#,
        r#"<label for="password">"#,
        r#"aria-live="polite""#,
        r#"name="viewport""#,
    ] {
        assert!(html.contains(needed), "index.html lacks {needed}");
    }
}

#[actix_web::test]
async fn every_file_the_page_and_manifest_name_is_served_with_its_type() {
    let app = TestApp::sqlite();
    let html = text(&get(&app, "/").await);
    let mut paths = referenced(&html);
    assert!(paths.contains(&"/manifest.webmanifest".to_string()));
    let manifest_resp = get(&app, "/manifest.webmanifest").await;
    let manifest: Value = serde_json::from_slice(&manifest_resp.body).expect("manifest is JSON");
    for key in ["name", "short_name", "start_url", "display", "theme_color"] {
        assert!(manifest[key].is_string(), "manifest lacks {key}");
    }
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().expect("icons");
    let sizes: Vec<&str> = icons.iter().filter_map(|i| i["sizes"].as_str()).collect();
    for size in ["any", "192x192", "512x512"] {
        assert!(sizes.contains(&size), "no {size} icon");
    }
    paths.extend(icons.iter().map(|i| i["src"].as_str().unwrap().to_string()));
    paths.push(manifest["start_url"].as_str().unwrap().to_string());
    // The modules main.js imports, and they theirs.
    let import = Regex::new(r#"from "\./([a-z-]+\.js)""#).unwrap();
    let mut modules = vec!["/main.js".to_string()];
    while let Some(module) = modules.pop() {
        let resp = get(&app, &module).await;
        assert_eq!(resp.status, 200, "{module}");
        for found in import.captures_iter(&text(&resp)) {
            let path = format!("/{}", &found[1]);
            if !paths.contains(&path) {
                paths.push(path.clone());
                modules.push(path);
            }
        }
    }
    for path in &paths {
        let resp = get(&app, path).await;
        assert_eq!(resp.status, 200, "{path}");
        let got = resp.header("content-type").unwrap_or_default();
        assert!(got.starts_with(expected_type(path)), "{path} is {got}");
        assert!(!resp.body.is_empty(), "{path} is empty");
        assert!(resp.header("content-security-policy").is_some(), "{path}");
    }
    for (png, size) in [
        ("/icons/icon-192.png", 192u32),
        ("/icons/icon-512.png", 512),
    ] {
        let body = get(&app, png).await.body;
        assert_eq!(&body[..8], b"\x89PNG\r\n\x1a\n", "{png}");
        let width = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert_eq!(width, size, "{png}");
    }
}

#[actix_web::test]
async fn the_service_worker_is_revalidated_and_precaches_what_is_served() {
    let app = TestApp::sqlite();
    let sw = get(&app, "/sw.js").await;
    assert_eq!(sw.status, 200);
    assert!(sw
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(sw.header("cache-control").as_deref(), Some("no-cache"));
    assert_eq!(sw.header("service-worker-allowed").as_deref(), Some("/"));
    let etag = sw.header("etag").expect("an ETag");
    let again = app
        .call(
            TestRequest::get()
                .uri("/sw.js")
                .insert_header(("if-none-match", etag.as_str())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // Whatever the worker precaches must be served, or its install fails.
    let source = text(&sw);
    let listed = Regex::new(r#""(/[^"]*)","#).unwrap();
    let shell: Vec<String> = listed
        .captures_iter(&source)
        .map(|c| c[1].to_string())
        .collect();
    assert!(shell.len() >= 5, "{shell:?}");
    for path in shell {
        assert_eq!(get(&app, &path).await.status, 200, "{path}");
    }
    // HEAD answers as GET does, without a body.
    let head = app
        .call(
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/sw.js"),
        )
        .await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

#[actix_web::test]
async fn the_api_and_operations_routes_are_undisturbed() {
    let app = TestApp::sqlite();
    let missing = get(&app, "/api/v1/x").await;
    missing.problem(404, "not-found");
    assert!(missing.header("content-security-policy").is_none());
    get(&app, "/not-an-app-file.js")
        .await
        .problem(404, "not-found");
    assert_eq!(get(&app, "/healthz").await.ok(200)["status"], "ok");
    assert_eq!(get(&app, "/readyz").await.ok(200)["status"], "ready");
    assert_eq!(get(&app, "/metrics").await.status, 200);
    assert_eq!(get(&app, "/docs/").await.status, 200);
    assert!(get(&app, "/api/v1/openapi.json").await.json()["paths"].is_object());
    // The app's files are read-only, refused as the API refuses a method.
    let post = app.call(TestRequest::post().uri("/sw.js")).await;
    post.problem(405, "method-not-allowed");
    assert_eq!(post.header("allow").as_deref(), Some("GET, HEAD"));
}

/// An address of the app's with an id in place of each parameter.
fn filled(pattern: &str) -> String {
    Regex::new(r"\{[a-z_]+\}")
        .unwrap()
        .replace_all(pattern, "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80")
        .into_owned()
}

#[actix_web::test]
async fn the_apps_addresses_answer_with_the_page_so_links_in_notifications_open_it() {
    let app = TestApp::sqlite();
    let page = get(&app, "/").await;
    // Every link the reminders and pushes write (domain::reminder_plan, the test push, the
    // expiry warning) is among the app's addresses.
    let plan = [
        include_str!("../../src/domain/reminder_plan.rs"),
        include_str!("../../src/app/push.rs"),
        include_str!("../../src/jobs/reminders.rs"),
    ]
    .concat();
    let links = Regex::new(r#"link: (?:format!\()?"(/[^"]*)""#).unwrap();
    let param = Regex::new(r"\{[a-z_.]*\}").unwrap();
    let patterns: Vec<Regex> = APP_ROUTES
        .iter()
        .map(|p| Regex::new(&format!("^{}$", param.replace_all(p, "[^/]+"))).unwrap())
        .collect();
    let mut seen = 0;
    for link in links.captures_iter(&plan) {
        seen += 1;
        let path = param.replace_all(&link[1], "x");
        assert!(
            patterns.iter().any(|p| p.is_match(&path)),
            "{} opens no screen",
            &link[1]
        );
    }
    assert!(seen >= 12, "reminder links not found ({seen})");
    // The app routes the same addresses the server answers.
    let main = text(&get(&app, "/main.js").await);
    let routed: Vec<String> = Regex::new(r#"\["(/[^"]+)", ""#)
        .unwrap()
        .captures_iter(&main)
        .map(|c| c[1].to_string())
        .collect();
    let mut served: Vec<String> = APP_ROUTES.iter().map(|r| r.to_string()).collect();
    served.retain(|r| r != "/me/supervision-status"); // main.js shows home there
    assert_eq!(
        routed, served,
        "main.js ROUTES and app_files::APP_ROUTES disagree"
    );
    assert!(main.contains(r#""/me/supervision-status""#));

    for pattern in APP_ROUTES {
        let path = filled(pattern);
        let resp = get(&app, &path).await;
        assert_eq!(resp.status, 200, "{path}");
        assert_eq!(resp.body, page.body, "{path} is not the app's page");
        assert_eq!(
            resp.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(resp.header("content-security-policy").is_some(), "{path}");
        let post = app.call(TestRequest::post().uri(&path)).await;
        post.problem(405, "method-not-allowed");
    }
}

#[actix_web::test]
async fn paths_near_the_apps_addresses_are_still_the_apis_not_found() {
    let app = TestApp::sqlite();
    for path in [
        "/sessions/1/2",
        "/sessions/",
        "/sessionsx",
        "/inbox/1",
        "/people/1",
        "/people/1/supervision-status/x",
        "/records",
        "/me",
    ] {
        let resp = get(&app, path).await;
        resp.problem(404, "not-found");
        assert!(resp.header("content-security-policy").is_none(), "{path}");
    }
    // The API's own session, still the API's: a problem, not the page.
    let api = get(
        &app,
        "/api/v1/sessions/019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f80",
    )
    .await;
    assert!(api.status == 401 || api.status == 404, "{}", api.status);
    assert!(api
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/problem+json"));
}
