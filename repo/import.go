package repo

import (
	"bytes"
	"context"
	"runtime"
	"sync"

	"dsn"
	"dsn/fhir"
)

// ImportResult says what Import did with one resource.
type ImportResult int

const (
	// ImportFailed: the resource was rejected (see the error at the same index).
	ImportFailed ImportResult = iota
	// ImportCreated: a new id, or a deleted one brought back.
	ImportCreated
	// ImportUpdated: the content changed, a new version was written.
	ImportUpdated
	// ImportUnchanged: the current version has the same content; nothing written.
	ImportUnchanged
)

// Import is the fast bulk path (no HTTP): each object is upserted with its own
// id, as a PUT would (http.html#update, update as create). Validation, index
// extraction, reading the current versions and encoding run first, in
// parallel workers; then every changed object is written in ONE Store.Write,
// with one dsn.BulkTx.PutAll when the store has it. An object whose content
// equals its current version, meta.versionId and meta.lastUpdated aside, is
// not written again, so importing the same data twice creates no new versions. The results and errors are
// indexed like objs; a nil error means the object is stored.
func (s *Service) Import(ctx context.Context, objs []fhir.Object) ([]ImportResult, []error) {
	return s.CommitImport(ctx, s.PrepareImport(ctx, objs))
}

// ImportBatch is a set of objects checked, validated, indexed and compared
// with their current versions by PrepareImport, ready for CommitImport.
// Splitting the two lets a bulk loader prepare the next batch while the store
// writes this one.
type ImportBatch struct {
	preps  []*prepared
	errs   []error
	known  []known     // the current version of each prepared object
	writes []dsn.Write // the versions to store (unchanged objects left out)
	ok     bool        // known was read: the optimistic write can be tried
}

// PrepareImport runs the steps of Import that do not write: type and id
// checks, validation and index extraction on GOMAXPROCS workers; the current
// versions, read with one search by _id per type and 1,000 ids; comparison,
// and encoding of the new versions.
func (s *Service) PrepareImport(ctx context.Context, objs []fhir.Object) *ImportBatch {
	b := &ImportBatch{errs: make([]error, len(objs))}
	b.preps = s.prepareAll("repo.Import", objs, b.errs)
	b.known, b.ok = s.readKnown(ctx, b.preps)
	if b.ok {
		b.writes = s.planWrites(b.preps, b.known)
	}
	return b
}

// Overlaps tells whether b and o write a resource in common (same type and
// id): a loader that hands two batches to the store at once must write
// those one after the other.
func (b *ImportBatch) Overlaps(o *ImportBatch) bool {
	keys := make(map[dsn.ResourceKey]struct{}, len(o.preps))
	for _, p := range o.preps {
		if p != nil {
			keys[dsn.ResourceKey{Type: p.typ, ID: p.id}] = struct{}{}
		}
	}
	for _, p := range b.preps {
		if p == nil {
			continue
		}
		if _, ok := keys[dsn.ResourceKey{Type: p.typ, ID: p.id}]; ok {
			return true
		}
	}
	return false
}

