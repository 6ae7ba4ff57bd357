package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"dsn"
	"dsn/internal/language/words"
	"dsn/repo"
)

// ImporterOptions configures an Importer. Service and Jobs are required.
type ImporterOptions struct {
	Service *repo.Service
	Jobs    dsn.ImportJobs // where jobs, their checkpoints and errors are kept
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
	MaxQueue int           // jobs that may wait (default 64)
}

// ImportInput is one NDJSON input of an $import kick-off: named by URL
// (fetched by the job) or uploaded (staged by Stage).
type ImportInput struct {
	Type string // the type the manifest declares ("" if none)
	URL  string // the input's URL, or dsn.ImportUpload for a body sent with the kick-off
	path string // the staged file (uploads)
}

// lang is the language of job j: its kick-off's (dsn.ImportJob.Language).
func lang(j dsn.ImportJob) words.Tag {
	if j.Language == string(words.English) {
		return words.English
	}
	return words.French
}

// Importer runs $import jobs in the background, one at a time (they share
// the store's single writer). Jobs live in the store (dsn.ImportJobs) with a
// checkpoint per input, written in the same transaction as the rejected
// records of each batch: Start, at server start, resumes the jobs a stop or
// a crash interrupted. An input named by URL is fetched again and resumes
// after its checkpoint (from the start if its content changed); an uploaded
// body does not survive a restart, so its job fails with a message saying
// so. Each input is staged in a private directory, then loaded by Import
// like `dsn import` (validation, index rows, idempotence, golden records).
type Importer struct {
	o   ImporterOptions
	dir string

	mu        sync.Mutex
	queue     []string // ids of the jobs waiting, in order
	current   string   // the job running
	cancelCur context.CancelFunc
	wake      chan struct{}
	ctx       context.Context
	stop      context.CancelFunc
	stopped   sync.WaitGroup
}

// NewImporter makes an Importer from o, filling defaults; call Start, then
// Close to stop it (and remove its staged files).
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
	if o.MaxQueue <= 0 {
		o.MaxQueue = 64
	}
	dir, err := os.MkdirTemp("", "dsn-import-")
	if err != nil {
		return nil, dsn.Wrap("bulk.NewImporter", dsn.KindInternal, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Importer{o: o, dir: dir, wake: make(chan struct{}, 1), ctx: ctx, stop: stop}, nil
}

// Start deletes the jobs finished more than Keep ago, queues again the jobs
// a previous run left accepted or in progress (failing those whose upload is
// gone), and starts the worker.
func (im *Importer) Start(ctx context.Context) error {
	jobs, err := im.o.Jobs.ImportJobList(ctx)
	if err != nil {
		return err
	}
	now := im.o.Clock.Now()
	for _, j := range jobs {
		switch j.Status {
		case dsn.ImportAccepted, dsn.ImportRunning:
			if uploadLost(j) {
				im.o.Log.Warn("import failed: its upload did not survive the restart", "job", j.ID)
				// why, in the job's language: the upload is gone
				j.Status, j.Error, j.Updated = dsn.ImportFailed, messages["import.upload-gone"].In(lang(j)), now
			} else if j.Status == dsn.ImportRunning {
				j.Restarts++
				im.o.Log.Info("import resumed from its checkpoint", "job", j.ID, "done", j.Done, "restarts", j.Restarts)
			}
			if err := im.o.Jobs.UpdateImportJob(ctx, j); err != nil {
				return err
			}
			if j.Status != dsn.ImportFailed {
				im.queue = append(im.queue, j.ID)
			}
		default:
			if now.Sub(j.Updated) > im.o.Keep {
				im.o.Jobs.DeleteImportJob(ctx, j.ID)
			}
		}
	}
	im.stopped.Add(1)
	go im.work()
	im.signal()
	return nil
}

// uploadLost tells whether j has an uploaded input, not done, whose staged
// file is gone (a clean stop removes them; a crash may leave them).
func uploadLost(j dsn.ImportJob) bool {
	for _, in := range j.Inputs {
		if in.URL == dsn.ImportUpload && !in.Done {
			if _, err := os.Stat(in.Staged); in.Staged == "" || err != nil {
				return true
			}
		}
	}
	return false
}

// Close stops the worker (the batch in flight commits or not at all; the job
// stays in the store as it was and the next Start resumes it) and removes
// the staged inputs.
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
	if _, err := copyMax(f, body, im.o.MaxInput); err != nil {
		os.Remove(f.Name())
		return ImportInput{}, err
	}
	return ImportInput{URL: dsn.ImportUpload, path: f.Name()}, nil
}

