-- What a group supervision session covered (GRP-1): its notes and the cases discussed, by
-- reference only (REC-3). One per held group session; its facilitator is the session's.
CREATE TABLE group_records (
    session_id TEXT PRIMARY KEY NOT NULL REFERENCES sessions(id),
    notes TEXT NOT NULL,
    case_references TEXT NOT NULL,
    written_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);

-- Who attended a group session: counts for their group-supervision status, never for the
-- 1:1 limit (GRP-1).
CREATE TABLE group_attendance (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX group_attendance_person_idx ON group_attendance (person_id);

-- Compliance reports (RPT-1) and status lists read these without touching the tables:
-- the period's held 1:1s across the organisation; one seek per agreement or team for its
-- last held and next booked session; the period's records; the year's observations and
-- CPD records; cancellations by when they were made.
CREATE INDEX sessions_report_idx ON sessions (kind, status, starts_at, supervisee_id, agreement_id);
CREATE INDEX sessions_agreement_kind_idx ON sessions (agreement_id, kind, status, starts_at);
CREATE INDEX sessions_team_kind_idx ON sessions (team_id, kind, status, starts_at);
CREATE INDEX session_changes_action_idx ON session_changes (action, acted_at);
CREATE INDEX records_report_idx ON records (held_on, supervisee_id, status, due_by, first_sent_on);
CREATE INDEX observations_report_idx ON observations (observed_on, supervisee_id, setting);
CREATE INDEX reflective_entries_cpd_idx ON reflective_entries (entry_date, author_id, cpd_peer_reflection)
    WHERE cpd IS NOT NULL;
