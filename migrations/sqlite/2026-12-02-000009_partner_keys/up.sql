-- API keys of partners. Only a SHA-256 of each key is kept (a key is 192 random bits, so
-- a fast hash suffices: there is nothing to guess); its prefix finds it.
CREATE TABLE partner_keys (
    id TEXT PRIMARY KEY NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    prefix TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    name TEXT NOT NULL,
    requests_per_minute INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX partner_keys_partner ON partner_keys (partner_id);

-- Requests per key and minute, counted by every instance in one place.
CREATE TABLE rate_windows (
    key_id TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key_id, window_start)
);
