//! The audit log (ACC-4): append-only. Writes happen inside the transaction of the change
//! they describe; triggers in the migrations refuse UPDATE and DELETE.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_events;
use super::{now, DbConnection, Page, StoreResult};

/// Who did something, and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub person_id: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub client_address: Option<String>,
    pub detail: String,
}

pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    subject_id: Option<&str>,
    detail: serde_json::Value,
) -> StoreResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(super::new_id()),
            audit_events::occurred_at.eq(now()),
            audit_events::actor_id.eq(&actor.person_id),
            audit_events::action.eq(action),
            audit_events::subject_type.eq(subject_type),
            audit_events::subject_id.eq(subject_id),
            audit_events::client_address.eq(&actor.address),
            audit_events::detail.eq(detail.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    page: Page,
) -> StoreResult<(Vec<AuditEvent>, i64)> {
    let query = || {
        let mut query = audit_events::table.into_boxed();
        if let Some(actor) = &filter.actor_id {
            query = query.filter(audit_events::actor_id.eq(actor.clone()));
        }
        if let Some(action) = &filter.action {
            query = query.filter(audit_events::action.eq(action.clone()));
        }
        if let Some(subject_type) = &filter.subject_type {
            query = query.filter(audit_events::subject_type.eq(subject_type.clone()));
        }
        if let Some(subject_id) = &filter.subject_id {
            query = query.filter(audit_events::subject_id.eq(subject_id.clone()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_events::occurred_at.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(audit_events::occurred_at.lt(to));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(audit_events::all_columns)
        .order((audit_events::occurred_at.desc(), audit_events::id.desc()))
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok((items, total))
}
