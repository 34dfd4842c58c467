DROP TABLE change_feed;
DROP TABLE change_events;
