-- 0007 (search): in PostgreSQL the indexes that lead a search gain rid
-- (index-only scans). Nothing to do here: SQLite's index tables are WITHOUT
-- ROWID, clustered on their search key, which already ends with rid.
SELECT 1;
