package bulk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"dsn"
	"dsn/repo"
)

// The states of an ImportJob (the same words as an export's).
const (
	ImportAccepted  = "accepted"
	ImportRunning   = "in-progress"
	ImportCompleted = "completed"
	ImportFailed    = "failed"
)

// ImporterOptions configures an Importer. Service is required.
type ImporterOptions struct {
	Service *repo.Service
	// Fetch opens an input named by URL (default FetchLoopback).
	Fetch func(ctx context.Context, url string) (io.ReadCloser, error)
	Clock dsn.Clock    // default dsn.SystemClock
	IDs   dsn.IDSource // default dsn.RandomIDs
	Log   *slog.Logger // default slog.Default()
	Batch int          // resources per store transaction (default 500)
	// MaxInput is the largest input accepted, in bytes (default 1 GiB);
	// a larger upload or download fails that input.
	MaxInput int64
	Keep     time.Duration // how long finished jobs are kept (default 24 h)
}

// ImportInput is one NDJSON input of an $import kick-off: named by URL
// (fetched by the job) or uploaded (Body, already staged by Stage).
type ImportInput struct {
	Type string // the type the manifest declares ("" if none)
	URL  string // the input's URL, or "upload" for a body sent with the kick-off
	path string // the staged file (uploads), "" until fetched
}

// ImportJob is one $import job, kept in memory: a restart of the server
// forgets it (what it committed stays, and running the same kick-off again
// is harmless: the import is idempotent).
type ImportJob struct {
	ID              string
	Status          string
	Request         string
	TransactionTime time.Time // when the job began writing
	Created         time.Time
	Updated         time.Time
	Done            int    // records done so far (all inputs)
	Error           string // why it failed (ImportFailed)
	Inputs          []ImportInputResult
}

// ImportInputResult is what became of one input.
type ImportInputResult struct {
	Type  string
	URL   string
	Stats Stats
	// Error says why the input could not be read at all (fetch refused or
	// failed, too large); its records are then not imported.
	Error string
	// ErrorLines counts the OperationOutcomes of the input's error file: one
	// per rejected record, and one for Error.
	ErrorLines int
}

// Importer runs FHIR Bulk Data import jobs ($import) in the background, one
// at a time (they share the store's single writer): each input is staged in
// a private directory, then loaded by Import like `dsn import` (validation,
// index rows, idempotence, golden records), its rejected records written to
// an error file of OperationOutcomes.
type Importer struct {
	o   ImporterOptions
	dir string

	mu      sync.Mutex
	jobs    map[string]*importJob
	queue   chan *importJob
	ctx     context.Context
	stop    context.CancelFunc
	stopped sync.WaitGroup
}

type importJob struct {
	ImportJob
	inputs []ImportInput
	cancel context.CancelFunc
	ctx    context.Context
}

