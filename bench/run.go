package bench

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"dsn"
)

// Result is what a run measured. Only requests started after the warm-up
// count; latencies include failed requests.
type Result struct {
	Scenario       string         `json:"scenario"`
	Request        string         `json:"request"` // what one request is
	URL            string         `json:"url"`
	Concurrency    int            `json:"concurrency"`
	Warmup         time.Duration  `json:"-"`
	Elapsed        time.Duration  `json:"-"` // measured time, warm-up excluded
	Requests       int            `json:"requests"`
	Errors         int            `json:"errors"`
	ErrorsByStatus map[string]int `json:"errorsByStatus"` // HTTP status, or "transport"
	Resources      int            `json:"resources"`      // written by successful requests
	Latency        *Latencies     `json:"-"`
	Stopped        string         `json:"stopped"` // duration, max-requests or interrupted
	// CPU per measured request, in µs: this client's (it shares the machine
	// with the server) and, with Config.ServerPID on Linux, the server's.
	ClientCPU float64 `json:"clientCpuMicrosPerRequest"`
	ServerCPU float64 `json:"serverCpuMicrosPerRequest,omitempty"`
}

// RequestsPerSecond is the measured throughput of requests.
func (r Result) RequestsPerSecond() float64 { return perSecond(r.Requests, r.Elapsed) }

// ResourcesPerSecond is the measured throughput of written resources.
func (r Result) ResourcesPerSecond() float64 { return perSecond(r.Resources, r.Elapsed) }

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Run seeds the scenario's data, then runs cfg.Concurrency workers that send
// requests back to back until cfg.Warmup+cfg.Duration has passed, MaxRequests
// have been sent, or ctx ends. Requests in flight at the end finish (the
// client timeout is 30 s). Errors: KindInvalid for a bad Config,
// KindUnavailable if seeding fails.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	sc := newScenario(cfg.Scenario)
	c := newClient(cfg.URL, cfg.Concurrency)
	c.token = cfg.Token
	defer c.close()
	if err := sc.seed(ctx, c, cfg); err != nil {
		return Result{}, err
	}
	start := time.Now()
	measureFrom := start.Add(cfg.Warmup)
	end := measureFrom.Add(cfg.Duration)
	var sent atomic.Int64
	workers := make([]worker, cfg.Concurrency)
	var wg sync.WaitGroup
	cpuFrom := make(chan cpuSample, 1)
	window := time.AfterFunc(time.Until(measureFrom), func() { cpuFrom <- sampleCPU(cfg.ServerPID) })
	for i := range workers {
		w := &workers[i]
		w.init(newGen(cfg.Seed, i))
		w.lean = newLean(cfg.URL, cfg.Token)
		wg.Go(func() {
			w.loop(ctx, c, sc, measureFrom, end, &sent, int64(cfg.MaxRequests))
			if w.lean != nil {
				w.lean.close()
			}
		})
	}
	wg.Wait()
	finished := time.Now()
	cpuTo := sampleCPU(cfg.ServerPID)
	res := Result{Scenario: cfg.Scenario, Request: sc.describe(), URL: cfg.URL, Concurrency: cfg.Concurrency,
		Warmup: cfg.Warmup, ErrorsByStatus: map[string]int{}, Latency: &Latencies{}, Stopped: "duration"}
	res.Elapsed = finished.Sub(measureFrom) // includes the last requests finishing after end, as they count
	for i := range workers {
		w := &workers[i]
		res.Requests += w.requests
		res.Resources += w.ok * sc.perRequest()
		for k, n := range w.errors {
			res.ErrorsByStatus[k] += n
			res.Errors += n
		}
		res.Latency.Merge(&w.lat)
	}
	if window.Stop() { // the run ended before the window opened
		cpuFrom <- cpuTo
	}
	from := <-cpuFrom
	res.ClientCPU = cpuPerRequest(from.client, cpuTo.client, res.Requests)
	if from.serverOK && cpuTo.serverOK {
		res.ServerCPU = cpuPerRequest(from.server, cpuTo.server, res.Requests)
	}
	switch {
	case ctx.Err() != nil:
		res.Stopped = "interrupted"
	case sent.Load() >= int64(cfg.MaxRequests):
		res.Stopped = "max-requests"
	}
	if res.Elapsed <= 0 {
		return res, dsn.Errorf("bench.Run", dsn.KindUnavailable, "la mesure n'a pas commencé (échauffement interrompu)")
	}
	return res, nil
}

// worker keeps its own counts so that workers share nothing while running.
type worker struct {
	g        *gen
	requests int
	ok       int
	errors   map[string]int
	lat      Latencies
	lean     *leanConn // the measured requests' connection (nil: https, net/http)
}

func (w *worker) init(g *gen) {
	w.g = g
	w.errors = map[string]int{}
}

func (w *worker) loop(ctx context.Context, c *client, sc scenario, measureFrom, end time.Time, sent *atomic.Int64, max int64) {
	for ctx.Err() == nil {
		method, path, body := sc.next(w.g)
		t0 := time.Now()
		if !t0.Before(end) || sent.Add(1) > max {
			return
		}
		var r response
		var err error
		if w.lean != nil {
			r, err = w.lean.do(ctx, method, path, body)
		} else {
			r, err = c.do(ctx, method, path, body, false)
		}
		d := time.Since(t0)
		if t0.Before(measureFrom) {
			continue
		}
		if ctx.Err() != nil {
			return // interrupted: this request's outcome says nothing about the server
		}
		w.requests++
		w.lat.Add(d)
		switch {
		case err != nil:
			w.errors["transport"]++
		case r.status/100 != 2:
			w.errors[strconv.Itoa(r.status)]++
		default:
			w.ok++
		}
	}
}
