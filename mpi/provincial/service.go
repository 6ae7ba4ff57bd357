// Package provincial keeps DSN's provincial record: every registration (a
// source Patient, one per establishment chart) belongs to exactly one golden
// Patient that stands for the person. The source carries Patient.link type
// "refer" to its golden record, the golden record Patient.link type "seealso"
// to each source (FHIR R4 patient.html#links), and its demographics follow
// documented survivorship rules (survivorship.go). Linking runs after each
// committed Patient write from a durable job queue (dsn.Job, enqueue.go,
// linker.go); archivists review probable matches (review.go), link and unlink
// (link.go), merge and unmerge (merge.go, unmerge.go); every manual step is
// recorded as a Provenance. See README.md.
package provincial

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"dsn"
	"dsn/mpi"
	"dsn/repo"
)

// JobLink is the dsn.Job kind queued for each Patient write: its Key is the Patient id.
const JobLink = "mpi.link"

// Options configures a Service. Store and Live are required.
type Options struct {
	// Store is the store the service writes through. Its writes must reach
	// Live (repo.WithOnCommit) and must NOT queue link jobs (the service's
	// own Patient writes are not registrations to link): every other writer
	// uses Enqueue(Store, …).
	Store dsn.Store
	Live  *mpi.Live
	Clock dsn.Clock    // default dsn.SystemClock
	IDs   dsn.IDSource // default dsn.TimeOrderedIDs
	// Trust ranks sources for survivorship by Patient.meta.source (a URI
	// naming the sending system): higher wins; absent means 0.
	Trust  map[string]int
	Logger *slog.Logger // default slog.Default()
	// Poll is how often the linker looks for jobs queued by other processes
	// (dsn import) when nothing woke it (default 2 s).
	Poll time.Duration
	// Batch is how many Patients one linking transaction handles (default 64).
	Batch int
	// Linger is how long the linker waits, once woken by a commit, for the
	// jobs of the next commits to join its drain (default 10 ms; negative:
	// none). Decision 0027.
	Linger time.Duration
}

// Service links registrations into golden records and runs the archivists'
// operations. Safe for concurrent use.
type Service struct {
	store  dsn.Store
	repo   *repo.Service
	live   *mpi.Live
	clock  dsn.Clock
	ids    dsn.IDSource
	trust  map[string]int
	log    *slog.Logger
	poll   time.Duration
	batch  int
	linger time.Duration
	wake   chan struct{}
	mu     sync.Mutex     // serialises job processing (linker loop and Drain)
	failed map[string]int // Patient id → failed attempts since start
}

// New makes a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, live: o.Live, clock: o.Clock, ids: o.IDs, trust: o.Trust,
		log: o.Logger, poll: o.Poll, batch: o.Batch, linger: o.Linger, wake: make(chan struct{}, 1), failed: map[string]int{}}
	if s.clock == nil {
		s.clock = dsn.SystemClock{}
	}
	if s.ids == nil {
		s.ids = dsn.TimeOrderedIDs{}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.poll <= 0 {
		s.poll = 2 * time.Second
	}
	if s.batch <= 0 {
		s.batch = 64
	}
	if s.linger == 0 {
		s.linger = 10 * time.Millisecond
	}
	s.repo = repo.New(repo.Options{Store: o.Store, Clock: s.clock, IDs: s.ids})
	return s
}

// Live is the matching index the service uses.
func (s *Service) Live() *mpi.Live { return s.live }

// Notify wakes the linker: jobs were queued (Enqueue calls it after commit).
func (s *Service) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Actor is who asked for an operation, as the Provenance names them
// (Provenance.agent.who). Until access control lands it is the caller's
// address; the access layer will pass the authenticated user.
type Actor struct {
	Reference string // e.g. "Practitioner/123"; may be empty
	Display   string
}

// system is the agent of automatic links.
var system = Actor{Display: "DSN — index patient (liaison automatique)"}

func (a Actor) who() map[string]any {
	m := map[string]any{}
	if a.Reference != "" {
		m["reference"] = a.Reference
	}
	if a.Display != "" {
		m["display"] = a.Display
	}
	if len(m) == 0 {
		m["display"] = "inconnu"
	}
	return m
}

// ctxDone is a small helper for loops.
func ctxDone(ctx context.Context) bool { return ctx.Err() != nil }
