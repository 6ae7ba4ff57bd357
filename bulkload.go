package dsn

import "context"

// BulkLoader is implemented by a store that can load a large import faster by
// building its secondary indexes once, after the load, instead of maintaining
// them row by row (PostgreSQL: decision 0029). The store decides: it defers
// its indexes only when the import is large relative to what it holds, and
// never in a way that changes what a read or a search answers.
type BulkLoader interface {
	// BeginLoad is called before writing about n resources. The returned end
	// must be called once the load is over, whether it succeeded or not: it
	// builds what was deferred (and does nothing if nothing was). A store
	// that keeps its ordinary path returns an end that does nothing.
	BeginLoad(ctx context.Context, n int) (end func(context.Context) error, err error)
}
