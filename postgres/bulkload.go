package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dsn"
)

// A large import into an empty or small store (a legacy migration, a demo)
// builds the secondary indexes of the resource tables once, sorted, after the
// load, instead of inserting every row into them as it is copied (decision
// 0029). Only non-unique indexes are deferred: the primary keys and the
// UNIQUE (type, id) and (type, id, version) constraints stay, so conflicts
// and reads by id are checked and answered as always; without the others a
// search reads the tables sequentially — slower, with the same answers.
//
// The loader holds a session advisory lock for the whole load, and the
// definitions of the indexes it dropped are kept in deferred_index (migration
// 0019), in the transaction that drops them. Its end builds them again, each
// with the deletion of its row (buildDeferred). If the loader dies first, the
// lock goes with its session and the next Open of the store (any process)
// builds them (buildLeftovers).

var _ dsn.BulkLoader = (*Store)(nil)

const (
	// loadMinResources: a smaller import keeps the incremental path (the
	// build sorts every row of the tables, whatever the load brought).
	loadMinResources = 10_000
	// loadRatio: the indexes are deferred only if the store holds fewer than
	// 1/loadRatio of the resources the import brings. Building an index table's
	// two indexes costs about as much per row as the incremental path saves
	// per row (docs/benchmarks.md, session 9), so past that the build's rows
	// already in the store eat the saving.
	loadRatio = 2
	// loadLockTimeout bounds the wait for the tables' ACCESS EXCLUSIVE lock
	// that DROP INDEX takes: behind a long query of a running server the
	// import takes the incremental path rather than stall every reader.
	loadLockTimeout = "2s"
)

const (
	sqlLoadLock   = `SELECT pg_try_advisory_lock(hashtext('dsn.load.' || current_schema()))`
	sqlLoadUnlock = `SELECT pg_advisory_unlock(hashtext('dsn.load.' || current_schema()))`
	// sqlStoreHolds tells whether the store holds at least $1 resources,
	// counting no further.
	sqlStoreHolds = `SELECT count(*) >= $1 FROM (SELECT 1 FROM resource LIMIT $1) r`
	// sqlDeferrable lists the non-unique indexes of the tables $1 that are
	// not deferred already, with the statement that creates each.
	sqlDeferrable = `SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
		AND NOT x.indisunique ORDER BY i.relname`
	sqlDeferIndex = `INSERT INTO deferred_index (name, def) VALUES ($1, $2)`
	// sqlDeferredBySize: the table is the one pg_get_indexdef names after ON
	sqlDeferredBySize = `SELECT name, def FROM deferred_index
		ORDER BY pg_relation_size(substring(def from ' ON (\S+) USING ')::regclass) DESC, name`
	sqlAnyDeferred = `SELECT EXISTS (SELECT 1 FROM deferred_index)`
)

// deferIndexes tells whether an import of n resources builds the indexes
// after the load; holds says whether the store holds n/loadRatio resources
// or more already.
func deferIndexes(n int, holds bool) bool {
	return n >= loadMinResources && !holds
}

// BeginLoad defers the secondary indexes of the resource tables if an import
// of n resources is large relative to the store (dsn.BulkLoader). end builds
// them and must be called; it does nothing if nothing was deferred.
func (s *Store) BeginLoad(ctx context.Context, n int) (end func(context.Context) error, err error) {
	l, err := s.beginLoad(ctx, n)
	if err != nil || l == nil {
		return func(context.Context) error { return nil }, err
	}
	return l.end, nil
}

// load is a deferred-index load in progress: its own connection holds the
// advisory lock until end.
type load struct {
	conn  *pgx.Conn
	store *Store // set once the indexes are dropped
}

// beginLoad opens the loader's connection, takes the lock and drops the
// indexes; nil (and no error) when the import keeps the incremental path.
func (s *Store) beginLoad(ctx context.Context, n int) (*load, error) {
	const op = "postgres.BeginLoad"
	if n < loadMinResources {
		return nil, nil
	}
	c, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	l := &load{conn: c}
	var locked, holds bool
	if err := c.QueryRow(ctx, sqlLoadLock).Scan(&locked); err != nil || !locked {
		// another import is loading: its end builds the indexes
		c.Close(context.Background())
		return nil, wrapLoad(op, err)
	}
	if err := c.QueryRow(ctx, sqlStoreHolds, n/loadRatio).Scan(&holds); err != nil {
		return nil, errors.Join(wrapLoad(op, err), l.close())
	}
	if !deferIndexes(n, holds) {
		// the incremental path, on a whole schema (leftovers of a dead load built)
		return nil, l.end(ctx)
	}
	err = dropIndexes(ctx, c)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available: a reader is in the way
		return nil, l.end(ctx)
	}
	if err != nil {
		return nil, errors.Join(wrapLoad(op, err), l.close())
	}
	s.loading.Store(true)
	l.store = s
	return l, nil
}

