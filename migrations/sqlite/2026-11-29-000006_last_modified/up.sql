-- When the public directory last changed, for the `Last-Modified` of lists: set with
-- the generation, in the changing transaction.
ALTER TABLE directory_generation ADD COLUMN changed_at TIMESTAMP NOT NULL DEFAULT '1970-01-01 00:00:00';
