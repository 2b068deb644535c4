//! The yardstick for `GET /api/v1/me`: a bare actix-web handler that returns a small JSON
//! object, with no auth, database or middleware, built with the same release settings.

use actix_web::{get, web, App, HttpServer};

#[get("/bare")]
async fn bare() -> web::Json<serde_json::Value> {
    web::Json(
        serde_json::json!({"id": "019ab7c1-6f0e-7a52-9d3e-4b1c2d3e4f50", "display_name": "Bare Handler"}),
    )
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18181".into());
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    HttpServer::new(|| App::new().service(bare))
        .workers(workers)
        .bind(bind)?
        .run()
        .await
}
