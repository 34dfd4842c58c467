-- The deadline as a sort key that is never NULL (rolling calls without a deadline sort
-- last), so that the default order and every computed status are ranges over one index.
ALTER TABLE opportunities ADD COLUMN sort_deadline TIMESTAMP NOT NULL DEFAULT '9999-12-31 23:59:59';
UPDATE opportunities SET sort_deadline = COALESCE(deadline, '9999-12-31 23:59:59');
CREATE INDEX opportunities_listing ON opportunities (state, sort_deadline, id);
CREATE INDEX opportunities_opening ON opportunities (state, opens_at);
CREATE INDEX opportunities_newest ON opportunities (state, published_at, id);
CREATE INDEX opportunities_changed ON opportunities (state, updated_at, id);
-- An organizer's latest entries, which a new or changed title is compared with.
CREATE INDEX opportunities_organization_latest ON opportunities (organization_id, updated_at, id);

-- Raised by every change to what the public can see, in the changing transaction: a
-- response cached at one generation is never served at another.
CREATE TABLE directory_generation (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    generation BIGINT NOT NULL,
    -- The transaction that raised it last: a transaction raises it once, however many
    -- rows it changes (each UPDATE of one row in one transaction adds a row version).
    raised_by BIGINT
);
INSERT INTO directory_generation (id, generation) VALUES (1, 0);
