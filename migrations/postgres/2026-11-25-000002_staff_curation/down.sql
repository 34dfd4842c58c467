DROP TABLE throttle_events;
DROP TABLE revisions;
ALTER TABLE organizations DROP COLUMN withdrawn;
ALTER TABLE organizations DROP COLUMN version;
DROP TABLE opportunity_provenance;
DROP INDEX opportunities_state;
ALTER TABLE opportunities DROP COLUMN version;
ALTER TABLE opportunities DROP COLUMN state;
DROP TABLE users;
