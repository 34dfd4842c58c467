-- Removed control characters cannot be restored, and need not be.
SELECT 1;
