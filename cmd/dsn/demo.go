package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"

	"dsn"
	"dsn/bulk"
	"dsn/fhir"
	"dsn/internal/gcheadroom"
	"dsn/internal/language/words"
	"dsn/mpi"
	"dsn/repo"
	"dsn/synth"
)

// demoPatients is the default demo size: generated and loaded in well under a
// minute on a 2-core machine (see synth/README.md for the measure).
const demoPatients = 1000

// runDemo seeds an empty store with a generated synthetic population and serves
// it. On a store that already holds data it just serves.
func runDemo(ctx context.Context, args []string, env Env) error {
	fs := newFlags("demo", env)
	var cfg Config
	cfg.register(fs, env)
	patients := fs.Int("patients", demoPatients, "number of synthetic people to generate on an empty store")
	seed := fs.Uint64("seed", 1, "random seed of the synthetic population")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	gcheadroom.Start() // decision 0020, as dsn serve
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer m.Close()
	g := synth.New(synth.Options{Seed: *seed, Patients: *patients})
	l := cliLang(env)
	seeded, err := seedDemoIn(ctx, m.store, g, env.Stdout, l)
	if err != nil {
		return err
	}
	accounts := demoAccounts(g)
	if err := ensureDemoAccounts(ctx, m.auth, accounts); err != nil {
		return err
	}
	printDemoBanner(env.Stdout, l, m.Addr(), cfg.Store.Describe(), seeded, exampleNAM(g))
	storeFlag := ""
	if cfg.Store.DBURL != "" {
		storeFlag = "--db '" + cfg.Store.DBURL + "' "
	} else if cfg.Store.DataDir != "./dsn-data" {
		storeFlag = "--data " + cfg.Store.DataDir + " "
	}
	printDemoAccounts(ctx, env.Stdout, l, m.auth, accounts, m.Addr(), storeFlag)
	fmt.Fprintln(env.Stdout, say(env, "demo.stop"))
	return m.Run(ctx)
}

// seedDemo loads the generated population when the store holds no resource at
// all, and reports how many resources it wrote (0 when the store was not
// empty). People are generated on every core and streamed, as NDJSON lines,
// through the bulk import pipeline (bulk.ImportStream: batched writes with
// dsn.BulkTx.PutAll); the network goes first, since everyone refers to it.
func seedDemo(ctx context.Context, st dsn.Store, g *synth.Generator, progress io.Writer) (int, error) {
	return seedDemoIn(ctx, st, g, progress, words.French)
}

// seedDemoIn is seedDemo with its progress lines in l.
func seedDemoIn(ctx context.Context, st dsn.Store, g *synth.Generator, progress io.Writer, l words.Tag) (int, error) {
	page, err := st.History(ctx, dsn.HistoryQuery{Count: 1})
	if err != nil {
		return 0, err
	}
	if len(page.Entries) > 0 {
		return 0, nil
	}
	lines := make(chan []byte, 1024)
	var people atomic.Int64
	genErr := make(chan error, 1)
	gctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(lines)
		send := func(b []byte) error {
			select {
			case lines <- b:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		for _, r := range g.Network() {
			if err := send(fhir.Encode(r)); err != nil {
				genErr <- err
				return
			}
		}
		genErr <- g.EachParallel(runtime.GOMAXPROCS(0), func(p *synth.Person) error {
			for _, b := range p.Encoded() {
				if err := send(b); err != nil {
					return err
				}
			}
			people.Add(1)
			return nil
		})
	}()
	next := func() ([]byte, error) {
		if b, ok := <-lines; ok {
			return b, nil
		}
		return nil, io.EOF
	}
	var rejects bytes.Buffer
	stats, err := bulk.ImportStream(ctx, bulk.ImportOptions{Service: repo.New(repo.Options{Store: st}),
		Batch: 2000, Errors: &rejects, Progress: demoProgress(progress, l, g.Options().Patients)},
		"démo", int64(g.Options().Patients), next, people.Load)
	stop()
	for range lines { // let the generator see the stop
	}
	if err == nil {
		if gerr := <-genErr; gerr != nil && ctx.Err() == nil {
			err = gerr
		}
	}
	if err == nil && stats.Rejected > 0 {
		first, _, _ := bytes.Cut(rejects.Bytes(), []byte("\n"))
		err = refusal("demo.rejected", stats.Rejected, first)
	}
	return stats.Created + stats.Updated + stats.Unchanged, err
}

// demoProgress prints "génération et chargement : n/total usagers" at every
// tenth of the population and at the end.
func demoProgress(w io.Writer, l words.Tag, total int) func(bulk.Progress) {
	step, next := int64(max(total/10, 1)), int64(0)
	return func(p bulk.Progress) {
		done := p.Bytes
		if p.Final {
			done = int64(total)
		}
		if done >= next || p.Final {
			fmt.Fprintln(w, sayIn(l, "demo.progress", done, total, p.Records))
			next = done/step*step + step
		}
	}
}

// exampleNAM is a NAM of the generated population to show in the banner.
func exampleNAM(g *synth.Generator) string {
	for i := 0; i < g.Options().Patients; i++ {
		if p := g.Person(i); p.NAM != "" {
			return p.NAM
		}
	}
	return ""
}

func printDemoBanner(w io.Writer, l words.Tag, addr, store string, seeded int, nam string) {
	fmt.Fprintf(w, "%s\n\n", sayIn(l, "demo.title"))
	if seeded > 0 {
		fmt.Fprintln(w, sayIn(l, "demo.seeded", seeded, store))
	} else {
		fmt.Fprintln(w, sayIn(l, "demo.reused", store))
	}
	fmt.Fprintf(w, "  API FHIR R4 :  http://%s/fhir\n", addr)
	fmt.Fprintln(w, sayIn(l, "demo.health", addr))
	fmt.Fprintln(w, sayIn(l, "demo.discovery", addr))
	if nam != "" {
		fmt.Fprintf(w, "  %s      curl -H \"Authorization: Bearer $TOKEN\" 'http://%s/fhir/Patient?identifier=%s|%s'\n\n", sayIn(l, "demo.example"), addr, mpi.NAMSystem, nam)
	}
}
