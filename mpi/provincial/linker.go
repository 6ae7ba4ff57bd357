package provincial

import (
	"context"
	"slices"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/mpi"
)

// Run links registrations until ctx ends: the jobs pending at start first
// (so a crash between a Patient's commit and its linking loses nothing),
// then after each Notify, and every Poll for jobs that other processes
// (dsn import) queued.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.poll)
	defer t.Stop()
	for {
		if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("mpi linking", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			s.gather(ctx)
		case <-t.C:
		}
	}
}

// gather waits Options.Linger after a wake-up, so that the jobs of the
// commits that follow join this drain: one Jobs query, one matching pass
// and one transaction (which only deletes the jobs of settled
// registrations) then serve many creates instead of one or two each. Under
// 16 clients the linker otherwise ran once per group commit. Linking is
// later by at most Linger; no create waits for it (decision 0027).
func (s *Service) gather(ctx context.Context) {
	if s.linger <= 0 {
		return
	}
	t := time.NewTimer(s.linger)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// maxAttempts bounds how often one Patient's linking is retried after
// failures before the linker leaves its job for the next start.
const maxAttempts = 5

// jobGroup is the jobs of one Patient taken together.
type jobGroup struct {
	key  string
	seqs []int64
}

// Drain processes every queued link job and returns how many Patients it
// handled. Jobs of one Patient are taken together; a Patient whose linking
// keeps failing is retried maxAttempts times, then left queued (and logged).
func (s *Service) Drain(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	var after int64
	for !ctxDone(ctx) {
		jobs, err := s.store.Jobs(ctx, JobLink, after, 4*s.batch)
		if err != nil || len(jobs) == 0 {
			return n, err
		}
		after = jobs[len(jobs)-1].Seq
		last := len(jobs) < 4*s.batch // the queue's end: no need to ask again (Run is woken by new commits)
		groups := s.group(jobs)
		for start := 0; start < len(groups); start += s.batch {
			chunk := groups[start:min(start+s.batch, len(groups))]
			if err := s.linkBatch(ctx, chunk); err != nil {
				if ctxDone(ctx) {
					return n, err
				}
				s.isolate(ctx, chunk) // one Patient's failure must not hold back the others
			}
			n += len(chunk)
		}
		if last {
			return n, nil
		}
	}
	return n, ctx.Err()
}

// group gathers jobs by Patient, in queue order, leaving out the Patients
// that failed too often.
func (s *Service) group(jobs []dsn.Job) []jobGroup {
	at := map[string]int{}
	var out []jobGroup
	for _, j := range jobs {
		if s.failed[j.Key] >= maxAttempts {
			continue
		}
		i, ok := at[j.Key]
		if !ok {
			i = len(out)
			at[j.Key] = i
			out = append(out, jobGroup{key: j.Key})
		}
		out[i].seqs = append(out[i].seqs, j.Seq)
	}
	return out
}

func (s *Service) isolate(ctx context.Context, chunk []jobGroup) {
	for _, g := range chunk {
		if err := s.linkBatch(ctx, []jobGroup{g}); err != nil && !ctxDone(ctx) {
			s.failed[g.key]++
			s.log.Error("mpi linking failed", "patient", g.key, "attempt", s.failed[g.key], "err", err)
		}
	}
}

// plan is what is known of one Patient before its transaction: its record
// and its best candidates in the index (matching runs outside the writer).
type plan struct {
	rec     mpi.Record
	matches []mpi.Match
	ok      bool // a live registration: match it
	// settled: linking it would change nothing (see settled); its
	// transaction only deletes its jobs.
	settled bool
}

// maxCandidates is how many index candidates a new registration is checked against.
const maxCandidates = 20

// linkBatch links the Patients of chunk in one transaction, which also
// deletes their jobs.
func (s *Service) linkBatch(ctx context.Context, chunk []jobGroup) error {
	plans := make([]plan, len(chunk))
	for i, g := range chunk {
		plans[i] = s.plan(ctx, g.key)
	}
	var done []int64 // the jobs of the settled registrations, deleted at once
	for i, g := range chunk {
		if plans[i].settled {
			done = append(done, g.seqs...)
		}
	}
	_, err := s.atomic(ctx, func(w *work) error {
		if len(done) > 0 {
			if err := w.tx.Store().DeleteJobs(done); err != nil {
				return err
			}
		}
		for i, g := range chunk {
			if plans[i].settled {
				continue
			}
			if err := w.linkOne(g.key, plans[i]); err != nil {
				return err
			}
			if err := w.tx.Store().DeleteJobs(g.seqs); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// plan reads registration key and matches it, outside the writer. When Live
// holds its current version (the commit hook applied it), Live's record is
// matched and, if Live knows its golden record, settled is decided without
// decoding the Patient: only a registration that is not settled is decoded,
// for linkOne's record (decision 0027).
func (s *Service) plan(ctx context.Context, key string) plan {
	res, err := s.store.Read(ctx, "Patient", key)
	if err != nil || res.Deleted {
		return plan{}
	}
	ms, matched := s.live.MatchRankedVersion(key, res.VersionID, maxCandidates)
	decided := false // settled was answered from Live alone: no need to ask again
	if matched && s.live.GoldenOf(key) != "" {
		if s.settled(ctx, res, nil, ms) {
			return plan{matches: ms, ok: true, settled: true}
		}
		decided = true
	}
	obj, err := fhir.Decode(res.Body)
	if err != nil || mpi.IsGolden(obj) || len(mpi.Links(obj, "replaced-by")) > 0 {
		return plan{}
	}
	// Another process (dsn import) may have written it: the index
	// learns it here if the commit hook did not report it.
	s.live.Apply([]dsn.Resource{res})
	rec := mpi.FromPatient(obj)
	if !matched {
		ms = s.live.MatchRanked(rec, maxCandidates) // explained in candidates, when kept
	}
	p := plan{rec: rec, matches: ms, ok: true}
	if !decided {
		p.settled = s.settled(ctx, res, obj, ms)
	}
	return p
}

// settled tells, before the transaction and without the writer, that
// linking registration res (its current version, just read, decoded as obj)
// would change nothing, as for most new registrations: it is version 1, so
// its golden record was built from this very content in its create's
// transaction (Enqueue) and survivorship would rebuild it unchanged; it is
// the only registration of that record (else linkOne would recompute the
// record's demographics); no registration matches it even as probable, so
// there is nothing to join and nothing to propose; and no Task is about it
// (review or not: a clinical Task about a new registration only costs it
// the full path), so no review is left to cancel. linkOne would only re-read all of it
// in the writer to write nothing (session 7 measured ~130 µs of writer time
// per create for those reads): the linker deletes the job instead. Whatever
// changes the registration after this check queues a job of its own (an
// update, a delete) or completes in its own transaction (an archivist's
// operation), so deleting the job stays right.
func (s *Service) settled(ctx context.Context, res dsn.Resource, obj fhir.Object, matches []mpi.Match) bool {
	if res.VersionID != 1 || !s.alone(ctx, res, obj) {
		return false
	}
	for _, m := range matches {
		if m.Result.Class != mpi.NoMatch {
			return false
		}
	}
	q, err := s.repo.Parse("Task", map[string][]string{"focus": {"Patient/" + res.ID}})
	if err != nil {
		return false
	}
	q.Count = 1
	found, err := s.store.Search(ctx, q)
	return err == nil && len(found.Matches) == 0
}

// alone tells whether registration res is the only one of its golden
// record. Live knows the record once its commit hook ran; the linker,
// woken by one commit, may see the jobs of others whose hooks have not run
// yet: it then reads the golden record res refers to (in obj, res decoded;
// nil: not alone), and Live learns it.
func (s *Service) alone(ctx context.Context, res dsn.Resource, obj fhir.Object) bool {
	if g := s.live.GoldenOf(res.ID); g != "" {
		return slices.Equal(s.live.Members(g), []string{res.ID})
	}
	if obj == nil {
		return false
	}
	refs := mpi.Links(obj, "refer")
	if len(refs) != 1 {
		return false
	}
	g, err := s.store.Read(ctx, "Patient", refs[0])
	if err != nil || g.Deleted || !mpi.IsGoldenBody(g.Body) {
		return false
	}
	s.live.Apply([]dsn.Resource{g})
	return slices.Equal(s.live.Members(refs[0]), []string{res.ID})
}

// RequeueAll queues a link job for every registration (every Patient that is
// not a golden record), so that the next Drain or the running linker links
// them all again: after adopting a new matching model, or to repair links
// made while another process worked on the same store. Registrations
// already in a golden record with others stay there (the policy of
// linkOne); the others are matched again. It returns how many it queued.
func (s *Service) RequeueAll(ctx context.Context) (int, error) {
	q, err := s.repo.Parse("Patient", map[string][]string{"_tag:not": {mpi.System + "|" + mpi.GoldenCode}})
	if err != nil {
		return 0, err
	}
	q.Count = 1000
	n := 0
	for {
		page, err := s.store.Search(ctx, q)
		if err != nil {
			return n, err
		}
		err = s.store.Write(ctx, func(tx dsn.Tx) error {
			for _, r := range page.Matches {
				if err := tx.AddJob(dsn.Job{Kind: JobLink, Key: r.ID, Created: s.clock.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(page.Matches)
		if page.Next == "" {
			s.Notify()
			return n, nil
		}
		q.Cursor = page.Next
	}
}
