package sqlstore

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"dsn"
)

// ReindexBatch is how many resources one reindex write transaction holds.
const ReindexBatch = 500

// ReindexItem is one resource to reindex: read by the adapter, extracted here.
type ReindexItem struct {
	RID, Version int64
	Resource     dsn.Resource // Type, ID, Body of the current version
	Index        dsn.Index
	PatientKey   string
}

// Reindex is the loop both adapters' dsn.Reindexer runs: read a batch of
// current resources after the last rid (read), extract their rows on every
// core, write them in one transaction (write), until read returns none.
func Reindex(ctx context.Context, read func(after int64, n int) ([]ReindexItem, error), write func([]ReindexItem) error,
	extract func(dsn.Resource) (dsn.Index, string, error), progress func(int)) (int, error) {
	const op = "reindex"
	var after int64
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, dsn.Wrap(op, dsn.KindUnavailable, err)
		}
		items, err := read(after, ReindexBatch)
		if err != nil {
			return done, dsn.Wrap(op, dsn.KindInternal, err)
		}
		if len(items) == 0 {
			return done, nil
		}
		if err := extractAll(items, extract); err != nil {
			return done, err
		}
		if err := write(items); err != nil {
			return done, err
		}
		done += len(items)
		after = items[len(items)-1].RID
		if progress != nil {
			progress(done)
		}
	}
}

// extractAll fills the Index and PatientKey of items, in parallel.
func extractAll(items []ReindexItem, extract func(dsn.Resource) (dsn.Index, string, error)) error {
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += workers {
				it := &items[i]
				var err error
				if it.Index, it.PatientKey, err = extract(it.Resource); err != nil {
					errs[i] = fmt.Errorf("%s/%s: %w", it.Resource.Type, it.Resource.ID, err)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return dsn.Wrap("reindex", dsn.KindOf(err), err)
		}
	}
	return nil
}
