//! The yardsticks for the home-screen reads, built with the same release settings:
//! - `GET /bare`: a bare actix-web handler that returns a small JSON object, with no auth,
//!   database or middleware;
//! - `GET /bare/sqlite` (given a SQLite file): the same handler reading one row by primary key
//!   first, on a connection of its worker's own with the statement prepared once. It is SQLite
//!   alone with nothing of ours in between: the ceiling for any read that needs a statement,
//!   as `pgbench -S` is on PostgreSQL.
//!
//! `bare_actix [ADDRESS] [SQLITE_FILE]`

use std::cell::RefCell;

use actix_web::{get, web, App, HttpResponse, HttpServer};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[get("/bare")]
async fn bare() -> web::Json<serde_json::Value> {
    web::Json(
        serde_json::json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Bare Handler"}),
    )
}

#[derive(QueryableByName, serde::Serialize)]
struct Person {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    display_name: String,
}

thread_local! {
    /// Each worker's own connection and the id it reads.
    static DATABASE: RefCell<Option<(SqliteConnection, String)>> = const { RefCell::new(None) };
}

#[get("/bare/sqlite")]
async fn bare_sqlite(file: web::Data<String>) -> HttpResponse {
    DATABASE.with_borrow_mut(|database| {
        let (conn, id) = database.get_or_insert_with(|| {
            let mut conn = SqliteConnection::establish(&file).expect("the SQLite file opens");
            // Read through a memory map of the size the service's connections use
            // (SQLITE_MMAP_BYTES in store::mod.rs), and wait for a lock as they do: both
            // workers open the file at once, and the first may be recovering its WAL index.
            conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA mmap_size = 1073741824")
                .expect("the connection's settings");
            let first: Person = diesel::sql_query("SELECT id, display_name FROM people LIMIT 1")
                .get_result(&mut conn)
                .expect("a person");
            (conn, first.id)
        });
        let person: Person = diesel::sql_query("SELECT id, display_name FROM people WHERE id = ?")
            .bind::<Text, _>(id.as_str())
            .get_result(conn)
            .expect("the person");
        HttpResponse::Ok().json(person)
    })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:18181".into());
    let file = web::Data::new(args.next().unwrap_or_default());
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    HttpServer::new(move || {
        App::new()
            .app_data(file.clone())
            .service(bare)
            .service(bare_sqlite)
    })
    .workers(workers)
    .bind(bind)?
    .run()
    .await
}
