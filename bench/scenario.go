package bench

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"dsn"
)

// scenario is one load shape: what to create first, and one measured request.
type scenario interface {
	// seed creates the data the requests need, using n resources (or bundles).
	seed(ctx context.Context, c *client, cfg Config) error
	// next builds the next measured request; Run times only its sending.
	next(g *gen) (method, path string, body []byte)
	// perRequest is how many resources one successful request writes (0: none).
	perRequest() int
	// describe says in a few words what one request is.
	describe() string
}

func newScenario(name string) scenario {
	switch name {
	case "create":
		return &createScenario{}
	case "create-observation":
		return &createObservationScenario{}
	case "read":
		return &readScenario{}
	case "transaction":
		return &transactionScenario{}
	case "history":
		return &historyScenario{}
	case "search":
		return &searchScenario{}
	}
	return newLoadedScenario(name)
}

type createScenario struct{}

func (*createScenario) seed(context.Context, *client, Config) error { return nil }
func (*createScenario) next(g *gen) (string, string, []byte) {
	return "POST", "/Patient", marshal(g.patient())
}
func (*createScenario) perRequest() int  { return 1 }
func (*createScenario) describe() string { return "POST /Patient (one synthetic Patient)" }

// createObservationScenario creates one vital sign or lab result per request
// for patients created first (default 200): the everyday clinical write, which
// unlike a Patient create involves no identity linking (mpi/README.md).
type createObservationScenario struct{ ids []string }

func (s *createObservationScenario) seed(ctx context.Context, c *client, cfg Config) error {
	var err error
	s.ids, err = seedPatients(ctx, c, cfg, or(cfg.SeedSize, 200))
	return err
}
func (s *createObservationScenario) next(g *gen) (string, string, []byte) {
	pat := "Patient/" + s.ids[g.r.IntN(len(s.ids))]
	at := g.base.Add(-time.Duration(g.r.IntN(5*365*24)) * time.Hour)
	obs := g.observation(pat, "", at)
	delete(obs, "encounter")
	return "POST", "/Observation", marshal(obs)
}
func (*createObservationScenario) perRequest() int { return 1 }
func (*createObservationScenario) describe() string {
	return "POST /Observation (one vital sign or lab result of a seeded Patient)"
}

type transactionScenario struct{}

func (*transactionScenario) seed(context.Context, *client, Config) error { return nil }
func (*transactionScenario) next(g *gen) (string, string, []byte) {
	return "POST", "", marshal(g.transaction())
}
func (*transactionScenario) perRequest() int { return bundleResources }
func (*transactionScenario) describe() string {
	return fmt.Sprintf("POST transaction Bundle (1 Patient + %d clinical resources)", bundleResources-1)
}

// readScenario reads patients created first (default 200).
type readScenario struct{ ids []string }

func (s *readScenario) seed(ctx context.Context, c *client, cfg Config) error {
	var err error
	s.ids, err = seedPatients(ctx, c, cfg, or(cfg.SeedSize, 200))
	return err
}
func (s *readScenario) next(g *gen) (string, string, []byte) {
	return "GET", "/Patient/" + s.ids[g.r.IntN(len(s.ids))], nil
}
func (*readScenario) perRequest() int  { return 0 }
func (*readScenario) describe() string { return "GET /Patient/{id} (read)" }

// historyScenario reads the history of patients each updated 4 times (5 versions).
type historyScenario struct{ ids []string }

func (s *historyScenario) seed(ctx context.Context, c *client, cfg Config) error {
	ids, err := seedPatients(ctx, c, cfg, or(cfg.SeedSize, 50))
	if err != nil {
		return err
	}
	s.ids = ids
	return parallel(ctx, cfg.Concurrency, len(ids), func(i int, g *gen) error {
		for v := 0; v < 4; v++ {
			p := g.patient()
			p["id"] = ids[i]
			r, err := c.do(ctx, "PUT", "/Patient/"+ids[i], marshal(p), true)
			if err := seedErr("PUT /Patient/"+ids[i], r, err); err != nil {
				return err
			}
		}
		return nil
	}, cfg.Seed)
}
func (s *historyScenario) next(g *gen) (string, string, []byte) {
	return "GET", "/Patient/" + s.ids[g.r.IntN(len(s.ids))] + "/_history", nil
}
func (*historyScenario) perRequest() int  { return 0 }
func (*historyScenario) describe() string { return "GET /Patient/{id}/_history (5 versions each)" }

