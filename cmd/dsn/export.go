package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/bulk"
	"dsn/fhirapi"
	"dsn/internal/language/words"
	"dsn/mpi/provincial"
)

// runExport writes the current resources as one NDJSON file per type plus a
// Bulk Data style manifest.json (dsn export [--type T,…] [--since INSTANT]
// [--client ID] OUTDIR). With --client, it exports what that back-end client
// may see and journals each patient's record that left.
func runExport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("export", env)
	var sc StoreConfig
	sc.register(fs, env)
	types := fs.String("type", "", "comma-separated resource types (default: all)")
	since := fs.String("since", "", "only resources updated at or after this instant (RFC 3339)")
	client := fs.String("client", "", "export for this back-end client (client_id): the policy leaves out what it may not see, each patient's record is journaled")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the export to FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.Stderr, say(env, "export.outdir"))
		return errUsage
	}
	o := bulk.ExportOptions{Dir: fs.Arg(0), Request: "dsn export " + strings.Join(args, " "),
		Progress: bulk.NewProgressPrinter(env.Stderr, isTerminal(env.Stderr), "export", words.French)}
	if *types != "" {
		o.Types = strings.Split(*types, ",")
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return refusal("export.since", *since)
		}
		o.Since = t
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	o.Store = provincial.WithoutGolden(st) // derived: rebuilt by linking where it is imported
	if *client != "" {
		if ctx, o.Store, err = exportFor(ctx, st, o.Store, *client); err != nil {
			return err
		}
	}
	// LRSSS s. 103: a communication is journaled before any data leaves; no
	// journal, no export. The operator is whoever runs the command.
	j := audit.Open(audit.Options{Journal: st.(dsn.Journal)})
	defer j.Close()
	err = j.Record(ctx, audit.Entry{Time: time.Now().UTC(), Agent: "operator:" + envOr(env, "USER", "inconnu"), Role: "operator",
		Action: "export", Interaction: "export", Query: o.Request, Purpose: "HOPERAT"})
	if err != nil {
		return refusalOf(err, "journal.export")
	}
	m, err := bulk.Export(ctx, o)
	if err != nil {
		return err
	}
	if *client != "" {
		// one entry per patient whose resources left, for the client; without
		// them the files do not stay
		rec := fhirapi.Record{Time: time.Now().UTC(), Status: 200, Request: fhirapi.Request{Method: "GET", Path: "dsn export", Interaction: "export"}}
		entries := fhirapi.Entries(ctx, rec)
		for i := range entries {
			entries[i].Action, entries[i].Query = "export", o.Request
		}
		if err := j.Record(ctx, entries...); err != nil {
			removeExport(o.Dir, m)
			return refusalOf(err, "journal.export-gone")
		}
	}
	n := 0
	for _, out := range m.Output {
		n += out.Count
	}
	fmt.Fprintln(env.Stdout, say(env, "export.done", n, len(m.Output), o.Dir))
	return nil
}

// exportFor makes the export read as back-end client id: its registration's
// purpose of use and missions through the policy's guard (access/README.md),
// with a collector of what left for the journal.
func exportFor(ctx context.Context, raw, st dsn.Store, id string) (context.Context, dsn.Store, error) {
	svc, err := accessService(raw, "")
	if err != nil {
		return ctx, st, err
	}
	c, err := svc.Client(ctx, id)
	if err != nil {
		return ctx, st, refusal("export.client", id)
	}
	ctx = access.WithPrincipal(ctx, access.ClientPrincipal(c, access.MustScopes(c.Scope)))
	ctx, _ = access.WithDisclosures(ctx)
	pol := access.NewPolicy(svc, raw, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return ctx, access.NewGuard(st, pol), nil
}

// removeExport deletes the files of an export whose journal failed.
func removeExport(dir string, m bulk.Manifest) {
	for _, out := range m.Output {
		os.Remove(filepath.Join(dir, out.URL))
	}
	os.Remove(filepath.Join(dir, "manifest.json"))
}
