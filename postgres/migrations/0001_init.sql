-- 0001: resources, their versions and the typed search-index tables (DESIGN.md §3),
-- the same ideas and number as sqlite/migrations/0001_init.sql. Dates in the index
-- are half-open ranges [low, high) in Unix microseconds, open ends stored as the
-- smallest/largest bigint. Text in index tables uses the "C" collation: byte order
-- makes prefix searches index range scans and comparisons cheap.

-- Every version ever written, tombstones included. seq is the global order used
-- by history (newest first) and its cursors. body is JSONB (see README.md).
CREATE TABLE resource_version (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text        NOT NULL,
    id           text        NOT NULL,
    version      bigint      NOT NULL,
    last_updated timestamptz NOT NULL,
    deleted      boolean     NOT NULL,
    method       text        NOT NULL,
    patient_key  text        NOT NULL,
    body         jsonb,
    UNIQUE (type, id, version)
);
-- last_updated rides along so that history counts with _since read only the index
CREATE INDEX resource_version_type_seq ON resource_version (type, seq) INCLUDE (last_updated);

-- One row per logical resource, pointing (seq) at its current version. rid is the
-- compact key of the index tables and the stable order of search pages.
CREATE TABLE resource (
    rid          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text        NOT NULL,
    id           text        NOT NULL,
    version      bigint      NOT NULL,
    seq          bigint      NOT NULL,
    last_updated timestamptz NOT NULL,
    deleted      boolean     NOT NULL,
    patient_key  text        NOT NULL,
    UNIQUE (type, id)
);
CREATE INDEX resource_type_rid ON resource (type, rid);
-- compartment search and Patient/$everything: one patient's resources in rid order
CREATE INDEX resource_patient_rid ON resource (patient_key, rid);

-- Search-index rows of the CURRENT version of each resource, replaced on every
-- write and removed on delete; type and patient_key copied for filtering and for
-- distribution by patient (README.md).
CREATE TABLE idx_token (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, system text COLLATE "C" NOT NULL, code text COLLATE "C" NOT NULL,
    text text NOT NULL
);
CREATE INDEX idx_token_rid ON idx_token (rid);
CREATE INDEX idx_token_code ON idx_token (type, param, code, system);

CREATE TABLE idx_string (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, norm text COLLATE "C" NOT NULL, exact text COLLATE "C" NOT NULL
);
CREATE INDEX idx_string_rid ON idx_string (rid);
CREATE INDEX idx_string_norm ON idx_string (type, param, norm);

CREATE TABLE idx_date (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, low bigint NOT NULL, high bigint NOT NULL
);
CREATE INDEX idx_date_rid ON idx_date (rid);
CREATE INDEX idx_date_low ON idx_date (type, param, low);

CREATE TABLE idx_reference (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, ref_type text COLLATE "C" NOT NULL, ref_id text COLLATE "C" NOT NULL,
    url text COLLATE "C" NOT NULL
);
CREATE INDEX idx_reference_rid ON idx_reference (rid);
CREATE INDEX idx_reference_target ON idx_reference (type, param, ref_id, ref_type);

CREATE TABLE idx_quantity (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, value double precision NOT NULL, system text COLLATE "C" NOT NULL,
    code text COLLATE "C" NOT NULL, unit text COLLATE "C" NOT NULL
);
CREATE INDEX idx_quantity_rid ON idx_quantity (rid);
CREATE INDEX idx_quantity_value ON idx_quantity (type, param, value);

CREATE TABLE idx_number (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, value double precision NOT NULL
);
CREATE INDEX idx_number_rid ON idx_number (rid);
CREATE INDEX idx_number_value ON idx_number (type, param, value);

CREATE TABLE idx_uri (
    rid bigint NOT NULL, type text COLLATE "C" NOT NULL, param text COLLATE "C" NOT NULL,
    patient_key text NOT NULL, uri text COLLATE "C" NOT NULL
);
CREATE INDEX idx_uri_rid ON idx_uri (rid);
CREATE INDEX idx_uri_uri ON idx_uri (type, param, uri);

-- dsn_put stores one version and replaces the index rows in ONE round trip.
-- It returns -1 on success, else the current version (a version conflict, FHIR
-- http.html#update). It never raises for a conflict, so the caller's transaction
-- stays usable. p_index is JSONB (parsed once per call): {"t":[{p,s,c,x}],"s":[{p,n,e}],"d":[{p,l,h}],
-- "r":[{p,t,i,u}],"q":[{p,v,s,c,u}],"n":[{p,v}],"u":[{p,u}]}.
CREATE FUNCTION dsn_put(p_type text, p_id text, p_version bigint, p_last_updated timestamptz,
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
        DELETE FROM idx_token WHERE rid = v_rid;
        DELETE FROM idx_string WHERE rid = v_rid;
        DELETE FROM idx_date WHERE rid = v_rid;
        DELETE FROM idx_reference WHERE rid = v_rid;
        DELETE FROM idx_quantity WHERE rid = v_rid;
        DELETE FROM idx_number WHERE rid = v_rid;
        DELETE FROM idx_uri WHERE rid = v_rid;
    END IF;
    IF p_deleted OR p_index IS NULL THEN
        RETURN -1;
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
        INSERT INTO idx_quantity (rid, type, param, patient_key, value, system, code, unit)
        SELECT v_rid, p_type, x.p, p_patient_key, x.v, x.s, x.c, x.u
          FROM jsonb_to_recordset(p_index->'q') AS x(p text, v double precision, s text, c text, u text);
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
    RETURN -1;
END
$$;
