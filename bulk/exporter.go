package bulk

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"dsn"
)

// ExporterOptions configures an Exporter. Store and Jobs are required.
type ExporterOptions struct {
	Store dsn.Store
	Jobs  dsn.ExportJobs
	Clock dsn.Clock    // default dsn.SystemClock
	IDs   dsn.IDSource // default dsn.RandomIDs
	Log   *slog.Logger // default slog.Default()
	// PartSize is the size in bytes of the parts files are stored in
	// (default 1 MiB: a Patient-level export holds one open part per type).
	PartSize int
	// FileMax is the most resources in one file (default 250,000); a type
	// with more gets several files, as export.html#response---complete-status allows.
	FileMax int
	Workers int           // jobs running at once (default 2); the others wait, accepted
	Keep    time.Duration // how long finished jobs are kept (default 24 h)
	// Access, if set, makes each job read as its requester (Store is then the
	// policy's guard) and journal what left before the job completes.
	Access ExportAccess
}

// ExportAccess is the access policy of export jobs (LRSSS ss. 7, 8, 103):
// the requester is recorded with the job at Submit, and each run reads in
// the requester's context and journals what it disclosed.
type ExportAccess interface {
	// Requester names the caller of ctx, to keep with the job.
	Requester(ctx context.Context) (string, error)
	// Begin returns the context a run of j reads in, and done, to be called
	// once every file is written: it journals what the run read (durably:
	// without it the job fails and nothing is served). Begin may cancel the
	// run's context with a cause (context.WithCancelCause, e.g. its client
	// was disabled): the job then fails with the cause's message.
	Begin(ctx context.Context, j dsn.ExportJob) (run context.Context, done func(context.Context) error, err error)
	// Owns tells whether the caller of ctx is j's requester: only they see
	// its status and files, or cancel it.
	Owns(ctx context.Context, j dsn.ExportJob) bool
}

