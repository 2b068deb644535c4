-- Each change names its session's kind and supervisee, which never change, so reports read
-- cancellations and moves (RPT-1) from one index without joining every change to its session.
-- Copies of the session's own columns, which its foreign keys already guard.
ALTER TABLE session_changes ADD COLUMN session_kind TEXT;
ALTER TABLE session_changes ADD COLUMN supervisee_id TEXT;
UPDATE session_changes c SET session_kind = s.kind, supervisee_id = s.supervisee_id
FROM sessions s WHERE s.id = c.session_id;
ALTER TABLE session_changes ALTER COLUMN session_kind SET NOT NULL;
-- A held or missed mark keeps when the session was planned for, as a cancellation does.
UPDATE session_changes c SET from_starts_at = s.starts_at
FROM sessions s WHERE s.id = c.session_id AND c.action IN ('held', 'missed') AND c.from_starts_at IS NULL;
DROP INDEX session_changes_action_idx;
CREATE INDEX session_changes_report_idx ON session_changes (session_kind, action, acted_at, supervisee_id, reason);
