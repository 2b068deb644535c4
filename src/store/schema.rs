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
        access_epoch -> Integer,
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

diesel::table! {
    organisation_settings (id) {
        id -> Integer,
        holiday_region -> Text,
        policy_profile -> Text,
        closures_version -> Integer,
        updated_at -> Timestamp,
        version -> Integer,
        case_reference_pattern -> Text,
        pdr_goals_month -> Integer,
        pdr_midyear_month -> Integer,
        pdr_yearend_month -> Integer,
        pdr_goals_per_year -> Integer,
        case_supervision -> Bool,
        holidays_version -> Integer,
    }
}

diesel::table! {
    imported_holidays (region, day) {
        region -> Text,
        day -> Date,
        title -> Text,
    }
}

diesel::table! {
    closure_days (day) {
        day -> Date,
        title -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    frequency_overrides (person_id) {
        person_id -> Text,
        interval_kind -> Text,
        interval_value -> Integer,
        reason -> Text,
        set_by -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        supervisee_id -> Text,
        supervisor_id -> Text,
        kind -> Text,
        interval_kind -> Text,
        interval_value -> Integer,
        session_minutes -> Integer,
        usual_weekday -> Integer,
        usual_time -> Text,
        place -> Text,
        agenda -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        supervisor_signed_at -> Nullable<Timestamp>,
        supervisee_signed_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        agreement_id -> Nullable<Text>,
        team_id -> Nullable<Text>,
        kind -> Text,
        supervisor_id -> Text,
        supervisee_id -> Nullable<Text>,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
        place -> Text,
        status -> Text,
        replaces_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        recorded_after_the_fact -> Bool,
    }
}

diesel::table! {
    session_changes (id) {
        id -> Text,
        session_id -> Text,
        action -> Text,
        state -> Text,
        from_starts_at -> Nullable<Timestamp>,
        to_starts_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        reason_text -> Nullable<Text>,
        due_by -> Nullable<Date>,
        needs_manager -> Bool,
        breach -> Bool,
        actor_id -> Text,
        acted_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        justification -> Nullable<Text>,
        comment -> Nullable<Text>,
        session_kind -> Text,
        supervisee_id -> Nullable<Text>,
    }
}

diesel::table! {
    record_templates (id) {
        id -> Text,
        template_key -> Text,
        version -> Integer,
        name -> Text,
        sections -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    records (id) {
        id -> Text,
        session_id -> Text,
        supervisor_id -> Text,
        supervisee_id -> Text,
        template_id -> Text,
        held_on -> Date,
        due_by -> Date,
        status -> Text,
        current_version -> Integer,
        first_sent_on -> Nullable<Date>,
        signed_at -> Nullable<Timestamp>,
        signed_version -> Nullable<Integer>,
        signed_hash -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    record_versions (id) {
        id -> Text,
        record_id -> Text,
        number -> Integer,
        template_id -> Text,
        content -> Text,
        content_hash -> Text,
        author_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    record_events (id) {
        id -> Text,
        record_id -> Text,
        action -> Text,
        version_number -> Nullable<Integer>,
        actor_id -> Text,
        occurred_at -> Timestamp,
        comment -> Nullable<Text>,
        proposal -> Nullable<Text>,
    }
}

diesel::table! {
    record_addenda (id) {
        id -> Text,
        record_id -> Text,
        author_id -> Text,
        text -> Text,
        content_hash -> Text,
        created_at -> Timestamp,
        countersigned_by -> Nullable<Text>,
        countersigned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    record_actions (id) {
        id -> Text,
        record_id -> Text,
        supervisee_id -> Text,
        position -> Integer,
        description -> Text,
        owner_kind -> Text,
        owner_person_id -> Nullable<Text>,
        owner_name -> Nullable<Text>,
        due_on -> Date,
        status -> Text,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<Text>,
    }
}

diesel::table! {
    record_access (id) {
        id -> Text,
        record_id -> Text,
        person_id -> Text,
        reason -> Text,
        detail -> Text,
        accessed_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        person_id -> Text,
        kind -> Text,
        title -> Text,
        body -> Text,
        link -> Text,
        subject_type -> Text,
        subject_id -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    observations (id) {
        id -> Text,
        supervisee_id -> Text,
        observer_id -> Text,
        observed_on -> Date,
        setting -> Text,
        feedback -> Text,
        learning -> Text,
        session_id -> Nullable<Text>,
        record_id -> Nullable<Text>,
        supervisee_reflection -> Nullable<Text>,
        reflected_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    reflective_entries (id) {
        id -> Text,
        author_id -> Text,
        entry_date -> Date,
        title -> Text,
        model -> Text,
        sections -> Text,
        status -> Text,
        tags -> Text,
        session_id -> Nullable<Text>,
        observation_id -> Nullable<Text>,
        case_reference -> Nullable<Text>,
        cpd -> Nullable<Text>,
        cpd_peer_reflection -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    entry_shares (entry_id, supervisor_id) {
        entry_id -> Text,
        supervisor_id -> Text,
        shared_at -> Timestamp,
    }
}

diesel::table! {
    entry_comments (id) {
        id -> Text,
        entry_id -> Text,
        author_id -> Text,
        text -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    asye_programmes (person_id) {
        person_id -> Text,
        programme_months -> Integer,
        weekly_minutes -> Integer,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    asye_pauses (id) {
        id -> Text,
        person_id -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    asye_evidence (id) {
        id -> Text,
        person_id -> Text,
        kind -> Text,
        title -> Text,
        received_on -> Date,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    asye_time (id) {
        id -> Text,
        person_id -> Text,
        taken_on -> Date,
        minutes -> Integer,
        activity -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    devices (id) {
        id -> Text,
        person_id -> Text,
        endpoint -> Text,
        p256dh -> Text,
        auth -> Text,
        label -> Text,
        created_at -> Timestamp,
        last_success_at -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        refreshed_at -> Timestamp,
        expiry_warned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminders (id) {
        id -> Text,
        person_id -> Text,
        kind -> Text,
        subject_id -> Text,
        fire_at -> Timestamp,
        deliver_at -> Timestamp,
        planned_for -> Text,
        title -> Text,
        body -> Text,
        link -> Text,
        state -> Text,
        created_at -> Timestamp,
        fired_at -> Nullable<Timestamp>,
        deliver_by -> Timestamp,
    }
}

diesel::table! {
    reminder_deliveries (reminder_id, device_id) {
        reminder_id -> Text,
        device_id -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reminder_schedule (person_id) {
        person_id -> Text,
        next_plan_at -> Timestamp,
    }
}

diesel::table! {
    reminder_preferences (person_id) {
        person_id -> Text,
        preferences -> Text,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    calendar_feeds (person_id) {
        person_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_records (session_id) {
        session_id -> Text,
        notes -> Text,
        case_references -> Text,
        written_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    group_attendance (session_id, person_id) {
        session_id -> Text,
        person_id -> Text,
    }
}

diesel::table! {
    pdr_goals (id) {
        id -> Text,
        person_id -> Text,
        title -> Text,
        specific -> Text,
        measurable -> Text,
        achievable -> Text,
        relevant -> Text,
        behaviours -> Text,
        due_on -> Date,
        status -> Text,
        progress -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        case_reference -> Text,
        supervisee_id -> Text,
        supervisor_id -> Text,
        status -> Text,
        status_since -> Date,
        permanence_plan_on -> Nullable<Date>,
        review_conference_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    record_case_discussions (record_id, case_reference) {
        record_id -> Text,
        case_reference -> Text,
        supervisee_id -> Text,
        discussed_on -> Date,
    }
}

diesel::joinable!(people -> teams (team_id));
diesel::joinable!(refresh_tokens -> people (person_id));
diesel::joinable!(sessions -> agreements (agreement_id));
diesel::joinable!(session_changes -> sessions (session_id));
diesel::joinable!(record_actions -> records (record_id));
diesel::joinable!(records -> record_templates (template_id));
diesel::joinable!(entry_shares -> reflective_entries (entry_id));
diesel::joinable!(reminder_deliveries -> reminders (reminder_id));
diesel::joinable!(record_access -> records (record_id));
diesel::joinable!(group_attendance -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    teams,
    people,
    line_management,
    refresh_tokens,
    audit_events,
    idempotency_keys,
    organisation_settings,
    imported_holidays,
    closure_days,
    frequency_overrides,
    agreements,
    sessions,
    session_changes,
    record_templates,
    records,
    record_versions,
    record_events,
    record_addenda,
    record_actions,
    record_access,
    notifications,
    observations,
    reflective_entries,
    entry_shares,
    entry_comments,
    asye_programmes,
    asye_pauses,
    asye_evidence,
    asye_time,
    devices,
    reminders,
    reminder_deliveries,
    reminder_schedule,
    reminder_preferences,
    calendar_feeds,
    cases,
    record_case_discussions,
    group_records,
    group_attendance,
    pdr_goals,
);

// Status lists group formal sessions by supervisee and agreement kind.
diesel::allow_columns_to_appear_in_same_group_by_clause!(sessions::supervisee_id, agreements::kind,);
// Reports count cancellations by supervisee and reason.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    sessions::supervisee_id,
    session_changes::reason,
);
