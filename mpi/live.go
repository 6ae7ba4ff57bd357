package mpi

import (
	"context"
	"fmt"
	"sync"

	"dsn"
	"dsn/fhir"
)

// Live is an Index kept equal to the current Patients of a store. The index
// lives in memory only: it is rebuilt from the store at start (Load) — the
// store is the durable source — then kept current by Apply, which the server
// wires to repo.Options.OnCommit so that every committed create, update,
// patch, delete and Bundle entry reaches it.
type Live struct {
	*Index
	mu       sync.Mutex
	versions map[string]int64 // Patient id → last version applied
}

// NewLive returns an empty live index scoring with m.
func NewLive(m *Matcher) *Live {
	return &Live{Index: NewIndex(m), versions: map[string]int64{}}
}

// Load adds every current Patient of st, one search page at a time, and
// returns how many it indexed.
func (l *Live) Load(ctx context.Context, st dsn.Store) (int, error) {
	q := dsn.SearchQuery{Type: "Patient", Count: 1000}
	n := 0
	for {
		page, err := st.Search(ctx, q)
		if err != nil {
			return n, dsn.Wrap("mpi.Live.Load", dsn.KindInternal, err)
		}
		for _, res := range page.Matches {
			if err := l.apply(res); err != nil {
				return n, err
			}
			n++
		}
		if page.Next == "" {
			return n, nil
		}
		q.Cursor = page.Next
	}
}

// Apply brings the index up to date with committed versions: Patients are
// added or replaced, tombstones removed, other types ignored. A version older
// than one already applied is skipped (concurrent writers may report out of
// order). Errors are reported for the caller to log; the other versions are
// still applied.
func (l *Live) Apply(written []dsn.Resource) error {
	var first error
	for _, res := range written {
		if res.Type != "Patient" {
			continue
		}
		if err := l.apply(res); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (l *Live) apply(res dsn.Resource) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.versions[res.ID]; ok && v >= res.VersionID {
		return nil
	}
	l.versions[res.ID] = res.VersionID
	if res.Deleted {
		l.Remove(res.ID)
		return nil
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return dsn.Wrap("mpi.Live.Apply", dsn.KindInternal, fmt.Errorf("Patient/%s: %w", res.ID, err))
	}
	return l.Add(FromPatient(obj))
}
