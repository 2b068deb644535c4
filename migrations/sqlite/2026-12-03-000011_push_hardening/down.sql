DROP INDEX devices_refreshed_idx;
ALTER TABLE devices DROP COLUMN expiry_warned_at;
ALTER TABLE devices DROP COLUMN refreshed_at;
