-- Full-text search. One document per opportunity: its texts in both languages and its
-- organizer's name, written by the store with the entry and when the organization is
-- renamed. `key` is the document's rowid in the FTS5 index; declared as the primary key,
-- it survives VACUUM.
CREATE TABLE opportunity_search (
    key INTEGER PRIMARY KEY,
    opportunity_id TEXT NOT NULL UNIQUE REFERENCES opportunities (id) ON DELETE CASCADE,
    title_en TEXT,
    title_sl TEXT,
    summary_en TEXT,
    summary_sl TEXT,
    description_en TEXT,
    description_sl TEXT,
    organizer TEXT NOT NULL
);

-- Diacritics are folded both ways (remove_diacritics 2: `c` finds `č` and `č` finds
-- `c`); two- and three-letter prefixes have their own index for search-as-you-type.
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

INSERT INTO opportunity_search
    (opportunity_id, title_en, title_sl, summary_en, summary_sl, description_en, description_sl, organizer)
SELECT o.id, en.title, sl.title, en.summary, sl.summary, en.description, sl.description, g.name
FROM opportunities o
JOIN organizations g ON g.id = o.organization_id
LEFT JOIN opportunity_texts en ON en.opportunity_id = o.id AND en.language = 'en'
LEFT JOIN opportunity_texts sl ON sl.opportunity_id = o.id AND sl.language = 'sl';
