package provincial

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

// Members tells whether Patient id is a golden record and lists its
// registrations (for $everything over the provincial record).
// Errors: KindNotFound, KindGone.
func (s *Service) Members(ctx context.Context, id string) (golden bool, sources []string, err error) {
	res, err := s.store.Read(ctx, "Patient", id)
	if err != nil {
		return false, nil, err
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil {
		return false, nil, dsn.Wrap("provincial.Members", dsn.KindInternal, err)
	}
	if !mpi.IsGolden(obj) {
		return false, nil, nil
	}
	return true, mpi.Links(obj, "seealso"), nil
}

// QueueItem is one open review Task with its score.
type QueueItem struct {
	Task  dsn.Resource
	Score float64
}

// Queue returns the open review Tasks, best score first (ties: oldest
// first), at most count, and how many are open in all.
func (s *Service) Queue(ctx context.Context, count int) ([]QueueItem, int, error) {
	q, err := s.repo.Parse("Task", map[string][]string{
		"code": {mpi.System + "|" + ReviewCode}, "status": {"requested"}})
	if err != nil {
		return nil, 0, err
	}
	q.Count = 1000
	var all []QueueItem
	for {
		page, err := s.store.Search(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range page.Matches {
			obj, err := fhir.Decode(r.Body)
			if err != nil {
				return nil, 0, dsn.Wrap("provincial.Queue", dsn.KindInternal, err)
			}
			all = append(all, QueueItem{Task: r, Score: inputDecimal(obj, "score")})
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	slices.SortStableFunc(all, func(a, b QueueItem) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return a.Task.LastUpdated.Compare(b.Task.LastUpdated)
	})
	return all[:min(count, len(all))], len(all), nil
}

func inputDecimal(task fhir.Object, code string) float64 {
	for _, in := range objs(task["input"]) {
		if inputCode(in) == code {
			f, _ := strconv.ParseFloat(fhirString(in["valueDecimal"]), 64)
			return f
		}
	}
	return 0
}

func fhirString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case interface{ String() string }:
		return t.String()
	}
	return ""
}

// Duplicate is one pair of the duplicate report: two registrations in
// different golden records that may be the same person.
type Duplicate struct {
	A, B             string // registrations, A < B
	GoldenA, GoldenB string // their golden records ("" while linking is pending)
	Result           mpi.Result
	Score            float64 // the $match score
}

// Duplicates scans the whole index (mpi.Index.Pairs) for pairs scoring at
// least threshold bits, leaves out pairs already in one golden record and
// pairs an archivist said are different people, and returns at most limit
// (0: all), best first, each explained field by field, with the number found.
func (s *Service) Duplicates(ctx context.Context, threshold float64, limit int) ([]Duplicate, int, error) {
	apart, err := s.rejectedPairs(ctx)
	if err != nil {
		return nil, 0, err
	}
	m := s.live.Matcher()
	var out []Duplicate
	n := 0
	for _, p := range s.live.Pairs(threshold) {
		ga, gb := s.live.GoldenOf(p.A), s.live.GoldenOf(p.B)
		if ga != "" && ga == gb || apart[[2]string{p.A, gb}] || apart[[2]string{p.B, ga}] {
			continue
		}
		n++
		if limit > 0 && len(out) >= limit {
			continue
		}
		r, ok := s.live.ComparePair(p.A, p.B)
		if !ok {
			continue
		}
		out = append(out, Duplicate{A: p.A, B: p.B, GoldenA: ga, GoldenB: gb, Result: r, Score: m.FHIRScore(r)})
	}
	return out, n, nil
}

// rejectedPairs are the (registration, golden record) pairs of rejected review Tasks.
func (s *Service) rejectedPairs(ctx context.Context) (map[[2]string]bool, error) {
	q, err := s.repo.Parse("Task", map[string][]string{
		"code": {mpi.System + "|" + ReviewCode}, "status": {"rejected"}})
	if err != nil {
		return nil, err
	}
	q.Count = 1000
	out := map[[2]string]bool{}
	for {
		page, err := s.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Matches {
			obj, err := fhir.Decode(r.Body)
			if err != nil {
				return nil, dsn.Wrap("provincial.Duplicates", dsn.KindInternal, err)
			}
			out[[2]string{focusOf(obj), inputRef(obj, "candidate")}] = true
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// Find returns the ids of the Patients matching search parameters (at most 100).
func (s *Service) Find(ctx context.Context, params map[string][]string) ([]string, error) {
	q, err := s.repo.Parse("Patient", params)
	if err != nil {
		return nil, err
	}
	q.Count = 100
	page, err := s.store.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(page.Matches))
	for i, r := range page.Matches {
		ids[i] = r.ID
	}
	return ids, nil
}
