// Package bulk imports and exports FHIR resources in bulk, without HTTP:
// NDJSON files (FHIR Bulk Data, https://hl7.org/fhir/uv/bulkdata/) and Bundles
// in, one NDJSON file per resource type plus a manifest out. Imports go through
// repo.Service.Import (validation, index extraction, upsert by id).
package bulk

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
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
	// Reject, if set, is also called with each rejected record ($import
	// writes them as OperationOutcomes).
	Reject func(ErrorRecord) error
	// State is the checkpoint file ("" disables resumption). It is removed once
	// every input is imported to its end.
	State    string
	Progress func(Progress) // called after each batch (nil: none)
	// Skip is a number of lines of each NDJSON input already imported (an
	// $import job resuming from the checkpoint it keeps in the store).
	Skip int
	// Committed, if set, is called after each batch is committed, with the
	// batch's rejected records: $import stores them and its checkpoint in
	// one transaction. An error stops the import.
	Committed func(Committed) error
	// English asks for the rejected records' OperationOutcomes in English
	// (where the error has it, repo.OperationOutcomeIn; a batch or
	// transaction Bundle's entries too): the language of the $import
	// kick-off, or `dsn import --lang en`. French by default.
	English bool
	// Loader, if set, is told the size of the import before it starts and
	// may build its secondary indexes after the load instead of during it
	// (dsn.BulkLoader, decision 0029); Import calls its end when it returns.
	Loader dsn.BulkLoader
}

