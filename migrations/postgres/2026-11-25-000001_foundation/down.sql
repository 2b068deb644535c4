DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE refresh_tokens;
DROP TABLE line_management;
DROP TABLE people;
DROP TABLE teams;
