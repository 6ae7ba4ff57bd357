package main

import (
	"context"
	"os"
	"time"

	"dsn"
	"dsn/mpi"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// startMPI builds the identity engine the server runs on:
//
//   - the in-memory MPI index (mpi.Live), not persisted: the store is its
//     durable source, so it is rebuilt from every current Patient at each
//     start. The raw store is wrapped first (repo.WithOnCommit) so that every
//     committed write keeps it current;
//   - the provincial record (provincial.Service), which writes golden
//     records through that hooked store;
//   - for every other writer (FHIR API, Bundles, the demo loader) m.store
//     becomes provincial.Enqueue(hooked): each Patient write queues a link
//     job in its own transaction and wakes the linker;
//   - the linker goroutine, which first links what a previous run left
//     queued (a crash between a commit and its link loses nothing).
func (m *Main) startMPI() error {
	matcher, err := loadMatcher(m.cfg.MPIConfig)
	if err != nil {
		return err
	}
	live := mpi.NewLive(matcher)
	hooked := repo.WithOnCommit(m.store, func(written []dsn.Resource) {
		if err := live.Apply(written); err != nil {
			m.log.Error("mpi index update", "err", err)
		}
	})
	start := time.Now()
	n, err := live.Load(context.Background(), hooked)
	if err != nil {
		return err
	}
	m.log.Info("mpi index loaded", "patients", n, "golden", live.Goldens(), "duration", time.Since(start).String())
	m.mpi = live
	m.records = provincial.New(provincial.Options{Store: hooked, Live: live, Logger: m.log})
	m.store = provincial.Enqueue(hooked, provincial.EnqueueOptions{Notify: m.records.Notify})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.records.Run(ctx)
	}()
	m.stopLinker = func() { cancel(); <-done }
	return nil
}

// loadMatcher reads the matching model: the file at path (mpi.ParseConfig),
// or the default model when path is "".
func loadMatcher(path string) (*mpi.Matcher, error) {
	cfg := mpi.DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, cliFail("mpi", dsn.KindInvalid, "mpi.model", path, err)
		}
		if cfg, err = mpi.ParseConfig(b); err != nil {
			return nil, dsn.Wrap("mpi "+path, dsn.KindInvalid, err)
		}
	}
	return mpi.NewMatcher(cfg)
}
