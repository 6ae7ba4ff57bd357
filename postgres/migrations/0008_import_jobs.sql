-- 0008: $import jobs (bulk/README.md), the same idea and number as
-- sqlite/migrations/0008_import_jobs.sql. A job is a JSON document (dsn.ImportJob:
-- status, per-input checkpoint and counts); each rejected record is one
-- OperationOutcome row, keyed by input and line so that a batch reported twice
-- (a crash between its commit and its checkpoint) is stored once.
CREATE TABLE import_job (
    id      text        PRIMARY KEY,
    status  text        NOT NULL,
    created timestamptz NOT NULL,
    doc     text        NOT NULL
);

CREATE TABLE import_error (
    job     text    NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
    input   integer NOT NULL,
    line    integer NOT NULL,
    outcome text    NOT NULL,
    PRIMARY KEY (job, input, line)
);
