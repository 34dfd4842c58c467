DROP INDEX opportunities_listing;
CREATE INDEX opportunities_listing ON opportunities (state, sort_deadline, id);
ALTER TABLE opportunities DROP COLUMN open_to_all;
