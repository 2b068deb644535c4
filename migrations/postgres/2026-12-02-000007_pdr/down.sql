DROP TABLE pdr_goals;
ALTER TABLE organisation_settings DROP COLUMN pdr_goals_per_year;
ALTER TABLE organisation_settings DROP COLUMN pdr_yearend_month;
ALTER TABLE organisation_settings DROP COLUMN pdr_midyear_month;
ALTER TABLE organisation_settings DROP COLUMN pdr_goals_month;
