package sqlstore

// The front half of group commit (docs/decisions/0003-group-commit.md), the
// same on both adapters: callers queue their fn and wait for its outcome; the
// adapter's writer goroutine(s) take batches from Queue.C, run them in one
// transaction and Reply. How a batch runs (savepoints, fsync, connections)
// stays in each adapter.

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"dsn"
)

// Request states: a queued request may still be abandoned by its caller; once
// the writer has taken it, the caller waits for the commit.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// Request is one caller's fn waiting for a writer.
type Request struct {
	Ctx   context.Context
	Fn    func(dsn.Tx) error
	state atomic.Int32
	done  chan error // receives exactly one result, after COMMIT or ROLLBACK
}

// NewRequest makes a request for fn; writers' tests use it to run a batch by hand.
func NewRequest(ctx context.Context, fn func(dsn.Tx) error) *Request {
	return &Request{Ctx: ctx, Fn: fn, done: make(chan error, 1)}
}

// Result waits for the request's one outcome.
func (r *Request) Result() error { return <-r.done }

// Queue hands write requests from callers to the writer goroutines.
type Queue struct {
	C      chan *Request // the writers range over it; closed by Close
	mu     sync.RWMutex  // guards closed against Submit
	closed bool
}

// NewQueue makes a queue holding up to size waiting requests.
func NewQueue(size int) *Queue { return &Queue{C: make(chan *Request, size)} }

// Submit queues fn and waits for its outcome (the contract of
// dsn.Store.Write). A caller whose ctx ends while fn is still queued leaves
// with ctx's error and fn never runs; once a writer has taken fn, the caller
// waits for the commit that decides it.
func (q *Queue) Submit(ctx context.Context, op string, fn func(dsn.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return dsn.Wrap(op, dsn.KindUnavailable, err)
	}
	req := NewRequest(ctx, fn)
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return ErrClosed(op)
	}
	select {
	case q.C <- req:
		q.mu.RUnlock()
	case <-ctx.Done():
		q.mu.RUnlock()
		return dsn.Wrap(op, dsn.KindUnavailable, ctx.Err())
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return dsn.Wrap(op, dsn.KindUnavailable, ctx.Err())
		}
		return <-req.done // already running: its outcome is decided by the commit
	}
}

// Close refuses further requests and closes C, so the writers drain it and
// stop. It reports false if the queue was already closed.
func (q *Queue) Close() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.closed = true
	close(q.C)
	return true
}

// ErrClosed is the error of an operation on a closed store.
func ErrClosed(op string) error {
	return Fail(op, dsn.KindUnavailable, "closed")
}

// Take keeps the requests of batch that their callers still wait for, marking
// them taken (in place: it reuses batch's array).
func Take(batch []*Request) []*Request {
	live := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		}
	}
	return live
}

// Reply answers every caller of live: with batchErr if the transaction
// failed, else with the caller's own result.
func Reply(live []*Request, results []error, batchErr error) {
	for i, r := range live {
		if batchErr != nil {
			r.done <- batchErr
		} else {
			r.done <- results[i]
		}
	}
}

// Call runs fn, turning a panic into an error so one caller cannot kill the
// writer.
func Call(op string, fn func(dsn.Tx) error, t dsn.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			// the panic goes to the log; the client reads "erreur interne"
			err = dsn.Wrap(op, dsn.KindInternal, fmt.Errorf("panic in write: %v", p))
		}
	}()
	return fn(t)
}
