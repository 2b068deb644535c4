//! Storage: one diesel code base over SQLite (default) and PostgreSQL.
//!
//! Every database call goes through [`Db::read`] or [`Db::write`], which run the closure on
//! the blocking thread pool so no actix worker ever waits on the database ([`Db::query`] and
//! [`Db::transact`] for work with its own error type, the application layer's use cases). One
//! module per aggregate (people, teams, ...) holds the queries; it stores and fetches and
//! decides nothing: the rules are in `crate::domain`, their use in `crate::app`.
//!
//! Lookups by a unique key use `get_result`, not `first`: diesel does not cache a prepared
//! statement with a LIMIT on SQLite, and re-preparing costs more than the lookup itself.

pub mod agreements;
pub mod asye;
pub mod audit;
pub mod cases;
pub mod devices;
pub mod groups;
pub mod history;
pub mod idempotency;
pub mod line_management;
pub mod notifications;
pub mod observations;
pub mod organisation;
pub mod pdr;
pub mod people;
pub mod records;
pub mod reflections;
pub mod refresh_tokens;
pub mod reminders;
pub mod reports;
pub mod schema;
pub mod seed;
pub mod sessions;
pub mod stamp;
pub mod status;
pub mod teams;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::config::Settings;
use crate::private_files;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// SQLite waits this long for a lock before giving up; the pool waits longer for a
/// connection so a queued writer fails on the lock, not on checkout.
const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;
/// Reads go through a memory map of the file, shared by every connection, instead of a
/// `read()` per page into each connection's own cache: an organisation-wide report reads
/// hundreds of megabytes of index. Address space, not memory: the kernel's page cache
/// backs it.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;
/// Each connection's own page cache, in KiB (SQLite's default is 2 MiB).
const SQLITE_CACHE_KIB: u64 = 16 * 1024;
const POOL_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// A PostgreSQL connection is probed (`SELECT 1`) when handed out only if its last probe is
/// older than this: a probe per checkout was a third of the statements of the app's
/// busiest reads. A server restart is still seen within this time.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// A connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// diesel's backend type for [`DbConnection`], for boxed queries and expressions.
pub type SqlBackend = <DbConnection as Connection>::Backend;

/// The backend, chosen from the URL scheme (diesel's own `establish` on a
/// MultiConnection tries each backend in turn and reports the last failure only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Storage errors. `NotFound` and `Conflict` are expected outcomes that the HTTP layer maps to
/// 404 / 409; the others are failures whose text is logged, never shown to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint or a concurrent change refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The row changed since the caller read it (optimistic concurrency).
    #[error("stale version; the current version is {current}")]
    VersionMismatch { current: i32 },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("invalid database url: {0}")]
    BadUrl(String),
}

impl From<diesel::result::Error> for StoreError {
    /// A lock that outlasted busy_timeout, or a lost connection, is a passing condition the
    /// client may retry, not a fault in the request.
    fn from(err: diesel::result::Error) -> StoreError {
        use diesel::result::{DatabaseErrorKind, Error};
        match &err {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                StoreError::Unavailable(err.to_string())
            }
            Error::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("database is busy") =>
            {
                StoreError::Unavailable(err.to_string())
            }
            _ => StoreError::Database(err),
        }
    }
}

