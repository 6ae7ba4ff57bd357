package bulk

import (
	"context"
	"sync"

	"dsn"
	"dsn/fhir"
)

// sliceSize is about how many resources one key-range slice holds: one
// query of a few MiB, small against its fixed cost.
var sliceSize = 2000

// slice is one key range [lo, hi) of one type, read by one query.
type slice struct {
	typ    string
	lo, hi int64
}

// sliceResult is what a worker read of one slice.
type sliceResult struct {
	rs  []dsn.Resource
	err error
}

// eachTypeRanges emits the resources of the system level like
// eachTypeParallel, but reads each type as consecutive slices of its key
// range (dsn.RangeReader), workers slices at once, and emits the slices in
// key order, from this goroutine: each type's file gets exactly the lines,
// in the order, of a read page by page. At most 2×workers slices are held
// in memory. The first error stops the rest.
func (q Query) eachTypeRanges(ctx context.Context, rr dsn.RangeReader, workers int, emit func(dsn.Resource) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(workers, 1)
	type job struct {
		s   slice
		out chan sliceResult
	}
	todo := make(chan job)
	ordered := make(chan chan sliceResult, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range todo {
				j.out <- q.readSlice(ctx, rr, j.s)
			}
		}()
	}
	planned := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(todo)
		planned <- q.plan(ctx, rr, func(s slice) bool {
			out := make(chan sliceResult, 1)
			select {
			case ordered <- out: // waits while the emitter is 2×workers slices behind
			case <-ctx.Done():
				return false
			}
			select {
			case todo <- job{s, out}:
				return true
			case <-ctx.Done():
				out <- sliceResult{err: ctx.Err()}
				return false
			}
		})
	}()
	var first error
	for out := range ordered {
		r := <-out
		if first == nil && r.err != nil {
			first = r.err
		}
		for _, res := range r.rs {
			if first != nil {
				break
			}
			first = emit(res)
		}
		if first != nil {
			cancel()
		}
	}
	wg.Wait()
	if err := <-planned; first == nil {
		first = err
	}
	return first
}

// plan cuts each type of q into slices of about sliceSize resources of its
// key range and hands them to next in order, until next says stop.
func (q Query) plan(ctx context.Context, rr dsn.RangeReader, next func(slice) bool) error {
	types := q.Types
	if len(types) == 0 {
		types = fhir.ResourceTypes()
	}
	for _, t := range types {
		lo, hi, n, err := rr.KeyRange(ctx, t)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		k := int64((n + sliceSize - 1) / sliceSize)
		width := (hi - lo + k) / k // k slices of width cover [lo, hi+1)
		for a := lo; a <= hi; a += width {
			if !next(slice{typ: t, lo: a, hi: min(a+width, hi+1)}) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// readSlice reads one slice, keeping what the export selects.
func (q Query) readSlice(ctx context.Context, rr dsn.RangeReader, s slice) sliceResult {
	var r sliceResult
	r.err = rr.ScanRange(ctx, s.typ, s.lo, s.hi, func(res dsn.Resource) error {
		if q.keeps(res) {
			r.rs = append(r.rs, res)
		}
		return nil
	})
	return r
}

// keeps tells whether r is exported: not deleted, not before Since, not
// after Until.
func (q Query) keeps(r dsn.Resource) bool {
	return !r.Deleted && !r.LastUpdated.Before(q.Since) && (q.Until.IsZero() || !r.LastUpdated.After(q.Until))
}
