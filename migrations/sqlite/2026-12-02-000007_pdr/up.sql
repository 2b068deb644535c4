-- The performance and development review (PDR-1, 000 §4).

-- The organisation can move the cycle (goals in April, the mid-year review in October, the
-- year-end review in March by default) and sets how many goals a full cycle asks for.
ALTER TABLE organisation_settings ADD COLUMN pdr_goals_month INTEGER NOT NULL DEFAULT 4;
ALTER TABLE organisation_settings ADD COLUMN pdr_midyear_month INTEGER NOT NULL DEFAULT 10;
ALTER TABLE organisation_settings ADD COLUMN pdr_yearend_month INTEGER NOT NULL DEFAULT 3;
ALTER TABLE organisation_settings ADD COLUMN pdr_goals_per_year INTEGER NOT NULL DEFAULT 5;

-- SMART goals. A goal belongs to the cycle its due date falls in, so moving the cycle's
-- months keeps this year's goals in this year's cycle.
CREATE TABLE pdr_goals (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    title TEXT NOT NULL,
    specific TEXT NOT NULL,
    measurable TEXT NOT NULL,
    achievable TEXT NOT NULL,
    relevant TEXT NOT NULL,
    behaviours TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX pdr_goals_person_idx ON pdr_goals (person_id, due_on);
