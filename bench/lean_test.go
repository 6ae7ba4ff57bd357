package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The lean client must frame every answer the way net/http's server sends
// it: Content-Length, chunked (a body larger than the server's buffer),
// no body (204) and Connection: close; it must keep one connection for many
// requests and redial after a close.
func TestLeanClientFraming(t *testing.T) {
	var conns atomic.Int64
	big := strings.Repeat("x", 100_000)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Accept") != fhirJSON {
			w.WriteHeader(401)
			return
		}
		switch r.URL.Path {
		case "/fhir/small":
			w.Write([]byte(`{"resourceType":"Patient"}`))
		case "/fhir/big":
			w.(http.Flusher).Flush() // no Content-Length: chunked
			io.WriteString(w, big)
		case "/fhir/none":
			w.WriteHeader(204)
		case "/fhir/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "/fhir/Patient":
			b, _ := io.ReadAll(r.Body)
			if r.Method != "POST" || string(b) != `{"resourceType":"Patient"}` || r.Header.Get("Content-Type") != fhirJSON {
				w.WriteHeader(400)
				return
			}
			w.Header().Set("Location", "http://x/fhir/Patient/p1/_history/1")
			w.WriteHeader(201)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newLean(srv.URL+"/fhir", "tok")
	defer c.close()
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		body         []byte
		status       int
	}{
		{"GET", "/small", nil, 200}, {"GET", "/big", nil, 200}, {"GET", "/none", nil, 204},
		{"GET", "/small", nil, 200}, {"POST", "/Patient", []byte(`{"resourceType":"Patient"}`), 201},
		{"GET", "/big", nil, 200}, {"GET", "/small", nil, 200},
	} {
		r, err := c.do(ctx, tc.method, tc.path, tc.body)
		if err != nil || r.status != tc.status {
			t.Fatalf("%s %s: status %d, err %v; want %d", tc.method, tc.path, r.status, err, tc.status)
		}
		if tc.method == "POST" && createdID(r) != "p1" {
			t.Fatalf("Location %q: id %q, want p1", r.location, createdID(r))
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 7 keep-alive requests, want 1", n)
	}
	if r, err := c.do(ctx, "GET", "/close", nil); err != nil || r.status != 200 {
		t.Fatalf("close: %d %v", r.status, err)
	}
	if r, err := c.do(ctx, "GET", "/small", nil); err != nil || r.status != 200 {
		t.Fatalf("after close: %d %v", r.status, err)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want a second one after Connection: close", n)
	}
	// the server drops idle connections: the next request redials once
	srv.CloseClientConnections()
	time.Sleep(20 * time.Millisecond)
	if r, err := c.do(ctx, "GET", "/small", nil); err != nil || r.status != 200 {
		t.Fatalf("after the server closed the idle connection: %d %v", r.status, err)
	}
}

func TestLeanClientHTTPSUsesNetHTTP(t *testing.T) {
	if newLean("https://127.0.0.1:8443/fhir", "") != nil {
		t.Fatal("newLean accepted https; the lean client speaks plain HTTP only")
	}
}
