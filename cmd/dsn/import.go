package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"dsn"
	"dsn/bulk"
	"dsn/internal/language"
	"dsn/internal/language/words"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// importWords are what `dsn import` says, in French (the default) and in
// English (--lang en): the rejected records' OperationOutcomes in the
// error report, the progress line and these.
var importWords = map[string]words.Text{
	"usage":       {FR: "dsn import: PATH… attendu (fichiers .ndjson, .ndjson.gz, .json ou répertoires)", EN: "dsn import: PATH… expected (.ndjson, .ndjson.gz, .json files or directories)"},
	"lang":        {FR: "dsn import: --lang fr ou en, pas %q", EN: "dsn import: --lang fr or en, not %q"},
	"interrupted": {FR: "import interrompu après %d ressources; relancer la même commande reprend (état dans %s)", EN: "import interrupted after %d resources; running the same command again resumes it (state in %s)"},
	"summary":     {FR: "%d ressources: %d créées, %d mises à jour, %d inchangées, %d rejetées (%s)", EN: "%d resources: %d created, %d updated, %d unchanged, %d rejected (%s)"},
	"rejected":    {FR: "%d ressources rejetées sur %d; détails dans %s", EN: "%d resources rejected out of %d; details in %s"},
}

// runImport loads NDJSON files, Bundles and directories of them into the store
// (dsn import [--data DIR | --db URL] [--batch N] [--errors FILE] [--lang fr|en] PATH…).
// Exit status 1 with a one-line summary when a record was rejected.
// The CLI speaks French; --lang en makes the import speak English (its
// error report's OperationOutcomes, progress and summary), as $import
// follows its kick-off's Accept-Language.
func runImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("import", env)
	var sc StoreConfig
	sc.register(fs, env)
	batch := fs.Int("batch", 500, "resources per store transaction")
	errFile := fs.String("errors", "", "error report (NDJSON: file, line, outcome); default import-errors.ndjson in the current directory")
	state := fs.String("state", "", "checkpoint file for resumption (default <data>/import-state, or <errors>.state with --db)")
	deferIdx := fs.Bool("defer-indexes", true, "PostgreSQL: a large import into a small store builds the search indexes after its load (decision 0029)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the import to FILE")
	langFlag := fs.String("lang", string(cliLang(env)), "language of the error report's OperationOutcomes, the progress and the summary: fr or en")
	if err := parse(fs, args); err != nil {
		return err
	}
	l, ok := language.Parse(*langFlag)
	if !ok {
		fmt.Fprintf(env.Stderr, importWords["lang"].In(cliLang(env))+"\n", *langFlag)
		return errUsage
	}
	say := func(id string, args ...any) string { return fmt.Sprintf(importWords[id].In(l), args...) }
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
		fmt.Fprintln(env.Stderr, say("usage"))
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
	defer closeForExit(st)
	report, err := openReport(*errFile, *state)
	if err != nil {
		return err
	}
	defer report.Close()
	// Patients queue their link job with the import's own transactions; a
	// running server's linker picks them up (it polls), else the next start
	// or `dsn mpi link` does.
	o := bulk.ImportOptions{Service: repo.New(repo.Options{
		Store: provincial.Enqueue(st, provincial.EnqueueOptions{}), Managed: provincial.StripManaged}),
		Batch: *batch, Errors: report, State: *state, English: l == language.English,
		Progress: bulk.NewProgressPrinter(env.Stderr, isTerminal(env.Stderr), "import", l)}
	if ld, ok := st.(dsn.BulkLoader); ok && *deferIdx {
		o.Loader = ld
	}
	stats, err := bulk.Import(ctx, o, fs.Args())
	if err != nil {
		if ctx.Err() != nil {
			return errors.New(say("interrupted", stats.Records, *state))
		}
		if l == language.English && dsn.KindOf(err) != dsn.KindInternal {
			return errors.New(dsn.EnglishMessage(err)) // the one line in English (an internal cause shows as it is)
		}
		return err
	}
	fmt.Fprintln(env.Stdout, say("summary",
		stats.Records, stats.Created, stats.Updated, stats.Unchanged, stats.Rejected, typeCounts(stats.ByType)))
	if stats.Rejected > 0 {
		// the one line run prints: the message in the command's language
		return dsn.Errorf("import", dsn.KindInvalid, "%s", say("rejected", stats.Rejected, stats.Records, *errFile))
	}
	if fi, err := os.Stat(*errFile); err == nil && fi.Size() == 0 {
		os.Remove(*errFile) // an empty report would only confuse
	}
	return nil
}

// closeForExit closes st at the end of the command: the SQLite store leaves
// its writer's page cache (up to 256 MiB after an import) to the process's
// exit instead of freeing it page by page (sqlite.Store.CloseForExit,
// docs/decisions/0030-import-exit.md).
func closeForExit(st dsn.Store) error {
	if s, ok := st.(interface{ CloseForExit() error }); ok {
		return s.CloseForExit()
	}
	return st.Close()
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
