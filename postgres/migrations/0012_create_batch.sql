-- 0012: dsn_create writes the creates (version 1 of a resource that does not
-- exist) of one group commit together: the store holds the creates of a batch's
-- fns and sends them in one call, in the same round trip as the COMMIT
-- (createmerge.go, README.md "Durability and group commit"). One INSERT per
-- table for the whole batch instead of dsn_put's and dsn_index's statements per
-- create: each statement's executor start-up (plan check, opening the table
-- and its indexes) is paid once per batch.
--
-- Arrays of one element per create, in order; p_index holds each create's
-- index document (dsn_index's shape, NULL: no rows) and p_kinds the letters of
-- the kinds present in any of them, so that a table without rows costs nothing.
-- A resource that exists already — written meanwhile by another writer or
-- another process — breaks UNIQUE (type, id): the call raises unique_violation,
-- and the store reruns the batch with a savepoint per fn and dsn_put, where each
-- fn gets its own answer (a version conflict).
--
-- force_generic_plan: PL/pgSQL plans a statement for its parameters' values
-- until a generic plan looks no dearer, and with arrays of unknown length it
-- never does — every call planned its statements again (a sixth of the backend's
-- time in a profile of HTTP creates). One plan per statement and connection.
CREATE FUNCTION dsn_create(p_type text[], p_id text[], p_last_updated timestamptz[], p_method text[],
                           p_patient_key text[], p_body jsonb[], p_index jsonb[], p_kinds text)
RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    n int := cardinality(p_id);
    v_seq bigint[];
    v_rid bigint[];
BEGIN
    -- the identity sequences by name, resolved once per plan (checked below):
    -- pg_get_serial_sequence scans pg_depend, 4 % of the backend's time per call
    v_seq := ARRAY(SELECT nextval('resource_version_seq_seq') FROM generate_series(1, n));
    v_rid := ARRAY(SELECT nextval('resource_rid_seq') FROM generate_series(1, n));
    INSERT INTO resource (rid, type, id, version, seq, last_updated, deleted, patient_key)
    OVERRIDING SYSTEM VALUE
    SELECT u.r, u.t, u.i, 1, u.s, u.lu, false, u.pk
      FROM unnest(v_rid, p_type, p_id, v_seq, p_last_updated, p_patient_key) AS u(r, t, i, s, lu, pk);
    INSERT INTO resource_version (seq, type, id, version, last_updated, deleted, method, patient_key, body)
    OVERRIDING SYSTEM VALUE
    SELECT u.s, u.t, u.i, 1, u.lu, false, u.m, u.pk, u.b
      FROM unnest(v_seq, p_type, p_id, p_last_updated, p_method, p_patient_key, p_body) AS u(s, t, i, lu, m, pk, b);
    IF strpos(p_kinds, 't') > 0 THEN
        INSERT INTO idx_token (rid, type, param, patient_key, system, code, text)
        SELECT u.r, u.t, x.p, u.pk, x.s, x.c, x.x
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'t') AS x(p text, s text, c text, x text);
    END IF;
    IF strpos(p_kinds, 's') > 0 THEN
        INSERT INTO idx_string (rid, type, param, patient_key, norm, exact)
        SELECT u.r, u.t, x.p, u.pk, x.n, x.e
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'s') AS x(p text, n text, e text);
    END IF;
    IF strpos(p_kinds, 'd') > 0 THEN
        INSERT INTO idx_date (rid, type, param, patient_key, low, high)
        SELECT u.r, u.t, x.p, u.pk, x.l, x.h
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'d') AS x(p text, l bigint, h bigint);
    END IF;
    IF strpos(p_kinds, 'r') > 0 THEN
        INSERT INTO idx_reference (rid, type, param, patient_key, ref_type, ref_id, url)
        SELECT u.r, u.t, x.p, u.pk, x.t, x.i, x.u
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'r') AS x(p text, t text, i text, u text);
    END IF;
    IF strpos(p_kinds, 'q') > 0 THEN
        INSERT INTO idx_quantity (rid, type, param, patient_key, value, system, code, unit, low, high)
        SELECT u.r, u.t, x.p, u.pk, x.v, x.s, x.c, x.u, x.lo, x.hi
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'q')
                 AS x(p text, v double precision, s text, c text, u text, lo double precision, hi double precision);
    END IF;
    IF strpos(p_kinds, 'n') > 0 THEN
        INSERT INTO idx_number (rid, type, param, patient_key, value)
        SELECT u.r, u.t, x.p, u.pk, x.v
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'n') AS x(p text, v double precision);
    END IF;
    IF strpos(p_kinds, 'u') > 0 THEN
        INSERT INTO idx_uri (rid, type, param, patient_key, uri)
        SELECT u.r, u.t, x.p, u.pk, x.u
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'u') AS x(p text, u text);
    END IF;
    IF strpos(p_kinds, 'c') > 0 THEN
        INSERT INTO idx_composite (rid, type, param, patient_key,
            s1, c1, u1, lo1, hi1, dlo1, dhi1, s2, c2, u2, lo2, hi2, dlo2, dhi2,
            s3, c3, u3, lo3, hi3, dlo3, dhi3)
        SELECT u.r, u.t, x.p, u.pk,
            a->>0, a->>1, a->>2, (a->>3)::float8, (a->>4)::float8, (a->>5)::bigint, (a->>6)::bigint,
            a->>7, a->>8, a->>9, (a->>10)::float8, (a->>11)::float8, (a->>12)::bigint, (a->>13)::bigint,
            a->>14, a->>15, a->>16, (a->>17)::float8, (a->>18)::float8, (a->>19)::bigint, (a->>20)::bigint
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'c') AS x(p text, a jsonb);
    END IF;
    IF strpos(p_kinds, 'i') > 0 THEN
        INSERT INTO idx_identifier_type (rid, type, param, patient_key, type_system, type_code, value)
        SELECT u.r, u.t, x.p, u.pk, x.s, x.c, x.v
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'i') AS x(p text, s text, c text, v text);
    END IF;
    IF strpos(p_kinds, 'x') > 0 THEN
        INSERT INTO idx_ref_identifier (rid, type, param, patient_key, system, value)
        SELECT u.r, u.t, x.p, u.pk, x.s, x.v
          FROM unnest(v_rid, p_type, p_patient_key, p_index) AS u(r, t, pk, ix),
               jsonb_to_recordset(u.ix->'x') AS x(p text, s text, v text);
    END IF;
END
$$;

-- dsn_create names the identity sequences as PostgreSQL named them in 0001
-- (table_column_seq); fail here rather than write with another sequence.
DO $$
BEGIN
    IF pg_get_serial_sequence('resource_version', 'seq')::regclass <> 'resource_version_seq_seq'::regclass
       OR pg_get_serial_sequence('resource', 'rid')::regclass <> 'resource_rid_seq'::regclass THEN
        RAISE EXCEPTION 'dsn_create: the identity sequences of resource_version.seq and resource.rid are not resource_version_seq_seq and resource_rid_seq';
    END IF;
END
$$;
