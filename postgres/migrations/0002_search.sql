-- 0002: the index rows of complete search (search.html), the same ideas and
-- number as sqlite/migrations/0002_search.sql. Rows of resources stored before
-- this migration are filled by `dsn reindex` (README.md).

-- Composite parameters (search.html#composite): one row per combination of
-- component values, part N in the columns of its type
-- (internal/sqlstore/composite.go): sN cN uN text, loN hiN numbers and
-- quantities, dloN dhiN dates in Unix microseconds.
CREATE TABLE idx_composite (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL,
    s1 text COLLATE "C" NOT NULL, c1 text COLLATE "C" NOT NULL, u1 text COLLATE "C" NOT NULL,
    lo1 double precision, hi1 double precision, dlo1 bigint, dhi1 bigint,
    s2 text COLLATE "C" NOT NULL, c2 text COLLATE "C" NOT NULL, u2 text COLLATE "C" NOT NULL,
    lo2 double precision, hi2 double precision, dlo2 bigint, dhi2 bigint,
    s3 text COLLATE "C" NOT NULL, c3 text COLLATE "C" NOT NULL, u3 text COLLATE "C" NOT NULL,
    lo3 double precision, hi3 double precision, dlo3 bigint, dhi3 bigint
);
-- every R4 composite starts with a token or reference: its code (id) leads
CREATE INDEX idx_composite_first ON idx_composite (type, param, c1, s1);
CREATE INDEX idx_composite_rid ON idx_composite (rid);

-- Identifiers with a type, for token :of-type (search.html#token).
CREATE TABLE idx_identifier_type (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, type_system text COLLATE "C" NOT NULL,
    type_code text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL
);
CREATE INDEX idx_identifier_type_value ON idx_identifier_type (type, param, value, type_code);
CREATE INDEX idx_identifier_type_rid ON idx_identifier_type (rid);

-- Reference.identifier of reference parameters, for :identifier (search.html#reference).
CREATE TABLE idx_ref_identifier (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, system text COLLATE "C" NOT NULL, value text COLLATE "C" NOT NULL
);
CREATE INDEX idx_ref_identifier_value ON idx_ref_identifier (type, param, value, system);
CREATE INDEX idx_ref_identifier_rid ON idx_ref_identifier (rid);

-- A quantity row covers [low, high]: the value itself, or the span of a Range.
-- Existing rows are plain quantities until reindexed.
ALTER TABLE idx_quantity ADD COLUMN low double precision, ADD COLUMN high double precision;
UPDATE idx_quantity SET low = value, high = value;
ALTER TABLE idx_quantity ALTER COLUMN low SET NOT NULL, ALTER COLUMN high SET NOT NULL;
-- The rid index also holds the span, for "this resource's value above N"
-- probed once per candidate of a population count (as in ../sqlite).
DROP INDEX idx_quantity_rid;
CREATE INDEX idx_quantity_rid ON idx_quantity (rid, param, high, low);

-- The indexes that lead a search (the driver clause, internal/sqlstore) carry
-- rid, so that finding the candidates is an index-only scan, not one heap
-- fetch per candidate (EXPLAIN of Observation?code=…: 12,983 heap pages read
-- for 19,658 rows before, 188 after; docs/benchmarks.md).
DROP INDEX idx_token_code;
CREATE INDEX idx_token_code ON idx_token (type, param, code, system) INCLUDE (rid);
DROP INDEX idx_reference_target;
CREATE INDEX idx_reference_target ON idx_reference (type, param, ref_id, ref_type) INCLUDE (rid);
DROP INDEX idx_string_norm;
CREATE INDEX idx_string_norm ON idx_string (type, param, norm) INCLUDE (rid);
DROP INDEX idx_date_low;
CREATE INDEX idx_date_low ON idx_date (type, param, low, high) INCLUDE (rid);

-- dsn_index replaces the index rows of one resource: the only code that writes
-- them, called by dsn_put (a new version) and dsn_reindex (`dsn reindex`).
-- p_index is JSONB: {"t":[{p,s,c,x}],"s":[{p,n,e}],"d":[{p,l,h}],"r":[{p,t,i,u}],
-- "q":[{p,v,s,c,u,lo,hi}],"n":[{p,v}],"u":[{p,u}],"c":[{p,a:[21 values]}],
-- "i":[{p,s,c,v}],"x":[{p,s,v}]}. p_clear deletes the old rows first.
CREATE FUNCTION dsn_index(v_rid bigint, p_type text, p_patient_key text, p_index jsonb,
                          p_clear boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_clear THEN
        DELETE FROM idx_token WHERE rid = v_rid;
        DELETE FROM idx_string WHERE rid = v_rid;
        DELETE FROM idx_date WHERE rid = v_rid;
        DELETE FROM idx_reference WHERE rid = v_rid;
        DELETE FROM idx_quantity WHERE rid = v_rid;
        DELETE FROM idx_number WHERE rid = v_rid;
        DELETE FROM idx_uri WHERE rid = v_rid;
        DELETE FROM idx_composite WHERE rid = v_rid;
        DELETE FROM idx_identifier_type WHERE rid = v_rid;
        DELETE FROM idx_ref_identifier WHERE rid = v_rid;
    END IF;
    IF p_index IS NULL THEN
        RETURN;
    END IF;
    IF p_index ? 't' THEN
        INSERT INTO idx_token (rid, type, param, patient_key, system, code, text)
        SELECT v_rid, p_type, x.p, p_patient_key, x.s, x.c, x.x
          FROM jsonb_to_recordset(p_index->'t') AS x(p text, s text, c text, x text);
    END IF;
    IF p_index ? 's' THEN
        INSERT INTO idx_string (rid, type, param, patient_key, norm, exact)
        SELECT v_rid, p_type, x.p, p_patient_key, x.n, x.e
          FROM jsonb_to_recordset(p_index->'s') AS x(p text, n text, e text);
    END IF;
    IF p_index ? 'd' THEN
        INSERT INTO idx_date (rid, type, param, patient_key, low, high)
        SELECT v_rid, p_type, x.p, p_patient_key, x.l, x.h
          FROM jsonb_to_recordset(p_index->'d') AS x(p text, l bigint, h bigint);
    END IF;
    IF p_index ? 'r' THEN
        INSERT INTO idx_reference (rid, type, param, patient_key, ref_type, ref_id, url)
        SELECT v_rid, p_type, x.p, p_patient_key, x.t, x.i, x.u
          FROM jsonb_to_recordset(p_index->'r') AS x(p text, t text, i text, u text);
    END IF;
    IF p_index ? 'q' THEN
        INSERT INTO idx_quantity (rid, type, param, patient_key, value, system, code, unit, low, high)
        SELECT v_rid, p_type, x.p, p_patient_key, x.v, x.s, x.c, x.u, x.lo, x.hi
          FROM jsonb_to_recordset(p_index->'q')
            AS x(p text, v double precision, s text, c text, u text, lo double precision, hi double precision);
    END IF;
    IF p_index ? 'n' THEN
        INSERT INTO idx_number (rid, type, param, patient_key, value)
        SELECT v_rid, p_type, x.p, p_patient_key, x.v
          FROM jsonb_to_recordset(p_index->'n') AS x(p text, v double precision);
    END IF;
    IF p_index ? 'u' THEN
        INSERT INTO idx_uri (rid, type, param, patient_key, uri)
        SELECT v_rid, p_type, x.p, p_patient_key, x.u
          FROM jsonb_to_recordset(p_index->'u') AS x(p text, u text);
    END IF;
    IF p_index ? 'c' THEN
        INSERT INTO idx_composite (rid, type, param, patient_key,
            s1, c1, u1, lo1, hi1, dlo1, dhi1, s2, c2, u2, lo2, hi2, dlo2, dhi2,
            s3, c3, u3, lo3, hi3, dlo3, dhi3)
        SELECT v_rid, p_type, x.p, p_patient_key,
            a->>0, a->>1, a->>2, (a->>3)::float8, (a->>4)::float8, (a->>5)::bigint, (a->>6)::bigint,
            a->>7, a->>8, a->>9, (a->>10)::float8, (a->>11)::float8, (a->>12)::bigint, (a->>13)::bigint,
            a->>14, a->>15, a->>16, (a->>17)::float8, (a->>18)::float8, (a->>19)::bigint, (a->>20)::bigint
          FROM jsonb_to_recordset(p_index->'c') AS x(p text, a jsonb);
    END IF;
    IF p_index ? 'i' THEN
        INSERT INTO idx_identifier_type (rid, type, param, patient_key, type_system, type_code, value)
        SELECT v_rid, p_type, x.p, p_patient_key, x.s, x.c, x.v
          FROM jsonb_to_recordset(p_index->'i') AS x(p text, s text, c text, v text);
    END IF;
    IF p_index ? 'x' THEN
        INSERT INTO idx_ref_identifier (rid, type, param, patient_key, system, value)
        SELECT v_rid, p_type, x.p, p_patient_key, x.s, x.v
          FROM jsonb_to_recordset(p_index->'x') AS x(p text, s text, v text);
    END IF;
END
$$;

-- dsn_put as in 0001 (one version and its index rows in one round trip; -1 on
-- success, else the current version), now writing its rows through dsn_index.
CREATE OR REPLACE FUNCTION dsn_put(p_type text, p_id text, p_version bigint, p_last_updated timestamptz,
                        p_deleted boolean, p_method text, p_patient_key text, p_body jsonb,
                        p_index jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_rid bigint;
    v_cur bigint := 0;
    v_seq bigint;
BEGIN
    SELECT rid, version INTO v_rid, v_cur FROM resource
     WHERE type = p_type AND id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        v_cur := 0;
    END IF;
    IF p_version <> v_cur + 1 THEN
        RETURN v_cur;
    END IF;
    INSERT INTO resource_version (type, id, version, last_updated, deleted, method, patient_key, body)
    VALUES (p_type, p_id, p_version, p_last_updated, p_deleted, p_method, p_patient_key, p_body)
    ON CONFLICT (type, id, version) DO NOTHING
    RETURNING seq INTO v_seq;
    IF v_seq IS NULL THEN
        RETURN v_cur; -- another session wrote this version first
    END IF;
    IF v_rid IS NULL THEN
        INSERT INTO resource (type, id, version, seq, last_updated, deleted, patient_key)
        VALUES (p_type, p_id, p_version, v_seq, p_last_updated, p_deleted, p_patient_key)
        RETURNING rid INTO v_rid;
    ELSE
        UPDATE resource SET version = p_version, seq = v_seq, last_updated = p_last_updated,
               deleted = p_deleted, patient_key = p_patient_key
         WHERE rid = v_rid;
    END IF;
    IF p_deleted THEN
        PERFORM dsn_index(v_rid, p_type, p_patient_key, NULL, v_cur > 0);
    ELSE
        PERFORM dsn_index(v_rid, p_type, p_patient_key, p_index, v_cur > 0);
    END IF;
    RETURN -1;
END
$$;

-- dsn_reindex replaces the index rows and the patient key of the current
-- version of one resource (`dsn reindex`), without a new version. It returns
-- false if the resource's current version is no longer p_version (written
-- since it was read: its rows are already current).
CREATE FUNCTION dsn_reindex(p_rid bigint, p_version bigint, p_patient_key text, p_index jsonb)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_type text;
BEGIN
    SELECT type INTO v_type FROM resource
     WHERE rid = p_rid AND version = p_version AND NOT deleted FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE resource SET patient_key = p_patient_key WHERE rid = p_rid;
    UPDATE resource_version SET patient_key = p_patient_key
     WHERE type = v_type AND id = (SELECT id FROM resource WHERE rid = p_rid) AND version = p_version;
    PERFORM dsn_index(p_rid, v_type, p_patient_key, p_index, true);
    RETURN true;
END
$$;
