package bulk

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
)

// dropEvery is a dsn.Filter that leaves out the Conditions whose id ends in
// "0" (as provincial.WithoutGolden leaves out golden records).
type dropEvery struct{ dsn.Store }

func (d dropEvery) keep(r dsn.Resource) bool {
	return !(r.Type == "Condition" && strings.HasSuffix(r.ID, "0"))
}

func (d dropEvery) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	res, err := d.Store.Search(ctx, q)
	res.Matches = slices.DeleteFunc(res.Matches, func(r dsn.Resource) bool { return !d.keep(r) })
	return res, err
}

func (d dropEvery) Unfilter() (dsn.Store, func(dsn.Resource) bool) { return d.Store, d.keep }

// A system-level export writes exactly the current, non-deleted resources
// the store holds, as stored (byte for byte), each once, on both databases:
// on PostgreSQL through key-range slices (tiny here, so that every type is
// cut into many, read by several workers), on SQLite page by page. Deleted
// resources and what a filtering wrapper refuses are left out.
func TestExportEqualsStore(t *testing.T) {
	defer func(n int) { sliceSize = n }(sliceSize)
	sliceSize = 7
	dir := copyFiles(t, "Patient.000.ndjson", "Condition.000.ndjson", "Organization.000.ndjson", "Encounter.000.ndjson")
	for name, open := range map[string]func(testing.TB) dsn.Store{"sqlite": openStore, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			importDir(t, st, ImportOptions{}, dir)
			_, ranges := dsn.AsRangeReader(dropEvery{st})
			if ranges != (name == "postgres") {
				t.Fatalf("range reader found: %v", ranges)
			}
			// delete every 5th Encounter
			svc := repo.New(repo.Options{Store: st})
			want := storedLines(t, dropEvery{st})
			deleted := 0
			for i, line := range want["Encounter"] {
				if i%5 == 0 {
					obj, _ := fhir.Decode([]byte(line))
					if _, err := svc.Delete(context.Background(), "Encounter", fhir.ID(obj), 0); err != nil {
						t.Fatal(err)
					}
					deleted++
				}
			}
			want = storedLines(t, dropEvery{st})
			if deleted == 0 || len(want["Encounter"]) == 0 || len(want["Condition"]) == 0 {
				t.Fatalf("test data: %d deleted, %d Encounters, %d Conditions", deleted, len(want["Encounter"]), len(want["Condition"]))
			}
			out := t.TempDir()
			if _, err := Export(context.Background(), ExportOptions{Store: dropEvery{st}, Dir: out}); err != nil {
				t.Fatal(err)
			}
			for typ, lines := range want {
				b, err := os.ReadFile(filepath.Join(out, typ+".ndjson"))
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
				slices.Sort(got)
				if !slices.Equal(got, lines) {
					t.Errorf("%s: %d lines exported, %d stored; the sets differ", typ, len(got), len(lines))
				}
			}
			files, _ := filepath.Glob(filepath.Join(out, "*.ndjson"))
			if len(files) != len(want) {
				t.Errorf("%d files for %d types", len(files), len(want))
			}
			// _type: only those types' extents are read
			m, err := Export(context.Background(), ExportOptions{Store: dropEvery{st}, Dir: t.TempDir(), Types: []string{"Patient", "Condition"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Output) != 2 || m.Output[0].Type != "Condition" || m.Output[0].Count != len(want["Condition"]) ||
				m.Output[1].Type != "Patient" || m.Output[1].Count != len(want["Patient"]) {
				t.Errorf("_type=Patient,Condition: manifest %+v; stored %d Conditions, %d Patients", m.Output, len(want["Condition"]), len(want["Patient"]))
			}
		})
	}
}

// storedLines reads every current resource of st page by page (Search),
// by type, the bodies sorted.
func storedLines(t *testing.T, st dsn.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	eachCurrent(t, st, fhir.ResourceTypes(), func(r dsn.Resource) {
		out[r.Type] = append(out[r.Type], string(r.Body))
	})
	for _, lines := range out {
		slices.Sort(lines)
	}
	return out
}
