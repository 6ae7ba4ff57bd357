-- 0008: $import jobs (bulk/README.md), kept in the store so that a restart of the
-- server resumes them from their checkpoint. A job is a JSON document
-- (dsn.ImportJob: status, per-input checkpoint and counts); each rejected record
-- is one OperationOutcome row, keyed by input and line so that a batch reported
-- twice (a crash between its commit and its checkpoint) is stored once.
CREATE TABLE import_job (
    id      TEXT PRIMARY KEY,
    status  TEXT NOT NULL,
    created INTEGER NOT NULL, -- Unix µs, for listing oldest first
    doc     TEXT NOT NULL
);

CREATE TABLE import_error (
    job     TEXT    NOT NULL,
    input   INTEGER NOT NULL,
    line    INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    PRIMARY KEY (job, input, line)
) WITHOUT ROWID;
