//! Both migration sets build the same tables and columns, so one `schema.rs` serves both.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::{sql_query, PgConnection, SqliteConnection};

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use supervision::store::Db;

/// table -> column -> nullable
type Shape = BTreeMap<String, BTreeMap<String, bool>>;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

fn shape(columns: Vec<Column>) -> Shape {
    let mut shape = Shape::new();
    for c in columns {
        if c.table_name != "__diesel_schema_migrations" {
            shape
                .entry(c.table_name)
                .or_default()
                .insert(c.column_name, c.nullable);
        }
    }
    shape
}

fn sqlite_shape() -> Shape {
    let dir = std::env::temp_dir().join(format!("supervision-migrations-{}", uuid::Uuid::now_v7()));
    let path = dir.join("m.db");
    let db = Db::connect(&format!("sqlite://{}", path.display()), 1).unwrap();
    db.migrate().unwrap();
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let columns = sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
         FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load::<Column>(&mut conn)
    .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    shape(columns)
}

#[test]
fn sqlite_migrations_make_every_table_and_revert_cleanly() {
    let tables = sqlite_shape();
    for table in [
        "people",
        "teams",
        "line_management",
        "refresh_tokens",
        "audit_events",
        "idempotency_keys",
    ] {
        assert!(tables.contains_key(table), "{table} missing: {tables:?}");
    }
    assert!(tables["people"]["team_id"]);
    assert!(!tables["people"]["email"]);

    // Every down.sql undoes its up.sql.
    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    conn.run_pending_migrations(SQLITE).unwrap();
    conn.revert_all_migrations(SQLITE).unwrap();
    let left = sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" = 0) AS nullable \
         FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load::<Column>(&mut conn)
    .unwrap();
    assert!(shape(left).is_empty());
}

#[test]
fn postgres_and_sqlite_migrations_make_the_same_tables_and_columns() {
    let Ok(server) = std::env::var("SUPERVISION_TEST_POSTGRES_URL") else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: migration comparison with PostgreSQL (SUPERVISION_TEST_POSTGRES_URL not set)"
        );
        return;
    };
    let name = format!("supervision_migrations_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::establish(&server).unwrap();
    sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .unwrap();
    let url = format!("{}/{name}", server.rsplit_once('/').unwrap().0);
    let pg = {
        let db = Db::connect(&url, 1).unwrap();
        db.migrate().unwrap();
        let mut conn = PgConnection::establish(&url).unwrap();
        let columns = sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, (is_nullable = 'YES') AS nullable \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .load::<Column>(&mut conn)
        .unwrap();
        shape(columns)
    };
    {
        const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
        let mut conn = PgConnection::establish(&url).unwrap();
        conn.revert_all_migrations(POSTGRES).unwrap();
    }
    sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
    assert_eq!(pg, sqlite_shape());
}
