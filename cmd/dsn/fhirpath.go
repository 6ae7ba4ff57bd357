package main

import (
	"context"

	"dsn"
)

// runFHIRPath — TEMPORARY until the fhirpath engine lands.
func runFHIRPath(ctx context.Context, args []string, env Env) error {
	return dsn.Errorf("fhirpath", dsn.KindUnavailable, "not built yet")
}
