-- REM-5: after `deliver_by` a reminder's push is not worth sending (a session that has
-- started, a daily reminder whose next one is due); it is recorded `expired` instead.
-- Reminders already stored keep a day, as most kinds do; re-planning sets the rest.
ALTER TABLE reminders ADD COLUMN deliver_by TIMESTAMP;
UPDATE reminders SET deliver_by = deliver_at + INTERVAL '1 day';
ALTER TABLE reminders ALTER COLUMN deliver_by SET NOT NULL;
