package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
)

// openJournal starts the access journal of the server on st.
func openJournal(st dsn.Store, auth *access.Service, log *slog.Logger) *audit.Log {
	j, _ := st.(dsn.Journal)
	rs, _ := st.(dsn.Records)
	return audit.Open(audit.Options{Journal: j, Records: rs, Signer: auth, Logger: log})
}

// runAudit: dsn audit verify.
func runAudit(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(env.Stderr, "usage: dsn audit verify [--data DIR | --db URL]")
		return errUsage
	}
	fs := newFlags("audit verify", env)
	var sc StoreConfig
	sc.register(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := accessService(st, "")
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := audit.Verify(ctx, st.(dsn.Journal), st.(dsn.Records), svc)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return dsn.Errorf("audit", dsn.KindConflict, "journal NON INTÈGRE à l'entrée %d: %s (%d entrées vérifiées avant)", rep.Broken, rep.Problem, rep.Entries)
	}
	el := time.Since(start)
	fmt.Fprintf(env.Stdout, "journal intègre: %d entrées, %d points de contrôle signés vérifiés (%s, %.0f entrées/min)\n",
		rep.Entries, rep.Checkpoints, el.Round(time.Millisecond), float64(rep.Entries)/max(el.Minutes(), 1e-9))
	return nil
}
