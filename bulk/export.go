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
	counted := func(typ string, n int) {
		mu.Lock()
		defer mu.Unlock()
		before := total
		total += n
		if o.Progress != nil && total/pageSize != before/pageSize {
			o.Progress(Progress{File: typ, Records: total, Elapsed: time.Since(start)})
		}
	}
	emit := func(r dsn.Resource) error {
		if err := d.write(r); err != nil {
			return err
		}
		counted(r.Type, 1)
		return nil
	}
	var err error
	rr, ranges := dsn.AsRangeReader(o.Store)
	switch {
	case (q.Level == "" || q.Level == LevelSystem) && ranges && q.Since.IsZero():
		err = q.eachTypeRanges(ctx, rr, ExportReaders, func(typ string, lines []byte, n int) error {
			if err := d.writeLines(typ, lines, n); err != nil {
				return err
			}
			counted(typ, n)
			return nil
		})
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

// file returns typ's file, created at its first resource.
func (d *dirSink) file(typ string) (*typeFile, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if tf, ok := d.files[typ]; ok {
		return tf, nil
	}
	f, err := os.Create(filepath.Join(d.dir, typ+".ndjson"))
	if err != nil {
		return nil, dsn.Wrap("bulk.Export", dsn.KindInternal, err)
	}
	tf := &typeFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	d.files[typ] = tf
	return tf, nil
}

// write appends one resource to its type's file.
func (d *dirSink) write(r dsn.Resource) error {
	tf, err := d.file(r.Type)
	if err != nil {
		return err
	}
	tf.n++
	tf.w.Write(r.Body)
	return tf.w.WriteByte('\n') // bufio keeps the first error
}

// writeLines appends n resources, already NDJSON lines, to typ's file.
func (d *dirSink) writeLines(typ string, lines []byte, n int) error {
	tf, err := d.file(typ)
	if err != nil {
		return err
	}
	tf.n += n
	if _, err := tf.w.Write(lines); err != nil {
		return dsn.Wrap("bulk.Export", dsn.KindInternal, err)
	}
	return nil
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
