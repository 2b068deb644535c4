ALTER TABLE reminders DROP COLUMN deliver_by;
