ALTER TABLE directory_generation DROP COLUMN changed_at;
