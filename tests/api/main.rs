//! HTTP tests of the API, run on SQLite and PostgreSQL. Test names carry the SPEC rule they
//! prove (ACC-1, API-4, ...).

mod support;

mod app;
mod audit;
mod audit_walk;
mod auth;
mod auth_cookie;
mod authority;
mod calendar;
mod cases;
mod demo;
mod errors;
mod history;
mod idempotency;
mod ops;
mod organisation;
mod pdr;
mod people;
mod plans;
mod practice;
mod push;
mod records;
mod reminders;
mod reports;
mod sessions;
mod statements;
mod teams;
