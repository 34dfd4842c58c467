ALTER TABLE throttle_events DROP COLUMN pending;
