package main

import (
	"context"
	"fmt"

	"dsn"
	"dsn/bulk"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// startExporter starts the Bulk Data export jobs runner behind $export. Its
// jobs live in the store (migration 0005): the ones a previous run left
// unfinished begin again now. jobs is the store as opened (m.store may be
// wrapped by the MPI hook, which only wraps resource writes).
func (m *Main) startExporter(jobs dsn.Store) error {
	js, ok := jobs.(dsn.ExportJobs)
	if !ok {
		return fmt.Errorf("the store keeps no export jobs")
	}
	// golden records are derived data, left out as by dsn export (export.go)
	m.exporter = bulk.NewExporter(bulk.ExporterOptions{Store: provincial.WithoutGolden(m.store), Jobs: js, Log: m.log})
	return m.exporter.Start(context.Background())
}

// startImporter starts the runner of $import jobs. They write through
// m.store like `dsn import` (new registrations get their golden record, the
// linker is woken), and are kept in memory: a restart forgets them.
func (m *Main) startImporter() error {
	im, err := bulk.NewImporter(bulk.ImporterOptions{Log: m.log,
		Service: repo.New(repo.Options{Store: m.store, Managed: provincial.StripManaged})})
	if err != nil {
		return err
	}
	m.importer = im
	return nil
}
