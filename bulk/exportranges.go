package bulk

import (
	"context"
	"sync"

	"dsn"
)

// sliceSize is about how many resources one key-range slice holds: one
// query of a few MiB, small against its fixed cost.
var sliceSize = 2000

// slice is one key range [lo, hi) of one type, read by one query.
type slice struct {
	typ    string
	lo, hi int64
}

// sliceResult is what a worker read of one slice: the NDJSON lines of
// the resources the export keeps, and how many.
type sliceResult struct {
	typ   string
	lines []byte
	n     int
	err   error
}

// eachTypeRanges emits the resources of the system level like
// eachTypeParallel, but reads each type as consecutive slices of its key
// range (dsn.RangeReader), workers slices at once, and emits the slices in
// key order, from this goroutine, as whole NDJSON chunks: each type's file
// gets exactly the lines, in the order, of a read page by page, and no
// resource is decoded or copied more than once on the way (the body goes
// from the driver's buffer into the chunk). lines is only valid until emit
// returns. At most 2×workers slices are held in memory. The first error
// stops the rest.
func (q Query) eachTypeRanges(ctx context.Context, rr dsn.RangeReader, workers int, emit func(typ string, lines []byte, n int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers = max(workers, 1)
	type job struct {
		s   slice
		out chan sliceResult
	}
	todo := make(chan job)
	ordered := make(chan chan sliceResult, 2*workers)
	// the line buffers go round: at most 3×workers exist, each made for a
	// slice of 2 KiB resources (few are larger) rather than grown from empty
	free := make(chan []byte, 3*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range todo {
				var buf []byte
				select {
				case buf = <-free:
				default:
					buf = make([]byte, 0, sliceSize<<11)
				}
				j.out <- q.readSlice(ctx, rr, j.s, buf)
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
		if first == nil {
			first = r.err
		}
		if first == nil && r.n > 0 {
			first = emit(r.typ, r.lines, r.n)
		}
		select {
		case free <- r.lines[:0]:
		default:
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
	ranges, err := rr.KeyRanges(ctx, q.Types)
	if err != nil {
		return err
	}
	for _, kr := range ranges {
		if kr.N == 0 {
			continue
		}
		k := int64((kr.N + sliceSize - 1) / sliceSize)
		width := (kr.Hi - kr.Lo + k) / k // k slices of width cover [lo, hi+1)
		for a := kr.Lo; a <= kr.Hi; a += width {
			if !next(slice{typ: kr.Type, lo: a, hi: min(a+width, kr.Hi+1)}) {
				return ctx.Err()
			}
		}
	}
	return nil
}

// readSlice reads one slice into buf, keeping what the export selects.
func (q Query) readSlice(ctx context.Context, rr dsn.RangeReader, s slice, buf []byte) sliceResult {
	r := sliceResult{typ: s.typ, lines: buf}
	r.err = rr.ScanRange(ctx, s.typ, s.lo, s.hi, func(res dsn.Resource) error {
		if q.keeps(res) {
			r.lines = append(append(r.lines, res.Body...), '\n')
			r.n++
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
