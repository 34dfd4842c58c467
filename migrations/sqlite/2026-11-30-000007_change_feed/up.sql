-- The change feed: what happened to the public list, in commit order. A position is
-- the directory generation of the changing transaction (writers raise it first and hold
-- it to their commit, so generations commit in order) and an ordinal within it. The
-- log is compacted: an entry keeps only its latest event, so a replay from the start
-- is the current list plus the tombstones of the last 90 days.
CREATE TABLE change_events (
    generation BIGINT NOT NULL,
    position INTEGER NOT NULL,
    opportunity_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    tombstone BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (generation, position)
);
CREATE INDEX change_events_opportunity ON change_events (opportunity_id);
CREATE INDEX change_events_tombstones ON change_events (tombstone, at);

-- The last position whose tombstones were pruned: an older cursor may have missed one.
CREATE TABLE change_feed (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    pruned_generation BIGINT NOT NULL,
    pruned_position INTEGER NOT NULL
);
INSERT INTO change_feed (id, pruned_generation, pruned_position) VALUES (1, 0, 0);

-- What is published already is the feed's first events.
INSERT INTO change_events (generation, position, opportunity_id, slug, kind, tombstone, at)
SELECT (SELECT generation FROM directory_generation WHERE id = 1),
       ROW_NUMBER() OVER (ORDER BY id), id, slug, 'published', 0, updated_at
FROM opportunities WHERE state = 'published';
