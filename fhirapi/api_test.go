package fhirapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/repo"
	"dsn/sqlite"
)

// memAuditor keeps the audit records in memory for assertions.
type memAuditor struct {
	mu   sync.Mutex
	recs []Record
}

func (m *memAuditor) Audit(_ context.Context, r Record) {
	m.mu.Lock()
	m.recs = append(m.recs, r)
	m.mu.Unlock()
}

type testServer struct {
	*httptest.Server
	audit *memAuditor
	store dsn.Store
}

func newServer(t testing.TB, mod func(*Options)) *testServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	aud := &memAuditor{}
	o := Options{Repo: repo.New(repo.Options{Store: st}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Auditor: aud}
	if mod != nil {
		mod(&o)
	}
	srv := httptest.NewServer(New(o))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &testServer{Server: srv, audit: aud, store: st}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) obj(t *testing.T) fhir.Object {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d, body not JSON: %q", r.status, r.body)
	}
	return m
}

func (s *testServer) do(t *testing.T, method, path, body string, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// wantOO checks an error answer: status and an OperationOutcome body.
func wantOO(t *testing.T, r resp, status int) fhir.Object {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	o := r.obj(t)
	if o["resourceType"] != "OperationOutcome" || len(o["issue"].([]any)) == 0 {
		t.Fatalf("want an OperationOutcome: %s", r.body)
	}
	return o
}

func TestCreateReadUpdateDeleteOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	r := s.do(t, "POST", "/fhir/Patient", `{"resourceType":"Patient","gender":"female"}`)
	if r.status != 201 || r.header.Get("ETag") != `W/"1"` || !strings.Contains(r.header.Get("Location"), "/fhir/Patient/") || !strings.HasSuffix(r.header.Get("Location"), "/_history/1") {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	id := r.obj(t)["id"].(string)
	path := "/fhir/Patient/" + id
	r = s.do(t, "GET", path, "")
	if r.status != 200 || r.header.Get("ETag") != `W/"1"` || r.header.Get("Last-Modified") == "" || r.obj(t)["gender"] != "female" {
		t.Fatalf("read: %d %v %s", r.status, r.header, r.body)
	}
	if r := s.do(t, "GET", path, "", "If-None-Match", `W/"1"`); r.status != 304 {
		t.Fatalf("If-None-Match: %d", r.status)
	}
	if r := s.do(t, "GET", path, "", "If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT"); r.status != 200 {
		t.Fatalf("If-Modified-Since in the past: %d", r.status)
	}
	if r := s.do(t, "GET", path, "", "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"); r.status != 304 {
		t.Fatalf("If-Modified-Since after the last update: %d", r.status)
	}
	if r := s.do(t, "HEAD", path, ""); r.status != 200 || len(r.body) != 0 || r.header.Get("ETag") != `W/"1"` {
		t.Fatalf("HEAD: %d %q", r.status, r.body)
	}
	upd := `{"resourceType":"Patient","id":"` + id + `","gender":"male"}`
	if r := s.do(t, "PUT", path, upd, "If-Match", `W/"1"`); r.status != 200 || r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	wantOO(t, s.do(t, "PUT", path, upd, "If-Match", `W/"1"`), 412)
	if r := s.do(t, "GET", path+"/_history/1", ""); r.status != 200 || r.obj(t)["gender"] != "female" {
		t.Fatalf("vread: %d %s", r.status, r.body)
	}
	wantOO(t, s.do(t, "GET", path+"/_history/9", ""), 404)
	h := s.do(t, "GET", path+"/_history", "")
	if h.status != 200 || h.obj(t)["total"] != float64(2) {
		t.Fatalf("history: %s", h.body)
	}
	if r := s.do(t, "DELETE", path, ""); r.status != 204 || r.header.Get("ETag") != `W/"3"` {
		t.Fatalf("delete: %d %v", r.status, r.header)
	}
	wantOO(t, s.do(t, "GET", path, ""), 410)
	if r := s.do(t, "DELETE", path, ""); r.status != 204 {
		t.Fatalf("second delete: %d", r.status)
	}
	if r := s.do(t, "PUT", "/fhir/Patient/mine", `{"resourceType":"Patient","id":"mine"}`); r.status != 201 || !strings.HasSuffix(r.header.Get("Location"), "/fhir/Patient/mine/_history/1") {
		t.Fatalf("update as create: %d %v", r.status, r.header)
	}
}

func TestErrorsAreOperationOutcomes(t *testing.T) {
	s := newServer(t, func(o *Options) { o.MaxBody = 2048 })
	o := wantOO(t, s.do(t, "POST", "/fhir/Patient", `{"resourceType":"Patient","gender":"femme"}`), 400)
	is := o["issue"].([]any)
	found := false
	for _, i := range is {
		if ex, ok := i.(map[string]any)["expression"].([]any); ok && ex[0] == "Patient.gender" {
			found = true
		}
	}
	if !found {
		t.Fatalf("issue.expression must point at Patient.gender: %v", o)
	}
	wantOO(t, s.do(t, "GET", "/fhir/Nope/1", ""), 404)
	wantOO(t, s.do(t, "GET", "/fhir/Patient/1/extra/stuff/here", ""), 404)
	r := s.do(t, "POST", "/fhir/Patient/1", `{}`)
	wantOO(t, r, 405)
	if !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Fatalf("Allow: %q", r.header.Get("Allow"))
	}
	wantOO(t, s.do(t, "GET", "/fhir/metadata?_format=xml", ""), 415)
	wantOO(t, s.do(t, "GET", "/fhir/metadata?%5Fformat=xml", ""), 415) // the key percent-escaped (queryValue)
	wantOO(t, s.do(t, "GET", "/fhir/metadata?_count=1&_format=application%2Ffhir%2Bxml", ""), 415)
	wantOO(t, s.do(t, "GET", "/fhir/metadata", "", "Accept", "application/fhir+xml"), 406)
	if r := s.do(t, "GET", "/fhir/metadata?_format=json", "", "Accept", "application/fhir+xml"); r.status != 200 {
		t.Fatalf("_format wins over Accept: %d", r.status)
	}
	wantOO(t, s.do(t, "POST", "/fhir/Patient", `<Patient/>`, "Content-Type", "application/fhir+xml"), 415)
	wantOO(t, s.do(t, "POST", "/fhir/Patient", `{"resourceType":"Patient","text":{"status":"generated","div":"`+strings.Repeat("x", 3000)+`"}}`), 413)
	wantOO(t, s.do(t, "POST", "/fhir/Patient", `{"resourceType":`), 400)
	wantOO(t, s.do(t, "PUT", "/fhir/Patient/a", `{"resourceType":"Patient","id":"b"}`), 400)
	// A small gzip body that inflates beyond the limit is refused too.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"resourceType":"Patient","text":{"status":"generated","div":"` + strings.Repeat("x", 100000) + `"}}`))
	zw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/fhir/Patient", &buf)
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 413 {
		t.Fatalf("inflated body over the limit: %d", res.StatusCode)
	}
	if n := versionCount(t, s.store); n != 0 {
		t.Fatalf("%d versions written by failed requests", n)
	}
}

