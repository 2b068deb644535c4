ALTER TABLE people DROP COLUMN access_epoch;
