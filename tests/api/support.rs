//! The test harness: each test gets its own application and its own database, on SQLite and,
//! when `SUPERVISION_TEST_POSTGRES_URL` is set, on PostgreSQL too. Requests go through the
//! whole actix app (middleware, extractors, error mapping) as a phone's would.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Mutex, Once};

use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use actix_web::web;
use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::{Connection, PgConnection};
use serde_json::{json, Value};

use supervision::auth::password;
use supervision::config::Settings;
use supervision::http::{self, AppState};
use supervision::store::{people, seed, Db};

pub const POSTGRES_ENV: &str = "SUPERVISION_TEST_POSTGRES_URL";
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "a long enough test password";
pub const ADMIN_EMAIL: &str = "admin@test.example";

/// What the test's database is, and how to remove it afterwards.
enum Scratch {
    Sqlite(std::path::PathBuf),
    Postgres { server: String, name: String },
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match self {
            Scratch::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Scratch::Postgres { server, name } => {
                if let Ok(mut conn) = PgConnection::establish(server) {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                }
            }
        }
    }
}

pub struct TestApp {
    pub state: web::Data<AppState>,
    pub db: Db,
    /// The URL its connections are made with, which keys [`TestApp::statements`].
    database: String,
    _scratch: Scratch,
}

/// Statements run so far on each test database, by the URL its connections were made with.
static STATEMENTS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

/// The text of each statement run on the databases a test asked to watch
/// ([`TestApp::watch_sql`]), by URL, until taken.
static WATCHED_SQL: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Statements a connection prepared again although it had run them before, by database.
/// diesel keeps a statement prepared only when it can cache it; one it cannot is parsed and
/// planned afresh on every request (issue 18).
static PREPARED_AGAIN: Mutex<Option<HashMap<String, Vec<String>>>> = Mutex::new(None);

/// Counts the statements one connection runs (diesel's StartQuery events) under its URL, and
/// notes those it runs again without diesel having cached them.
#[derive(Default)]
struct CountStatements {
    database: Option<String>,
    running: Option<String>,
    cached: HashSet<String>,
    seen: HashSet<String>,
}

/// Transaction control goes through `batch_execute`, which diesel never caches and SQLite
/// parses in microseconds; only queries are counted and looked at.
pub fn is_query(sql: &str) -> bool {
    let keyword = sql.split_whitespace().next().unwrap_or_default();
    !["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"]
        .iter()
        .any(|k| keyword.eq_ignore_ascii_case(k))
}

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                self.database = Some(url.to_string())
            }
            // The pool's probe of a connection it hands out runs at most once a second per
            // connection, not per request: not the request's statement.
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                if text == "SELECT 1" {
                    return;
                }
                self.running = text.split(" -- binds: ").next().map(str::to_string);
                if let (Some(database), Some(sql)) = (&self.database, &self.running) {
                    if let Some(watched) = WATCHED_SQL
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .as_mut()
                        .and_then(|watched| watched.get_mut(database))
                    {
                        watched.push(sql.clone());
                    }
                }
                // A transaction's BEGIN and COMMIT are not counted: on SQLite they are calls
                // into the library, not round trips; statements.rs pins where they go.
                if let (Some(database), true) = (&self.database, is_query(&text)) {
                    let mut counts = STATEMENTS.lock().unwrap_or_else(|e| e.into_inner());
                    *counts
                        .get_or_insert_with(HashMap::new)
                        .entry(database.clone())
                        .or_default() += 1;
                }
            }
            InstrumentationEvent::CacheQuery { sql, .. } => {
                self.cached.insert(sql.to_string());
            }
            InstrumentationEvent::FinishQuery { .. } => {
                let Some(sql) = self.running.take() else {
                    return;
                };
                let again = !self.cached.contains(&sql) && !self.seen.insert(sql.clone());
                if let (true, true, Some(database)) = (again, is_query(&sql), &self.database) {
                    PREPARED_AGAIN
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert_with(HashMap::new)
                        .entry(database.clone())
                        .or_default()
                        .push(sql);
                }
            }
            _ => {}
        }
    }
}

/// Every connection the tests make counts its statements (before the first is made).
fn count_statements() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        diesel::connection::set_default_instrumentation(|| {
            Some(Box::new(CountStatements::default()))
        })
        .expect("instrumentation installs")
    });
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: web::Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Asserts a problem+json of this status and type, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, kind: &str) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["type"], format!("/problems/{kind}"), "{body}");
        assert_eq!(body["status"], status);
        body
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }
}

