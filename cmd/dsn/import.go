package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"dsn"
	"dsn/bulk"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// runImport loads NDJSON files, Bundles and directories of them into the store
// (dsn import [--data DIR | --db URL] [--batch N] [--errors FILE] PATH…).
// Exit status 1 with a one-line summary when a record was rejected.
func runImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("import", env)
	var sc StoreConfig
	sc.register(fs, env)
	batch := fs.Int("batch", 500, "resources per store transaction")
	errFile := fs.String("errors", "", "error report (NDJSON: file, line, outcome); default import-errors.ndjson in the current directory")
	state := fs.String("state", "", "checkpoint file for resumption (default <data>/import-state, or <errors>.state with --db)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the import to FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	// The import allocates a lot of short-lived garbage (decoded JSON, index
	// rows, encoded bodies) over a live heap of a few batches: collecting
	// at 4× the live heap instead of 2× halves the GC's share of the CPU
	// for a few hundred MB more memory.
	debug.SetGCPercent(400)
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(env.Stderr, "dsn import: PATH… attendu (fichiers .ndjson, .ndjson.gz, .json ou répertoires)")
		return errUsage
	}
	if *errFile == "" {
		*errFile = "import-errors.ndjson"
	}
	if *state == "" {
		*state = defaultState(sc, *errFile)
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	report, err := openReport(*errFile, *state)
	if err != nil {
		return err
	}
	defer report.Close()
	// Patients queue their link job with the import's own transactions; a
	// running server's linker picks them up (it polls), else the next start
	// or `dsn mpi link` does.
	stats, err := bulk.Import(ctx, bulk.ImportOptions{Service: repo.New(repo.Options{
		Store: provincial.Enqueue(st, provincial.EnqueueOptions{}), Managed: provincial.StripManaged}),
		Batch: *batch, Errors: report, State: *state,
		Progress: bulk.NewProgressPrinter(env.Stderr, isTerminal(env.Stderr), "import")}, fs.Args())
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("import interrompu après %d ressources; relancer la même commande reprend (état dans %s)", stats.Records, *state)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "%d ressources: %d créées, %d mises à jour, %d inchangées, %d rejetées (%s)\n",
		stats.Records, stats.Created, stats.Updated, stats.Unchanged, stats.Rejected, typeCounts(stats.ByType))
	if stats.Rejected > 0 {
		return dsn.Errorf("import", dsn.KindInvalid, "%d ressources rejetées sur %d; détails dans %s", stats.Rejected, stats.Records, *errFile)
	}
	if fi, err := os.Stat(*errFile); err == nil && fi.Size() == 0 {
		os.Remove(*errFile) // an empty report would only confuse
	}
	return nil
}

// defaultState places the checkpoint in the SQLite directory, or next to the
// error report for PostgreSQL.
func defaultState(sc StoreConfig, errFile string) string {
	if sc.DBURL == "" {
		return filepath.Join(sc.DataDir, "import-state")
	}
	return errFile + ".state"
}

// openReport opens the error report: appended to when resuming (a checkpoint
// exists, so the earlier rejects are already in it), else truncated.
func openReport(path, state string) (io.WriteCloser, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if _, err := os.Stat(state); err == nil {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, dsn.Wrap("import", dsn.KindInvalid, err)
	}
	return f, nil
}

// typeCounts formats "Patient 13, Encounter 1215" in type order.
func typeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// isTerminal tells whether w is a character device (a terminal), for the bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
