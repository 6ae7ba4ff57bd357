package main

import (
	"context"
	"fmt"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/search"
)

// runReindex rebuilds the search-index rows of the stored resources from their
// current versions (dsn reindex [--type T]), without writing versions: needed
// once after a migration that adds index tables (0002: composites,
// :of-type, :identifier, quantity ranges) on a store filled before it. It is
// safe while a server runs: a resource written meanwhile keeps its newer rows.
func runReindex(ctx context.Context, args []string, env Env) error {
	fs := newFlags("reindex", env)
	var sc StoreConfig
	sc.register(fs, env)
	typ := fs.String("type", "", "only this resource type (default: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *typ != "" && !fhir.IsResourceType(*typ) {
		return refusal("reindex.type", *typ)
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	defer st.Close()
	rx, ok := st.(dsn.Reindexer)
	if !ok {
		return refusal("reindex.unsupported", sc.Describe())
	}
	start := time.Now()
	last := start
	n, err := rx.Reindex(ctx, *typ, extractStored, func(n int) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			fmt.Fprintln(env.Stderr, say(env, "reindex.progress", n))
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, say(env, "reindex.done", n, time.Since(start).Round(time.Millisecond)))
	return nil
}

// extractStored extracts the index rows of a stored version (search.Extract).
func extractStored(r dsn.Resource) (dsn.Index, string, error) {
	obj, err := fhir.Decode(r.Body)
	if err != nil {
		return dsn.Index{}, "", err
	}
	return search.Extract(obj)
}
