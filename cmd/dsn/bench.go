package main

import (
	"context"

	"dsn"
)

// runBench — TEMPORARY until the load generator lands.
func runBench(ctx context.Context, args []string, env Env) error {
	return dsn.Errorf("bench", dsn.KindUnavailable, "not built yet")
}