// Exporter runs FHIR Bulk Data export jobs in the background
// (https://hl7.org/fhir/uv/bulkdata/export.html): Submit stores a job and
// returns at once; the job reads the store and writes its NDJSON files into
// the job store, where Job and WriteFile find them. Jobs are kept in the
// store: Start, at server start, begins again every job a stop or crash left
// unfinished (its files so far are discarded; Restarts counts it).
type Exporter struct {
	o     ExporterOptions
	slots chan struct{}

	mu      sync.Mutex
	running map[string]context.CancelFunc
	ctx     context.Context // ends with Close
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

// NewExporter makes an Exporter from o, filling defaults; call Start.
func NewExporter(o ExporterOptions) *Exporter {
	if o.Clock == nil {
		o.Clock = dsn.SystemClock{}
	}
	if o.IDs == nil {
		o.IDs = dsn.RandomIDs{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.PartSize <= 0 {
		o.PartSize = 1 << 20
	}
	if o.FileMax <= 0 {
		o.FileMax = 250000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Keep <= 0 {
		o.Keep = 24 * time.Hour
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Exporter{o: o, slots: make(chan struct{}, o.Workers), running: map[string]context.CancelFunc{},
		ctx: ctx, stop: stop}
}

// Start deletes the jobs finished more than Keep ago and begins again the
// jobs left accepted or in progress by an earlier run.
func (e *Exporter) Start(ctx context.Context) error {
	jobs, err := e.o.Jobs.ExportJobList(ctx)
	if err != nil {
		return err
	}
	now := e.o.Clock.Now()
	for _, j := range jobs {
		switch j.Status {
		case dsn.ExportAccepted, dsn.ExportRunning:
			if j.Status == dsn.ExportRunning {
				j.Restarts++
			}
			e.o.Log.Info("export resumed from the start", "job", j.ID, "status", j.Status, "restarts", j.Restarts)
			e.launch(j)
		default:
			if now.Sub(j.Updated) > e.o.Keep {
				e.o.Jobs.DeleteExportJob(ctx, j.ID)
			}
		}
	}
	return nil
}

// Close stops the running jobs and waits for them. They stay in the store as
// they were, and the next Start begins them again.
func (e *Exporter) Close() {
	e.stop()
	e.wg.Wait()
}

// Submit checks q, stores a new job for it and starts it in the background.
// Errors: those of Query.Check (KindInvalid, KindNotFound for a missing Group).
func (e *Exporter) Submit(ctx context.Context, q Query, request string) (dsn.ExportJob, error) {
	if err := q.Check(ctx, e.o.Store); err != nil {
		return dsn.ExportJob{}, err
	}
	requester := ""
	if e.o.Access != nil {
		var err error
		if requester, err = e.o.Access.Requester(ctx); err != nil {
			return dsn.ExportJob{}, err
		}
	}
	now := e.o.Clock.Now()
	j := dsn.ExportJob{ID: e.o.IDs.NewID(), Status: dsn.ExportAccepted, Request: request,
		Level: q.Level, GroupID: q.GroupID, Types: q.Types, Patients: q.Patients, Since: q.Since,
		Created: now, Updated: now, Requester: requester}
	if j.Level == "" {
		j.Level = LevelSystem
	}
	if err := e.o.Jobs.CreateExportJob(ctx, j); err != nil {
		return j, err
	}
	e.launch(j)
	return j, nil
}

// Keep is how long a finished job is kept.
func (e *Exporter) Keep() time.Duration { return e.o.Keep }

// Job returns a job as stored, to its requester only (with Access: another
// caller gets KindNotFound, as for a job that does not exist).
func (e *Exporter) Job(ctx context.Context, id string) (dsn.ExportJob, error) {
	j, err := e.o.Jobs.ExportJob(ctx, id)
	if err == nil && e.o.Access != nil && !e.o.Access.Owns(ctx, j) {
		return dsn.ExportJob{}, fail("bulk.Job", dsn.KindNotFound, "export.missing", id)
	}
	return j, err
}

// Cancel stops a job if it runs, and deletes it and its files
// (export.html#bulk-data-delete-request). Errors: KindNotFound.
func (e *Exporter) Cancel(ctx context.Context, id string) error {
	if _, err := e.Job(ctx, id); err != nil {
		return err
	}
	e.mu.Lock()
	if cancel, ok := e.running[id]; ok {
		cancel()
	}
	e.mu.Unlock()
	return e.o.Jobs.DeleteExportJob(ctx, id)
}

// WriteFile writes file n of a completed job to w, part by part.
// Errors: KindNotFound if the job or the file does not exist or the job is
// not completed.
func (e *Exporter) WriteFile(ctx context.Context, id string, n int, w io.Writer) error {
	j, err := e.Job(ctx, id)
	if err != nil {
		return err
	}
	if j.Status != dsn.ExportCompleted || n < 1 || n > len(j.Output) {
		return fail("bulk.WriteFile", dsn.KindNotFound, "export.file", n, id)
	}
	return e.o.Jobs.ExportParts(ctx, id, j.Output[n-1].N, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
}

// launch runs j in a goroutine once a slot is free.
func (e *Exporter) launch(j dsn.ExportJob) {
	ctx, cancel := context.WithCancel(e.ctx)
	e.mu.Lock()
	e.running[j.ID] = cancel
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() {
			e.mu.Lock()
			delete(e.running, j.ID)
			e.mu.Unlock()
			cancel()
		}()
		select {
		case e.slots <- struct{}{}:
			defer func() { <-e.slots }()
		case <-ctx.Done():
			return
		}
		e.run(ctx, j)
	}()
}

// run performs j from the beginning and records how it ended. A job deleted
// meanwhile (KindNotFound from the job store) or stopped by Close ends
// quietly; any other error fails the job, with its message.
func (e *Exporter) run(ctx context.Context, j dsn.ExportJob) {
	j.Status, j.Done, j.Output, j.Error = dsn.ExportRunning, 0, nil, ""
	j.TransactionTime = e.o.Clock.Now()
	j.Updated = j.TransactionTime
	err := e.o.Jobs.ClearExportParts(ctx, j.ID)
	if err == nil {
		err = e.o.Jobs.UpdateExportJob(ctx, j)
	}
	if err == nil {
		err = e.fill(ctx, &j)
	}
	switch {
	case ctx.Err() != nil || dsn.KindOf(err) == dsn.KindNotFound:
		// Cancelled (deleted) or stopped: nothing to record, even when the
		// read loop ended without an error — a search cut short by the stop
		// must not be recorded as a complete export; the job runs again
		// after the restart.
		return
	case err == nil:
		j.Status = dsn.ExportCompleted
	default:
		e.o.Log.Error("export failed", "job", j.ID, "err", err)
		j.Status, j.Error, j.Output = dsn.ExportFailed, dsn.Message(err), nil
		e.o.Jobs.ClearExportParts(context.Background(), j.ID)
	}
	j.Updated = e.o.Clock.Now()
	if err := e.o.Jobs.UpdateExportJob(context.Background(), j); err != nil && dsn.KindOf(err) != dsn.KindNotFound {
		e.o.Log.Error("export: recording the end of the job failed", "job", j.ID, "err", err)
	}
}

// fill reads what j selects into its files, recording progress every 2 s.
func (e *Exporter) fill(ctx context.Context, j *dsn.ExportJob) error {
	q := Query{Level: j.Level, GroupID: j.GroupID, Types: j.Types, Patients: j.Patients, Since: j.Since,
		Until: j.TransactionTime}
	s := &jobSink{ctx: ctx, jobs: e.o.Jobs, job: j.ID, partSize: e.o.PartSize, fileMax: e.o.FileMax,
		open: map[string]*jobFile{}}
	read, done := ctx, func(context.Context) error { return nil }
	if e.o.Access != nil {
		var err error
		if read, done, err = e.o.Access.Begin(ctx, *j); err != nil {
			return err
		}
	}
	last := time.Now()
	err := q.each(read, e.o.Store, func(r dsn.Resource) error {
		if err := s.write(r); err != nil {
			return err
		}
		if read.Err() != nil {
			return read.Err()
		}
		j.Done++
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			j.Updated = e.o.Clock.Now()
			return e.o.Jobs.UpdateExportJob(ctx, *j)
		}
		return nil
	})
	if err == nil {
		j.Output, err = s.finish()
	}
	if read.Err() != nil && ctx.Err() == nil { // stopped by Access, not by Close
		return context.Cause(read)
	}
	if err != nil {
		return err
	}
	return done(read)
}
