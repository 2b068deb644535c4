-- REM-1: a subscription not registered again for 60 days is dropped (some push services
-- accept pushes for dead ones), after one push warning the device a few days before.
-- Devices already registered get the full 60 days from now.
ALTER TABLE devices ADD COLUMN refreshed_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC');
ALTER TABLE devices ALTER COLUMN refreshed_at DROP DEFAULT;
ALTER TABLE devices ADD COLUMN expiry_warned_at TIMESTAMP;
CREATE INDEX devices_refreshed_idx ON devices (refreshed_at);
-- REM-6: "coming up" reminders stored before this carried the session's place, which people
-- fill with case references; pushes still queued read this text. Re-planning restores the time.
UPDATE reminders SET body = 'Your session is coming up.' WHERE kind = 'session_coming_up';
