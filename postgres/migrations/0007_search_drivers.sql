-- 0007 (search, second migration; 0002 was merged before it): the indexes that
-- lead a search (the driver clause of internal/sqlstore) carry rid, so that
-- finding the candidates is an index-only scan, not one heap fetch per
-- candidate: EXPLAIN of Observation?code=http://loinc.org|8867-4 on 10,000
-- synthetic patients read 12,983 heap pages for 19,658 rows before, 188 after
-- (docs/benchmarks.md). The same number in ../sqlite is empty: its index tables
-- are clustered on their key and already hold rid.
DROP INDEX idx_token_code;
CREATE INDEX idx_token_code ON idx_token (type, param, code, system) INCLUDE (rid);
DROP INDEX idx_reference_target;
CREATE INDEX idx_reference_target ON idx_reference (type, param, ref_id, ref_type) INCLUDE (rid);
DROP INDEX idx_string_norm;
CREATE INDEX idx_string_norm ON idx_string (type, param, norm) INCLUDE (rid);
DROP INDEX idx_date_low;
CREATE INDEX idx_date_low ON idx_date (type, param, low, high) INCLUDE (rid);
