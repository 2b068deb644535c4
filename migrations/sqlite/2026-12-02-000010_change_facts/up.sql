-- Each change names its session's kind and supervisee, which never change, so reports read
-- cancellations and moves (RPT-1) from one index without joining every change to its session.
-- Copies of the session's own columns, which its foreign keys already guard.
ALTER TABLE session_changes ADD COLUMN session_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE session_changes ADD COLUMN supervisee_id TEXT;
UPDATE session_changes SET
    session_kind = (SELECT kind FROM sessions WHERE sessions.id = session_changes.session_id),
    supervisee_id = (SELECT supervisee_id FROM sessions WHERE sessions.id = session_changes.session_id);
-- A held or missed mark keeps when the session was planned for, as a cancellation does.
UPDATE session_changes SET
    from_starts_at = (SELECT starts_at FROM sessions WHERE sessions.id = session_changes.session_id)
WHERE action IN ('held', 'missed') AND from_starts_at IS NULL;
DROP INDEX session_changes_action_idx;
CREATE INDEX session_changes_report_idx ON session_changes (session_kind, action, acted_at, supervisee_id, reason);
