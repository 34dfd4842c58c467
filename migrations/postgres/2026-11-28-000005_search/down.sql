DROP TABLE opportunity_search;
DROP TEXT SEARCH CONFIGURATION md_search;
