package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"dsn/fhir"
	"dsn/mpi/provincial"
)

// examplesDir finds the unpacked official R4 examples package: $DSN_FHIR_PACKAGE
// or what scripts/fhir-package prints. Missing: fatal under CI=true, else skip.
func examplesDir(t *testing.T) string {
	dir := os.Getenv("DSN_FHIR_PACKAGE")
	if dir == "" {
		out, err := exec.Command("../../scripts/fhir-package").Output()
		if err == nil {
			dir = strings.TrimSpace(string(out))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); dir == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the FHIR R4 examples package is required under CI=true (scripts/fhir-package)")
		}
		t.Skip("FHIR R4 examples package unavailable (scripts/fhir-package)")
	}
	return dir
}

type example struct {
	file, typ, id string
	body          []byte
	invalid       string // why fhir.Validate refuses it ("" if valid)
}

// loadExamples reads every resource of the package whose type DSN stores.
func loadExamples(t *testing.T, dir string) []example {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := fhir.Decode(b)
		if err != nil {
			continue // package.json, .index.json: not resources
		}
		typ, id := fhir.ResourceType(obj), fhir.ID(obj)
		if !fhir.IsResourceType(typ) || id == "" {
			continue
		}
		ex := example{file: filepath.Base(f), typ: typ, id: id, body: b}
		// The few official examples that break R4 are listed, with reasons, in
		// fhir/examples_test.go; here the validator's verdict says which to expect refused.
		if err := fhir.Validate(obj); err != nil {
			ex.invalid = err.Error()
		}
		out = append(out, ex)
	}
	return out
}

// TestExamplesRoundTrip PUTs every official R4 example with its own id (201
// for the first of an id), reads it back equal to what was sent apart from
// meta.versionId/lastUpdated, and checks that a broken copy of each (an unknown
// element, or a primitive of the wrong JSON type) is refused with 400 and an
// OperationOutcome, and not stored. Bundles (batch and transaction included)
// are stored as documents, not executed.
func TestExamplesRoundTrip(t *testing.T) {
	dir := examplesDir(t)
	examples := loadExamples(t, dir)
	if len(examples) < 2000 {
		t.Fatalf("only %d examples found in %s", len(examples), dir)
	}
	invalid := 0
	for _, ex := range examples {
		if ex.invalid != "" {
			invalid++
		}
	}
	// fhir/examples_test.go pins the exact list (18 files); a validator that
	// refused many more would make this test expect refusals instead of round trips.
	if invalid > 25 {
		t.Fatalf("%d official examples fail validation; fhir/examples_test.go lists 18", invalid)
	}
	fhirBase := startMain(t) + "/fhir"
	// The first file for each type/id is the one expected to create it.
	first := map[string]string{}
	for _, ex := range examples {
		if _, ok := first[ex.typ+"/"+ex.id]; !ok && ex.invalid == "" {
			first[ex.typ+"/"+ex.id] = ex.file
		}
	}
	// Loopback: no compression; PUTs ask for return=minimal since a GET follows.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}}
	work := make(chan int)
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if msg := roundTrip(client, fhirBase, examples[i], i, first); msg != "" {
					mu.Lock()
					failures = append(failures, msg)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range examples {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, f := range failures {
		if i == 30 {
			t.Errorf("… and %d more", len(failures)-30)
			break
		}
		t.Error(f)
	}
	t.Logf("%d examples round-tripped, %d failures", len(examples), len(failures))
}

// roundTrip checks one example; "" means it passed.
func roundTrip(c *http.Client, base string, ex example, i int, first map[string]string) string {
	url := base + "/" + ex.typ + "/" + ex.id
	if ex.typ == "AuditEvent" {
		// AuditEvent is the read-only view of the access journal
		// (docs/decisions/0007-journal-durability.md): writes answer 405.
		if st, body, err := send(c, "PUT", url, ex.body); err != nil || st != http.StatusMethodNotAllowed {
			return fmt.Sprintf("%s: PUT %d (want 405) %v %.300s", ex.file, st, err, body)
		}
		return ""
	}
	if ex.invalid != "" {
		return refused(c, url, ex.body, ex.file+" ("+ex.invalid+")")
	}
	st, body, err := send(c, "PUT", url, ex.body)
	wantStatus := http.StatusOK
	if first[ex.typ+"/"+ex.id] == ex.file {
		wantStatus = http.StatusCreated
	}
	if err != nil || st != wantStatus {
		return fmt.Sprintf("%s: PUT %d (want %d) %v %.300s", ex.file, st, wantStatus, err, body)
	}
	// Another file with the same id may overwrite it concurrently: compare only
	// when this file is the only one with that id.
	if first[ex.typ+"/"+ex.id] == ex.file {
		st, got, err := send(c, "GET", url, nil)
		if err != nil || st != 200 {
			return fmt.Sprintf("%s: GET %d %v", ex.file, st, err)
		}
		if !sameModuloMeta(ex.body, got) {
			return fmt.Sprintf("%s: read back differs:\n sent %.300s\n got  %.300s", ex.file, ex.body, got)
		}
	}
	broken, what := breakExample(ex, i)
	return refused(c, fmt.Sprintf("%s/%s/broken-%d", base, ex.typ, i), broken, ex.file+" broken copy ("+what+")")
}

// refused checks that PUT body to url answers 400 with an OperationOutcome
// and stores nothing.
func refused(c *http.Client, url string, body []byte, what string) string {
	st, resp, err := send(c, "PUT", url, body)
	if err != nil || st != 400 || !bytes.Contains(resp, []byte(`"OperationOutcome"`)) {
		return fmt.Sprintf("%s: PUT %d (want 400) %v %.300s", what, st, err, resp)
	}
	if st, _, _ := send(c, "GET", url, nil); st != 404 {
		return fmt.Sprintf("%s: refused but stored: GET %d", what, st)
	}
	return ""
}

// breakExample makes an invalid copy under another id: an unknown element for
// even i, a wrong-typed primitive (Resource.language as a number) for odd i.
func breakExample(ex example, i int) ([]byte, string) {
	obj, _ := fhir.Decode(ex.body)
	obj["id"] = fmt.Sprintf("broken-%d", i)
	if i%2 == 0 {
		obj["dsnUnknownElement"] = "x"
		return fhir.Encode(obj), "unknown element"
	}
	obj["language"] = json.Number("42")
	return fhir.Encode(obj), "wrong-typed primitive"
}

func send(c *http.Client, method, url string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
		req.Header.Set("Prefer", "return=minimal")
	}
	authorize(req)
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(res.Body)
	return res.StatusCode, buf.Bytes(), err
}

// sameModuloMeta compares two resources as JSON, ignoring meta.versionId and
// meta.lastUpdated (which the server sets), an emptied meta, and the Patient
// links the MPI manages (every Patient gets a "refer" link to its golden
// record, mpi/provincial).
func sameModuloMeta(a, b []byte) bool {
	oa, err1 := fhir.Decode(a)
	ob, err2 := fhir.Decode(b)
	if err1 != nil || err2 != nil {
		return false
	}
	for _, o := range []fhir.Object{oa, ob} {
		provincial.StripManaged(o)
		if m, ok := o["meta"].(map[string]any); ok {
			delete(m, "versionId")
			delete(m, "lastUpdated")
			if len(m) == 0 {
				delete(o, "meta")
			}
		}
	}
	return reflect.DeepEqual(oa, ob)
}