// dropIndexes records and drops the deferrable indexes in one transaction.
func dropIndexes(ctx context.Context, c *pgx.Conn) error {
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+loadLockTimeout+"'"); err != nil {
			return err
		}
		ixs, err := queryIndexes(tx.Query(ctx, sqlDeferrable, loadTables()))
		if err != nil {
			return err
		}
		for _, ix := range ixs {
			if _, err := tx.Exec(ctx, sqlDeferIndex, ix.name, ix.def); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{ix.name}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	})
}

// index is one deferrable index: its name and its CREATE INDEX statement.
type index struct{ name, def string }

// queryIndexes reads (name, definition) rows, of the catalog or of deferred_index.
func queryIndexes(rows pgx.Rows, err error) ([]index, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var ix index
		return ix, r.Scan(&ix.name, &ix.def)
	})
}

// loadTables are the tables whose indexes a load defers: the resources,
// their versions and every index table.
func loadTables() []string {
	return append([]string{"resource", "resource_version"}, indexTableNames()...)
}

// end builds the deferred indexes, then releases the lock and the connection.
func (l *load) end(ctx context.Context) error {
	if l.store != nil {
		l.store.loading.Store(false)
	}
	conns := []*pgx.Conn{l.conn}
	if l.store != nil {
		// a second builder; without it, the loader's connection builds alone
		if c, err := pgx.ConnectConfig(ctx, l.store.cfg); err == nil {
			defer c.Close(context.Background())
			conns = append(conns, c)
		}
	}
	err := buildDeferred(ctx, conns...)
	return errors.Join(wrapLoad("postgres.EndLoad", err), l.close())
}

func (l *load) close() error {
	_, err := l.conn.Exec(context.Background(), sqlLoadUnlock)
	return errors.Join(wrapLoad("postgres.EndLoad", err), l.conn.Close(context.Background()))
}

// buildDeferred creates the indexes listed in deferred_index, on each of
// conns at once (the indexes of the largest tables first), each index and
// the deletion of its row in one transaction: the table always names exactly
// the indexes missing, and one that fails stays listed for the next Open.
// Two connections use both cores while the import's client waits (a large
// load's build otherwise ran on one backend, session 9). CREATE INDEX takes a
// SHARE lock: reads go on, writes wait for the build.
func buildDeferred(ctx context.Context, conns ...*pgx.Conn) error {
	ixs, err := queryIndexes(conns[0].Query(ctx, sqlDeferredBySize))
	if err != nil {
		return err
	}
	queue := make(chan index, len(ixs))
	for _, ix := range ixs {
		queue <- ix
	}
	close(queue)
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for k, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ix := range queue {
				if err := buildIndex(ctx, c, ix.name, ix.def); err != nil {
					errs[k] = fmt.Errorf("%s: %w", ix.def, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// buildIndex creates one deferred index and deletes its row.
func buildIndex(ctx context.Context, c *pgx.Conn, name, def string) error {
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		// one sort in memory per index for a large load (the default 64 MB spills)
		if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, def); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM deferred_index WHERE name = $1", name)
		return err
	})
}

// buildLeftovers builds the indexes a load left deferred when it died before
// its end (Open calls it), unless a load is running now.
func buildLeftovers(ctx context.Context, c *pgx.Conn) error {
	var any, locked bool
	if err := c.QueryRow(ctx, sqlAnyDeferred).Scan(&any); err != nil || !any {
		return err
	}
	// A loader that just died may still hold the lock while its backend
	// exits: a few tries, a second in all, before leaving the indexes to
	// the load that is running (or to the next Open).
	for try := 0; !locked; try++ {
		if err := c.QueryRow(ctx, sqlLoadLock).Scan(&locked); err != nil {
			return err
		}
		if !locked && try == 4 {
			return nil
		}
		if !locked {
			time.Sleep(250 * time.Millisecond)
		}
	}
	err := buildDeferred(ctx, c)
	_, uerr := c.Exec(context.Background(), sqlLoadUnlock)
	return errors.Join(err, uerr)
}

func wrapLoad(op string, err error) error {
	if err == nil {
		return nil
	}
	return dsn.Wrap(op, dsn.KindUnavailable, err)
}