func versionCount(t *testing.T, st dsn.Store) int {
	p, err := st.History(context.Background(), dsn.HistoryQuery{Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestGzipBothWays(t *testing.T) {
	s := newServer(t, nil)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"resourceType":"Patient","id":"z","gender":"other"}`))
	zw.Close()
	req, _ := http.NewRequest("PUT", s.URL+"/fhir/Patient/z", &buf)
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Content-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("gzip body: %d", res.StatusCode)
	}
	for i := 0; i < 3; i++ { // writers are pooled: each answer is a whole stream of its own
		r := s.do(t, "GET", "/fhir/metadata", "", "Accept-Encoding", "gzip")
		if r.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("no gzip response: %v", r.header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.HasPrefix(plain, []byte(`{"resourceType":"CapabilityStatement"`)) || !bytes.HasSuffix(plain, []byte("}")) {
			t.Fatalf("gunzipped (%v): %.100s", err, plain)
		}
	}
	if r := s.do(t, "GET", "/fhir/metadata", "", "Accept-Encoding", "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
		t.Fatal("gzip;q=0 must not compress")
	}
}

func TestPreferReturn(t *testing.T) {
	s := newServer(t, nil)
	body := `{"resourceType":"Patient"}`
	if r := s.do(t, "POST", "/fhir/Patient", body, "Prefer", "return=minimal"); r.status != 201 || len(r.body) != 0 || r.header.Get("Location") == "" {
		t.Fatalf("minimal: %d %q", r.status, r.body)
	}
	r := s.do(t, "POST", "/fhir/Patient", body, "Prefer", "return=OperationOutcome")
	if r.status != 201 || r.obj(t)["resourceType"] != "OperationOutcome" {
		t.Fatalf("OperationOutcome: %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/fhir/metadata?_pretty=true", ""); !bytes.Contains(r.body, []byte("\n  \"")) {
		t.Fatalf("_pretty: %.80s", r.body)
	}
	if r := s.do(t, "GET", "/fhir/metadata?%5Fpretty=true", ""); !bytes.Contains(r.body, []byte("\n  \"")) {
		t.Fatalf("_pretty escaped: %.80s", r.body)
	}
	if r := s.do(t, "GET", "/fhir/metadata", ""); bytes.Contains(r.body, []byte("\n  \"")) {
		t.Fatalf("indented without _pretty: %.80s", r.body)
	}
}

func TestConditionalCreateAndSearch(t *testing.T) {
	s := newServer(t, nil)
	p := `{"resourceType":"Patient","identifier":[{"system":"urn:t","value":"1"}],"name":[{"family":"Bélanger"}]}`
	r1 := s.do(t, "POST", "/fhir/Patient", p, "If-None-Exist", "identifier=urn:t|1")
	r2 := s.do(t, "POST", "/fhir/Patient", p, "If-None-Exist", "identifier=urn:t|1")
	if r1.status != 201 || r2.status != 200 || r1.obj(t)["id"] != r2.obj(t)["id"] {
		t.Fatalf("conditional create: %d %d", r1.status, r2.status)
	}
	sr := s.do(t, "GET", "/fhir/Patient?family=belanger", "")
	if sr.status != 200 || len(sr.obj(t)["entry"].([]any)) != 1 {
		t.Fatalf("search (accents folded): %s", sr.body)
	}
	ps := s.do(t, "POST", "/fhir/Patient/_search", "identifier=urn:t|1", "Content-Type", "application/x-www-form-urlencoded")
	if ps.status != 200 || len(ps.obj(t)["entry"].([]any)) != 1 {
		t.Fatalf("POST _search: %d %s", ps.status, ps.body)
	}
	wantOO(t, s.do(t, "GET", "/fhir/Patient?colour=blue", "", "Prefer", "handling=strict"), 400)
	sys := s.do(t, "GET", "/fhir?_id="+r1.obj(t)["id"].(string), "")
	if sys.status != 200 || len(sys.obj(t)["entry"].([]any)) != 1 {
		t.Fatalf("system search: %d %s", sys.status, sys.body)
	}
	if r := s.do(t, "PUT", "/fhir/Patient?identifier=urn:t|2", `{"resourceType":"Patient"}`); r.status != 201 {
		t.Fatalf("conditional update with no match creates: %d %s", r.status, r.body)
	}
	s.do(t, "POST", "/fhir/Patient", p)
	wantOO(t, s.do(t, "DELETE", "/fhir/Patient?name=b", ""), 412)
}

func TestPatchOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	s.do(t, "PUT", "/fhir/Patient/p", `{"resourceType":"Patient","id":"p","active":true}`)
	r := s.do(t, "PATCH", "/fhir/Patient/p", `[{"op":"replace","path":"/active","value":false}]`, "Content-Type", "application/json-patch+json")
	if r.status != 200 || r.obj(t)["active"] != false || r.header.Get("ETag") != `W/"2"` {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	wantOO(t, s.do(t, "PATCH", "/fhir/Patient/p", `{"resourceType":"Parameters"}`), 415)
	wantOO(t, s.do(t, "PATCH", "/fhir/Patient/p", `[{"op":"add","path":"/active","value":"yes"}]`, "Content-Type", "application/json-patch+json"), 422)
}

func TestTransactionOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	tx := `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"fullUrl":"urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
	 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"t"},"subject":{"reference":"urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"}},"request":{"method":"POST","url":"Observation"}}]}`
	r := s.do(t, "POST", "/fhir", tx)
	if r.status != 200 || r.obj(t)["type"] != "transaction-response" {
		t.Fatalf("transaction: %d %s", r.status, r.body)
	}
	bad := strings.Replace(tx, `"status":"final"`, `"status":"finished-ish"`, 1)
	wantOO(t, s.do(t, "POST", "/fhir/", bad), 400)
	if n := versionCount(t, s.store); n != 2 {
		t.Fatalf("%d versions, want the 2 of the first transaction only", n)
	}
	wantOO(t, s.do(t, "POST", "/fhir", `{"resourceType":"Bundle","type":"collection"}`), 400)
}

func TestMetadata(t *testing.T) {
	s := newServer(t, nil)
	r := s.do(t, "GET", "/fhir/metadata", "")
	if r.status != 200 {
		t.Fatal(r.status)
	}
	obj, err := fhir.Decode(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := fhir.Validate(obj); err != nil {
		t.Fatalf("the CapabilityStatement must be valid FHIR: %v", err)
	}
	rest := obj["rest"].([]any)[0].(map[string]any)
	var patient map[string]any
	for _, x := range rest["resource"].([]any) {
		if m := x.(map[string]any); m["type"] == "Patient" {
			patient = m
		}
	}
	if patient == nil || len(rest["resource"].([]any)) != len(fhir.ResourceTypes()) {
		t.Fatalf("every resource type must be listed")
	}
	names := map[string]bool{}
	for _, p := range patient["searchParam"].([]any) {
		names[p.(map[string]any)["name"].(string)] = true
	}
	if !names["identifier"] || !names["birthdate"] || !names["_id"] {
		t.Fatalf("Patient search params: %v", names)
	}
	if !strings.Contains(string(r.body), `"patchFormat":["application/json-patch+json"]`) {
		t.Fatal("patchFormat missing")
	}
	// complete search: composites are declared, _revinclude values listed,
	// what is not supported said in rest.documentation
	for _, want := range []string{`"name":"code-value-quantity"`, `"Observation:subject"`, `"searchRevInclude"`, `:of-type`, `Location near=latitude|longitude`, `"name":"_tag"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("CapabilityStatement lacks %s", want)
		}
	}
	if !strings.Contains(string(r.body), `"name":"near"`) {
		t.Error("Location near is supported (search/near.go) but not declared")
	}
}

