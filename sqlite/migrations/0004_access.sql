-- 0004: the access machinery (package access) and the access journal (package
-- audit), the same ideas and number as postgres/migrations/0004_access.sql.

-- Small JSON documents keyed by (kind, id): users, clients, signing keys,
-- one-time codes, refresh tokens, break-the-glass grants, audit checkpoints.
-- key is a secondary lookup (username, patient id). updated: Unix microseconds.
CREATE TABLE access_record (
    kind    TEXT    NOT NULL,
    id      TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    body    TEXT    NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX access_record_key ON access_record (kind, key);

-- The access journal (LRSSS s. 103): append-only, each entry chained to the
-- previous one by hash = SHA-256(previous hash, entry) (audit/README.md).
-- time: Unix microseconds; body: the whole entry as JSON.
CREATE TABLE audit_entry (
    seq     INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    patient TEXT    NOT NULL,
    agent   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    body    TEXT    NOT NULL,
    hash    BLOB    NOT NULL
);
-- the citizen's view (who consulted my record) and the privacy officer's (what did this user see)
CREATE INDEX audit_entry_patient ON audit_entry (patient, seq);
CREATE INDEX audit_entry_agent ON audit_entry (agent, seq);
