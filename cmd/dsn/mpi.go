package main

import (
	"context"
	"time"

	"dsn"
	"dsn/mpi"
	"dsn/repo"
)

// startMPI builds the in-memory MPI index that serves Patient/$match. The
// index is not persisted: the store is its durable source, so it is rebuilt
// from every current Patient at each start. m.store is wrapped first
// (repo.WithOnCommit) so that every later committed write — FHIR
// interactions, Bundle entries, the demo loader — keeps the index current;
// versions committed during the load are applied once (mpi.Live keeps the
// newest version per Patient).
func (m *Main) startMPI() error {
	matcher, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		return err
	}
	live := mpi.NewLive(matcher)
	m.store = repo.WithOnCommit(m.store, func(written []dsn.Resource) {
		if err := live.Apply(written); err != nil {
			m.log.Error("mpi index update", "err", err)
		}
	})
	start := time.Now()
	n, err := live.Load(context.Background(), m.store)
	if err != nil {
		return err
	}
	m.log.Info("mpi index loaded", "patients", n, "duration", time.Since(start).String())
	m.mpi = live
	return nil
}
