package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"dsn/fhir"
	"dsn/synth"
)

// runSynth writes a synthetic population as NDJSON, one file per resource type,
// plus truth.ndjson (Patient record → person) for identity-matching work.
func runSynth(ctx context.Context, args []string, env Env) error {
	fs := newFlags("synth", env)
	o, ref := synthFlags(fs)
	out := fs.String("out", "./synth-out", "output directory")
	gz := fs.Bool("gzip", false, "write NDJSON.gz (dsn import reads it; ~18x smaller)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := applyRefDate(o, *ref); err != nil {
		return err
	}
	start := time.Now()
	n, err := writeSynth(ctx, synth.New(*o), *out, *gz)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, say(env, "synth.done", n, o.Patients, *out, time.Since(start).Seconds()))
	return nil
}

func synthFlags(fs interface {
	IntVar(*int, string, int, string)
	Uint64Var(*uint64, string, uint64, string)
	Float64Var(*float64, string, float64, string)
	BoolVar(*bool, string, bool, string)
	String(string, string, string) *string
}) (*synth.Options, *string) {
	o := &synth.Options{}
	fs.IntVar(&o.Patients, "patients", 1000, "number of people")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed (same seed, same output)")
	fs.Float64Var(&o.DuplicateRate, "dup-rate", 0.05, "share of people registered more than once (negative: none)")
	ref := fs.String("ref-date", "2026-11-01", "reference date of the population (YYYY-MM-DD)")
	fs.BoolVar(&o.RegistrationsOnly, "registrations-only", false, "Patient records only, no clinical history (identity benchmarks)")
	return o, ref
}

func applyRefDate(o *synth.Options, s string) error {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return refusal("synth.ref-date", s)
	}
	o.RefDate = t
	return nil
}

// writeSynth streams the population to dir; only one person is in memory at a time.
// With gz each resource file is NDJSON.gz at gzip.BestSpeed: the synthetic lines repeat so
// much that it is ~18x smaller than NDJSON (docs/benchmarks.md, session 7 —
// footprint), which is what makes a million people's input fit beside its store.
func writeSynth(ctx context.Context, g *synth.Generator, dir string, gz bool) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	files := map[string]*os.File{}
	zips := map[string]*gzip.Writer{}
	writers := map[string]*bufio.Writer{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	put := func(name string, line []byte) error {
		w, ok := writers[name]
		if !ok {
			// truth.ndjson stays plain: dsn import skips it by that name, and
			// identity tools read it as is.
			zip := gz && name != "truth"
			file := name + ".ndjson"
			if zip {
				file += ".gz"
			}
			f, err := os.Create(filepath.Join(dir, file))
			if err != nil {
				return err
			}
			files[name], w = f, bufio.NewWriterSize(f, 1<<16)
			if zip {
				zips[name], _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
				w = bufio.NewWriterSize(zips[name], 1<<16)
			}
			writers[name] = w
		}
		w.Write(line)
		return w.WriteByte('\n')
	}
	n := 0
	for _, r := range g.Network() {
		n++
		if err := put(fhir.ResourceType(r), fhir.Encode(r)); err != nil {
			return n, err
		}
	}
	err := g.EachParallel(runtime.GOMAXPROCS(0), func(p *synth.Person) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		enc := p.Encoded()
		for k, r := range p.Resources {
			n++
			if err := put(fhir.ResourceType(r), enc[k]); err != nil {
				return err
			}
		}
		for _, t := range p.Truth {
			line, _ := json.Marshal(t)
			if err := put("truth", line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	names := make([]string, 0, len(writers))
	for k := range writers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := writers[k].Flush(); err != nil {
			return n, err
		}
		if z := zips[k]; z != nil {
			if err := z.Close(); err != nil {
				return n, err
			}
		}
		if err := files[k].Close(); err != nil {
			return n, err
		}
	}
	return n, nil
}
