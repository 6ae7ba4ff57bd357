package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"dsn"
	"dsn/audit"
	"dsn/bulk"
	"dsn/mpi/provincial"
)

// runExport writes the current resources as one NDJSON file per type plus a
// Bulk Data style manifest.json (dsn export [--type T,…] [--since INSTANT] OUTDIR).
func runExport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("export", env)
	var sc StoreConfig
	sc.register(fs, env)
	types := fs.String("type", "", "comma-separated resource types (default: all)")
	since := fs.String("since", "", "only resources updated at or after this instant (RFC 3339)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, "dsn export: un répertoire de sortie OUTDIR attendu")
		return errUsage
	}
	o := bulk.ExportOptions{Dir: fs.Arg(0), Request: "dsn export " + strings.Join(args, " "),
		Progress: bulk.NewProgressPrinter(env.Stderr, isTerminal(env.Stderr), "export")}
	if *types != "" {
		o.Types = strings.Split(*types, ",")
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return fmt.Errorf("--since %q: instant RFC 3339 attendu (2026-01-02T15:04:05Z)", *since)
		}
		o.Since = t
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	// LRSSS s. 103: a communication is journaled before any data leaves; no
	// journal, no export. The operator is whoever runs the command.
	j := audit.Open(audit.Options{Journal: st.(dsn.Journal)})
	err = j.Record(ctx, audit.Entry{Time: time.Now().UTC(), Agent: "operator:" + envOr(env, "USER", "inconnu"), Role: "operator",
		Action: "export", Interaction: "export", Query: o.Request, Purpose: "HOPERAT"})
	j.Close()
	if err != nil {
		return fmt.Errorf("journal des accès indisponible, export refusé: %w", err)
	}
	o.Store = provincial.WithoutGolden(st) // derived: rebuilt by linking where it is imported
	m, err := bulk.Export(ctx, o)
	if err != nil {
		return err
	}
	n := 0
	for _, out := range m.Output {
		n += out.Count
	}
	fmt.Fprintf(env.Stdout, "%d ressources en %d fichiers dans %s (manifest.json)\n", n, len(m.Output), o.Dir)
	return nil
}
