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

/// Routes under `/api/v1`.
pub fn configure(config: &mut ServiceConfig) {
    auth::configure(config);
    me::configure(config);
    people::configure(config);
    teams::configure(config);
    audit::configure(config);
    agreements::configure(config);
    sessions::configure(config);
    status::configure(config);
    groups::configure(config);
    calendar::configure(config);
    organisation::configure(config);
    records::configure(config);
    templates::configure(config);
    actions::configure(config);
    notifications::configure(config);
    observations::configure(config);
    reflections::configure(config);
    asye::configure(config);
    cases::configure(config);
    pdr::configure(config);
    push::configure(config);
    reminders::configure(config);
    reports::configure(config);
}
