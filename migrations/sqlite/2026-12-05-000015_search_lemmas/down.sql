DROP TRIGGER opportunity_search_inserted;
DROP TRIGGER opportunity_search_deleted;
DROP TRIGGER opportunity_search_updated;
DROP TABLE opportunity_search_index;
DROP INDEX opportunity_search_lemmas_version;
ALTER TABLE opportunity_search DROP COLUMN lemmas_title_sl;
ALTER TABLE opportunity_search DROP COLUMN lemmas_summary_sl;
ALTER TABLE opportunity_search DROP COLUMN lemmas_description_sl;
ALTER TABLE opportunity_search DROP COLUMN lemmas_version;
CREATE VIRTUAL TABLE opportunity_search_index USING fts5 (
    title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer,
    content = 'opportunity_search',
    content_rowid = 'key',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER opportunity_search_inserted AFTER INSERT ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (rowid, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer)
    VALUES (new.key, new.title_en, new.title_sl, new.summary_en, new.summary_sl,
            new.description_en, new.description_sl, new.organizer);
END;

CREATE TRIGGER opportunity_search_deleted AFTER DELETE ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (opportunity_search_index, rowid, title_en, title_sl, summary_en, summary_sl,
         description_en, description_sl, organizer)
    VALUES ('delete', old.key, old.title_en, old.title_sl, old.summary_en, old.summary_sl,
            old.description_en, old.description_sl, old.organizer);
END;

CREATE TRIGGER opportunity_search_updated AFTER UPDATE ON opportunity_search BEGIN
    INSERT INTO opportunity_search_index
        (opportunity_search_index, rowid, title_en, title_sl, summary_en, summary_sl,
         description_en, description_sl, organizer)
    VALUES ('delete', old.key, old.title_en, old.title_sl, old.summary_en, old.summary_sl,
            old.description_en, old.description_sl, old.organizer);
    INSERT INTO opportunity_search_index
        (rowid, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer)
    VALUES (new.key, new.title_en, new.title_sl, new.summary_en, new.summary_sl,
            new.description_en, new.description_sl, new.organizer);
END;

INSERT INTO opportunity_search_index (opportunity_search_index) VALUES ('rebuild');
