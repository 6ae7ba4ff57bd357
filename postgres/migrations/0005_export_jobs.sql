-- 0005: FHIR Bulk Data export jobs ($export; bulk/README.md), the same idea and
-- number as sqlite/migrations/0005_export_jobs.sql. A job is a JSON document
-- (dsn.ExportJob); its NDJSON files are stored as numbered parts of a few MiB each.
CREATE TABLE export_job (
    id      text        PRIMARY KEY,
    status  text        NOT NULL,
    created timestamptz NOT NULL,
    doc     text        NOT NULL
);

CREATE TABLE export_part (
    job  text    NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
    file integer NOT NULL,
    part integer NOT NULL,
    data bytea   NOT NULL,
    PRIMARY KEY (job, file, part)
);
