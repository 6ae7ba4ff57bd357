package bulk

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"dsn"
	"dsn/fhir"
)

// ExportOptions configures Export. Store and Dir are required.
type ExportOptions struct {
	Store dsn.Store
	Dir   string    // output directory (created if needed)
	Types []string  // resource types to export (nil: every R4 type)
	Since time.Time // only resources last updated at or after Since (zero: all)
	// Request is recorded in the manifest (the command line, for a CLI export).
	Request  string
	Progress func(Progress)
	PageSize int // resources per Store.Search page (default 1000)
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

// Export writes the current, non-deleted version of every resource of the
// chosen types to Dir/<Type>.ndjson (one resource per line, as stored, meta
// included), then Dir/manifest.json. Types with no resource get no file.
func Export(ctx context.Context, o ExportOptions) (Manifest, error) {
	const op = "bulk.Export"
	if o.PageSize <= 0 {
		o.PageSize = 1000
	}
	types := o.Types
	if len(types) == 0 {
		types = fhir.ResourceTypes()
	}
	for _, t := range types {
		if !fhir.IsResourceType(t) {
			return Manifest{}, dsn.Errorf(op, dsn.KindInvalid, "type de ressource inconnu: %q", t)
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return Manifest{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	start := time.Now()
	m := Manifest{TransactionTime: dsn.FormatInstant(start.UTC()), Request: o.Request,
		Output: []ManifestOutput{}, Error: []ManifestOutput{}}
	total := 0
	for _, t := range types {
		n, err := exportType(ctx, o, t, func(k int) {
			if o.Progress != nil {
				o.Progress(Progress{File: t, Records: total + k, Elapsed: time.Since(start)})
			}
		})
		if err != nil {
			return m, err
		}
		total += n
		if n > 0 {
			m.Output = append(m.Output, ManifestOutput{Type: t, URL: t + ".ndjson", Count: n})
		}
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(o.Dir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return m, dsn.Wrap(op, dsn.KindInternal, err)
	}
	if o.Progress != nil {
		o.Progress(Progress{Records: total, Elapsed: time.Since(start), Final: true})
	}
	return m, nil
}

// exportType pages through the current resources of typ and writes them;
// the file is created only when there is something to write.
func exportType(ctx context.Context, o ExportOptions, typ string, progress func(int)) (int, error) {
	const op = "bulk.Export"
	var f *os.File
	var w *bufio.Writer
	n := 0
	q := dsn.SearchQuery{Type: typ, Count: o.PageSize}
	for {
		page, err := o.Store.Search(ctx, q)
		if err != nil {
			return n, err
		}
		for _, r := range page.Matches {
			if r.Deleted || r.LastUpdated.Before(o.Since) {
				continue
			}
			if f == nil {
				if f, err = os.Create(filepath.Join(o.Dir, typ+".ndjson")); err != nil {
					return n, dsn.Wrap(op, dsn.KindInternal, err)
				}
				defer f.Close()
				w = bufio.NewWriterSize(f, 1<<20)
			}
			w.Write(r.Body)
			w.WriteByte('\n')
			n++
		}
		if n > 0 {
			progress(n)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			return n, dsn.Wrap(op, dsn.KindInternal, err)
		}
		if err := f.Close(); err != nil {
			return n, dsn.Wrap(op, dsn.KindInternal, err)
		}
	}
	return n, nil
}
