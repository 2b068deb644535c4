-- Issue 18: indexes the home-screen reads need so their cost follows the reader's own rows,
-- not the organisation's.
-- The inbox is read newest first with the id as tie-break, and counts its read rows: with
-- the id and read_at in the index a page comes off it in order (no sort of the person's
-- whole inbox aside) and both counts are answered from the index alone.
DROP INDEX notifications_person_idx;
CREATE INDEX notifications_inbox_idx ON notifications (person_id, created_at, id, read_at);
-- A page of sessions looks up its pending moves by session: on an index of the state alone
-- that read walked every pending move in the organisation.
DROP INDEX session_changes_pending_idx;
CREATE INDEX session_changes_pending_idx ON session_changes (state, session_id);