impl StoreError {
    /// Turns a unique-constraint violation into a `Conflict` naming what clashed.
    pub fn unique_as_conflict(err: diesel::result::Error, what: &str) -> StoreError {
        match err {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => StoreError::Conflict(what.to_string()),
            other => StoreError::Database(other),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The most ids one `IN (...)` list binds: within every backend's bind-parameter limit.
pub const MAX_IN_LIST: usize = 5_000;

/// Runs a query once for everyone (`ids` is None) or once per bounded chunk of ids, and
/// gathers the rows.
pub fn for_ids<T>(
    ids: Option<&[String]>,
    mut query: impl FnMut(Option<&[String]>) -> QueryResult<Vec<T>>,
) -> StoreResult<Vec<T>> {
    match ids {
        None => Ok(query(None)?),
        Some(ids) => {
            let mut rows = Vec::new();
            for chunk in ids.chunks(MAX_IN_LIST) {
                rows.extend(query(Some(chunk))?);
            }
            Ok(rows)
        }
    }
}

/// `column IN (ids)` that diesel can keep prepared. diesel's `eq_any` never caches a statement
/// with a bound list on SQLite, so each call paid for preparing it again; here a short list
/// is padded to a power of two by repeating its last id, so a call site has a handful of
/// shapes, each prepared once per connection. Lists longer than [`CACHED_LIST`] (reports)
/// are prepared each time, as diesel does, rather than kept in every connection's cache.
#[derive(Debug, Clone)]
pub struct OneOf<C> {
    column: C,
    ids: Vec<String>,
}

/// The longest id list [`one_of`] lets diesel cache the statement of.
const CACHED_LIST: usize = 64;

pub fn one_of<C>(column: C, ids: &[String]) -> OneOf<C> {
    let mut ids = ids.to_vec();
    if let Some(last) = ids.last().cloned() {
        if ids.len() <= CACHED_LIST {
            ids.resize(ids.len().next_power_of_two(), last);
        }
    }
    OneOf { column, ids }
}

impl<C: Expression> Expression for OneOf<C> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for OneOf<C> {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for OneOf<C> {}

impl<C: diesel::expression::ValidGrouping<GB>, GB> diesel::expression::ValidGrouping<GB>
    for OneOf<C>
{
    type IsAggregate = C::IsAggregate;
}

impl<C> diesel::query_builder::QueryId for OneOf<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, DB> diesel::query_builder::QueryFragment<DB> for OneOf<C>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    C: diesel::query_builder::QueryFragment<DB>,
    String: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        if self.ids.is_empty() {
            out.push_sql("1 = 0");
            return Ok(());
        }
        if self.ids.len() > CACHED_LIST {
            out.unsafe_to_cache_prepared();
        }
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for (i, id) in self.ids.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<diesel::sql_types::Text, String>(id)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

/// One page of a list: how many rows, after skipping how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

/// A pooled connection and when it last answered the pool's probe.
pub struct Pooled {
    conn: DbConnection,
    probed: Instant,
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Builds connections for r2d2 for the backend picked from the URL, with SQLite's
/// per-connection settings applied on every new connection.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    backend: Backend,
    url: String,
}

impl ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = match self.backend {
            Backend::Sqlite => {
                plan_without_bound_values();
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA mmap_size = {SQLITE_MMAP_BYTES}; PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
                ))
                .map_err(r2d2::Error::QueryError)?;
                DbConnection::Sqlite(conn)
            }
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError)?,
        };
        Ok(Pooled {
            conn,
            probed: Instant::now(),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        if pooled.probed.elapsed() < PROBE_INTERVAL {
            return Ok(());
        }
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)?;
        pooled.probed = Instant::now();
        Ok(())
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        match &mut pooled.conn {
            DbConnection::Sqlite(_) => false,
            DbConnection::Postgres(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

/// SQLite's planner reads the value bound to a `LIMIT ?` when it prepares a statement, and
/// then marks the statement to be prepared again whenever that parameter is bound anew: every
/// paged list (the home screen's sessions and notifications among them) was parsed and
/// planned again on each request, under diesel's statement cache (issue 18). With the query
/// planner stability guarantee (QPSG) a plan never depends on bound values, so a prepared
/// statement stays prepared. Turned on for every SQLite connection this process opens.
fn plan_without_bound_values() {
    use libsqlite3_sys as ffi;
    use std::ffi::{c_char, c_int};

    unsafe extern "C" fn stable_plans(
        db: *mut ffi::sqlite3,
        _error: *mut *mut c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> c_int {
        // SAFETY: SQLite calls this with the connection it is opening; the setting takes an
        // int and an optional pointer to write the new state to (none here).
        unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                std::ptr::null_mut::<c_int>(),
            );
        }
        ffi::SQLITE_OK
    }

    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers a function with the signature SQLite expects; it lives as long
        // as the program.
        unsafe {
            ffi::sqlite3_auto_extension(Some(stable_plans));
        }
    });
}

/// The connection pool, built once at start and shared by every worker.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager>,
    backend: Backend,
    /// At most one blocking task per pooled connection: more would only queue on checkout
    /// while holding a thread (and its memory).
    in_flight: Arc<Semaphore>,
}