// Committed tells where an import stands after a batch: every line of File
// up to Line is committed or in Rejects or an earlier batch's.
type Committed struct {
	File    string
	Line    int
	Done    bool // the file is done
	Rejects []ErrorRecord
	Stats   Stats // the import's counts so far
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
func Import(ctx context.Context, o ImportOptions, paths []string) (stats Stats, err error) {
	files, err := listInputs(paths)
	if err != nil {
		return Stats{}, err
	}
	im, err := newImporter(o)
	if err != nil {
		return Stats{}, err
	}
	for _, f := range files {
		im.total += f.Size
	}
	if o.Loader != nil {
		end, err := o.Loader.BeginLoad(ctx, im.estimate(files))
		if err != nil {
			return Stats{}, err
		}
		// The deferred indexes are built whatever happens, also after a
		// cancellation (Ctrl-C): the store is left with its whole schema.
		defer func() { err = errors.Join(err, end(context.WithoutCancel(ctx))) }()
	}
	for i := 0; i < len(files); {
		// A run of NDJSON inputs goes through one pipeline (lines), so the
		// store's writer does not wait at each file's end for the last batch's
		// commit and the next file's first preparation (16 files for the
		// synthetic population, many of them small).
		j := i
		for j < len(files) && files[j].Kind != "json" {
			j++
		}
		if j == i {
			j = i + 1
		}
		if err := im.inputs(ctx, files[i:j]); err != nil {
			return im.stats, err
		}
		i = j
	}
	im.progress("", 0, true)
	return im.stats, im.ckpt.remove()
}

// bytesPerResource is a generous size of one NDJSON line (the synthetic
// population's average is ~790 bytes), so that the estimate of an import's
// resources errs low: a store defers its indexes only for a large load.
const bytesPerResource = 1024

// estimate is about how many resources the files still to import hold (from
// their sizes; a gzip file counts its compressed bytes, so it errs low).
func (im *importer) estimate(files []inputFile) int {
	var n int64
	for _, f := range files {
		if !im.ckpt.resumed(f).Done {
			n += f.Size
		}
	}
	return int(n / bytesPerResource)
}

// newImporter fills o's defaults and loads the checkpoint of o.State.
func newImporter(o ImportOptions) (*importer, error) {
	if o.Batch <= 0 {
		o.Batch = 500
	}
	ckpt, err := loadCheckpoint(o.State)
	if err != nil {
		return nil, err
	}
	im := &importer{o: o, ckpt: ckpt, start: time.Now(), stats: Stats{ByType: map[string]int{}}}
	if o.Errors != nil {
		im.report = json.NewEncoder(o.Errors)
	}
	return im, nil
}

// inputs imports files (one .json file, or NDJSON inputs), each from its
// checkpoint on.
func (im *importer) inputs(ctx context.Context, files []inputFile) error {
	var todo []lineInput
	for _, f := range files {
		st := im.ckpt.resumed(f)
		switch {
		case st.Done:
			im.done += f.Size
		case f.Kind == "json":
			if err := im.jsonFile(ctx, f); err != nil {
				return err
			}
			im.done += f.Size
		default:
			todo = append(todo, lineInput{f, max(st.Line, im.o.Skip)})
		}
	}
	if len(todo) == 0 {
		return nil
	}
	return im.lines(ctx, todo, openFile)
}

// lineInput is an NDJSON input and the number of its lines already imported.
type lineInput struct {
	f    inputFile
	skip int
}

// lines imports the lines of the inputs, each after its skip, in order.
func (im *importer) lines(ctx context.Context, ins []lineInput, open func(inputFile) (lineSource, io.Closer, error)) error {
	// Two stages: a goroutine reads, decodes and prepares batch N+1 while
	// this one commits batch N, in input order (so the checkpoint is exact
	// and a repeated id ends with its last line's content). A batch holds
	// lines of one input; the stages go on from one input to the next
	// without draining (the synthetic population is 16 files, many small).
	//
	// And batch N+1 is handed to the store before batch N's commit has
	// returned (maxFlights), unless they write a resource in common: the store's writer runs N+1 while N's WAL fsync completes
	// (SQLite, decision 0005) or on a second connection (PostgreSQL),
	// instead of waiting for the import to come back. Results are taken in
	// input order, so the checkpoint and the error report stay exact; two batches naming the same resource are
	// written one after the other (the later one then finds its plan stale
	// and rereads inside its transaction, repo.CommitImport).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *pending, 1)
	go func() {
		defer close(ch)
		for _, in := range ins {
			if !im.produce(ctx, in.f, open, in.skip, ch) {
				return
			}
		}
	}()
	var err error
	var flights []*pending // handed to the store, results not yet taken, in order
	for p := range ch {
		if err == nil {
			err = p.err
		}
		if err == nil && overlapsAny(p, flights) {
			for _, q := range flights {
				if err == nil {
					err = im.take(ctx, q)
				} else {
					<-q.written
				}
			}
			flights = nil
		}
		if err == nil {
			im.hand(ctx, p)
			flights = append(flights, p)
			if len(flights) > maxFlights {
				err, flights = im.take(ctx, flights[0]), flights[1:]
			}
		}
		if err != nil {
			cancel() // the producer stops; drain what it already sent
		}
	}
	for _, q := range flights {
		if err != nil {
			<-q.written // not taken: a resumed import redoes it (idempotent)
		} else {
			err = im.take(ctx, q)
		}
	}
	return err
}

// maxFlights is how many batches stay handed to the store, their results
// not yet taken, when the next one is handed: the writer runs batch N+1
// while N's WAL fsync completes. Two were measured (session 10): no faster
// on either store at load 5–8, and 40–70 MB more RSS.
const maxFlights = 1

// overlapsAny tells whether p writes a resource that a batch of flights writes too.
func overlapsAny(p *pending, flights []*pending) bool {
	for _, q := range flights {
		if p.batch.Overlaps(q.batch) {
			return true
		}
	}
	return false
}

// pending is a batch read and prepared, waiting for its commit.
type pending struct {
	f       inputFile
	recs    []record
	objIdx  []int // the index in recs of each prepared object
	objs    []fhir.Object
	batch   *repo.ImportBatch
	rejects []ErrorRecord // records that did not decode
	last    int           // every line up to last is in this or an earlier batch
	done    bool          // the file's last batch
	bytes   int64         // input bytes read when the batch was cut
	err     error         // reading failed: stop the import

	written chan struct{} // closed when CommitImport returned (hand)
	ran     bool          // CommitImport ran (ctx was not cancelled first)
	res     []repo.ImportResult
	errs    []error
}

// lineSource gives the lines of one input, and how many input bytes it
// has read so far (for progress).
type lineSource interface {
	next() ([]byte, error) // io.EOF at the end
	read() int64
}

// fileLines reads a file (gunzipped if needed) line by line.
type fileLines struct {
	br *bufio.Reader
	cr *countingReader
}

func (f fileLines) next() ([]byte, error) { return readLine(f.br) }
func (f fileLines) read() int64           { return f.cr.n }

// openFile opens f as a lineSource.
func openFile(f inputFile) (lineSource, io.Closer, error) {
	br, cr, closer, err := openInput(f.Path)
	if err != nil {
		return nil, nil, err
	}
	return fileLines{br, cr}, closer, nil
}

// produce reads the input opened by open after line skip and sends its
// prepared batches on ch, the last one marked done. It returns false if it
// stopped early: on error (sent as a batch's err) or when ctx is cancelled.
func (im *importer) produce(ctx context.Context, f inputFile, open func(inputFile) (lineSource, io.Closer, error), skip int, ch chan<- *pending) bool {
	send := func(p *pending) bool {
		select {
		case ch <- p:
			return true
		case <-ctx.Done():
			return false
		}
	}
	src, closer, err := open(f)
	if err != nil {
		send(&pending{err: dsn.Wrap("bulk.Import", dsn.KindInvalid, err)})
		return false
	}
	defer closer.Close()
	var recs []record
	line := 0
	for {
		data, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			send(&pending{err: dsn.Wrap("bulk.Import", dsn.KindInvalid, err)})
			return false
		}
		line++
		if line <= skip || len(data) == 0 {
			continue
		}
		recs = append(recs, record{line: line, data: append([]byte(nil), data...)})
		if len(recs) >= im.o.Batch {
			p := im.prepare(ctx, f, recs, line, false)
			p.bytes = src.read()
			if !send(p) {
				return false
			}
			recs = nil
		}
	}
	p := im.prepare(ctx, f, recs, line, true)
	p.bytes = src.read()
	return send(p)
}

