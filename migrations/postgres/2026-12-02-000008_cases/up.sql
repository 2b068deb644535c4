-- CASE-1: case supervision, an optional module (off until an administrator turns it on).
ALTER TABLE organisation_settings ADD COLUMN case_supervision BOOLEAN NOT NULL DEFAULT FALSE;

-- A case a supervisor tracks: its reference (never a name, REC-3), the allocated worker,
-- its status for supervision and the dates its frequency depends on.
CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    case_reference TEXT NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    supervisor_id TEXT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL,
    status_since DATE NOT NULL,
    permanence_plan_on DATE,
    review_conference_on DATE,
    closed_on DATE,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
-- One open registration of a reference per allocated worker.
CREATE UNIQUE INDEX cases_open_reference_idx ON cases (supervisee_id, case_reference) WHERE closed_on IS NULL;
CREATE INDEX cases_supervisor_idx ON cases (supervisor_id, closed_on);

-- Which cases each record discusses, kept in step with the record's latest content, so a
-- case's last discussion is one indexed query.
CREATE TABLE record_case_discussions (
    record_id TEXT NOT NULL REFERENCES records(id),
    case_reference TEXT NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    discussed_on DATE NOT NULL,
    PRIMARY KEY (record_id, case_reference)
);
CREATE INDEX record_case_discussions_case_idx ON record_case_discussions (case_reference, discussed_on);
