-- 0003: durable jobs (dsn.Job), the same idea and number as
-- sqlite/migrations/0003_jobs.sql: queued in the transaction of the write that
-- needs them, deleted in the transaction that does the work.
CREATE TABLE job (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind    text        NOT NULL,
    key     text        NOT NULL,
    created timestamptz NOT NULL
);
CREATE INDEX job_kind_seq ON job (kind, seq);
