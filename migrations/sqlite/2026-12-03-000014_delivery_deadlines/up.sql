-- REM-5: after `deliver_by` a reminder's push is not worth sending (a session that has
-- started, a daily reminder whose next one is due); it is recorded `expired` instead.
-- Reminders already stored keep a day, as most kinds do; re-planning sets the rest. The
-- default only satisfies SQLite's ALTER TABLE: every insert sets the column.
ALTER TABLE reminders ADD COLUMN deliver_by TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
UPDATE reminders SET deliver_by = strftime('%Y-%m-%d %H:%M:%f', deliver_at, '+1 day');
