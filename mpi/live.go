package mpi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"dsn"
	"dsn/fhir"
)

// Live is an Index kept equal to the current Patients of a store. The index
// lives in memory only: it is rebuilt from the store at start (Load) — the
// store is the durable source — then kept current by Apply, which the server
// wires to repo.Options.OnCommit so that every committed create, update,
// patch, delete and Bundle entry reaches it.
//
// Golden Patients (IsGolden) are not indexed — matching compares
// registrations — but Live remembers which golden record each source belongs
// to (the golden's "seealso" links), for $match and the linker. Sources
// merged into another (a "replaced-by" link, R5 patient-operation-merge) are
// taken out of the index: their data now live under the target.
type Live struct {
	*Index
	mu       sync.RWMutex
	versions map[string]int64    // Patient id → last version applied
	golden   map[string]string   // source id → golden id
	members  map[string][]string // golden id → source ids
}

// NewLive returns an empty live index scoring with m.
func NewLive(m *Matcher) *Live {
	return &Live{Index: NewIndex(m), versions: map[string]int64{},
		golden: map[string]string{}, members: map[string][]string{}}
}

// GoldenOf returns the golden Patient a source belongs to ("" if none yet).
func (l *Live) GoldenOf(source string) string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.golden[source]
}

// Members returns the sources golden Patient g lists (nil if Live has not
// seen it).
func (l *Live) Members(g string) []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return slices.Clone(l.members[g])
}

// IsGolden tells whether id is a golden Patient Live has seen.
func (l *Live) IsGolden(id string) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, ok := l.members[id]
	return ok
}

// Goldens is the number of golden Patients seen.
func (l *Live) Goldens() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.members)
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
		l.setMembers(res.ID, nil, false)
		return nil
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		l.Remove(res.ID) // the index would keep an older version as current
		return dsn.Wrap("mpi.Live.Apply", dsn.KindInternal, fmt.Errorf("Patient/%s: %w", res.ID, err))
	}
	if IsGolden(obj) {
		l.Remove(res.ID)
		l.setMembers(res.ID, Links(obj, "seealso"), true)
		return nil
	}
	if len(Links(obj, "replaced-by")) > 0 {
		l.Remove(res.ID)
		return nil
	}
	return l.Add(FromPatient(obj))
}

// MatchRankedVersion is MatchRanked for registration id when the index
// holds exactly its version version — Apply prepared that very record, from
// the commit hook or Load — without decoding the Patient and extracting its
// record again (the linker, for every new registration: session 9 measured
// the second decoding at ~45 µs per create). ok is false when the index
// holds another version or none (a golden record, a merged or deleted
// Patient, a version not applied yet): the caller decodes it and calls
// MatchRanked. The answer is MatchRanked's for the same body.
func (l *Live) MatchRankedVersion(id string, version int64, n int) ([]Match, bool) {
	l.mu.RLock()
	var p prepared
	ok := l.versions[id] == version
	if ok {
		p, ok = l.record(id)
	}
	l.mu.RUnlock()
	if !ok || n <= 0 {
		return nil, ok
	}
	return l.matchRanked(&p, id, n), true
}

// setMembers records the sources of golden record g (l.mu held); keep is
// false when g is gone.
func (l *Live) setMembers(g string, sources []string, keep bool) {
	for _, s := range l.members[g] {
		if l.golden[s] == g {
			delete(l.golden, s)
		}
	}
	delete(l.members, g)
	if !keep {
		return
	}
	sources = cloneIDs(sources)
	for _, s := range sources {
		l.golden[s] = g
	}
	l.members[g] = sources
}

// cloneIDs copies ids into one allocation: ids from a decoded golden record
// are substrings of its whole document, which they would keep alive.
func cloneIDs(ids []string) []string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id)
	}
	all := b.String()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i], all = all[:len(id)], all[len(id):]
	}
	return out
}
