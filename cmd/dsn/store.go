package main

import (
	"context"

	"dsn"
)

// openStore opens the configured store and applies pending migrations.
// TEMPORARY: replaced by the sqlite/postgres wiring as soon as those adapters land.
func openStore(ctx context.Context, c StoreConfig) (dsn.Store, error) {
	return nil, dsn.Errorf("openStore", dsn.KindUnavailable, "no storage adapter built yet")
}
