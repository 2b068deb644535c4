DROP TABLE record_case_discussions;
DROP TABLE cases;
ALTER TABLE organisation_settings DROP COLUMN case_supervision;
