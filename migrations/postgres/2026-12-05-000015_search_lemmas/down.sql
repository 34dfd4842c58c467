ALTER TABLE opportunity_search DROP COLUMN document;
ALTER TABLE opportunity_search
    DROP COLUMN lemmas_title_sl,
    DROP COLUMN lemmas_summary_sl,
    DROP COLUMN lemmas_description_sl,
    DROP COLUMN lemmas_version;
ALTER TABLE opportunity_search ADD COLUMN document TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('md_search', coalesce(title_en, '')), 'A')
    || setweight(to_tsvector('md_search', coalesce(title_sl, '')), 'A')
    || setweight(to_tsvector('md_search', coalesce(summary_en, '')), 'B')
    || setweight(to_tsvector('md_search', coalesce(summary_sl, '')), 'B')
    || setweight(to_tsvector('md_search', organizer), 'B')
    || setweight(to_tsvector('md_search', coalesce(description_en, '')), 'C')
    || setweight(to_tsvector('md_search', coalesce(description_sl, '')), 'C')
) STORED;
CREATE INDEX opportunity_search_document ON opportunity_search USING GIN (document);
