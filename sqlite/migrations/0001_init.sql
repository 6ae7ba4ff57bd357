-- 0001: resources, their versions and the typed search-index tables (DESIGN.md §3).
-- Times are Unix microseconds (UTC); dates in the index are half-open ranges
-- [low, high) with open ends stored as the smallest/largest 64-bit integer.

-- Every version ever written, tombstones included. seq is the global order used
-- by history (newest first) and by its cursors; AUTOINCREMENT never reuses a seq,
-- even if versions are one day expunged.
CREATE TABLE resource_version (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    method       TEXT    NOT NULL,
    patient_key  TEXT    NOT NULL,
    body         BLOB,
    UNIQUE (type, id, version)
);
-- last_updated rides along so that history counts with _since read only the index
CREATE INDEX resource_version_type_seq ON resource_version (type, seq, last_updated);

-- One row per logical resource: a pointer (seq) to its current version. rid is a
-- compact key for the index tables and the stable order of search pages.
CREATE TABLE resource (
    rid          INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,
    deleted      INTEGER NOT NULL,
    patient_key  TEXT    NOT NULL,
    UNIQUE (type, id)
);
CREATE INDEX resource_type_rid ON resource (type, rid);
-- compartment search and Patient/$everything: one patient's resources in rid order
CREATE INDEX resource_patient_rid ON resource (patient_key, rid);

-- Search-index rows of the CURRENT version of each resource, replaced on every
-- write and removed on delete. type and patient_key are copied from resource so
-- that each table can be filtered by type and distributed by patient. Each table
-- is clustered on its search key (WITHOUT ROWID: one B-tree for the rows, one for
-- the rid used to clear them), so a row costs two B-tree inserts, not three;
-- identical rows of one resource collapse into one (INSERT OR IGNORE).
CREATE TABLE idx_token (
    type TEXT NOT NULL, param TEXT NOT NULL, code TEXT NOT NULL, system TEXT NOT NULL,
    rid INTEGER NOT NULL, text TEXT NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, code, system, rid, text)
) WITHOUT ROWID;
CREATE INDEX idx_token_rid ON idx_token (rid);

CREATE TABLE idx_string (
    type TEXT NOT NULL, param TEXT NOT NULL, norm TEXT NOT NULL, exact TEXT NOT NULL,
    rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, norm, exact, rid)
) WITHOUT ROWID;
CREATE INDEX idx_string_rid ON idx_string (rid);

CREATE TABLE idx_date (
    type TEXT NOT NULL, param TEXT NOT NULL, low INTEGER NOT NULL, high INTEGER NOT NULL,
    rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, low, high, rid)
) WITHOUT ROWID;
CREATE INDEX idx_date_rid ON idx_date (rid);

CREATE TABLE idx_reference (
    type TEXT NOT NULL, param TEXT NOT NULL, ref_id TEXT NOT NULL, ref_type TEXT NOT NULL,
    url TEXT NOT NULL, rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, ref_id, ref_type, url, rid)
) WITHOUT ROWID;
CREATE INDEX idx_reference_rid ON idx_reference (rid);

CREATE TABLE idx_quantity (
    type TEXT NOT NULL, param TEXT NOT NULL, value REAL NOT NULL, system TEXT NOT NULL,
    code TEXT NOT NULL, unit TEXT NOT NULL, rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, value, system, code, unit, rid)
) WITHOUT ROWID;
CREATE INDEX idx_quantity_rid ON idx_quantity (rid);

CREATE TABLE idx_number (
    type TEXT NOT NULL, param TEXT NOT NULL, value REAL NOT NULL,
    rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, value, rid)
) WITHOUT ROWID;
CREATE INDEX idx_number_rid ON idx_number (rid);

CREATE TABLE idx_uri (
    type TEXT NOT NULL, param TEXT NOT NULL, uri TEXT NOT NULL,
    rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, uri, rid)
) WITHOUT ROWID;
CREATE INDEX idx_uri_rid ON idx_uri (rid);
