package bulk

import (
	"context"
	"slices"
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
)

// Export levels (https://hl7.org/fhir/uv/bulkdata/export.html#endpoint---system-level-export
// and the two following sections).
const (
	LevelSystem  = "system"  // [base]/$export: every resource
	LevelPatient = "patient" // [base]/Patient/$export: the compartments of every Patient
	LevelGroup   = "group"   // [base]/Group/[id]/$export: the compartments of the Group's members
)

// Query says what an export reads.
type Query struct {
	Level   string   // LevelSystem (also ""), LevelPatient or LevelGroup
	GroupID string   // the Group of LevelGroup
	Types   []string // _type: only these types (none: every type)
	// Patients is the "patient" parameter of the Patient and Group levels:
	// only these patients (for a Group, those of them that are members).
	Patients []string
	Since    time.Time
	// Until leaves out resources updated after it (the export's
	// transactionTime: they are for the next export with _since); zero: no bound.
	Until time.Time
}

// pageSize is how many resources each Store.Search page holds.
const pageSize = 1000

// Check refuses a query that cannot run: an unknown type or level, or a
// Group that does not exist (KindNotFound) or was deleted (KindGone).
func (q Query) Check(ctx context.Context, st dsn.Store) error {
	const op = "bulk.Export"
	for _, t := range q.Types {
		if !fhir.IsResourceType(t) {
			return fail(op, dsn.KindInvalid, "export.type", t)
		}
	}
	switch q.Level {
	case "", LevelSystem:
		if len(q.Patients) > 0 {
			return fail(op, dsn.KindInvalid, "export.patient")
		}
		return nil
	case LevelPatient:
		return nil
	case LevelGroup:
		_, err := groupMembers(ctx, st, q.GroupID)
		return err
	}
	return fail(op, dsn.KindInvalid, "export.level", q.Level)
}

// each calls emit with every current, non-deleted resource q selects: type by
// type for the system level; patient by patient (their compartment, the
// Patient included, types mixed) for the Patient and Group levels.
func (q Query) each(ctx context.Context, st dsn.Store, emit func(dsn.Resource) error) error {
	if err := q.Check(ctx, st); err != nil {
		return err
	}
	switch q.Level {
	case LevelPatient:
		if len(q.Patients) > 0 {
			return q.eachPatient(ctx, st, q.Patients, emit)
		}
		// every current Patient, whatever _since says: an old Patient may
		// have new resources
		return Query{}.scan(ctx, st, dsn.SearchQuery{Type: "Patient"}, func(p dsn.Resource) error {
			return q.compartment(ctx, st, p.ID, emit)
		})
	case LevelGroup:
		ids, err := groupMembers(ctx, st, q.GroupID)
		if err != nil {
			return err
		}
		if len(q.Patients) > 0 {
			ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(q.Patients, id) })
		}
		return q.eachPatient(ctx, st, ids, emit)
	}
	return q.eachTypeParallel(ctx, st, 1, emit)
}

// eachTypeParallel emits the resources of the system level, type by type,
// with workers types read at once (emit is then called from several
// goroutines, never for the same type at once). Reading is mostly the
// database's work (PostgreSQL turns each jsonb body back into text): a
// second reader keeps a second core busy. The first error stops the rest.
func (q Query) eachTypeParallel(ctx context.Context, st dsn.Store, workers int, emit func(dsn.Resource) error) error {
	types := q.Types
	if len(types) == 0 {
		types = fhir.ResourceTypes()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan string)
	errs := make(chan error, workers)
	for range max(workers, 1) {
		go func() {
			var first error
			for t := range next {
				if first == nil {
					if first = q.scan(ctx, st, q.filtered(dsn.SearchQuery{Type: t}), emit); first != nil {
						cancel()
					}
				}
			}
			errs <- first
		}()
	}
	for _, t := range types {
		if ctx.Err() != nil {
			break
		}
		next <- t
	}
	close(next)
	var first error
	for range max(workers, 1) {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// eachPatient emits the compartment of each patient of ids.
func (q Query) eachPatient(ctx context.Context, st dsn.Store, ids []string, emit func(dsn.Resource) error) error {
	for _, id := range ids {
		if err := q.compartment(ctx, st, id, emit); err != nil {
			return err
		}
	}
	return nil
}

// compartment emits the resources of one patient's compartment (the patient
// key of DESIGN.md §3), of q.Types if given.
func (q Query) compartment(ctx context.Context, st dsn.Store, patient string, emit func(dsn.Resource) error) error {
	return q.scan(ctx, st, q.filtered(dsn.SearchQuery{PatientKey: patient, Types: q.Types}), emit)
}

// filtered adds _since as a _lastUpdated clause.
func (q Query) filtered(sq dsn.SearchQuery) dsn.SearchQuery {
	if !q.Since.IsZero() {
		sq.Clauses = append(sq.Clauses, dsn.Clause{Param: "_lastUpdated", Type: dsn.ParamDate,
			Values: []dsn.Value{{Prefix: "ge", Low: q.Since, High: q.Since.Add(time.Microsecond)}}})
	}
	return sq
}

// scan pages through sq and emits what is not deleted, not before Since and
// not after Until.
func (q Query) scan(ctx context.Context, st dsn.Store, sq dsn.SearchQuery, emit func(dsn.Resource) error) error {
	sq.Count = pageSize
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := st.Search(ctx, sq)
		if err != nil {
			return err
		}
		for _, r := range page.Matches {
			if !q.keeps(r) {
				continue
			}
			if err := emit(r); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		sq.Cursor = page.Next
	}
}

// groupMembers reads Group/id and returns the ids of the Patients among its
// active members (Group.member.entity, local references "Patient/x" only),
// each once, in order.
func groupMembers(ctx context.Context, st dsn.Store, id string) ([]string, error) {
	r, err := st.Read(ctx, "Group", id)
	if err != nil {
		return nil, err
	}
	obj, err := fhir.Decode(r.Body)
	if err != nil {
		return nil, dsn.Wrap("bulk.Export", dsn.KindInternal, err)
	}
	var ids []string
	seen := map[string]bool{}
	members, _ := obj["member"].([]any)
	for _, m := range members {
		mm, _ := m.(map[string]any)
		if inactive, _ := mm["inactive"].(bool); inactive {
			continue
		}
		ent, _ := mm["entity"].(map[string]any)
		ref, _ := ent["reference"].(string)
		pid, ok := strings.CutPrefix(ref, "Patient/")
		if !ok || pid == "" || strings.Contains(pid, "/") || seen[pid] {
			continue
		}
		seen[pid] = true
		ids = append(ids, pid)
	}
	return ids, nil
}