// NewImporter makes an Importer and starts its worker; Close stops it and
// removes its files.
func NewImporter(o ImporterOptions) (*Importer, error) {
	if o.Fetch == nil {
		o.Fetch = FetchLoopback
	}
	if o.Clock == nil {
		o.Clock = dsn.SystemClock{}
	}
	if o.IDs == nil {
		o.IDs = dsn.RandomIDs{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxInput <= 0 {
		o.MaxInput = 1 << 30
	}
	if o.Keep <= 0 {
		o.Keep = 24 * time.Hour
	}
	dir, err := os.MkdirTemp("", "dsn-import-")
	if err != nil {
		return nil, dsn.Wrap("bulk.NewImporter", dsn.KindInternal, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	im := &Importer{o: o, dir: dir, jobs: map[string]*importJob{}, queue: make(chan *importJob, 64), ctx: ctx, stop: stop}
	im.stopped.Add(1)
	go im.work()
	return im, nil
}

// Close cancels the jobs, waits for the one running (its batch in flight
// commits or not at all) and removes the staged inputs and error files.
func (im *Importer) Close() {
	im.stop()
	im.stopped.Wait()
	os.RemoveAll(im.dir)
}

// Stage copies an uploaded NDJSON body into the importer's directory and
// returns it as an input. Errors: KindTooLarge over MaxInput.
func (im *Importer) Stage(body io.Reader) (ImportInput, error) {
	f, err := os.CreateTemp(im.dir, "upload-*.ndjson")
	if err != nil {
		return ImportInput{}, dsn.Wrap("bulk.Stage", dsn.KindInternal, err)
	}
	defer f.Close()
	if err := copyMax(f, body, im.o.MaxInput); err != nil {
		os.Remove(f.Name())
		return ImportInput{}, err
	}
	return ImportInput{URL: "upload", path: f.Name()}, nil
}

// Submit stores a new job for inputs and queues it. Errors: KindInvalid if
// there is no input; KindTooLarge (429-like) if 64 jobs already wait.
func (im *Importer) Submit(request string, inputs []ImportInput) (ImportJob, error) {
	if len(inputs) == 0 {
		return ImportJob{}, dsn.Errorf("bulk.Submit", dsn.KindInvalid, "$import sans entrée : au moins un input (type, url) ou un corps NDJSON")
	}
	now := im.o.Clock.Now()
	ctx, cancel := context.WithCancel(im.ctx)
	j := &importJob{ImportJob: ImportJob{ID: im.o.IDs.NewID(), Status: ImportAccepted, Request: request,
		Created: now, Updated: now}, inputs: inputs, ctx: ctx, cancel: cancel}
	for _, in := range inputs {
		j.Inputs = append(j.Inputs, ImportInputResult{Type: in.Type, URL: in.URL})
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	im.expire(now)
	select {
	case im.queue <- j:
	default:
		cancel()
		return ImportJob{}, dsn.Errorf("bulk.Submit", dsn.KindConflict, "trop d'imports en attente ; réessayez plus tard")
	}
	im.jobs[j.ID] = j
	return j.ImportJob, nil
}

// Job returns a copy of a job. Errors: KindNotFound.
func (im *Importer) Job(id string) (ImportJob, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	j, ok := im.jobs[id]
	if !ok {
		return ImportJob{}, dsn.Errorf("bulk.Job", dsn.KindNotFound, "import %q introuvable", id)
	}
	out := j.ImportJob
	out.Inputs = append([]ImportInputResult(nil), j.Inputs...)
	return out, nil
}

// Keep is how long a finished job is kept.
func (im *Importer) Keep() time.Duration { return im.o.Keep }

// Cancel stops a job (what it committed stays) and forgets it and its
// files. Errors: KindNotFound.
func (im *Importer) Cancel(id string) error {
	im.mu.Lock()
	j, ok := im.jobs[id]
	if ok {
		delete(im.jobs, id)
	}
	im.mu.Unlock()
	if !ok {
		return dsn.Errorf("bulk.Cancel", dsn.KindNotFound, "import %q introuvable", id)
	}
	j.cancel()
	return nil
}

// WriteErrors writes the error file of input n (from 1) of a finished job:
// one OperationOutcome per rejected record (NDJSON). Errors: KindNotFound.
func (im *Importer) WriteErrors(id string, n int, w io.Writer) error {
	j, err := im.Job(id)
	if err != nil {
		return err
	}
	if j.Status != ImportCompleted || n < 1 || n > len(j.Inputs) || j.Inputs[n-1].ErrorLines == 0 {
		return dsn.Errorf("bulk.WriteErrors", dsn.KindNotFound, "fichier d'erreurs %d de l'import %s introuvable", n, id)
	}
	f, err := os.Open(im.errorPath(id, n))
	if err != nil {
		return dsn.Wrap("bulk.WriteErrors", dsn.KindNotFound, err)
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// expire forgets the jobs finished more than Keep ago (im.mu held).
func (im *Importer) expire(now time.Time) {
	for id, j := range im.jobs {
		if (j.Status == ImportCompleted || j.Status == ImportFailed) && now.Sub(j.Updated) > im.o.Keep {
			delete(im.jobs, id)
			im.removeFiles(id, len(j.Inputs))
		}
	}
}

// work runs the queued jobs one after the other until Close.
func (im *Importer) work() {
	defer im.stopped.Done()
	for {
		select {
		case <-im.ctx.Done():
			return
		case j := <-im.queue:
			if j.ctx.Err() == nil {
				im.run(j)
			}
			im.removeInputs(j)
		}
	}
}

// run imports each input of j in order and records the outcome.
func (im *Importer) run(j *importJob) {
	im.update(j, func(j *importJob) { j.Status, j.TransactionTime = ImportRunning, im.o.Clock.Now() })
	for n := range j.inputs {
		res := im.input(j, n+1)
		if j.ctx.Err() != nil {
			im.removeFiles(j.ID, len(j.inputs)) // cancelled (forgotten) or server stopping
			return
		}
		im.update(j, func(j *importJob) { j.Inputs[n] = res })
	}
	im.update(j, func(j *importJob) { j.Status = ImportCompleted })
}

// input stages (fetches) input n of j if needed and imports it.
func (im *Importer) input(j *importJob, n int) ImportInputResult {
	in := &j.inputs[n-1]
	res := ImportInputResult{Type: in.Type, URL: in.URL}
	errs, err := os.Create(im.errorPath(j.ID, n))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer errs.Close()
	failed := func(err error) ImportInputResult {
		res.Error = dsn.Message(err)
		if writeOutcome(errs, ErrorRecord{Outcome: repo.OperationOutcome(err)}) == nil {
			res.ErrorLines++
		}
		return res
	}
	if in.path == "" {
		path, err := im.fetch(j.ctx, in.URL)
		if err != nil {
			return failed(err)
		}
		in.path = path
	}
	base := j.Done
	st, err := Import(j.ctx, ImportOptions{Service: im.o.Service, Batch: im.o.Batch,
		Reject: func(r ErrorRecord) error { res.ErrorLines++; return writeOutcome(errs, r) },
		Progress: func(p Progress) {
			im.update(j, func(j *importJob) { j.Done = base + p.Records })
		}}, []string{in.path})
	res.Stats = st
	if err != nil && j.ctx.Err() == nil {
		return failed(err)
	}
	return res
}

// fetch downloads url into the importer's directory.
func (im *Importer) fetch(ctx context.Context, url string) (string, error) {
	body, err := im.o.Fetch(ctx, url)
	if err != nil {
		return "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(im.dir, "fetched-*.ndjson")
	if err != nil {
		return "", dsn.Wrap("bulk.fetch", dsn.KindInternal, err)
	}
	defer f.Close()
	if err := copyMax(f, body, im.o.MaxInput); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// update changes j under the lock and stamps it.
func (im *Importer) update(j *importJob, fn func(*importJob)) {
	im.mu.Lock()
	defer im.mu.Unlock()
	fn(j)
	j.Updated = im.o.Clock.Now()
}

func (im *Importer) errorPath(id string, n int) string {
	return filepath.Join(im.dir, "errors-"+safeName(id)+"-"+strconv.Itoa(n)+".ndjson")
}

func (im *Importer) removeFiles(id string, inputs int) {
	for n := 1; n <= inputs; n++ {
		os.Remove(im.errorPath(id, n))
	}
}

func (im *Importer) removeInputs(j *importJob) {
	for _, in := range j.inputs {
		if in.path != "" {
			os.Remove(in.path)
		}
	}
}

// safeName keeps the characters of a job id that are safe in a file name.
func safeName(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// writeOutcome writes the OperationOutcome of a rejected record as one NDJSON
// line, its diagnostics prefixed with the line number (Bulk Data error files
// hold OperationOutcomes: export.html#response---complete-status); line 0
// is the whole input.
func writeOutcome(w io.Writer, r ErrorRecord) error {
	oo := r.Outcome
	if issues, ok := oo["issue"].([]any); ok && r.Line > 0 {
		for _, it := range issues {
			if m, ok := it.(map[string]any); ok {
				d, _ := m["diagnostics"].(string)
				m["diagnostics"] = fmt.Sprintf("ligne %d : %s", r.Line, d)
			}
		}
	}
	b, err := json.Marshal(oo)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// copyMax copies src to dst, failing with KindTooLarge past max bytes.
func copyMax(dst io.Writer, src io.Reader, max int64) error {
	n, err := io.Copy(dst, io.LimitReader(src, max+1))
	if err != nil {
		return dsn.Errorf("bulk.Import", dsn.KindInvalid, "lecture de l'entrée impossible : %v", err)
	}
	if n > max {
		return dsn.Errorf("bulk.Import", dsn.KindTooLarge, "entrée trop volumineuse (limite %d octets)", max)
	}
	return nil
}
