package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/internal/language/words"
)

// openJournal starts the access journal of the server on st (mode: validated
// by Config.validate).
func openJournal(st dsn.Store, auth *access.Service, log *slog.Logger, mode string) *audit.Log {
	j, _ := st.(dsn.Journal)
	rs, _ := st.(dsn.Records)
	sync, _ := audit.ParseSyncMode(mode)
	return audit.Open(audit.Options{Journal: j, Records: rs, Signer: auth, Logger: log, Sync: sync})
}

// runAudit: dsn audit verify | dsn audit report.
func runAudit(ctx context.Context, args []string, env Env) error {
	if len(args) > 0 && args[0] == "report" {
		return runAuditReport(ctx, args[1:], env)
	}
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(env.Stderr, "usage: dsn audit verify | dsn audit report [--from DATE] [--to DATE] [--data DIR | --db URL]")
		return errUsage
	}
	fs := newFlags("audit verify", env)
	var sc StoreConfig
	sc.register(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	return withAccess(ctx, sc, func(st dsn.Store, svc *access.Service) error {
		start := time.Now()
		rep, err := audit.Verify(ctx, st.(dsn.Journal), st.(dsn.Records), svc)
		if err != nil {
			return err
		}
		if !rep.OK() {
			t := cliWords["audit.broken"]
			return &cliError{t: words.Text{FR: fmt.Sprintf(t.FR, rep.Broken, rep.Problem, rep.Entries),
				EN: fmt.Sprintf(t.EN, rep.Broken, rep.ProblemEN, rep.Entries)}}
		}
		el := time.Since(start)
		fmt.Fprintln(env.Stdout, say(env, "audit.intact", rep.Entries, rep.Checkpoints, el.Round(time.Millisecond), float64(rep.Entries)/max(el.Minutes(), 1e-9)))
		return nil
	})
}

// runAuditReport prints the access report of a period as JSON (the annual
// report of LRSSS s. 103 and the privacy officer's unusual patterns).
func runAuditReport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("audit report", env)
	var sc StoreConfig
	sc.register(fs, env)
	now := time.Now().UTC()
	fromS := fs.String("from", now.AddDate(-1, 0, 0).Format("2006-01-02"), "first day (YYYY-MM-DD)")
	toS := fs.String("to", now.AddDate(0, 0, 1).Format("2006-01-02"), "day after the last (YYYY-MM-DD)")
	if err := parse(fs, args); err != nil {
		return err
	}
	from, err1 := time.Parse("2006-01-02", *fromS)
	to, err2 := time.Parse("2006-01-02", *toS)
	if err1 != nil || err2 != nil || !from.Before(to) {
		return cliFail("audit", dsn.KindInvalid, "audit.period")
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := audit.Build(ctx, st.(dsn.Journal), from, to, patientFacts(st))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// patientFacts reads a patient's family names and whether the record is
// flagged (confidentiality V: a public figure's record) for the report.
func patientFacts(st dsn.Store) audit.PatientFacts {
	return func(ctx context.Context, id string) ([]string, bool) {
		r, err := st.Read(ctx, "Patient", id)
		if err != nil {
			return nil, false
		}
		var doc struct {
			Name []struct{ Family string }
			Meta struct {
				Security []struct{ System, Code string }
			}
		}
		if json.Unmarshal(r.Body, &doc) != nil {
			return nil, false
		}
		var fams []string
		for _, n := range doc.Name {
			if n.Family != "" {
				fams = append(fams, n.Family)
			}
		}
		flagged := false
		for _, s := range doc.Meta.Security {
			flagged = flagged || s.Code == "V"
		}
		return fams, flagged
	}
}