// searchScenario loads transaction Bundles (default 20), then alternates a
// patient search by family name and an observation search by patient and code.
type searchScenario struct {
	patients []string
	n        atomic.Uint64
}

func (s *searchScenario) seed(ctx context.Context, c *client, cfg Config) error {
	n := or(cfg.SeedSize, 20)
	var mu sync.Mutex
	return parallel(ctx, cfg.Concurrency, n, func(i int, g *gen) error {
		r, err := c.do(ctx, "POST", "", marshal(g.transaction()), true)
		if err := seedErr("POST transaction", r, err); err != nil {
			return err
		}
		locs := bundleLocations(r.body)
		if len(locs) == 0 || !strings.HasPrefix(locs[0], "Patient/") && !strings.Contains(locs[0], "/Patient/") {
			return dsn.Errorf("bench.seed", dsn.KindUnavailable, "la réponse de la transaction ne donne pas l'emplacement du Patient")
		}
		mu.Lock()
		s.patients = append(s.patients, createdID(response{location: locs[0]}))
		mu.Unlock()
		return nil
	}, cfg.Seed)
}

func (s *searchScenario) next(g *gen) (string, string, []byte) {
	switch s.n.Add(1) % 3 {
	case 0:
		return "GET", "/Patient?family=" + url.QueryEscape(g.pick(families)) + "&_count=20", nil
	case 1:
		m := measures[g.r.IntN(len(measures))]
		return "GET", "/Observation?patient=" + s.patients[g.r.IntN(len(s.patients))] +
			"&code=" + url.QueryEscape(loinc+"|"+m.loinc), nil
	}
	return "GET", "/Encounter?patient=" + s.patients[g.r.IntN(len(s.patients))] + "&date=ge2022-01-01", nil
}
func (*searchScenario) perRequest() int { return 0 }
func (*searchScenario) describe() string {
	return "GET searches in turn: Patient?family, Observation?patient&code, Encounter?patient&date"
}

// seedPatients creates n patients and returns their ids.
func seedPatients(ctx context.Context, c *client, cfg Config, n int) ([]string, error) {
	ids := make([]string, n)
	err := parallel(ctx, cfg.Concurrency, n, func(i int, g *gen) error {
		r, err := c.do(ctx, "POST", "/Patient", marshal(g.patient()), true)
		if err := seedErr("POST /Patient", r, err); err != nil {
			return err
		}
		if ids[i] = createdID(r); ids[i] == "" {
			return dsn.Errorf("bench.seed", dsn.KindUnavailable, "POST /Patient: ni en-tête Location ni id dans la réponse")
		}
		return nil
	}, cfg.Seed)
	return ids, err
}

// parallel runs fn for 0..n-1 on up to workers goroutines, each with its own
// generator, and returns the first error.
func parallel(ctx context.Context, workers, n int, fn func(i int, g *gen) error, seed uint64) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for w := range min(workers, n) {
		g := newGen(seed, 1000+w)
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i, g); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

func seedErr(what string, r response, err error) error {
	if err != nil {
		return dsn.Wrap("bench.seed", dsn.KindUnavailable, fmt.Errorf("%s: %w", what, err))
	}
	if r.status/100 != 2 {
		body := string(r.body)
		if len(body) > 300 {
			body = body[:300] + "…"
		}
		return dsn.Errorf("bench.seed", dsn.KindUnavailable, "préparation des données: %s a répondu %d: %s", what, r.status, body)
	}
	return nil
}

func or(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}
