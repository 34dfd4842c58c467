-- Slovenian lemmas in the search documents (#15, point 3): the lemma of every word of the
-- Slovenian title, summary and description, as `0l`-marked tokens, computed in Rust. A
-- migration cannot compute them: rows with an older `lemmas_version` are rebuilt at
-- start-up, in batches.
ALTER TABLE opportunity_search ADD COLUMN lemmas_title_sl TEXT;
ALTER TABLE opportunity_search ADD COLUMN lemmas_summary_sl TEXT;
ALTER TABLE opportunity_search ADD COLUMN lemmas_description_sl TEXT;
ALTER TABLE opportunity_search ADD COLUMN lemmas_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX opportunity_search_lemmas_version ON opportunity_search (lemmas_version);

DROP TRIGGER opportunity_search_inserted;
DROP TRIGGER opportunity_search_deleted;
DROP TRIGGER opportunity_search_updated;
DROP TABLE opportunity_search_index;

CREATE VIRTUAL TABLE opportunity_search_index USING fts5 (
    title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer,
    lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl,
    content = 'opportunity_search',
    content_rowid = 'key',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER opportunity_search_inserted AFTER INSERT ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (rowid, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer,
         lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl)
    VALUES (new.key, new.title_en, new.title_sl, new.summary_en, new.summary_sl,
            new.description_en, new.description_sl, new.organizer,
            new.lemmas_title_sl, new.lemmas_summary_sl, new.lemmas_description_sl);
END;

CREATE TRIGGER opportunity_search_deleted AFTER DELETE ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (opportunity_search_index, rowid, title_en, title_sl, summary_en, summary_sl,
         description_en, description_sl, organizer,
         lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl)
    VALUES ('delete', old.key, old.title_en, old.title_sl, old.summary_en, old.summary_sl,
            old.description_en, old.description_sl, old.organizer,
            old.lemmas_title_sl, old.lemmas_summary_sl, old.lemmas_description_sl);
END;

CREATE TRIGGER opportunity_search_updated AFTER UPDATE ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (opportunity_search_index, rowid, title_en, title_sl, summary_en, summary_sl,
         description_en, description_sl, organizer,
         lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl)
    VALUES ('delete', old.key, old.title_en, old.title_sl, old.summary_en, old.summary_sl,
            old.description_en, old.description_sl, old.organizer,
            old.lemmas_title_sl, old.lemmas_summary_sl, old.lemmas_description_sl);
    INSERT INTO opportunity_search_index
        (rowid, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer,
         lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl)
    VALUES (new.key, new.title_en, new.title_sl, new.summary_en, new.summary_sl,
            new.description_en, new.description_sl, new.organizer,
            new.lemmas_title_sl, new.lemmas_summary_sl, new.lemmas_description_sl);
END;

INSERT INTO opportunity_search_index (opportunity_search_index) VALUES ('rebuild');