// CommitImport writes a prepared batch in one Store.Write (see Import).
//
// The versions planned by PrepareImport are stored with one dsn.BulkTx.PutAll
// when the store has it (one Put each otherwise); each names the version it
// follows. If another writer got there in between, or an id repeats in the
// batch, the store answers KindConflict, nothing of the batch remains, and it
// is written again the careful way: every current version read inside the
// transaction, one Put at a time, in input order.
func (s *Service) CommitImport(ctx context.Context, b *ImportBatch) ([]ImportResult, []error) {
	const op = "repo.Import"
	preps, errs := b.preps, append([]error(nil), b.errs...)
	res := make([]ImportResult, len(preps))
	var err error = dsn.Errorf(op, dsn.KindConflict, "lecture préalable incomplète")
	if b.ok {
		// Marked as a bulk import: the store may give it more memory than a
		// transaction Bundle's PutAll gets (SQLite's writer cache, dsn.WithBulkImport).
		err = s.store.Write(dsn.WithBulkImport(ctx), func(tx dsn.Tx) error { return dsn.PutAll(tx, b.writes) })
		if err == nil {
			for i, p := range preps {
				if p != nil {
					res[i] = b.known[i].result()
				}
			}
		}
	}
	if dsn.KindOf(err) == dsn.KindConflict {
		err = s.store.Write(ctx, func(tx dsn.Tx) error {
			clear(res) // fn may run more than once (store.go)
			for i, p := range preps {
				if p == nil {
					continue
				}
				r, err := s.importTx(tx, op, p)
				if err != nil {
					return err
				}
				res[i] = r
			}
			return nil
		})
	}
	if err != nil {
		for i, p := range preps {
			if p != nil {
				errs[i], res[i] = err, ImportFailed
			}
		}
	}
	return res, errs
}

// prepareAll checks, validates and indexes objs on GOMAXPROCS workers; a
// rejected object gets its error in errs and a nil entry in the result.
func (s *Service) prepareAll(op string, objs []fhir.Object, errs []error) []*prepared {
	preps := make([]*prepared, len(objs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				preps[i], errs[i] = s.prepareImport(op, objs[i])
			}
		}()
	}
	for i := range objs {
		next <- i
	}
	close(next)
	wg.Wait()
	return preps
}

// prepareImport checks type and id, then runs the write pipeline's checks.
func (s *Service) prepareImport(op string, obj fhir.Object) (*prepared, error) {
	typ, id := fhir.ResourceType(obj), fhir.ID(obj)
	if err := s.checkType(op, typ); err != nil {
		e := invalidf(op, "resourceType", "%s", dsn.Message(err))
		e.English = dsn.EnglishMessage(err)
		e.Issues[0].English = e.English
		return nil, e
	}
	if id == "" {
		return nil, invalidIn(op, "id", "import.id")
	}
	if err := checkID(op, id); err != nil {
		return nil, err
	}
	return s.prepare(op, typ, id, obj)
}

// importTx writes p unless its current version has the same content.
func (s *Service) importTx(tx dsn.Tx, op string, p *prepared) (ImportResult, error) {
	cur, deleted, err := current(tx, p.typ, p.id)
	if err != nil {
		return ImportFailed, err
	}
	exists := cur.VersionID > 0 && !deleted
	if exists && s.sameContent(p, cur) {
		return ImportUnchanged, nil
	}
	if _, err := s.commit(tx, op, p, cur, "PUT"); err != nil {
		return ImportFailed, err
	}
	if exists {
		return ImportUpdated, nil
	}
	return ImportCreated, nil
}

// sameContent compares p with the stored version cur, meta.versionId and
// meta.lastUpdated aside. Both sides are decoded and encoded again by
// fhir.Encode (keys sorted, numbers kept as written), because a store may hand
// back a body re-serialised (PostgreSQL jsonb reorders keys). Other meta
// elements (profile, tag, security) count as content; what the server
// maintains (Options.Managed) does not.
func (s *Service) sameContent(p *prepared, cur dsn.Resource) bool {
	stored, err := fhir.Decode(cur.Body)
	if err != nil {
		return false
	}
	in := clone(p.obj)
	if s.managed != nil {
		s.managed(stored)
		s.managed(in)
	}
	return bytes.Equal(contentOf(stored), contentOf(in))
}

// contentOf encodes obj without meta.versionId and meta.lastUpdated (obj is
// modified: pass a copy when it is still needed).
func contentOf(obj fhir.Object) []byte {
	if m, ok := obj["meta"].(map[string]any); ok {
		delete(m, "versionId")
		delete(m, "lastUpdated")
		if len(m) == 0 {
			delete(obj, "meta")
		}
	}
	return fhir.Encode(obj)
}
