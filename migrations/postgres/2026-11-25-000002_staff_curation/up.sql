CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    -- Raised when the account is disabled or its role changes: older tokens stop working.
    token_generation INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Existing entries were published by hand before the workflow existed.
ALTER TABLE opportunities ADD COLUMN state TEXT NOT NULL DEFAULT 'published';
ALTER TABLE opportunities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX opportunities_state ON opportunities (state, updated_at);

-- Where an opportunity came from and who stands behind it.
CREATE TABLE opportunity_provenance (
    opportunity_id TEXT PRIMARY KEY NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    created_by TEXT REFERENCES users (id),
    source_url_key TEXT UNIQUE,
    import_source TEXT,
    external_id TEXT,
    submitter_name TEXT,
    submitter_email TEXT,
    rejection_reason TEXT,
    UNIQUE (import_source, external_id)
);

ALTER TABLE organizations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN withdrawn BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE revisions (
    id TEXT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    -- JSON array of {"field", "from", "to"}
    changes TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX revisions_entity ON revisions (entity, entity_id, created_at);

-- Recent events per (bucket, key), for limits that hold across every instance.
CREATE TABLE throttle_events (
    id TEXT PRIMARY KEY NOT NULL,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX throttle_events_key ON throttle_events (bucket, key, at);
