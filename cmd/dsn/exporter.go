package main

import (
	"context"
	"fmt"

	"dsn"
	"dsn/bulk"
	"dsn/mpi/provincial"
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
