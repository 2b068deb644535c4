DROP TABLE calendar_feeds;
DROP TABLE reminder_preferences;
DROP TABLE reminder_schedule;
DROP TABLE reminder_deliveries;
DROP TABLE reminders;
