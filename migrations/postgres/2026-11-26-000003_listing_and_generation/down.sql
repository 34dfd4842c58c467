DROP TABLE directory_generation;
DROP INDEX opportunities_organization_latest;
DROP INDEX opportunities_changed;
DROP INDEX opportunities_newest;
DROP INDEX opportunities_opening;
DROP INDEX opportunities_listing;
ALTER TABLE opportunities DROP COLUMN sort_deadline;
