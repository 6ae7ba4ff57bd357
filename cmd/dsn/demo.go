package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"

	"dsn"
	"dsn/repo"
)

// demoSeed is a transaction Bundle of synthetic Québec data: the two CIUSSS of the
// first region, some of their real installations, practitioners and a few patients
// with valid NAM and some clinical history. Every resource is tagged
// "DÉMO – données fictives". The synthetic-population issue replaces it with a
// generated population of thousands.
//
//go:embed demo-seed.json
var demoSeed []byte

// runDemo seeds an empty store with the demo data and serves it. On a store that
// already holds data it just serves.
func runDemo(ctx context.Context, args []string, env Env) error {
	fs := newFlags("demo", env)
	var cfg Config
	cfg.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer m.Close()
	seeded, err := seedDemo(ctx, m.store)
	if err != nil {
		return err
	}
	printDemoBanner(env.Stdout, m.Addr(), cfg.Store.Describe(), seeded)
	return m.Run(ctx)
}

// seedDemo loads the demo Bundle when the store holds no resource at all, and
// reports how many resources it wrote (0 when the store was not empty).
func seedDemo(ctx context.Context, st dsn.Store) (int, error) {
	page, err := st.History(ctx, dsn.HistoryQuery{Count: 1})
	if err != nil {
		return 0, err
	}
	if len(page.Entries) > 0 {
		return 0, nil
	}
	resp, err := repo.New(repo.Options{Store: st}).Bundle(ctx, "", demoSeed, false)
	if err != nil {
		return 0, fmt.Errorf("loading the demo data: %w", err)
	}
	entries, _ := resp["entry"].([]any)
	return len(entries), nil
}

func printDemoBanner(w io.Writer, addr, store string, seeded int) {
	fmt.Fprintf(w, "DSN — Dossier santé numérique · DÉMO – données fictives\n\n")
	if seeded > 0 {
		fmt.Fprintf(w, "  Données de démonstration chargées : %d ressources (%s)\n", seeded, store)
	} else {
		fmt.Fprintf(w, "  Magasin existant réutilisé (%s)\n", store)
	}
	fmt.Fprintf(w, "  API FHIR R4 :  http://%s/fhir\n", addr)
	fmt.Fprintf(w, "  Santé :        http://%s/healthz\n", addr)
	fmt.Fprintf(w, "  Exemple :      curl 'http://%s/fhir/Patient?identifier=TREP65030512'\n\n", addr)
	fmt.Fprintf(w, "  Comptes de démonstration : aucun pour l'instant — tant que le contrôle d'accès\n")
	fmt.Fprintf(w, "  n'est pas livré, le serveur n'écoute que sur la boucle locale et accepte ses appels.\n")
	fmt.Fprintf(w, "  Ctrl-C pour arrêter.\n")
}
