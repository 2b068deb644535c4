-- A person's access epoch (ACC-1): every access token carries the epoch it was issued in, and
-- a password change or reset, or signing out everywhere, moves it on, so older tokens stop
-- working on the next request rather than at their expiry.
ALTER TABLE people ADD COLUMN access_epoch INTEGER NOT NULL DEFAULT 0;
