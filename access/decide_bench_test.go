package access_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"dsn"
	"dsn/access"
	"dsn/repo"
)

// BenchmarkDecidePage measures the policy's cost for one search page of 20
// Observations of one patient, read by their family physician: each
// resource decided alone (Decide, as before DecideAll) and the page at once
// (DecideAll: the caller's and the patient's facts gathered once), and
// one read.
func BenchmarkDecidePage(b *testing.B) {
	ctx := context.Background()
	svc, st, _ := newService(b)
	r := repo.New(repo.Options{Store: st})
	put := func(typ, id, body string) {
		if _, err := r.Update(ctx, typ, id, []byte(body), 0); err != nil {
			b.Fatal(err)
		}
	}
	put("Patient", "p1", `{"resourceType":"Patient","id":"p1","generalPractitioner":[{"reference":"Practitioner/pr1"}]}`)
	for i := range 20 {
		put("Observation", fmt.Sprintf("o%d", i), fmt.Sprintf(`{"resourceType":"Observation","id":"o%d","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`, i))
	}
	res, err := st.Search(ctx, dsn.SearchQuery{Type: "Observation", Count: 20})
	if err != nil || len(res.Matches) != 20 {
		b.Fatalf("%d matches, %v", len(res.Matches), err)
	}
	u, err := svc.CreateUser(ctx, access.NewUser{Username: "dr", Role: access.RolePhysician, Establishment: "e", Practitioner: "pr1"})
	if err != nil {
		b.Fatal(err)
	}
	p := access.UserPrincipal(u, access.MustScopes("user/*.rs"), "")
	pol := access.NewPolicy(svc, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if d := pol.Decide(ctx, p, access.PermSearch, res.Matches[0]); !d.Allow {
		b.Fatalf("the family physician is refused: %+v", d)
	}
	b.Run("one-by-one", func(b *testing.B) {
		for b.Loop() {
			for _, m := range res.Matches {
				pol.Decide(ctx, p, access.PermSearch, m)
			}
		}
	})
	b.Run("read", func(b *testing.B) { // one resource: a read
		for b.Loop() {
			pol.Decide(ctx, p, access.PermRead, res.Matches[0])
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			pol.DecideAll(ctx, p, access.PermSearch, res.Matches, nil)
		}
	})
}
