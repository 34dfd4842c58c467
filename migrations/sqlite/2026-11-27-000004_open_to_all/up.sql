-- True when an entry has no rule on nationality or residence, so that the eligibility
-- filter tests a column instead of looking for rules that are absent.
ALTER TABLE opportunities ADD COLUMN open_to_all BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE opportunities SET open_to_all = FALSE
WHERE EXISTS (SELECT 1 FROM opportunity_nationalities n WHERE n.opportunity_id = opportunities.id)
   OR EXISTS (SELECT 1 FROM opportunity_residences r WHERE r.opportunity_id = opportunities.id);
-- The listing index carries it, so that a count over a status range reads the index alone.
DROP INDEX opportunities_listing;
CREATE INDEX opportunities_listing ON opportunities (state, sort_deadline, id, open_to_all);