fn settings() -> Settings {
    Settings {
        jwt_secret: Some(SECRET.into()),
        login_max_failures_per_account: 3,
        login_max_attempts_per_address: 25,
        // Push tests use a receiver on this machine; the tests of the policy turn it off.
        push_allow_loopback: true,
        ..Settings::default()
    }
}

impl TestApp {
    fn build(db: Db, database: String, scratch: Scratch) -> TestApp {
        db.migrate().expect("migrations apply");
        let state = web::Data::new(AppState::new(db.clone(), &settings(), SECRET));
        TestApp {
            state,
            db,
            database,
            _scratch: scratch,
        }
    }

    /// How many statements have run on this test's database so far (every connection's).
    pub fn statements(&self) -> usize {
        STATEMENTS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(|counts| counts.get(&self.database).copied())
            .unwrap_or(0)
    }

    /// From now on, keeps the text of each statement run on this test's database.
    pub fn watch_sql(&self) {
        WATCHED_SQL
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(HashMap::new)
            .entry(self.database.clone())
            .or_default();
    }

    /// The statements run on this test's database since the last call (when watched).
    pub fn take_sql(&self) -> Vec<String> {
        WATCHED_SQL
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
            .and_then(|watched| watched.get_mut(&self.database))
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// SQLite's plan for a query on this test's database, one line a step; `None` on
    /// PostgreSQL, whose plans follow its statistics, not only the indexes.
    pub fn sqlite_plan(&self, sql: &str) -> Option<Vec<String>> {
        #[derive(diesel::QueryableByName)]
        struct Step {
            #[diesel(sql_type = diesel::sql_types::Text)]
            detail: String,
        }
        if self.db.backend() != supervision::store::Backend::Sqlite {
            return None;
        }
        let mut conn = diesel::SqliteConnection::establish(&self.database).expect("sqlite opens");
        let steps: Vec<Step> = diesel::RunQueryDsl::load(
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")),
            &mut conn,
        )
        .expect("a plan");
        Some(steps.into_iter().map(|step| step.detail).collect())
    }

    /// The statements this test's database prepared again since the last call (and forgets
    /// them).
    pub fn take_prepared_again(&self) -> Vec<String> {
        PREPARED_AGAIN
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
            .and_then(|again| again.remove(&self.database))
            .unwrap_or_default()
    }

    /// Rebuilds the application with some settings changed (the database is kept).
    pub fn configure(&mut self, change: impl FnOnce(&mut Settings)) {
        let mut changed = settings();
        change(&mut changed);
        self.state = web::Data::new(AppState::new(self.db.clone(), &changed, SECRET));
    }

    pub fn sqlite() -> TestApp {
        let dir = std::env::temp_dir().join(format!("supervision-test-{}", uuid::Uuid::now_v7()));
        let path = dir.join("test.db").display().to_string();
        count_statements();
        let db = Db::connect(&format!("sqlite://{path}"), 4).expect("sqlite opens");
        TestApp::build(db, path, Scratch::Sqlite(dir))
    }

    /// A fresh database on the PostgreSQL server, or `None` (said on stderr) without one.
    pub fn postgres(test: &str) -> Option<TestApp> {
        let Ok(server) = std::env::var(POSTGRES_ENV) else {
            // Written past the test harness's capture so the skip is seen.
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPED: PostgreSQL tests do not run because {POSTGRES_ENV} is not set \
                     (e.g. postgres://postgres@127.0.0.1:5432/postgres)."
                );
            });
            let _ = writeln!(std::io::stderr(), "skipped on PostgreSQL: {test}");
            return None;
        };
        let name = format!("supervision_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::establish(&server)
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={server} does not connect: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("create test database");
        let url = database_url(&server, &name);
        count_statements();
        let db = Db::connect(&url, 4).expect("postgres opens");
        Some(TestApp::build(db, url, Scratch::Postgres { server, name }))
    }

    /// Another instance of the server on the same database, as a second process would be:
    /// its own token memory and access cache.
    pub fn second_instance(&self) -> web::Data<AppState> {
        web::Data::new(AppState::new(self.db.clone(), &settings(), SECRET))
    }

    /// A GET answered by `instance` (see [`TestApp::second_instance`]).
    pub async fn get_on(&self, instance: &web::Data<AppState>, path: &str, token: &str) -> Resp {
        let request = TestRequest::get().uri(path).insert_header(bearer(token));
        Self::serve(instance, request, "127.0.0.1:40000").await
    }

    /// The same database served with changed settings (the push policy, say).
    pub fn with_settings(mut self, change: impl FnOnce(&mut Settings)) -> TestApp {
        let mut changed = settings();
        change(&mut changed);
        self.state = web::Data::new(AppState::new(self.db.clone(), &changed, SECRET));
        self
    }

