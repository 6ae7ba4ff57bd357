package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"dsn"
	"dsn/audit"
	"dsn/postgres"
)

// TestAuditSpoolPostgres: on PostgreSQL a server's journal entries wait in
// its spool (--audit-spool) until its mover runs; the command line beside it,
// on the same spool, sees them at once (a read of the journal moves first),
// `dsn audit verify` passes, and names an entry altered in the database
// afterwards (decision 0017).
func TestAuditSpoolPostgres(t *testing.T) {
	u, spool := pgSchema(t), t.TempDir()
	store := []string{"--db", u, "--audit-spool", spool}
	m, base, stop := runConfig(t, Config{Addr: "127.0.0.1:0", Store: StoreConfig{DBURL: u, AuditSpool: spool}})
	defer stop()
	if a := call(t, "GET", base+"/fhir/Patient", "", "Authorization", ""); a.status != 401 {
		t.Fatalf("no token: %d", a.status)
	}
	tok := systemToken(t, m)
	if a := call(t, "GET", base+"/fhir/Patient", "", "Authorization", "Bearer "+tok); a.status != 200 {
		t.Fatalf("search: %d %s", a.status, a.raw)
	}
	code, out, errOut := cli(t, "", append([]string{"user", "create", "--username", "dr.spool", "--role", "physician",
		"--establishment", "e", "--password-stdin"}, store...)...)
	if code != 0 {
		t.Fatalf("user create: %d %s %s", code, out, errOut)
	}
	if code, _, errOut = cli(t, "", append([]string{"token", "--user", "dr.spool", "--scope", "user/*.rs"}, store...)...); code != 0 {
		t.Fatalf("token: %d %s", code, errOut)
	}

	// a second process on the spool (as the CLI is) finds the server's
	// search, whether or not the server's mover ran yet
	st, err := postgres.OpenWith(context.Background(), u, postgres.Options{SpoolDir: spool, AuditLink: audit.Link})
	if err != nil {
		t.Fatal(err)
	}
	searches, err := st.SearchAudit(context.Background(), dsn.AuditQuery{Action: "search"})
	st.Close()
	if err != nil || len(searches) == 0 {
		t.Fatalf("the server's search is not in the journal (%v)", err)
	}
	code, out, errOut = cli(t, "", append([]string{"audit", "verify"}, store...)...)
	if code != 0 || !strings.Contains(out, "journal intègre") {
		t.Fatalf("audit verify: %d %s %s", code, out, errOut)
	}

	// the refusal's entry, altered in the database from outside, made a success
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var seq int64
	err = conn.QueryRow(context.Background(), `UPDATE audit_entry SET body = replace(body, '"status":401', '"status":200')
		WHERE seq = (SELECT min(seq) FROM audit_entry WHERE body LIKE '%"status":401%') RETURNING seq`).Scan(&seq)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut = cli(t, "", append([]string{"audit", "verify"}, store...)...)
	if code != 1 || !strings.Contains(errOut, fmt.Sprintf("l'entrée %d:", seq)) {
		t.Fatalf("tampered journal (entry %d): exit %d %s", seq, code, errOut)
	}
}
