ALTER TABLE sessions DROP COLUMN recorded_after_the_fact;