// Submit stores a new job for inputs and queues it; l is the kick-off's
// language, which the job's own errors speak. Errors: KindInvalid if there
// is no input; KindConflict if MaxQueue jobs already wait.
func (im *Importer) Submit(ctx context.Context, request string, l words.Tag, inputs []ImportInput) (dsn.ImportJob, error) {
	const op = "bulk.Submit"
	if len(inputs) == 0 {
		return dsn.ImportJob{}, fail(op, dsn.KindInvalid, "import.no-input")
	}
	im.expire(ctx)
	im.mu.Lock()
	waiting := len(im.queue)
	im.mu.Unlock()
	if waiting >= im.o.MaxQueue {
		return dsn.ImportJob{}, fail(op, dsn.KindConflict, "import.busy")
	}
	now := im.o.Clock.Now()
	j := dsn.ImportJob{ID: im.o.IDs.NewID(), Status: dsn.ImportAccepted, Request: request, Created: now, Updated: now}
	if l == words.English {
		j.Language = string(words.English)
	}
	for _, in := range inputs {
		j.Inputs = append(j.Inputs, dsn.ImportInput{Type: in.Type, URL: in.URL, Staged: in.path})
	}
	if err := im.o.Jobs.CreateImportJob(ctx, j); err != nil {
		return dsn.ImportJob{}, err
	}
	im.mu.Lock()
	im.queue = append(im.queue, j.ID)
	im.mu.Unlock()
	im.signal()
	return j, nil
}

// Job returns a job as stored. Errors: KindNotFound.
func (im *Importer) Job(ctx context.Context, id string) (dsn.ImportJob, error) {
	return im.o.Jobs.ImportJob(ctx, id)
}

// Keep is how long a finished job is kept.
func (im *Importer) Keep() time.Duration { return im.o.Keep }

// Cancel stops a job if it waits or runs (what it committed stays) and
// deletes it and its errors. Errors: KindNotFound.
func (im *Importer) Cancel(ctx context.Context, id string) error {
	j, err := im.o.Jobs.ImportJob(ctx, id)
	if err != nil {
		return err
	}
	im.mu.Lock()
	if im.current == id {
		im.cancelCur()
	}
	for i, q := range im.queue {
		if q == id {
			im.queue = append(im.queue[:i], im.queue[i+1:]...)
			break
		}
	}
	im.mu.Unlock()
	removeStaged(j)
	return im.o.Jobs.DeleteImportJob(ctx, id)
}

