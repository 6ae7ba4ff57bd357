-- 0005: FHIR Bulk Data export jobs ($export; bulk/README.md), kept in the store so
-- that a restart of the server finds them. A job is a JSON document (dsn.ExportJob);
-- its NDJSON files are stored as numbered parts of a few MiB each, served in order.
CREATE TABLE export_job (
    id      TEXT PRIMARY KEY,
    status  TEXT NOT NULL,
    created INTEGER NOT NULL, -- Unix µs, for listing oldest first
    doc     TEXT NOT NULL
);

CREATE TABLE export_part (
    job  TEXT    NOT NULL,
    file INTEGER NOT NULL,
    part INTEGER NOT NULL,
    data BLOB    NOT NULL,
    PRIMARY KEY (job, file, part)
) WITHOUT ROWID;