// prepare decodes recs and validates and indexes what decoded (no store access).
func (im *importer) prepare(ctx context.Context, f inputFile, recs []record, last int, done bool) *pending {
	decodeAll(recs)
	p := &pending{f: f, recs: recs, last: last, done: done}
	for i, r := range recs {
		if r.obj == nil {
			p.rejects = append(p.rejects, im.errorRecord(f, r.line, decodeErr(r.data)))
			continue
		}
		p.objs = append(p.objs, r.obj)
		p.objIdx = append(p.objIdx, i)
	}
	p.batch = im.o.Service.PrepareImport(ctx, p.objs)
	return p
}

// flush prepares and commits recs at once (Bundles and single resources).
func (im *importer) flush(ctx context.Context, f inputFile, recs []record, last int, done bool) error {
	return im.commit(ctx, im.prepare(ctx, f, recs, last, done))
}

// commit writes p, reports its rejects and records the checkpoint: every
// line up to p.last is then committed or reported.
func (im *importer) commit(ctx context.Context, p *pending) error {
	im.hand(ctx, p)
	return im.take(ctx, p)
}

// hand hands p to the store (CommitImport) on its own goroutine.
func (im *importer) hand(ctx context.Context, p *pending) {
	p.written = make(chan struct{})
	go func() {
		defer close(p.written)
		if ctx.Err() == nil {
			p.res, p.errs = im.o.Service.CommitImport(ctx, p.batch)
			p.ran = true
		}
	}()
}

// take waits for p's commit, reports its rejects and records the
// checkpoint: every line up to p.last is then committed or reported.
func (im *importer) take(ctx context.Context, p *pending) error {
	<-p.written
	if !p.ran {
		return ctx.Err() // cancelled before it was handed over: not written
	}
	rejects := p.rejects
	res, errs := p.res, p.errs
	for j, err := range errs {
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the batch did not commit: resume will redo it
		}
		if err != nil {
			rejects = append(rejects, im.errorRecord(p.f, p.recs[p.objIdx[j]].line, err))
			continue
		}
		im.count(p.objs[j], res[j])
	}
	im.stats.Records += len(rejects)
	im.stats.Rejected += len(rejects)
	if err := im.writeRejects(rejects); err != nil {
		return err
	}
	if err := im.ckpt.mark(p.f, p.last, p.done); err != nil {
		return err
	}
	if im.o.Committed != nil {
		if err := im.o.Committed(Committed{File: p.f.Path, Line: p.last, Done: p.done, Rejects: rejects, Stats: im.stats}); err != nil {
			return err
		}
	}
	im.progress(p.f.Path, p.bytes, false)
	if p.done {
		im.done += p.f.Size // the next file's progress starts after it
	}
	return nil
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

// errorRecord builds the error-report line of a rejected record, in the
// import's language.
func (im *importer) errorRecord(f inputFile, line int, err error) ErrorRecord {
	return ErrorRecord{File: f.Path, Line: line, Outcome: repo.OperationOutcomeIn(err, im.o.English)}
}

func (im *importer) writeRejects(rs []ErrorRecord) error {
	for _, r := range rs {
		if im.report != nil {
			if err := im.report.Encode(r); err != nil {
				return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
			}
		}
		if im.o.Reject != nil {
			if err := im.o.Reject(r); err != nil {
				return dsn.Wrap("bulk.Import", dsn.KindInternal, err)
			}
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
