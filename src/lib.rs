//! Supervision service: plans, records and reminders for the supervision of social-care staff.
//!
//! - `domain`: the rules (pure functions and types, no web or database code)
//! - `auth`: passwords, tokens and sign-in limits
//! - `store`: diesel storage over SQLite or PostgreSQL, one module per aggregate
//! - `http`: the actix-web API and its OpenAPI document
//! - `push`: Web Push delivery (VAPID keys, encryption, one push to one device)
//! - `jobs`: background work
//! - `config`, `telemetry`: settings and logs
//! - `private_files`: the data folder and database readable by the service's user only

pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod private_files;
pub mod push;
pub mod store;
pub mod telemetry;
