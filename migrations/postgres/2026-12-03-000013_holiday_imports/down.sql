ALTER TABLE organisation_settings DROP COLUMN holidays_version;
DROP TABLE imported_holidays;
