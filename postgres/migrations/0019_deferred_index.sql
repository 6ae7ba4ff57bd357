-- 0019: the secondary indexes a large import into a small store dropped, to
-- build them once after the load (postgres/bulkload.go, decision 0029). A row
-- is written in the transaction that drops its index and deleted in the one
-- that creates it again, so the table always names exactly the indexes
-- missing; Open builds them if the import died before its end.
CREATE TABLE deferred_index (
    name text PRIMARY KEY,
    def  text NOT NULL -- pg_get_indexdef: the CREATE INDEX statement
);
