package bulk

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// BenchmarkImportSynthea loads the synthea-bulk-10 sample (7,160 resources)
// into a fresh SQLite store per iteration; metric resources/s.
func BenchmarkImportSynthea(b *testing.B) {
	want := inputLines(b, synthea)
	if len(want) == 0 {
		b.Skip("sample data missing")
	}
	n := 0
	for b.Loop() {
		st := openStore(b)
		n += importDir(b, st, ImportOptions{}, synthea).Created
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkExportSynthea exports the loaded sample; metric resources/s.
func BenchmarkExportSynthea(b *testing.B) {
	st := openStore(b)
	importDir(b, st, ImportOptions{}, synthea)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		m, err := Export(context.Background(), ExportOptions{Store: st, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range m.Output {
			n += o.Count
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkImportDir loads the directory named by DSN_BULK_DIR (e.g. the
// output of `dsn synth --patients 1000`) into a fresh SQLite store per
// iteration (a fresh PostgreSQL schema with DSN_BULK_PG=1; DSN_BULK_BATCH
// sets ImportOptions.Batch); metric resources/s.
// Skipped without the variable.
func BenchmarkImportDir(b *testing.B) {
	dir := os.Getenv("DSN_BULK_DIR")
	if dir == "" {
		b.Skip("DSN_BULK_DIR not set")
	}
	batch, _ := strconv.Atoi(os.Getenv("DSN_BULK_BATCH"))
	n := 0
	for b.Loop() {
		st := openStore(b)
		if os.Getenv("DSN_BULK_PG") != "" {
			st = openPostgres(b)
		}
		n += importDir(b, st, ImportOptions{Batch: batch}, dir).Created
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "resources/s")
}
