-- Reminders (REM-2 to REM-5) and calendar feeds (REM-7).

-- REM-5: each reminder once, keyed by whom, what kind, about what and when it fires.
-- `planned_for` is the person whose plan produced it: re-planning them replaces what has not
-- fired yet. `deliver_at` is the fire time moved out of quiet hours (REM-3).
CREATE TABLE reminders (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    fire_at TIMESTAMP NOT NULL,
    deliver_at TIMESTAMP NOT NULL,
    planned_for TEXT NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    fired_at TIMESTAMP,
    UNIQUE (person_id, kind, subject_id, fire_at)
);
CREATE INDEX reminders_due_idx ON reminders (state, fire_at);
CREATE INDEX reminders_plan_idx ON reminders (planned_for, state);

-- One row per reminder and device: what was sent, what the push service said, when to try
-- again. A claim (claimed_by, claimed_until) lets several instances share the work.
CREATE TABLE reminder_deliveries (
    reminder_id TEXT NOT NULL REFERENCES reminders(id),
    device_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_status INTEGER,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reminder_id, device_id)
);
CREATE INDEX reminder_deliveries_due_idx ON reminder_deliveries (state, next_attempt_at);

-- When each person's reminders are next planned; writes that change them set it to now.
CREATE TABLE reminder_schedule (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    next_plan_at TIMESTAMP NOT NULL
);
CREATE INDEX reminder_schedule_due_idx ON reminder_schedule (next_plan_at);

-- REM-2, REM-3: lead times, quiet hours and kinds turned off, as JSON.
CREATE TABLE reminder_preferences (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    preferences TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);

-- REM-7: the private feed URL's token, stored hashed.
CREATE TABLE calendar_feeds (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
