package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"dsn"
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
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer m.Close()
	g := synth.New(synth.Options{Seed: *seed, Patients: *patients})
	seeded, err := seedDemo(ctx, m.store, g, env.Stdout)
	if err != nil {
		return err
	}
	accounts := demoAccounts(g)
	if err := ensureDemoAccounts(ctx, m.auth, accounts); err != nil {
		return err
	}
	printDemoBanner(env.Stdout, m.Addr(), cfg.Store.Describe(), seeded, exampleNAM(g))
	storeFlag := ""
	if cfg.Store.DBURL != "" {
		storeFlag = "--db '" + cfg.Store.DBURL + "' "
	} else if cfg.Store.DataDir != "./dsn-data" {
		storeFlag = "--data " + cfg.Store.DataDir + " "
	}
	printDemoAccounts(ctx, env.Stdout, m.auth, accounts, m.Addr(), storeFlag)
	fmt.Fprintf(env.Stdout, "  Ctrl-C pour arrêter.\n")
	return m.Run(ctx)
}

// seedDemo loads the generated population when the store holds no resource at
// all, and reports how many resources it wrote (0 when the store was not
// empty). The network goes first (everyone refers to it), then one transaction
// Bundle per person from a few workers: the store group-commits them.
func seedDemo(ctx context.Context, st dsn.Store, g *synth.Generator, progress io.Writer) (int, error) {
	page, err := st.History(ctx, dsn.HistoryQuery{Count: 1})
	if err != nil {
		return 0, err
	}
	if len(page.Entries) > 0 {
		return 0, nil
	}
	svc := repo.New(repo.Options{Store: st})
	net := g.Network()
	if _, err := svc.Bundle(ctx, "", synth.TransactionBundle(net), false); err != nil {
		return 0, fmt.Errorf("loading the demo network: %w", err)
	}
	total := g.Options().Patients
	var written, done atomic.Int64
	written.Add(int64(len(net)))
	jobs := make(chan int)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				p := g.Person(i)
				if _, err := svc.Bundle(ctx, "", synth.TransactionBundle(p.Resources), false); err != nil {
					select {
					case errs <- fmt.Errorf("loading demo person %s: %w", p.ID, err):
					default:
					}
					continue
				}
				written.Add(int64(len(p.Resources)))
				if d := done.Add(1); d%int64(max(total/10, 1)) == 0 || int(d) == total {
					fmt.Fprintf(progress, "  génération et chargement : %d/%d usagers\n", d, total)
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		select {
		case jobs <- i:
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return int(written.Load()), err
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return int(written.Load()), err
	default:
	}
	return int(written.Load()), nil
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

func printDemoBanner(w io.Writer, addr, store string, seeded int, nam string) {
	fmt.Fprintf(w, "DSN — Dossier santé numérique · DÉMO – données fictives\n\n")
	if seeded > 0 {
		fmt.Fprintf(w, "  Population synthétique chargée : %d ressources (%s)\n", seeded, store)
	} else {
		fmt.Fprintf(w, "  Magasin existant réutilisé (%s)\n", store)
	}
	fmt.Fprintf(w, "  API FHIR R4 :  http://%s/fhir\n", addr)
	fmt.Fprintf(w, "  Santé :        http://%s/healthz\n", addr)
	fmt.Fprintf(w, "  Découverte :   http://%s/fhir/.well-known/smart-configuration\n", addr)
	if nam != "" {
		fmt.Fprintf(w, "  Exemple :      curl -H \"Authorization: Bearer $TOKEN\" 'http://%s/fhir/Patient?identifier=%s|%s'\n\n", addr, mpi.NAMSystem, nam)
	}
}
