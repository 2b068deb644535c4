-- Foundation: teams, people, dated line management, sign-in, audit, idempotency.
-- Ids are UUID text; timestamps are UTC; enums are text.

CREATE TABLE teams (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE people (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    staff_category TEXT NOT NULL,
    team_id TEXT REFERENCES teams(id),
    employment_start DATE,
    asye_start DATE,
    placement_start DATE,
    placement_end DATE,
    time_zone TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    is_admin BOOLEAN NOT NULL DEFAULT 0,
    is_auditor BOOLEAN NOT NULL DEFAULT 0,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX people_team_idx ON people (team_id);
CREATE INDEX people_name_idx ON people (display_name);

-- Who manages whom, over half-open date ranges [starts_on, ends_on).
CREATE TABLE line_management (
    id TEXT PRIMARY KEY NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    manager_id TEXT NOT NULL REFERENCES people(id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES people(id)
);
CREATE INDEX line_management_supervisee_idx ON line_management (supervisee_id, starts_on);
CREATE INDEX line_management_manager_idx ON line_management (manager_id, starts_on);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_person_idx ON refresh_tokens (person_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT,
    client_address TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id);

-- ACC-4: the audit log is append-only, whatever the client.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

CREATE TABLE idempotency_keys (
    person_id TEXT NOT NULL REFERENCES people(id),
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response_status INTEGER,
    response_content_type TEXT,
    response_body BLOB,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);