impl Db {
    /// Opens the configured database as the server and every command do: the data folder
    /// kept private, the pool, then pending migrations (how many ran is returned).
    pub fn open(settings: &Settings) -> StoreResult<(Db, usize)> {
        // The folder is made where something is first written into it (the database, a
        // secret); one that already exists is tightened here.
        if settings.data_dir.exists() {
            private_files::folder(&settings.data_dir).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot keep {} private: {e}",
                    settings.data_dir.display()
                ))
            })?;
        }
        let db = Db::connect(&settings.database_url(), settings.db_max_connections)?;
        let applied = db.migrate()?;
        Ok((db, applied))
    }

    /// Connects to `url` (`sqlite://path`, a plain file path, or `postgres://...`). A SQLite
    /// file and its `-wal` and `-shm` are readable by the service's user only (ACC-2).
    pub fn connect(url: &str, max_connections: u32) -> StoreResult<Db> {
        let (backend, target) = parse_url(url)?;
        if backend == Backend::Sqlite {
            let path = std::path::Path::new(&target);
            let private = |result: std::io::Result<()>| {
                result.map_err(|e| {
                    StoreError::Unavailable(format!("cannot keep {} private: {e}", path.display()))
                })
            };
            private(private_files::parents(path))?;
            private(private_files::file(path))?;
            for suffix in ["-wal", "-shm"] {
                let mut side = path.as_os_str().to_owned();
                side.push(suffix);
                private(private_files::existing_file(std::path::Path::new(&side)))?;
            }
        }
        let manager = ConnectionManager {
            backend,
            url: target,
        };
        let max_connections = max_connections.max(1);
        let pool = Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(1))
            .connection_timeout(POOL_CHECKOUT_TIMEOUT)
            // A SQLite file does not go away under an open connection, so skip the probe
            // query on every checkout; a PostgreSQL server can restart, so keep it there.
            .test_on_check_out(backend == Backend::Postgres)
            .build(manager)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Db {
            pool,
            backend,
            in_flight: Arc::new(Semaphore::new(max_connections as usize)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations for this backend; returns how many ran.
    pub fn migrate(&self) -> StoreResult<usize> {
        let mut conn = self.checkout()?;
        let applied = match &mut **conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
            DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        }
        .map_err(|e| StoreError::Migration(e.to_string()))?
        .len();
        let conn: &mut DbConnection = &mut conn;
        // Templates are data (REC-1); the shipped one is written by code so there is one copy.
        records::ensure_default_template(conn)?;
        Ok(applied)
    }

    fn checkout(&self) -> StoreResult<r2d2::PooledConnection<ConnectionManager>> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Runs read-only work on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
    {
        let db = self.clone();
        self.run_blocking(move || work(&mut *db.checkout()?)).await
    }

    /// [`Db::read`] for a small read by key or index (one person's rows: the access check,
    /// the app's home screen). On SQLite, when a pooled connection is free, it runs here on
    /// the calling worker thread: such a read takes microseconds, less than the hop to the
    /// blocking pool and back. Otherwise, and always on PostgreSQL, whose every statement
    /// waits on the network, it goes to the blocking pool as [`Db::read`] does.
    pub async fn read_small<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return work(&mut conn);
            }
        }
        self.query(work).await
    }

    /// Runs work in one write transaction on the blocking pool. On SQLite the transaction
    /// starts IMMEDIATE, so two writers queue on busy_timeout instead of one failing when
    /// it upgrades a read lock.
    pub async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> StoreResult<T> + Send + 'static,
    {
        let db = self.clone();
        self.run_blocking(move || {
            let mut conn = db.checkout()?;
            write_transaction(&mut conn, work)
        })
        .await
    }

    /// [`Db::read`] for work with its own error type (the application layer's use cases).
    pub async fn query<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        self.run_blocking(move || work(&mut *db.checkout()?)).await
    }

    /// [`Db::write`] for work with its own error type: an error rolls the transaction back,
    /// so a refused use case leaves nothing written.
    pub async fn transact<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        self.run_blocking(move || {
            let mut conn = db.checkout()?;
            write_transaction(&mut conn, work)
        })
        .await
    }

    async fn run_blocking<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce() -> Result<T, E> + Send + 'static,
    {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Unavailable(format!("blocking task failed: {e}")))?
    }

    /// Blocking variant of [`Db::write`] for the CLI and start-up, outside the runtime.
    pub fn write_now<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.transact_now(work)
    }

    /// Blocking variant of [`Db::transact`], for start-up work made of use cases (the demo).
    pub fn transact_now<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.checkout()?;
        write_transaction(&mut conn, work)
    }
}

