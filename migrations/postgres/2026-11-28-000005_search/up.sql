-- Full-text search. One document per opportunity: its texts in both languages and its
-- organizer's name, written by the store with the entry and when the organization is
-- renamed.
--
-- `unaccent` is a trusted extension: a database owner may create it without being a
-- superuser. The configuration `md_search` is `simple` (no stemming: no Slovenian
-- stemmer exists) with accents folded, both in the index and in queries, so that `c`
-- finds `č` and `č` finds `c`.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION md_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION md_search
    ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart
    WITH unaccent, simple;

CREATE TABLE opportunity_search (
    opportunity_id TEXT PRIMARY KEY REFERENCES opportunities (id) ON DELETE CASCADE,
    title_en TEXT,
    title_sl TEXT,
    summary_en TEXT,
    summary_sl TEXT,
    description_en TEXT,
    description_sl TEXT,
    organizer TEXT NOT NULL,
    -- Titles weigh most (A), then summaries and the organizer (B), then descriptions (C).
    document TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('md_search', coalesce(title_en, '')), 'A')
        || setweight(to_tsvector('md_search', coalesce(title_sl, '')), 'A')
        || setweight(to_tsvector('md_search', coalesce(summary_en, '')), 'B')
        || setweight(to_tsvector('md_search', coalesce(summary_sl, '')), 'B')
        || setweight(to_tsvector('md_search', organizer), 'B')
        || setweight(to_tsvector('md_search', coalesce(description_en, '')), 'C')
        || setweight(to_tsvector('md_search', coalesce(description_sl, '')), 'C')
    ) STORED
);
CREATE INDEX opportunity_search_document ON opportunity_search USING GIN (document);

INSERT INTO opportunity_search
    (opportunity_id, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer)
SELECT o.id, en.title, sl.title, en.summary, sl.summary, en.description, sl.description, g.name
FROM opportunities o
JOIN organizations g ON g.id = o.organization_id
LEFT JOIN opportunity_texts en ON en.opportunity_id = o.id AND en.language = 'en'
LEFT JOIN opportunity_texts sl ON sl.opportunity_id = o.id AND sl.language = 'sl';
