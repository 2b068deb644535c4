-- Observations of practice (OBS), reflective logs with CPD records (REF) and the ASYE year.

CREATE TABLE observations (
    id TEXT PRIMARY KEY NOT NULL,
    supervisee_id TEXT NOT NULL REFERENCES people(id),
    observer_id TEXT NOT NULL REFERENCES people(id),
    observed_on DATE NOT NULL,
    setting TEXT NOT NULL,
    feedback TEXT NOT NULL,
    learning TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id),
    record_id TEXT REFERENCES records(id),
    supervisee_reflection TEXT,
    reflected_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX observations_supervisee_idx ON observations (supervisee_id, observed_on);
CREATE INDEX observations_observer_idx ON observations (observer_id, observed_on);

-- REF-1: sections and tags are JSON; the model says which sections there are.
CREATE TABLE reflective_entries (
    id TEXT PRIMARY KEY NOT NULL,
    author_id TEXT NOT NULL REFERENCES people(id),
    entry_date DATE NOT NULL,
    title TEXT NOT NULL,
    model TEXT NOT NULL,
    sections TEXT NOT NULL,
    status TEXT NOT NULL,
    tags TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id),
    observation_id TEXT REFERENCES observations(id),
    case_reference TEXT,
    cpd TEXT,
    cpd_peer_reflection BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX reflective_entries_author_idx ON reflective_entries (author_id, entry_date);

-- REF-2: an entry is private until shared with a named supervisor.
CREATE TABLE entry_shares (
    entry_id TEXT NOT NULL REFERENCES reflective_entries(id),
    supervisor_id TEXT NOT NULL REFERENCES people(id),
    shared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (entry_id, supervisor_id)
);
CREATE INDEX entry_shares_supervisor_idx ON entry_shares (supervisor_id);

CREATE TABLE entry_comments (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES reflective_entries(id),
    author_id TEXT NOT NULL REFERENCES people(id),
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX entry_comments_entry_idx ON entry_comments (entry_id, created_at);

-- ASYE-1: the programme's length and contracted hours (12 months, 37 hours by default).
CREATE TABLE asye_programmes (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES people(id),
    programme_months INTEGER NOT NULL,
    weekly_minutes INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE asye_pauses (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX asye_pauses_person_idx ON asye_pauses (person_id, starts_on);

CREATE TABLE asye_evidence (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    received_on DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX asye_evidence_person_idx ON asye_evidence (person_id, received_on);

-- Protected development time (10 %), logged as it is taken.
CREATE TABLE asye_time (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    taken_on DATE NOT NULL,
    minutes INTEGER NOT NULL,
    activity TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX asye_time_person_idx ON asye_time (person_id, taken_on);