// WriteErrors writes the error file of input n (from 1) of a completed job:
// one OperationOutcome per rejected record (NDJSON). Errors: KindNotFound.
func (im *Importer) WriteErrors(ctx context.Context, id string, n int, w io.Writer) error {
	j, err := im.Job(ctx, id)
	if err != nil {
		return err
	}
	if j.Status != dsn.ImportCompleted || n < 1 || n > len(j.Inputs) || j.Inputs[n-1].ErrorLines == 0 {
		return fail("bulk.WriteErrors", dsn.KindNotFound, "import.errors-file", n, id)
	}
	return im.o.Jobs.ImportErrors(ctx, id, n, func(b []byte) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// expire deletes the jobs finished more than Keep ago.
func (im *Importer) expire(ctx context.Context) {
	jobs, err := im.o.Jobs.ImportJobList(ctx)
	if err != nil {
		return
	}
	now := im.o.Clock.Now()
	for _, j := range jobs {
		if (j.Status == dsn.ImportCompleted || j.Status == dsn.ImportFailed) && now.Sub(j.Updated) > im.o.Keep {
			im.o.Jobs.DeleteImportJob(ctx, j.ID)
		}
	}
}

func (im *Importer) signal() {
	select {
	case im.wake <- struct{}{}:
	default:
	}
}

// next takes the first waiting job and makes it current; false once stopped.
func (im *Importer) next() (string, context.Context, bool) {
	for {
		im.mu.Lock()
		if len(im.queue) > 0 {
			id := im.queue[0]
			im.queue = im.queue[1:]
			ctx, cancel := context.WithCancel(im.ctx)
			im.current, im.cancelCur = id, cancel
			im.mu.Unlock()
			return id, ctx, true
		}
		im.mu.Unlock()
		select {
		case <-im.ctx.Done():
			return "", nil, false
		case <-im.wake:
		}
	}
}

// work runs the queued jobs one after the other until Close.
func (im *Importer) work() {
	defer im.stopped.Done()
	for {
		id, ctx, ok := im.next()
		if !ok {
			return
		}
		im.run(ctx, id)
		im.mu.Lock()
		im.cancelCur()
		im.current, im.cancelCur = "", nil
		im.mu.Unlock()
		if im.ctx.Err() != nil {
			return
		}
	}
}

// run imports each input of job id not done yet, in order, from its
// checkpoint, and records the outcome. A job deleted meanwhile or stopped by
// Close ends quietly (stopped: the next Start resumes it); a failure to
// record its progress fails it.
func (im *Importer) run(ctx context.Context, id string) {
	j, err := im.o.Jobs.ImportJob(ctx, id)
	if err != nil {
		return // deleted while it waited
	}
	if j.TransactionTime.IsZero() {
		j.TransactionTime = im.o.Clock.Now()
	}
	j.Status = dsn.ImportRunning
	err = im.save(ctx, &j)
	for n := 0; err == nil && n < len(j.Inputs); n++ {
		if !j.Inputs[n].Done {
			err = im.input(ctx, &j, n)
		}
	}
	switch {
	case ctx.Err() != nil || dsn.KindOf(err) == dsn.KindNotFound:
		return
	case err == nil:
		j.Status = dsn.ImportCompleted
	default:
		im.o.Log.Error("import failed", "job", j.ID, "err", err)
		j.Status, j.Error = dsn.ImportFailed, message(err, lang(j))
	}
	if err := im.save(context.Background(), &j); err != nil && dsn.KindOf(err) != dsn.KindNotFound {
		im.o.Log.Error("import: recording the end of the job failed", "job", j.ID, "err", err)
	}
	removeStaged(j)
}

// save stamps and stores j with errs.
func (im *Importer) save(ctx context.Context, j *dsn.ImportJob, errs ...dsn.ImportError) error {
	j.Updated = im.o.Clock.Now()
	return im.o.Jobs.UpdateImportJob(ctx, *j, errs...)
}

// input fetches input n of j if it is named by URL and imports it after its
// checkpoint, storing the checkpoint, the counts and the rejected records
// after each batch. An input that cannot be read is done, with its Error and
// one outcome for the whole input; the error returned is the job store's.
func (im *Importer) input(ctx context.Context, j *dsn.ImportJob, n int) error {
	in := &j.Inputs[n]
	path := in.Staged
	if in.URL != dsn.ImportUpload {
		var size int64
		var sum string
		var err error
		path, size, sum, err = im.fetch(ctx, in.URL)
		if err != nil {
			return im.inputFailed(ctx, j, n, err)
		}
		defer os.Remove(path)
		if in.Line > 0 && (size != in.Size || sum != in.SHA256) {
			// not the content the checkpoint counts lines in: begin again
			im.o.Log.Info("import: input changed since its checkpoint, begun again", "job", j.ID, "input", in.URL)
			*in = dsn.ImportInput{Type: in.Type, URL: in.URL}
			if err := im.o.Jobs.ClearImportErrors(ctx, j.ID, n+1); err != nil {
				return err
			}
		}
		in.Size, in.SHA256 = size, sum
	}
	base, baseDone := *in, j.Done
	l := lang(*j)
	_, err := Import(ctx, ImportOptions{Service: im.o.Service, Batch: im.o.Batch, Skip: in.Line, English: l == words.English,
		Committed: func(c Committed) error {
			in.Line, in.Done = c.Line, c.Done
			in.Created = base.Created + c.Stats.Created
			in.Updated = base.Updated + c.Stats.Updated
			in.Unchanged = base.Unchanged + c.Stats.Unchanged
			in.ErrorLines = base.ErrorLines + c.Stats.Rejected
			j.Done = baseDone + c.Stats.Records
			errs := make([]dsn.ImportError, len(c.Rejects))
			for i, r := range c.Rejects {
				errs[i] = dsn.ImportError{Input: n + 1, Line: r.Line, Outcome: outcomeLine(r, l)}
			}
			return im.save(ctx, j, errs...)
		}}, []string{path})
	if err == nil || ctx.Err() != nil || dsn.KindOf(err) == dsn.KindNotFound {
		return err
	}
	return im.inputFailed(ctx, j, n, err)
}

// inputFailed records that input n of j could not be read (or stopped):
// the input is done, with err's message and one outcome for the whole input.
func (im *Importer) inputFailed(ctx context.Context, j *dsn.ImportJob, n int, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	in, l := &j.Inputs[n], lang(*j)
	in.Error, in.Done = message(err, l), true
	in.ErrorLines++
	oo := repo.OperationOutcomeIn(err, l == words.English)
	return im.save(ctx, j, dsn.ImportError{Input: n + 1, Line: 0, Outcome: outcomeLine(ErrorRecord{Outcome: oo}, l)})
}

// fetch downloads url into the importer's directory and returns the file,
// its size and its SHA-256 (which identify it to a resumed job).
func (im *Importer) fetch(ctx context.Context, url string) (string, int64, string, error) {
	body, err := im.o.Fetch(ctx, url)
	if err != nil {
		return "", 0, "", err
	}
	defer body.Close()
	f, err := os.CreateTemp(im.dir, "fetched-*.ndjson")
	if err != nil {
		return "", 0, "", dsn.Wrap("bulk.fetch", dsn.KindInternal, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := copyMax(io.MultiWriter(f, h), body, im.o.MaxInput)
	if err != nil {
		os.Remove(f.Name())
		return "", 0, "", err
	}
	return f.Name(), n, hex.EncodeToString(h.Sum(nil)), nil
}

// removeStaged deletes the uploads of a job that ended or was cancelled.
func removeStaged(j dsn.ImportJob) {
	for _, in := range j.Inputs {
		if in.Staged != "" {
			os.Remove(in.Staged)
		}
	}
}

// outcomeLine is the OperationOutcome of a rejected record as one JSON line,
// its diagnostics prefixed with the line number (Bulk Data error files hold
// OperationOutcomes: export.html#response---complete-status); line 0 is the
// whole input. l is the job's language.
func outcomeLine(r ErrorRecord, l words.Tag) []byte {
	oo := r.Outcome
	if issues, ok := oo["issue"].([]any); ok && r.Line > 0 {
		for _, it := range issues {
			if m, ok := it.(map[string]any); ok {
				d, _ := m["diagnostics"].(string)
				m["diagnostics"] = fmt.Sprintf(messages["import.line"].In(l), r.Line, d)
			}
		}
	}
	b, _ := json.Marshal(oo)
	return b
}

// copyMax copies src to dst and returns the bytes copied, failing with
// KindTooLarge past max bytes.
func copyMax(dst io.Writer, src io.Reader, max int64) (int64, error) {
	n, err := io.Copy(dst, io.LimitReader(src, max+1))
	if err != nil {
		return n, fail("bulk.Import", dsn.KindInvalid, "import.read", err)
	}
	if n > max {
		return n, fail("bulk.Import", dsn.KindTooLarge, "import.too-large", max)
	}
	return n, nil
}
