CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT,
    website TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE opportunities (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    destination_city TEXT,
    online BOOLEAN NOT NULL,
    career_stage TEXT NOT NULL,
    age_min INTEGER,
    age_max INTEGER,
    opens_at TIMESTAMP,
    deadline TIMESTAMP,
    deadline_timezone TEXT,
    rolling BOOLEAN NOT NULL,
    activity_starts_on DATE,
    activity_ends_on DATE,
    duration_min_days INTEGER,
    duration_max_days INTEGER,
    funding_min BIGINT,
    funding_max BIGINT,
    funding_currency TEXT,
    application_fee BIGINT NOT NULL,
    application_fee_currency TEXT,
    application_url TEXT,
    source_url TEXT,
    contact_email TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    CHECK (rolling OR deadline IS NOT NULL),
    CHECK ((deadline IS NULL) = (deadline_timezone IS NULL)),
    CHECK (application_fee >= 0)
);
CREATE INDEX opportunities_deadline ON opportunities (deadline, id);
CREATE INDEX opportunities_published ON opportunities (published_at, id);
CREATE INDEX opportunities_updated ON opportunities (updated_at, id);
CREATE INDEX opportunities_organization ON opportunities (organization_id);

-- Title, summary and description per language (en, sl); an opportunity has at least one.
CREATE TABLE opportunity_texts (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    description TEXT,
    PRIMARY KEY (opportunity_id, language)
);

CREATE TABLE opportunity_disciplines (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    discipline TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, discipline)
);
CREATE INDEX opportunity_disciplines_value ON opportunity_disciplines (discipline, opportunity_id);

CREATE TABLE opportunity_covered_costs (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    cost TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, cost)
);
CREATE INDEX opportunity_covered_costs_value ON opportunity_covered_costs (cost, opportunity_id);

CREATE TABLE opportunity_destinations (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    country TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, country)
);
CREATE INDEX opportunity_destinations_value ON opportunity_destinations (country, opportunity_id);

CREATE TABLE opportunity_nationalities (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, area)
);
CREATE INDEX opportunity_nationalities_value ON opportunity_nationalities (area, opportunity_id);

CREATE TABLE opportunity_residences (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, area)
);
CREATE INDEX opportunity_residences_value ON opportunity_residences (area, opportunity_id);

CREATE TABLE opportunity_languages (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, language)
);
