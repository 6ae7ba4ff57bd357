-- 0019 (bulk import): in PostgreSQL, the table of the indexes a large import
-- builds after its load (decision 0029). Nothing to do here: SQLite keeps its
-- indexes during a load (sqlite/README.md).
SELECT 1;
