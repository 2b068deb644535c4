DROP TABLE notifications;
DROP TABLE record_access;
DROP TABLE record_actions;
DROP TABLE record_addenda;
DROP TABLE record_events;
DROP TABLE record_versions;
DROP TABLE records;
DROP TABLE record_templates;
ALTER TABLE organisation_settings DROP COLUMN case_reference_pattern;
