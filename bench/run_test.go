package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dsn"
)

// fakeFHIR is a minimal in-memory FHIR endpoint, enough for every scenario,
// used until the real server runs in cmd/dsn's test. failEvery > 0 answers
// 503 to every failEvery-th measured request.
type fakeFHIR struct {
	mu        sync.Mutex
	next      int
	versions  map[string]int
	requests  atomic.Int64
	failEvery int64
}

func (f *fakeFHIR) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/fhir")
	w.Header().Set("Content-Type", "application/fhir+json")
	if f.failEvery > 0 && r.Method == "GET" && n%f.failEvery == 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "POST" && path == "":
		var b struct {
			Entry []struct{ Request struct{ URL string } }
		}
		if json.Unmarshal(body, &b) != nil || len(b.Entry) == 0 {
			http.Error(w, "bad bundle", 400)
			return
		}
		var entries []string
		for _, e := range b.Entry {
			f.next++
			entries = append(entries, fmt.Sprintf(`{"response":{"status":"201 Created","location":"%s/%d/_history/1"}}`, e.Request.URL, f.next))
		}
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"transaction-response","entry":[%s]}`, strings.Join(entries, ","))
	case r.Method == "POST" && path == "/Patient":
		if !bytes.Contains(body, []byte(`"resourceType":"Patient"`)) {
			http.Error(w, "not a patient", 400)
			return
		}
		f.next++
		id := fmt.Sprint(f.next)
		f.versions[id] = 1
		w.Header().Set("Location", "http://"+r.Host+"/fhir/Patient/"+id+"/_history/1")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"resourceType":"Patient","id":"%s"}`, id)
	case r.Method == "POST" && path == "/Observation":
		var o struct {
			ResourceType string
			Subject      struct{ Reference string }
		}
		if json.Unmarshal(body, &o) != nil || o.ResourceType != "Observation" ||
			f.versions[strings.TrimPrefix(o.Subject.Reference, "Patient/")] == 0 {
			http.Error(w, "not an observation of a seeded patient", 400)
			return
		}
		f.next++
		w.Header().Set("Location", fmt.Sprintf("http://%s/fhir/Observation/%d/_history/1", r.Host, f.next))
		w.WriteHeader(http.StatusCreated)
	case r.Method == "PUT" && strings.HasPrefix(path, "/Patient/"):
		f.versions[strings.TrimPrefix(path, "/Patient/")]++
		fmt.Fprint(w, `{"resourceType":"Patient"}`)
	case r.Method == "GET" && path == "/Patient" && r.URL.Query().Has("birthdate"): // sampling of the loaded scenarios
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"s1",`+
			`"name":[{"family":"Côté","given":["Marie"]}],"birthDate":"1950-02-03","identifier":[{"system":"urn:x","value":"1"}]}}]}`)
	case r.Method == "POST" && path == "/Patient/$match":
		if !bytes.Contains(body, []byte(`"name":"resource"`)) || !bytes.Contains(body, []byte(`"family":"Côté"`)) {
			http.Error(w, "bad $match input", 400)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","entry":[]}`)
	case r.Method == "GET" && strings.HasSuffix(path, "/$everything"):
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","entry":[]}`)
	case r.Method == "GET" && strings.HasSuffix(path, "/_history"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/Patient/"), "/_history")
		if f.versions[id] != 5 {
			http.Error(w, "history not seeded", 404)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"history"}`)
	case r.Method == "GET" && strings.HasPrefix(path, "/Patient/"):
		if f.versions[strings.TrimPrefix(path, "/Patient/")] == 0 {
			http.Error(w, "not found", 404)
			return
		}
		fmt.Fprint(w, `{"resourceType":"Patient"}`)
	case r.Method == "GET" && r.URL.RawQuery != "":
		fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","entry":[]}`)
	default:
		http.Error(w, "no route", 404)
	}
}

func startFake(t *testing.T, failEvery int64) (*fakeFHIR, string) {
	f := &fakeFHIR{versions: map[string]int{}, failEvery: failEvery}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/fhir"
}

func TestRunScenarios(t *testing.T) {
	for _, sc := range Scenarios {
		t.Run(sc, func(t *testing.T) {
			f, url := startFake(t, 0)
			res, err := Run(context.Background(), Config{URL: url, Scenario: sc, Concurrency: 4,
				Duration: 200 * time.Millisecond, MaxRequests: 300, SeedSize: 8})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests == 0 || res.Errors != 0 || res.Latency.Count() != res.Requests {
				t.Fatalf("requests %d errors %d %v samples %d", res.Requests, res.Errors, res.ErrorsByStatus, res.Latency.Count())
			}
			if int(f.requests.Load()) < res.Requests {
				t.Errorf("server saw %d requests, bench counted %d", f.requests.Load(), res.Requests)
			}
			wantRes := map[string]int{"create": 1, "create-observation": 1, "transaction": 26}[sc] * res.Requests
			if res.Resources != wantRes {
				t.Errorf("resources %d, want %d", res.Resources, wantRes)
			}
			var text, js bytes.Buffer
			if err := res.WriteText(&text); err != nil || !strings.Contains(text.String(), "p99") {
				t.Errorf("text output: %v %q", err, text.String())
			}
			var decoded map[string]any
			if err := res.WriteJSON(&js); err != nil || json.Unmarshal(js.Bytes(), &decoded) != nil || decoded["requests"] != float64(res.Requests) {
				t.Errorf("json output: %v %s", err, js.String())
			}
		})
	}
}

func TestRunBoundsAndErrors(t *testing.T) {
	f, url := startFake(t, 3)
	res, err := Run(context.Background(), Config{URL: url, Scenario: "read", Concurrency: 3,
		Duration: time.Minute, MaxRequests: 90, SeedSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != "max-requests" || res.Requests != 90 {
		t.Errorf("stopped by %s after %d requests, want max-requests after 90", res.Stopped, res.Requests)
	}
	if res.Errors != res.ErrorsByStatus["503"] || res.Errors < 25 || res.Errors > 35 {
		t.Errorf("errors %d by status %v: about a third should be 503", res.Errors, res.ErrorsByStatus)
	}
	if f.requests.Load() != 95 {
		t.Errorf("server saw %d requests, want 5 seed + 90", f.requests.Load())
	}
}

func TestRunRefuses(t *testing.T) {
	ok := Config{URL: "http://127.0.0.1:1/fhir", Scenario: "read", Concurrency: 1, Duration: time.Second}
	bad := map[string]func(c *Config){
		"remote host":      func(c *Config) { c.URL = "http://example.org/fhir" },
		"private address":  func(c *Config) { c.URL = "http://10.0.0.1:8080/fhir" },
		"not http":         func(c *Config) { c.URL = "ftp://127.0.0.1/fhir" },
		"unknown scenario": func(c *Config) { c.Scenario = "delete-everything" },
		"no workers":       func(c *Config) { c.Concurrency = 0 },
		"too many workers": func(c *Config) { c.Concurrency = MaxConcurrency + 1 },
		"endless":          func(c *Config) { c.Duration = time.Hour },
		"too many reqs":    func(c *Config) { c.MaxRequests = MaxRequests + 1 },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		if _, err := Run(context.Background(), c); dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("%s: err = %v, want KindInvalid", name, err)
		}
	}
	// Seeding against nothing fails with KindUnavailable, not a hang.
	if _, err := Run(context.Background(), ok); dsn.KindOf(err) != dsn.KindUnavailable {
		t.Errorf("no server: err = %v", err)
	}
}
