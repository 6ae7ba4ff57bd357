package repo

import (
	"context"
	"runtime"
	"strconv"
	"sync"

	"dsn"
	"dsn/fhir"
)

// known is the state of one resource read before the write.
type known struct {
	cur  dsn.Resource // zero if the id never existed (or, without a CurrentReader, is deleted); a tombstone if deleted
	same bool         // the current version has the content being imported
}

// result is what the import did with the resource once its write committed.
func (k known) result() ImportResult {
	switch {
	case k.same:
		return ImportUnchanged
	case k.cur.VersionID > 0 && !k.cur.Deleted:
		return ImportUpdated
	}
	return ImportCreated
}

// readKnown reads the current version of every prepared resource: with the
// store's dsn.CurrentReader when it has one (one query by the (type, id) key
// for the whole batch, tombstones included, so that a deleted resource
// brought back is planned as its next version), else one Store.Search by _id
// per type and per 1,000 ids (a deleted resource is then not found: it is
// planned as version 1, the store answers KindConflict and CommitImport
// takes the careful path). ok is false if a read failed: the caller then
// reads inside the transaction.
func (s *Service) readKnown(ctx context.Context, preps []*prepared) ([]known, bool) {
	cur, ok := s.currentVersions(ctx, preps)
	if !ok {
		return nil, false
	}
	out := make([]known, len(preps))
	parallel(len(preps), func(i int) {
		if p := preps[i]; p != nil {
			r := cur[dsn.ResourceKey{Type: p.typ, ID: p.id}]
			out[i] = known{cur: r, same: r.VersionID > 0 && !r.Deleted && s.sameContent(p, r)}
		}
	})
	return out, true
}

// currentVersions reads the current versions of preps, by key.
func (s *Service) currentVersions(ctx context.Context, preps []*prepared) (map[dsn.ResourceKey]dsn.Resource, bool) {
	cur := map[dsn.ResourceKey]dsn.Resource{}
	if cr, ok := dsn.AsCurrentReader(s.store); ok {
		keys := make([]dsn.ResourceKey, 0, len(preps))
		for _, p := range preps {
			if p != nil {
				keys = append(keys, dsn.ResourceKey{Type: p.typ, ID: p.id})
			}
		}
		rs, err := cr.ReadCurrent(ctx, keys)
		if err != nil {
			return nil, false
		}
		for _, r := range rs {
			cur[dsn.ResourceKey{Type: r.Type, ID: r.ID}] = r
		}
		return cur, true
	}
	byType := map[string][]string{}
	for _, p := range preps {
		if p != nil {
			byType[p.typ] = append(byType[p.typ], p.id)
		}
	}
	for typ, ids := range byType {
		for len(ids) > 0 {
			n := min(len(ids), 1000)
			vals := make([]dsn.Value, n)
			for i, id := range ids[:n] {
				vals[i] = dsn.Value{Code: id, AnySystem: true}
			}
			page, err := s.store.Search(ctx, dsn.SearchQuery{Type: typ, Count: n,
				Clauses: []dsn.Clause{{Param: "_id", Type: dsn.ParamToken, Values: vals}}})
			if err != nil || page.Next != "" {
				return nil, false
			}
			for _, r := range page.Matches {
				cur[dsn.ResourceKey{Type: r.Type, ID: r.ID}] = r
			}
			ids = ids[n:]
		}
	}
	return cur, true
}

// planWrites sets meta and encodes the new version of each changed resource
// (in parallel, off the store's writer), in input order.
func (s *Service) planWrites(preps []*prepared, ks []known) []dsn.Write {
	ws := make([]dsn.Write, len(preps))
	parallel(len(preps), func(i int) {
		p, k := preps[i], ks[i]
		if p == nil || k.same {
			return
		}
		now := s.now(k.cur)
		v := k.cur.VersionID + 1
		fhir.SetMeta(p.obj, strconv.FormatInt(v, 10), now)
		ws[i] = dsn.Write{
			Resource: dsn.Resource{Type: p.typ, ID: p.id, VersionID: v, LastUpdated: now,
				Method: "PUT", Body: fhir.Encode(p.obj)},
			PatientKey: p.patient,
			Index:      p.idx,
		}
	})
	out := ws[:0]
	for _, w := range ws {
		if w.VersionID > 0 {
			out = append(out, w)
		}
	}
	return out
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
