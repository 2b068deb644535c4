//! The layers keep to what they may know (see `src/app/mod.rs`): the domain is plain rules;
//! the application layer knows the domain and the store but not HTTP; the store only stores;
//! route files parse, call one use case and map, and do not lean on each other.

use std::fs;
use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out.sort();
    out
}

/// The file's code lines (comments left out), numbered from 1.
fn code(path: &Path) -> Vec<(usize, String)> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| (i + 1, line.to_string()))
        .collect()
}

/// Every line of the files under `dir` that names one of `banned`.
fn naming(dir: &str, banned: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources(dir) {
        for (number, line) in code(&path) {
            for word in banned {
                if line.contains(word) {
                    found.push(format!(
                        "{}:{number}: {word}: {}",
                        path.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn the_domain_knows_no_framework_storage_or_outer_layer() {
    let found = naming(
        "src/domain",
        &[
            "actix",
            "diesel::",
            "crate::store",
            "crate::app",
            "crate::http",
        ],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_application_layer_knows_no_http() {
    let found = naming("src/app", &["actix", "crate::http", "StatusCode"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_store_knows_no_use_case_or_http() {
    let found = naming("src/store", &["crate::app", "crate::http", "actix"]);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn http_naming_diesel() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for path in sources("src/http") {
        for (number, line) in code(&path) {
            if line.contains("diesel::") || line.contains("DbConnection") {
                found.push((path.clone(), format!("{number}: {}", line.trim())));
            }
        }
    }
    found
}

#[test]
fn http_names_no_diesel_and_no_connection() {
    let found = report(http_naming_diesel());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Findings as lines to print.
fn report(found: Vec<(PathBuf, String)>) -> Vec<String> {
    found
        .into_iter()
        .map(|(path, what)| format!("{}:{what}", path.display()))
        .collect()
}

/// The route modules, by name: `routes/sessions.rs` and `routes/records/mod.rs` give
/// `sessions` and `records`.
fn route_modules() -> Vec<String> {
    sources("src/http/routes")
        .iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/routes"));
            let first = rel
                .ok()?
                .components()
                .next()?
                .as_os_str()
                .to_str()?
                .to_string();
            Some(first.trim_end_matches(".rs").to_string())
        })
        .filter(|m| m != "mod")
        .collect()
}

fn route_imports() -> Vec<(PathBuf, String)> {
    let modules = route_modules();
    let mut found = Vec::new();
    // The app's assembly (`http/mod.rs`) and the document (`http/openapi.rs`) list the routes.
    let assembly = |p: &Path| p.ends_with("http/mod.rs") || p.ends_with("http/openapi.rs");
    for path in sources("src/http").into_iter().filter(|p| !assembly(p)) {
        for (number, line) in code(&path) {
            let imports_route = line.contains("crate::http::routes::")
                || line.contains("super::super::")
                || modules.iter().any(|m| {
                    line.contains(&format!("super::{m}::"))
                        || line.contains(&format!("super::{m}}}"))
                        || line.contains(&format!("use super::{m};"))
                });
            // A module declaring its own children (`mod signoff;`, `super::` inside them) is
            // one route file split in parts.
            let own_part = path.to_string_lossy().contains("/routes/records/")
                && line.contains("use super::{");
            if imports_route && !own_part {
                found.push((path.clone(), format!("{number}: {}", line.trim())));
            }
        }
    }
    found
}

#[test]
fn no_route_file_imports_another() {
    let found = report(route_imports());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn long_handlers() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for path in sources("src/http/routes") {
        let lines = code(&path);
        let mut i = 0;
        while i < lines.len() {
            let (_, line) = &lines[i];
            let is_route = ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("]
                .iter()
                .any(|a| line.starts_with(a));
            if is_route {
                // From the `async fn` line to the closing brace at column 0.
                let start = lines[i..]
                    .iter()
                    .position(|(_, l)| l.contains("fn "))
                    .map(|p| i + p)
                    .unwrap();
                let end = lines[start..]
                    .iter()
                    .position(|(_, l)| l == "}")
                    .map(|p| start + p)
                    .unwrap();
                let length = lines[end].0 - lines[start].0 + 1;
                if length > 50 {
                    found.push((path.clone(), format!("{}: {length} lines", lines[start].0)));
                }
                i = end;
            }
            i += 1;
        }
    }
    found
}

/// Handlers parse, call and map: none is longer than 50 lines.
#[test]
fn handlers_are_short() {
    let found = report(long_handlers());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Every refusal code is raised somewhere and documented in the committed OpenAPI document,
/// so clients can switch on each and none is promised without being used.
#[test]
fn every_refusal_code_is_used_and_documented() {
    let document: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    let documented: Vec<&str> = document["components"]["schemas"]["RefusalCode"]["enum"]
        .as_array()
        .expect("the RefusalCode schema lists its values")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let all: Vec<&str> = supervision::app::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(documented, all, "openapi/openapi.json's RefusalCode enum");
    let code: String = sources("src")
        .iter()
        .flat_map(|p| code(p))
        .map(|(_, line)| line)
        .collect::<Vec<_>>()
        .join("\n");
    let raised = |name: &str| {
        code.match_indices(name).any(|(at, _)| {
            !code[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    let unused: Vec<String> = supervision::app::Code::ALL
        .iter()
        .map(|c| format!("Code::{c:?}"))
        .filter(|name| !raised(name))
        .collect();
    assert!(unused.is_empty(), "never raised: {unused:?}");
}
