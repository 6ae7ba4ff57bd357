package access_test

import (
	"context"
	"testing"

	"dsn"
	"dsn/access"
	"dsn/internal/cputime"
	"dsn/internal/pgtest"
)

// BenchmarkAuthenticate measures what every FHIR request pays to validate
// its bearer token once the token was verified (ECDSA) and cached: the
// cache look-up and the revocation check (change detection across
// processes included). docs/benchmarks.md, session 6.
func BenchmarkAuthenticate(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		svc, _, _ := newService(b)
		benchAuthenticate(b, svc)
	})
	b.Run("postgres", func(b *testing.B) {
		st := openPostgres(b, pgtest.Schema(b, "dsn_authbench"))
		benchAuthenticate(b, access.New(access.Options{Records: st}))
	})
}

func benchAuthenticate(b *testing.B, svc *access.Service) {
	ctx := context.Background()
	_, tok := signedIn(b, svc, "dr.bench", "app")
	if _, err := svc.Authenticate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cputime.Process()
	n := 0
	for b.Loop() {
		if _, err := svc.Authenticate(ctx, tok); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// the machine is shared: CPU time of this process, not wall time
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(n)/1e3, "cpu-µs/op")
}

// BenchmarkRevocationRowRead is the rejected alternative to the revocation
// signal (decision 0013): reading a generation row from SQLite on every
// request.
func BenchmarkRevocationRowRead(b *testing.B) {
	ctx := context.Background()
	_, st, _ := newService(b)
	st.PutRecord(ctx, dsn.Record{Kind: "bench", ID: "generation", Body: []byte(`{"n":1}`)})
	cpu0 := cputime.Process()
	n := 0
	for b.Loop() {
		if _, err := st.GetRecord(ctx, "bench", "generation"); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(n)/1e3, "cpu-µs/op")
}
