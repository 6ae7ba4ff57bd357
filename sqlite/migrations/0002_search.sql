-- 0002: the index rows of complete search (search.html), the same ideas and
-- number as postgres/migrations/0002_search.sql. Rows of resources stored
-- before this migration are filled by `dsn reindex` (README.md).

-- Composite parameters (search.html#composite): one row per combination of
-- component values. R4 composites have 2 or 3 components; part N is stored in
-- the columns of its type (internal/sqlstore/composite.go): sN cN uN text
-- (token system/code, string norm/exact, reference type/id/url, quantity
-- system/code/unit, uri in cN), loN hiN for numbers and quantities, dloN dhiN
-- for dates (Unix microseconds, [low, high)).
CREATE TABLE idx_composite (
    rid INTEGER NOT NULL, type TEXT NOT NULL, param TEXT NOT NULL, patient_key TEXT NOT NULL,
    s1 TEXT NOT NULL, c1 TEXT NOT NULL, u1 TEXT NOT NULL, lo1 REAL, hi1 REAL, dlo1 INTEGER, dhi1 INTEGER,
    s2 TEXT NOT NULL, c2 TEXT NOT NULL, u2 TEXT NOT NULL, lo2 REAL, hi2 REAL, dlo2 INTEGER, dhi2 INTEGER,
    s3 TEXT NOT NULL, c3 TEXT NOT NULL, u3 TEXT NOT NULL, lo3 REAL, hi3 REAL, dlo3 INTEGER, dhi3 INTEGER
);
-- every R4 composite starts with a token or reference: its code (id) leads
CREATE INDEX idx_composite_first ON idx_composite (type, param, c1, s1);
CREATE INDEX idx_composite_rid ON idx_composite (rid);

-- Identifiers with a type, for token :of-type (search.html#token): one row per
-- coding of Identifier.type.
CREATE TABLE idx_identifier_type (
    type TEXT NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL, type_code TEXT NOT NULL,
    type_system TEXT NOT NULL, rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, value, type_code, type_system, rid)
) WITHOUT ROWID;
CREATE INDEX idx_identifier_type_rid ON idx_identifier_type (rid);

-- Reference.identifier of reference parameters, for :identifier (search.html#reference).
CREATE TABLE idx_ref_identifier (
    type TEXT NOT NULL, param TEXT NOT NULL, value TEXT NOT NULL, system TEXT NOT NULL,
    rid INTEGER NOT NULL, patient_key TEXT NOT NULL,
    PRIMARY KEY (type, param, value, system, rid)
) WITHOUT ROWID;
CREATE INDEX idx_ref_identifier_rid ON idx_ref_identifier (rid);

-- A quantity row covers [low, high]: the value itself, or the span of a Range
-- (context-quantity...). Existing rows are plain quantities until reindexed.
ALTER TABLE idx_quantity ADD COLUMN low REAL NOT NULL DEFAULT 0;
ALTER TABLE idx_quantity ADD COLUMN high REAL NOT NULL DEFAULT 0;
UPDATE idx_quantity SET low = value, high = value;
-- The rid index also answers "this resource's value-quantity above N" without
-- reading the row: population counts probe it once per candidate (4x less CPU
-- on Observation?code=…&value-quantity=gt…, docs/benchmarks.md).
DROP INDEX idx_quantity_rid;
CREATE INDEX idx_quantity_rid ON idx_quantity (rid, param, high, low);