    pub async fn call(&self, request: TestRequest) -> Resp {
        self.call_from(request, "127.0.0.1:40000").await
    }

    pub async fn call_from(&self, request: TestRequest, peer: &str) -> Resp {
        Self::serve(&self.state, request, peer).await
    }

    async fn serve(state: &web::Data<AppState>, request: TestRequest, peer: &str) -> Resp {
        let service = test::init_service(http::app(state.clone())).await;
        let peer: SocketAddr = peer.parse().expect("peer address");
        let response = test::call_service(&service, request.peer_addr(peer).to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await;
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.call(TestRequest::get().uri(path).insert_header(bearer(token)))
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(
            TestRequest::post()
                .uri(path)
                .insert_header(bearer(token))
                .set_json(body),
        )
        .await
    }

    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: Value) -> Resp {
        self.call(
            TestRequest::patch()
                .uri(path)
                .insert_header(bearer(token))
                .insert_header(("If-Match", etag))
                .set_json(body),
        )
        .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Resp {
        self.call(
            TestRequest::put()
                .uri(path)
                .insert_header(bearer(token))
                .set_json(body),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Resp {
        self.call(TestRequest::delete().uri(path).insert_header(bearer(token)))
            .await
    }

    /// A GET with no Authorization header.
    pub async fn get_public(&self, path: &str) -> Resp {
        self.call(TestRequest::get().uri(path)).await
    }

    pub async fn login_as(&self, email: &str, password: &str) -> Resp {
        self.call(
            TestRequest::post()
                .uri("/api/v1/auth/login")
                .set_json(json!({"email": email, "password": password})),
        )
        .await
    }

    /// Signs in and returns the access token.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let body = self.login_as(email, password).await.ok(200);
        body["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// An administrator who has already chosen their password; returns an access token.
    pub async fn admin(&self) -> String {
        let hash = password::hash(PASSWORD);
        self.db
            .write(move |conn| {
                let admin = seed::create_admin(conn, ADMIN_EMAIL, "Test Admin", &hash)?;
                people::set_password(conn, &admin.id, &hash, false)
            })
            .await
            .expect("admin created");
        self.token(ADMIN_EMAIL, PASSWORD).await
    }

    /// The administrator creates a person with `fields` (email, display_name and
    /// staff_category at least); the person changes the one-time password to [`PASSWORD`].
    /// Returns (person id, the person's access token).
    pub async fn person(&self, admin: &str, fields: Value) -> (String, String) {
        let created = self.post("/api/v1/people", admin, fields).await.ok(201);
        let id = created["person"]["id"].as_str().unwrap().to_string();
        let email = created["person"]["email"].as_str().unwrap().to_string();
        let one_time = created["one_time_password"].as_str().unwrap().to_string();
        let first = self.token(&email, &one_time).await;
        let changed = self
            .post(
                "/api/v1/me/password",
                &first,
                json!({"current_password": one_time, "new_password": PASSWORD}),
            )
            .await
            .ok(200);
        (id, changed["access_token"].as_str().unwrap().to_string())
    }

    /// A social worker with this e-mail's local part as name.
    pub async fn worker(&self, admin: &str, name: &str) -> (String, String) {
        self.person(
            admin,
            json!({"email": format!("{name}@test.example"), "display_name": name, "staff_category": "social_worker"}),
        )
        .await
    }

    /// Makes `manager` the line manager of `supervisee` from 2020-01-01.
    pub async fn manage(&self, admin: &str, supervisee: &str, manager: &str) {
        self.post(
            &format!("/api/v1/people/{supervisee}/line-management"),
            admin,
            json!({"manager_id": manager, "starts_on": "2020-01-01"}),
        )
        .await
        .ok(201);
    }
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {token}"))
}

/// The server URL with its database name replaced.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let root = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

/// Runs each named test on SQLite and on PostgreSQL. Each test is
/// `async fn name(app: TestApp)` in the module that calls this.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::support::TestApp::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(app) = $crate::support::TestApp::postgres(concat!(module_path!(), "::", stringify!($name))) {
                        super::$name(app).await
                    }
                }
            )*
        }
    };
}

#[test]
fn database_url_replaces_only_the_name() {
    assert_eq!(
        database_url("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        database_url("postgres://h/db?sslmode=disable", "x"),
        "postgres://h/x?sslmode=disable"
    );
    assert_eq!(database_url("postgres://h", "x"), "postgres://h/x");
}
