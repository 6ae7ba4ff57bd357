-- 0015: nothing on SQLite. PostgreSQL's 0015 adds audit_patient for journal
-- entries naming several records; SQLite's journal lives in audit.db, where
-- such an entry is indexed under each record by the mover's audit_key rows
-- (sqlite/journal_block.go, docs/decisions/0023-one-entry-per-request.md).
SELECT 1;
