-- Scheduling: organisation settings, closure days, frequency overrides, agreements, sessions
-- and their history (CAL, FREQ, AGR, SES).

-- One row: the organisation's holiday region and policy profile. `closures_version` changes
-- whenever closure days change, so every instance knows to rebuild its calendar.
CREATE TABLE organisation_settings (
    id INTEGER PRIMARY KEY NOT NULL,
    holiday_region TEXT NOT NULL,
    policy_profile TEXT NOT NULL,
    closures_version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
INSERT INTO organisation_settings (id, holiday_region, policy_profile, closures_version, updated_at, version)
VALUES (1, 'england-and-wales', 'default', 0, '2026-01-01 00:00:00', 1);

CREATE TABLE closure_days (
    day DATE PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES people(id)
);

-- FREQ-3: a more frequent interval for one person.
CREATE TABLE frequency_overrides (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    interval_kind TEXT NOT NULL,
    interval_value INTEGER NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL REFERENCES people(id),
    set_at TIMESTAMP NOT NULL
);

CREATE TABLE agreements (
    id TEXT PRIMARY KEY NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    supervisor_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    interval_kind TEXT NOT NULL,
    interval_value INTEGER NOT NULL,
    session_minutes INTEGER NOT NULL,
    usual_weekday INTEGER NOT NULL,
    usual_time TEXT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    supervisor_signed_at TIMESTAMP,
    supervisee_signed_at TIMESTAMP,
    end_reason TEXT,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX agreements_supervisee_idx ON agreements (supervisee_id);
CREATE INDEX agreements_supervisor_idx ON agreements (supervisor_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    agreement_id TEXT REFERENCES agreements(id),
    team_id TEXT REFERENCES teams(id),
    kind TEXT NOT NULL,
    supervisor_id TEXT NOT NULL REFERENCES people(id),
    supervisee_id TEXT REFERENCES people(id),
    starts_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL,
    place TEXT NOT NULL,
    status TEXT NOT NULL,
    replaces_id TEXT REFERENCES sessions(id),
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX sessions_supervisee_idx ON sessions (supervisee_id, starts_at);
CREATE INDEX sessions_supervisor_idx ON sessions (supervisor_id, starts_at);
CREATE INDEX sessions_agreement_idx ON sessions (agreement_id, starts_at);
CREATE INDEX sessions_team_idx ON sessions (team_id, starts_at);

-- Every booking, move, proposal, decision, cancellation, held and missed (SES-3, SES-4).
CREATE TABLE session_changes (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    from_starts_at TIMESTAMP,
    to_starts_at TIMESTAMP,
    reason TEXT,
    reason_text TEXT,
    due_by DATE,
    needs_manager BOOLEAN NOT NULL,
    breach BOOLEAN NOT NULL,
    actor_id TEXT NOT NULL REFERENCES people(id),
    acted_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES people(id),
    decided_at TIMESTAMP,
    justification TEXT,
    comment TEXT
);
CREATE INDEX session_changes_session_idx ON session_changes (session_id, acted_at);
CREATE INDEX session_changes_pending_idx ON session_changes (state);
