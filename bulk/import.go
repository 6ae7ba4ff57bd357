// Package bulk imports and exports FHIR resources in bulk, without HTTP:
// NDJSON files (FHIR Bulk Data, https://hl7.org/fhir/uv/bulkdata/) and Bundles
// in, one NDJSON file per resource type plus a manifest out. Imports go through
// repo.Service.Import (validation, index extraction, upsert by id).
package bulk

import (
	"context"
	"encoding/json"
	"io"
	"runtime"
	"sync"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
)

// ImportOptions configures Import. Service is required.
type ImportOptions struct {
	Service *repo.Service
	Batch   int       // resources per Store.Write (default 500)
	Errors  io.Writer // the error report, one NDJSON line per rejected record (nil: none)
	// State is the checkpoint file ("" disables resumption). It is removed once
	// every input is imported to its end.
	State    string
	Progress func(Progress) // called after each batch (nil: none)
}

// Stats counts what an import did.
type Stats struct {
	Records   int            // records read (resumed lines not counted)
	Created   int            // new resources
	Updated   int            // new versions of existing resources
	Unchanged int            // same content as the current version: nothing written
	Rejected  int            // records in the error report
	ByType    map[string]int // stored resources (created+updated+unchanged) per type
}

// Progress is where an import or export stands.
type Progress struct {
	File       string
	Records    int   // records done so far
	Bytes      int64 // input bytes read so far (all files)
	TotalBytes int64 // input bytes in all (0 for an export)
	Elapsed    time.Duration
	Final      bool
}

// ErrorRecord is one line of the error report (NDJSON): the record's file and
// line (1-based; for a Bundle, the entry number; 0 for the whole file) and the
// OperationOutcome saying why it was rejected.
type ErrorRecord struct {
	File    string      `json:"file"`
	Line    int         `json:"line"`
	Outcome fhir.Object `json:"outcome"`
}

// importer holds the state of one Import call.
type importer struct {
	o      ImportOptions
	ckpt   *checkpoint
	stats  Stats
	start  time.Time
	done   int64 // bytes of the files already finished
	total  int64
	report *json.Encoder
}

// record is one line (or Bundle entry) to import.
type record struct {
	line int
	data []byte
	obj  fhir.Object
}

// Import loads the files and directories of paths into o.Service. Rejected
// records go to the error report and the rest loads; the error returned is for
// what stops the whole import (I/O, cancellation, a failed commit). On
// cancellation the checkpoint holds the last committed line of each file.
func Import(ctx context.Context, o ImportOptions, paths []string) (Stats, error) {
	if o.Batch <= 0 {
		o.Batch = 500
	}
	files, err := listInputs(paths)
	if err != nil {
		return Stats{}, err
	}
	ckpt, err := loadCheckpoint(o.State)
	if err != nil {
		return Stats{}, err
	}
	im := &importer{o: o, ckpt: ckpt, start: time.Now(), stats: Stats{ByType: map[string]int{}}}
	if o.Errors != nil {
		im.report = json.NewEncoder(o.Errors)
	}
	for _, f := range files {
		im.total += f.Size
	}
	for _, f := range files {
		if err := im.file(ctx, f); err != nil {
			return im.stats, err
		}
		im.done += f.Size
	}
	im.progress("", 0, true)
	return im.stats, ckpt.remove()
}

// file imports one input, from its checkpoint on.
func (im *importer) file(ctx context.Context, f inputFile) error {
	st := im.ckpt.resumed(f)
	if st.Done {
		return nil
	}
	if f.Kind == "json" {
		return im.jsonFile(ctx, f)
	}
	br, cr, closer, err := openInput(f.Path)
	if err != nil {
		return dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
	}
	defer closer.Close()
	var batch []record
	line := 0
	for {
		data, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return dsn.Wrap("bulk.Import", dsn.KindInvalid, err)
		}
		line++
		if line <= st.Line || len(data) == 0 {
			continue
		}
		batch = append(batch, record{line: line, data: append([]byte(nil), data...)})
		if len(batch) >= im.o.Batch {
			if err := im.flush(ctx, f, batch, line, false); err != nil {
				return err
			}
			batch = batch[:0]
			im.progress(f.Path, cr.n, false)
		}
	}
	if err := im.flush(ctx, f, batch, line, true); err != nil {
		return err
	}
	im.progress(f.Path, cr.n, false)
	return nil
}

// flush decodes and imports batch, reports its rejects and records the
// checkpoint: every line up to last is then committed or reported.
func (im *importer) flush(ctx context.Context, f inputFile, batch []record, last int, done bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	decodeAll(batch)
	objs := make([]fhir.Object, 0, len(batch))
	idx := make([]int, 0, len(batch))
	var rejects []ErrorRecord
	for i, r := range batch {
		if r.obj == nil {
			rejects = append(rejects, im.reject(f, r.line, decodeErr(r.data)))
			continue
		}
		objs = append(objs, r.obj)
		idx = append(idx, i)
	}
	res, errs := im.o.Service.Import(ctx, objs)
	for j, err := range errs {
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the batch did not commit: resume will redo it
		}
		if err != nil {
			rejects = append(rejects, im.reject(f, batch[idx[j]].line, err))
			continue
		}
		im.count(objs[j], res[j])
	}
	if err := im.writeRejects(rejects); err != nil {
		return err
	}
	return im.ckpt.mark(f, last, done)
}

// decodeErr decodes data again to get its error (decodeAll keeps only objects).
func decodeErr(data []byte) error {
	_, err := fhir.Decode(data)
	return err
}

// decodeAll parses the records on GOMAXPROCS workers; a record that does not
// decode keeps a nil obj.
func decodeAll(batch []record) {
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(batch); i += n {
				batch[i].obj, _ = fhir.Decode(batch[i].data)
			}
		}()
	}
	wg.Wait()
}

func (im *importer) count(obj fhir.Object, r repo.ImportResult) {
	im.stats.Records++
	switch r {
	case repo.ImportCreated:
		im.stats.Created++
	case repo.ImportUpdated:
		im.stats.Updated++
	case repo.ImportUnchanged:
		im.stats.Unchanged++
	}
	im.stats.ByType[fhir.ResourceType(obj)]++
}

// reject counts a rejected record and builds its error-report line.
func (im *importer) reject(f inputFile, line int, err error) ErrorRecord {
	im.stats.Records++
	im.stats.Rejected++
	return ErrorRecord{File: f.Path, Line: line, Outcome: repo.OperationOutcome(err)}
}

func (im *importer) writeRejects(rs []ErrorRecord) error {
	if im.report == nil {
		return nil
	}
	for _, r := range rs {
		if err := im.report.Encode(r); err != nil {
			return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
		}
	}
	return nil
}

func (im *importer) progress(file string, fileBytes int64, final bool) {
	if im.o.Progress == nil {
		return
	}
	im.o.Progress(Progress{File: file, Records: im.stats.Records, Bytes: im.done + fileBytes,
		TotalBytes: im.total, Elapsed: time.Since(im.start), Final: final})
}
