DROP TABLE rate_windows;
DROP TABLE partner_keys;
