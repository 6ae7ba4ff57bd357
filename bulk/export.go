package bulk

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"dsn"
)

// ExportOptions configures Export. Store and Dir are required.
type ExportOptions struct {
	Store dsn.Store
	Dir   string    // output directory (created if needed)
	Types []string  // resource types to export (nil: every R4 type)
	Since time.Time // only resources last updated at or after Since (zero: all)
	// Level and GroupID choose the Patient or Group level (default: system).
	Level, GroupID string
	// Request is recorded in the manifest (the command line, for a CLI export).
	Request  string
	Progress func(Progress)
}

// Manifest is the export's manifest.json, shaped like the FHIR Bulk Data
// complete-status response (bulkdata export.html#response---complete-status);
// URLs are file names relative to the manifest, and count is the number of
// resources in the file.
type Manifest struct {
	TransactionTime     string           `json:"transactionTime"`
	Request             string           `json:"request"`
	RequiresAccessToken bool             `json:"requiresAccessToken"`
	Output              []ManifestOutput `json:"output"`
	Error               []ManifestOutput `json:"error"`
}

// ManifestOutput is one file of the manifest.
type ManifestOutput struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Count int    `json:"count"`
}

// ExportReaders is how many key-range slices a system-level export reads at
// once from a store that has a dsn.RangeReader (PostgreSQL).
var ExportReaders = runtime.GOMAXPROCS(0) + 1

// Export writes the current, non-deleted version of every resource the
// options select to Dir/<Type>.ndjson (one resource per line, as stored, meta
// included), then Dir/manifest.json. Types with no resource get no file.
// Resources updated after the export began are left out (they are for the
// next export with --since = this one's transactionTime).
func Export(ctx context.Context, o ExportOptions) (Manifest, error) {
	const op = "bulk.Export"
	start := time.Now().UTC()
	q := Query{Level: o.Level, GroupID: o.GroupID, Types: o.Types, Since: o.Since, Until: start}
	if err := q.Check(ctx, o.Store); err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return Manifest{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	m := Manifest{TransactionTime: dsn.FormatInstant(start), Request: o.Request,
		Output: []ManifestOutput{}, Error: []ManifestOutput{}}
	d := &dirSink{dir: o.Dir, files: map[string]*typeFile{}}
	defer d.close()
	var mu sync.Mutex // total and Progress, shared by the type workers
	total := 0
	emit := func(r dsn.Resource) error {
		if err := d.write(r); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		total++
		if o.Progress != nil && total%pageSize == 0 {
			o.Progress(Progress{File: r.Type, Records: total, Elapsed: time.Since(start)})
		}
		return nil
	}
	var err error
	rr, ranges := dsn.AsRangeReader(o.Store)
	switch {
	case (q.Level == "" || q.Level == LevelSystem) && ranges && q.Since.IsZero():
		err = q.eachTypeRanges(ctx, rr, ExportReaders, emit)
	case q.Level == "" || q.Level == LevelSystem:
		err = q.eachTypeParallel(ctx, o.Store, runtime.GOMAXPROCS(0), emit)
	default:
		err = q.each(ctx, o.Store, emit)
	}
	if err == nil {
		err = d.close()
	}
	if err != nil {
		return m, err
	}
	m.Output = d.outputs()
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(o.Dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return m, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if o.Progress != nil {
		o.Progress(Progress{Records: total, Elapsed: time.Since(start), Final: true})
	}
	return m, nil
}

// dirSink writes one NDJSON file per type, created at its first resource.
// Writers of different types may run at once (one type per goroutine).
type dirSink struct {
	dir   string
	mu    sync.Mutex // files
	files map[string]*typeFile
}

type typeFile struct {
	f *os.File
	w *bufio.Writer
	n int
}

func (d *dirSink) write(r dsn.Resource) error {
	d.mu.Lock()
	tf, ok := d.files[r.Type]
	if !ok {
		f, err := os.Create(filepath.Join(d.dir, r.Type+".ndjson"))
		if err != nil {
			d.mu.Unlock()
			return dsn.Wrap("bulk.Export", dsn.KindInternal, err)
		}
		tf = &typeFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}
		d.files[r.Type] = tf
	}
	d.mu.Unlock()
	tf.w.Write(r.Body)
	tf.n++
	return tf.w.WriteByte('\n')
}

// close flushes and closes every file (once); the first error is returned.
func (d *dirSink) close() error {
	var first error
	for _, tf := range d.files {
		if tf.f == nil {
			continue
		}
		if err := tf.w.Flush(); err != nil && first == nil {
			first = err
		}
		if err := tf.f.Close(); err != nil && first == nil {
			first = err
		}
		tf.f = nil
	}
	if first != nil {
		return dsn.Wrap("bulk.Export", dsn.KindInternal, first)
	}
	return nil
}

// outputs lists the files written, by type name.
func (d *dirSink) outputs() []ManifestOutput {
	out := []ManifestOutput{}
	for t, tf := range d.files {
		out = append(out, ManifestOutput{Type: t, URL: t + ".ndjson", Count: tf.n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}