fn write_transaction<T, E: From<StoreError>>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E> {
    match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
                .map_err(StoreError::from)?
        }
        DbConnection::Postgres(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)
                .map_err(StoreError::from)?
        }
    }
    match work(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
                .map_err(StoreError::from)?;
            Ok(value)
        }
        Err(err) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)
                .map_err(StoreError::from)?;
            Err(err)
        }
    }
}

/// Splits a database URL into the backend and what that backend's driver expects.
/// Whether the database answers.
pub fn ping(conn: &mut DbConnection) -> StoreResult<()> {
    Ok(conn.batch_execute("SELECT 1")?)
}

pub fn parse_url(url: &str) -> StoreResult<(Backend, String)> {
    let url = url.trim();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.is_empty() || path.contains("://") {
        return Err(StoreError::BadUrl(format!(
            "{url}: expected sqlite://PATH, a file path, or postgres://..."
        )));
    }
    Ok((Backend::Sqlite, path.to_string()))
}

/// A fresh random id (UUID v7: random, and sortable by creation time).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Current UTC time at microsecond precision, as both backends store it.
pub fn now() -> chrono::NaiveDateTime {
    truncate_to_micros(chrono::Utc::now().naive_utc())
}

/// `at` at microsecond precision, so what is written compares equal to what is read back.
pub fn truncate_to_micros(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    chrono::DurationRound::duration_trunc(at, chrono::TimeDelta::microseconds(1)).unwrap_or(at)
}

/// An exclusive lock on a SQLite database, held until dropped (REM-5: SQLite serves one
/// process; reminders are claimed without row locks there, so a second process would send
/// them twice).
#[derive(Debug)]
pub struct ProcessLock {
    _file: std::fs::File,
}

