package repo

import (
	"context"
	"slices"

	"dsn"
)

// hookStore wraps a dsn.Store so that every successful Write reports the
// versions it stored to onCommit (Options.OnCommit), after the commit is
// durable. It is how in-memory views of the store (the MPI index) stay
// current whatever the interaction: create, update, patch, delete, and every
// entry of batch and transaction Bundles, since they all write through here.
type hookStore struct {
	dsn.Store
	onCommit func([]dsn.Resource)
}

var _ dsn.Store = (*hookStore)(nil)

// WithOnCommit wraps st so that every successful Write reports the versions
// it stored to fn (see Options.OnCommit). Use it instead of Options.OnCommit
// when code other than a Service also writes to the store (the demo loader).
func WithOnCommit(st dsn.Store, fn func([]dsn.Resource)) dsn.Store {
	return &hookStore{Store: st, onCommit: fn}
}

// Write records the Puts of fn and hands them to onCommit once Write succeeds.
// The store may run fn more than once (dsn.Store.Write): the list is reset at
// each call, so only the last, committed run is reported.
func (h *hookStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	var written []dsn.Resource
	err := h.Store.Write(ctx, func(tx dsn.Tx) error {
		written = written[:0]
		return fn(recordingTx{Tx: tx, written: &written})
	})
	if err == nil && len(written) > 0 {
		h.onCommit(written)
	}
	return err
}

// recordingTx notes each successful Put.
type recordingTx struct {
	dsn.Tx
	written *[]dsn.Resource
}

var _ dsn.BulkTx = recordingTx{}

func (r recordingTx) Put(w dsn.Write) error {
	if err := r.Tx.Put(w); err != nil {
		return err
	}
	*r.written = append(*r.written, w.Resource)
	return nil
}

// PutAll passes ws to the store's PutAll when it has one (else one Put each)
// and notes them all once it succeeded.
func (r recordingTx) PutAll(ws []dsn.Write) error {
	if err := dsn.PutAll(r.Tx, ws); err != nil {
		return err
	}
	*r.written = slices.Grow(*r.written, len(ws))
	for _, w := range ws {
		*r.written = append(*r.written, w.Resource)
	}
	return nil
}

// Unwrap gives the store behind the hook: it reads as that store (dsn.Unwrapper).
func (h *hookStore) Unwrap() dsn.Store { return h.Store }
