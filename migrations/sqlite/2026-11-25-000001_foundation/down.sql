DROP TABLE idempotency_keys;
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_events;
DROP TABLE refresh_tokens;
DROP TABLE line_management;
DROP TABLE people;
DROP TABLE teams;
