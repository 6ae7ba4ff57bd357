package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"dsn"
	"dsn/internal/language/words"
	"dsn/mpi"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// runMPI: dsn mpi report|link [--data DIR | --db URL] …
//
//	report [--threshold probable|certain|BITS] [--out FILE]: the duplicate
//	  report over the whole index, one NDJSON line per pair of registrations
//	  in different golden records (best first), with scores and the French
//	  explanation field by field; a summary on stderr.
//	link [--all]: links every registration still queued (after `dsn import`
//	  with no server running), then exits; --all queues every registration
//	  again first (after adopting a new model).
//	config: prints the matching model in JSON (the default, or --config's),
//	  the file an archivist edits and passes to serve --mpi-config.
//
// --config FILE scores with that model instead of the built-in one: a report
// with a candidate model shows which pairs it would link or send to review.
func runMPI(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || (args[0] != "report" && args[0] != "link" && args[0] != "config") {
		fmt.Fprintln(env.Stderr, say(env, "mpi.usage"))
		return errUsage
	}
	fs := newFlags("mpi "+args[0], env)
	var sc StoreConfig
	sc.register(fs, env)
	threshold := fs.String("threshold", "probable", "report: probable, certain or a number of bits")
	out := fs.String("out", "", "report: output file (default stdout)")
	model := fs.String("config", env.Getenv("DSN_MPI_CONFIG"), "matching model (JSON); default: the built-in model")
	all := fs.Bool("all", false, "link: queue every registration again first (after a model change)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	matcher, err := loadMatcher(*model)
	if err != nil {
		return err
	}
	if args[0] == "config" {
		_, err := env.Stdout.Write(append(matcher.Config().JSON(), '\n'))
		return err
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	live := mpi.NewLive(matcher)
	hooked := repo.WithOnCommit(st, func(rs []dsn.Resource) { live.Apply(rs) }) // the linker's links reach the index
	start := time.Now()
	if _, err := live.Load(ctx, hooked); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := provincial.New(provincial.Options{Store: hooked, Live: live, Logger: log})
	fmt.Fprintln(env.Stderr, say(env, "mpi.loaded", live.Len(), live.Goldens(), time.Since(start).Round(time.Millisecond)))
	if args[0] == "link" {
		if *all {
			n, err := svc.RequeueAll(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stderr, say(env, "mpi.requeued", n))
		}
		start = time.Now()
		n, err := svc.Drain(ctx)
		fmt.Fprintln(env.Stdout, say(env, "mpi.linked", n, time.Since(start).Round(time.Millisecond)))
		return err
	}
	bits, err := parseThreshold(*threshold, matcher.Config())
	if err != nil {
		return err
	}
	w := env.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return dsn.Wrap("mpi report", dsn.KindInvalid, err)
		}
		defer f.Close()
		w = f
	}
	start = time.Now()
	dups, n, err := svc.Duplicates(ctx, bits, 0)
	if err != nil {
		return err
	}
	if err := writeReport(w, dups); err != nil {
		return err
	}
	fmt.Fprintln(env.Stderr, say(env, "mpi.pairs", n, bits, time.Since(start).Round(time.Millisecond)))
	return nil
}

func parseThreshold(s string, cfg *mpi.Config) (float64, error) {
	switch s {
	case "probable":
		return cfg.Probable, nil
	case "certain":
		return cfg.Certain, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, cliFail("mpi report", dsn.KindInvalid, "mpi.threshold", s)
	}
	return f, nil
}

// reportLine is one pair of the duplicate report.
type reportLine struct {
	A           string   `json:"a"`
	B           string   `json:"b"`
	GoldenA     string   `json:"goldenA,omitempty"`
	GoldenB     string   `json:"goldenB,omitempty"`
	Score       float64  `json:"score"`
	Total       float64  `json:"total"`
	Grade       string   `json:"grade"`
	Rules       []string `json:"rules,omitempty"`
	Explanation []string `json:"explanation"`
}

// french is the French of each text (the report is French, as the CLI).
func french(ts []words.Text) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.FR)
	}
	return out
}

func writeReport(w io.Writer, dups []provincial.Duplicate) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, d := range dups {
		line := reportLine{A: "Patient/" + d.A, B: "Patient/" + d.B, Score: d.Score,
			Total: float64(int(d.Result.Total*10)) / 10, Grade: mpi.FHIRGrade(d.Result), Rules: french(d.Result.Rules),
			Explanation: strings.Split(mpi.Explain(d.Result), "\n")}
		if d.GoldenA != "" {
			line.GoldenA = "Patient/" + d.GoldenA
		}
		if d.GoldenB != "" {
			line.GoldenB = "Patient/" + d.GoldenB
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
