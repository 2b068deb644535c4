//! The one diesel schema, shared by SQLite and PostgreSQL. `tests/migrations.rs` checks
//! that both migration sets produce exactly these tables and columns.

diesel::table! {
    teams (id) {
        id -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    people (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        staff_category -> Text,
        team_id -> Nullable<Text>,
        employment_start -> Nullable<Date>,
        asye_start -> Nullable<Date>,
        placement_start -> Nullable<Date>,
        placement_end -> Nullable<Date>,
        time_zone -> Text,
        active -> Bool,
        is_admin -> Bool,
        is_auditor -> Bool,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    line_management (id) {
        id -> Text,
        supervisee_id -> Text,
        manager_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        family_id -> Text,
        person_id -> Text,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Nullable<Text>,
        client_address -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    idempotency_keys (person_id, idempotency_key) {
        person_id -> Text,
        idempotency_key -> Text,
        fingerprint -> Text,
        response_status -> Nullable<Integer>,
        response_content_type -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(people -> teams (team_id));
diesel::joinable!(refresh_tokens -> people (person_id));

diesel::allow_tables_to_appear_in_same_query!(
    teams,
    people,
    line_management,
    refresh_tokens,
    audit_events,
    idempotency_keys,
);
