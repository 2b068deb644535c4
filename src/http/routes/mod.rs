//! One module per resource; each registers its handlers with `.service(...)` so the OpenAPI
//! document collects them (utoipa-actix-web sees nothing registered with `.route(...)`).

pub mod actions;
pub mod agreements;
pub mod asye;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod groups;
pub mod me;
pub mod notifications;
pub mod observations;
pub mod ops;
pub mod organisation;
pub mod pdr;
pub mod people;
pub mod push;
pub mod records;
pub mod reflections;
pub mod reminders;
pub mod reports;
pub mod sessions;
pub mod status;
pub mod teams;
pub mod templates;

use utoipa_actix_web::service_config::ServiceConfig;

/// Routes under `/api/v1`. actix tries them in the order registered, and a path with a
/// parameter costs a regular-expression match each time it is tried: the reads a phone makes
/// each time the app opens (`/me`, `/me/notifications`, `/me/supervision-status`,
/// `/me/supervisees`, `/me/sessions`) come first, each ahead of its module's paths with
/// parameters (issue 18). Which route answers does not depend on this order: no
/// two documented paths match the same request (a test in `crate::http` holds it).
pub fn configure(config: &mut ServiceConfig) {
    auth::configure(config);
    me::configure(config);
    notifications::configure(config);
    status::configure(config);
    sessions::configure(config);
    people::configure(config);
    teams::configure(config);
    audit::configure(config);
    agreements::configure(config);
    groups::configure(config);
    calendar::configure(config);
    organisation::configure(config);
    records::configure(config);
    templates::configure(config);
    actions::configure(config);
    observations::configure(config);
    reflections::configure(config);
    asye::configure(config);
    cases::configure(config);
    pdr::configure(config);
    push::configure(config);
    reminders::configure(config);
    reports::configure(config);
}
