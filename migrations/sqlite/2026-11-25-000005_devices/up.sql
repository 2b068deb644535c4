-- REM-1: each person's devices, as Web Push subscriptions. An endpoint belongs to one
-- device, so it is unique: subscribing again updates the row.
CREATE TABLE devices (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_success_at TIMESTAMP,
    last_failure_at TIMESTAMP
);
CREATE INDEX devices_person_idx ON devices (person_id);
