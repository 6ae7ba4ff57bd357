package repo

import (
	"context"
	"sync"

	"dsn"
)

// batch runs each entry on its own (http.html#brules): its own Store.Write for
// writes, a plain read for GETs; several at once so that the store's group
// commit can share a commit between them. Entries must not depend on each
// other, so fullUrl references are not rewritten (conditional ones are).
func (s *Service) batch(ctx context.Context, base string, entries []*entry) {
	work := make(chan *entry)
	var wg sync.WaitGroup
	for range min(s.workers, len(entries)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				e.err = s.batchEntry(ctx, base, e)
			}
		}()
	}
	for _, e := range entries {
		work <- e
	}
	close(work)
	wg.Wait()
}

// batchEntry runs one entry of a batch.
func (s *Service) batchEntry(ctx context.Context, base string, e *entry) error {
	if e.parseErr != nil {
		return e.parseErr
	}
	if e.method == "GET" || e.method == "HEAD" {
		e.reset()
		if e.version > 0 || e.history {
			return s.execStoreGet(ctx, base, e)
		}
		return s.execGet(storeReader{ctx, s.store}, base, e)
	}
	return s.store.Write(ctx, func(tx dsn.Tx) error {
		e.reset()
		if err := s.resolve(tx, e); err != nil {
			return err
		}
		if e.resource != nil {
			if err := s.rewriteRefs(tx, e.resource, nil); err != nil {
				return err
			}
		}
		return s.exec(tx, base, e)
	})
}
