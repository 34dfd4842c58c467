-- Slovenian lemmas in the search documents (#15, point 3): the lemma of every word of the
-- Slovenian title, summary and description, as `0l`-marked tokens, computed in Rust, in
-- the document with the weights of their fields. Rows with an older `lemmas_version`
-- are rebuilt at start-up, in batches.
ALTER TABLE opportunity_search
    ADD COLUMN lemmas_title_sl TEXT,
    ADD COLUMN lemmas_summary_sl TEXT,
    ADD COLUMN lemmas_description_sl TEXT,
    ADD COLUMN lemmas_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX opportunity_search_lemmas_version ON opportunity_search (lemmas_version);

ALTER TABLE opportunity_search DROP COLUMN document;
ALTER TABLE opportunity_search ADD COLUMN document TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('md_search', coalesce(title_en, '')), 'A')
    || setweight(to_tsvector('md_search', coalesce(title_sl, '')), 'A')
    || setweight(to_tsvector('md_search', coalesce(summary_en, '')), 'B')
    || setweight(to_tsvector('md_search', coalesce(summary_sl, '')), 'B')
    || setweight(to_tsvector('md_search', organizer), 'B')
    || setweight(to_tsvector('md_search', coalesce(description_en, '')), 'C')
    || setweight(to_tsvector('md_search', coalesce(description_sl, '')), 'C')
    || setweight(to_tsvector('md_search', coalesce(lemmas_title_sl, '')), 'A')
    || setweight(to_tsvector('md_search', coalesce(lemmas_summary_sl, '')), 'B')
    || setweight(to_tsvector('md_search', coalesce(lemmas_description_sl, '')), 'C')
) STORED;
CREATE INDEX opportunity_search_document ON opportunity_search USING GIN (document);
