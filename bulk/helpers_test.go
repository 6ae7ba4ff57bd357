package bulk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
	"dsn/sqlite"
)

const synthea = "/work/shared/data/synthea-bulk-10"

// openStore opens a real SQLite store in a temporary directory.
func openStore(t testing.TB) dsn.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// copyFiles copies the named synthea files into a new temporary directory.
func copyFiles(t testing.TB, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(synthea, n))
		if err != nil {
			t.Skipf("sample data missing: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// inputLines counts the non-empty lines per resource type of an NDJSON
// directory (the type read from each file's name, Type.000.ndjson).
func inputLines(t testing.TB, dir string) map[string]int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	out := map[string]int{}
	for _, f := range files {
		if filepath.Base(f) == "log.ndjson" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		typ := strings.SplitN(filepath.Base(f), ".", 2)[0]
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				out[typ]++
			}
		}
	}
	return out
}

// snapshot reads every current resource of types, keyed Type/id, encoded
// without meta.versionId and meta.lastUpdated (content only).
func snapshot(t testing.TB, st dsn.Store, types []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	eachCurrent(t, st, types, func(r dsn.Resource) {
		obj, err := fhir.Decode(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := obj["meta"].(map[string]any); ok {
			delete(m, "versionId")
			delete(m, "lastUpdated")
		}
		out[r.Type+"/"+r.ID] = string(fhir.Encode(obj))
	})
	return out
}

// eachCurrent calls fn with every current resource of types, type by type,
// paging through Store.Search.
func eachCurrent(t testing.TB, st dsn.Store, types []string, fn func(dsn.Resource)) {
	t.Helper()
	for _, typ := range types {
		q := dsn.SearchQuery{Type: typ, Count: 1000}
		for {
			page, err := st.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Matches {
				fn(r)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
}

// versions is the number of versions in the whole store.
func versions(t testing.TB, st dsn.Store) int {
	t.Helper()
	p, err := st.History(context.Background(), dsn.HistoryQuery{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func importDir(t testing.TB, st dsn.Store, o ImportOptions, paths ...string) Stats {
	t.Helper()
	o.Service = repo.New(repo.Options{Store: st})
	stats, err := Import(context.Background(), o, paths)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return stats
}

func sameSnapshots(t testing.TB, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d resources against %d", len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%s differs:\n%s\n%s", k, v, b[k])
		}
	}
}

var time2100 = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