type denyAll struct{}

func (denyAll) Authorize(context.Context, Request) error {
	return dsn.Errorf("test", dsn.KindForbidden, "non")
}

func TestAccessSeamAndAudit(t *testing.T) {
	s := newServer(t, func(o *Options) { o.Authorizer = denyAll{} })
	wantOO(t, s.do(t, "GET", "/fhir/Patient/x?_pretty=true", ""), 403)
	wantOO(t, s.do(t, "POST", "/fhir/Patient", `{"resourceType":"Patient"}`), 403)
	if n := versionCount(t, s.store); n != 0 {
		t.Fatal("a refused create must not write")
	}
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	if len(s.audit.recs) != 2 {
		t.Fatalf("want one audit record per request, got %d", len(s.audit.recs))
	}
	r := s.audit.recs[0]
	if r.Request.Interaction != "read" || r.Request.Type != "Patient" || r.Request.ID != "x" || r.Status != 403 || r.Outcome != "forbidden" || r.Request.Query != "_pretty=true" {
		t.Fatalf("audit record: %+v", r)
	}
	if s.audit.recs[1].Request.Interaction != "create" {
		t.Fatalf("audit record: %+v", s.audit.recs[1])
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:5000": true, "[::1]:80": true, "[::ffff:127.0.0.1]:80": true,
		"10.0.0.5:1234": false, "[::ffff:10.0.0.5]:80": false, "garbage": false} {
		err := LoopbackOnly{}.Authorize(context.Background(), Request{RemoteAddr: addr})
		if (err == nil) != ok || (err != nil && dsn.KindOf(err) != dsn.KindForbidden) {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestInteractionNames(t *testing.T) {
	a := New(Options{Repo: repo.New(repo.Options{})}).(*API)
	cases := map[string]string{
		"GET /fhir/metadata": "capabilities", "POST /fhir": "batch/transaction",
		"GET /fhir/Patient": "search-type", "POST /fhir/Patient/_search": "search-type",
		"GET /fhir/Patient/1": "read", "GET /fhir/Patient/1/_history/2": "vread",
		"GET /fhir/Patient/1/_history": "history-instance", "GET /fhir/Patient/_history": "history-type",
		"GET /fhir/_history": "history-system", "PATCH /fhir/Patient/1": "patch",
		"DELETE /fhir/Patient/1": "delete", "PUT /fhir/Patient/1": "update", "POST /fhir/Patient": "create",
		"OPTIONS /fhir/Patient/1": "unknown", "GET /fhir": "search-system", "POST /fhir/_search": "search-system", "HEAD /fhir/Patient/1": "read",
		"GET /fhir/Patient/1/Observation": "search-compartment", "GET /fhir/Patient/1/*": "search-compartment",
		"GET /fhir/Patient/1/$everything": "operation",
	}
	for in, want := range cases {
		m, p, _ := strings.Cut(in, " ")
		if got := a.describe(httptest.NewRequest(m, p, nil)).Interaction; got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