/// Takes the lock of the SQLite database at `url`: an advisory `flock` on `<file>.lock` in
/// its data folder, which the kernel releases when the process ends, however it ends. None
/// for PostgreSQL, where instances share the work. Refused while another process (or
/// another lock in this one) holds it.
pub fn lock_single_process(url: &str) -> StoreResult<Option<ProcessLock>> {
    use std::io::{Read, Seek, Write};
    use std::os::fd::AsRawFd;
    let (backend, path) = parse_url(url)?;
    if backend == Backend::Postgres {
        return Ok(None);
    }
    let lock_path = format!("{path}.lock");
    let unavailable = |e: std::io::Error| StoreError::Unavailable(format!("{lock_path}: {e}"));
    // Created private like the database beside it (ACC-2), folder included.
    private_files::parents(std::path::Path::new(&lock_path)).map_err(unavailable)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&lock_path).map_err(unavailable)?;
    // SAFETY: flock on a descriptor this function owns; it neither reads nor writes memory.
    let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    if !locked {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(StoreError::Unavailable(format!(
            "{path} is in use by another supervision process (pid {}); SQLite serves one \
             process, so stop that one or use PostgreSQL to run several",
            holder.trim()
        )));
    }
    // The holder's pid, for the message above.
    file.set_len(0).map_err(unavailable)?;
    file.rewind().map_err(unavailable)?;
    write!(file, "{}", std::process::id()).map_err(unavailable)?;
    Ok(Some(ProcessLock { _file: file }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &std::path::Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// ACC-2: the database holds every record, so the server opens it readable by its own
    /// user only: a new data folder 0700 and database 0600 (its WAL and shared memory too),
    /// and ones left readable by others are tightened at the next start.
    #[cfg(unix)]
    #[test]
    fn acc2_the_data_folder_and_database_are_readable_by_the_service_only() {
        use std::os::unix::fs::PermissionsExt;
        let loose = |path: &std::path::Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        let dir = std::env::temp_dir().join(format!("supervision-modes-{}", new_id()));
        let settings = Settings {
            data_dir: dir.join("data"),
            ..Settings::default()
        };
        let db_file = settings.data_dir.join("supervision.db");
        let side = |suffix: &str| settings.data_dir.join(format!("supervision.db{suffix}"));
        let (db, _) = Db::open(&settings).unwrap();
        assert_eq!(mode(&settings.data_dir), 0o700);
        assert_eq!(mode(&db_file), 0o600);
        assert_eq!(mode(&side("-wal")), 0o600);
        assert_eq!(mode(&side("-shm")), 0o600);
        drop(db);

        loose(&settings.data_dir, 0o755);
        // Closing the last connection removed the WAL and shared memory; leave stale ones.
        for path in [db_file.clone(), side("-wal"), side("-shm")] {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap();
            loose(&path, 0o644);
        }
        let (_db, _) = Db::open(&settings).unwrap();
        assert_eq!(mode(&settings.data_dir), 0o700);
        assert_eq!(mode(&db_file), 0o600);
        assert_eq!(mode(&side("-wal")), 0o600);
        assert_eq!(mode(&side("-shm")), 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn backend_is_chosen_from_the_url_scheme() {
        assert_eq!(
            parse_url("postgres://u@h/db").unwrap(),
            (Backend::Postgres, "postgres://u@h/db".into())
        );
        assert_eq!(parse_url("postgresql://h/db").unwrap().0, Backend::Postgres);
        assert_eq!(
            parse_url("sqlite://data/x.db").unwrap(),
            (Backend::Sqlite, "data/x.db".into())
        );
        assert_eq!(
            parse_url("sqlite:x.db").unwrap(),
            (Backend::Sqlite, "x.db".into())
        );
        assert_eq!(parse_url("./x.db").unwrap().0, Backend::Sqlite);
        assert!(parse_url("mysql://h/db").is_err());
        assert!(parse_url("").is_err());
    }

    #[test]
    fn rem5_a_second_process_on_one_sqlite_database_is_refused() {
        let dir = std::env::temp_dir().join(format!("supervision-lock-{}", new_id()));
        let url = format!("sqlite://{}", dir.join("supervision.db").display());
        let first = lock_single_process(&url).unwrap();
        assert!(first.is_some());
        // ACC-2: the lock and the folder it made are the service's alone.
        #[cfg(unix)]
        {
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join("supervision.db.lock")), 0o600);
        }
        let second = lock_single_process(&url).unwrap_err().to_string();
        assert!(
            second.contains("in use by another supervision process")
                && second.contains(&std::process::id().to_string()),
            "{second}"
        );
        drop(first);
        assert!(lock_single_process(&url).unwrap().is_some(), "released");
        assert!(lock_single_process("postgres://h/db").unwrap().is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
