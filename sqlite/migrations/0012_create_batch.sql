-- 0012: nothing on SQLite. On PostgreSQL this number adds dsn_create, which writes
-- the creates of one group commit with one INSERT per table
-- (../../postgres/migrations/0012_create_batch.sql); SQLite's single writer
-- already runs a batch's statements in process, without round trips.
SELECT 1;
