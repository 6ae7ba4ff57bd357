package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dsn/sqlite"
)

// dsn reindex rebuilds rows missing from a store filled before migration
// 0002: here the :of-type rows of a Patient, deleted by hand, come back.
func TestReindexCommand(t *testing.T) {
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "Patient.ndjson"), []byte(
		`{"resourceType":"Patient","id":"p1","identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"urn:mr","value":"42"}]}`+"\n"+
			`{"resourceType":"Patient","id":"p2","gender":"male"}`+"\n"), 0o644)
	data := t.TempDir()
	if code, out, errs := runCmd(t, "import", "--data", data, "--errors", filepath.Join(t.TempDir(), "e.ndjson"), in); code != 0 {
		t.Fatalf("import: %d %q %q", code, out, errs)
	}
	rows := func() int {
		t.Helper()
		db, err := sql.Open("sqlite", filepath.Join(data, sqlite.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow("SELECT count(*) FROM idx_identifier_type WHERE value = '42'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// p1 and its provincial (golden) record, which carries its identifiers
	before := rows()
	if before < 1 {
		t.Fatal("import did not write the :of-type row")
	}
	db, _ := sql.Open("sqlite", filepath.Join(data, sqlite.FileName))
	if _, err := db.ExecContext(context.Background(), "DELETE FROM idx_identifier_type"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// 4: p1, p2 and the provincial record the MPI made for each
	code, out, errs := runCmd(t, "reindex", "--data", data)
	if code != 0 || !strings.Contains(out, "4 ressources réindexées") || rows() != before {
		t.Fatalf("reindex: %d %q %q, rows %d", code, out, errs, rows())
	}
	if code, _, errs := runCmd(t, "reindex", "--data", data, "--type", "Nope"); code != 1 || !strings.Contains(errs, "Nope") {
		t.Fatalf("reindex --type Nope: %d %q", code, errs)
	}
}
