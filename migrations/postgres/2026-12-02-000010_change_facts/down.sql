DROP INDEX session_changes_report_idx;
CREATE INDEX session_changes_action_idx ON session_changes (action, acted_at);
ALTER TABLE session_changes DROP COLUMN supervisee_id;
ALTER TABLE session_changes DROP COLUMN session_kind;
