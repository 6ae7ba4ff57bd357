-- 0010: how far each spool generation has been moved into audit_entry
-- (docs/decisions/0017-postgres-journal-spool.md). A DSN process appends the
-- journal's entries to a spool file on its own machine; its mover copies them
-- into audit_entry and, in the same transaction, records here the spool offset
-- reached. gen identifies one spool file's generation (random when the file is
-- created, +1 each time it is emptied), so a move that crashed before or after
-- its commit, or two processes moving the same spool, never copy an entry twice.
CREATE TABLE audit_spool (
    gen   bigint      PRIMARY KEY,
    moved bigint      NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
