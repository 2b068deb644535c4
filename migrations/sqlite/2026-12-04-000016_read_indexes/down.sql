DROP INDEX session_changes_pending_idx;
CREATE INDEX session_changes_pending_idx ON session_changes (state);
DROP INDEX notifications_inbox_idx;
CREATE INDEX notifications_person_idx ON notifications (person_id, created_at);
