DROP TRIGGER opportunity_search_updated;
DROP TRIGGER opportunity_search_deleted;
DROP TRIGGER opportunity_search_inserted;
DROP TABLE opportunity_search_index;
DROP TABLE opportunity_search;
