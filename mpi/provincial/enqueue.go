package provincial

import (
	"bytes"
	"context"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

// Enqueue wraps st for every writer other than the Service itself (the FHIR
// API, Bundles, imports, the demo loader): each Patient version it stores
// queues a JobLink job in the same transaction, so the link cannot be lost
// between the commit and the linker; after a commit that queued jobs, notify
// (may be nil: another process's linker polls) wakes the linker.
//
// Golden records belong to the MPI: a write that creates, changes or
// deletes one through st is refused (422) — archivists change them through
// the operations ($mpi-link, $merge…), which write through the Service.
func Enqueue(st dsn.Store, clock dsn.Clock, notify func()) dsn.Store {
	if clock == nil {
		clock = dsn.SystemClock{}
	}
	return &enqueueStore{Store: st, clock: clock, notify: notify}
}

type enqueueStore struct {
	dsn.Store
	clock  dsn.Clock
	notify func()
}

var _ dsn.Store = (*enqueueStore)(nil)

func (e *enqueueStore) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	queued := false
	err := e.Store.Write(ctx, func(tx dsn.Tx) error {
		queued = false // fn may run more than once
		return fn(enqueueTx{Tx: tx, s: e, queued: &queued})
	})
	if err == nil && queued && e.notify != nil {
		e.notify()
	}
	return err
}

type enqueueTx struct {
	dsn.Tx
	s      *enqueueStore
	queued *bool
}

var _ dsn.Tx = enqueueTx{}

func (t enqueueTx) Put(w dsn.Write) error {
	if w.Type != "Patient" {
		return t.Tx.Put(w)
	}
	if goldenIndex(w.Index) || w.VersionID > 1 && t.currentGolden(w.ID) {
		e := dsn.Errorf("provincial.Enqueue", dsn.KindUnprocessable,
			"Patient/%s est un dossier provincial géré par l'index patient : il se modifie par les opérations $mpi-link, $mpi-unlink, $merge et $unmerge", w.ID)
		e.Issues = []dsn.Issue{{Severity: "error", Code: "business-rule", Diagnostics: e.Msg, Expression: "Patient.meta.tag"}}
		return e
	}
	if err := t.Tx.Put(w); err != nil {
		return err
	}
	*t.queued = true
	return t.Tx.AddJob(dsn.Job{Kind: JobLink, Key: w.ID, Created: t.s.clock.Now()})
}

// goldenIndex reads the golden tag from the version's _tag index rows (no decoding).
func goldenIndex(ix dsn.Index) bool {
	for _, k := range ix.Tokens {
		if k.Param == "_tag" && k.System == mpi.System && k.Code == mpi.GoldenCode {
			return true
		}
	}
	return false
}

// currentGolden tells whether the current version of Patient/id is golden.
func (t enqueueTx) currentGolden(id string) bool {
	cur, err := t.Tx.Read("Patient", id)
	if err != nil || !bytes.Contains(cur.Body, []byte(mpi.System)) {
		return false
	}
	obj, err := fhir.Decode(cur.Body)
	return err == nil && mpi.IsGolden(obj)
}
