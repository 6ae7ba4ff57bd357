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
	cur  dsn.Resource // zero if the id is not current (never existed, or deleted)
	same bool         // the current version has the content being imported
}

// result is what the import did with the resource once its write committed.
func (k known) result() ImportResult {
	switch {
	case k.same:
		return ImportUnchanged
	case k.cur.VersionID > 0:
		return ImportUpdated
	}
	return ImportCreated
}

// readKnown reads the current version of every prepared resource: one
// Store.Search by _id per type and per 1,000 ids (a round trip each on
// PostgreSQL, instead of one per resource). A deleted resource is not found
// (search skips tombstones): it is planned as version 1, the store answers
// KindConflict and CommitImport takes the careful path. ok is false if a
// search failed: the caller then reads inside the transaction.
func (s *Service) readKnown(ctx context.Context, preps []*prepared) ([]known, bool) {
	byType := map[string][]string{}
	for _, p := range preps {
		if p != nil {
			byType[p.typ] = append(byType[p.typ], p.id)
		}
	}
	cur := map[[2]string]dsn.Resource{}
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
				cur[[2]string{r.Type, r.ID}] = r
			}
			ids = ids[n:]
		}
	}
	out := make([]known, len(preps))
	parallel(len(preps), func(i int) {
		if p := preps[i]; p != nil {
			r := cur[[2]string{p.typ, p.id}]
			out[i] = known{cur: r, same: r.VersionID > 0 && s.sameContent(p, r)}
		}
	})
	return out, true
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
