-- SES-6: a session entered later as history, held before the service was used for it.
ALTER TABLE sessions ADD COLUMN recorded_after_the_fact BOOLEAN NOT NULL DEFAULT FALSE;
