-- 0015: the other records of a journal entry naming several
-- (docs/decisions/0023-one-entry-per-request.md). A request that touched
-- several records (a search) leaves one entry listing each in its body;
-- audit_entry.patient is then empty (the list would not fit an index entry)
-- and this table holds one row per record named, so that SearchAudit finds
-- the entry under each (the citizen's "who consulted my record"). Written by
-- the mover in the transaction that copies the entry.
CREATE TABLE audit_patient (
    patient text   NOT NULL,
    seq     bigint NOT NULL,
    PRIMARY KEY (patient, seq)
);
