-- A sign-in is recorded before its password is checked, so that parallel guesses cannot
-- get past the limit together; until the check ends it is pending, and only a failed
-- check counts against the limit.
ALTER TABLE throttle_events ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
