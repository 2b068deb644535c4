DROP TABLE session_changes;
DROP TABLE sessions;
DROP TABLE agreements;
DROP TABLE frequency_overrides;
DROP TABLE closure_days;
DROP TABLE organisation_settings;
