-- 0003: durable jobs (dsn.Job), queued in the transaction of the write that
-- needs them and deleted in the transaction that does the work, so that a
-- crash between the two loses nothing. The MPI queues one "mpi.link" job per
-- Patient write. Several jobs may name the same key: the worker takes them
-- together and deletes exactly the ones it read.
CREATE TABLE job (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX job_kind_seq ON job (kind, seq);
