package fhirapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"dsn"
	"dsn/access"
)

// Request is what the access decision and the audit see of an interaction,
// derived from the HTTP request independently of routing (DESIGN.md §2).
type Request struct {
	Method     string
	Path       string
	Query      string // the raw query: which patient was searched for matters to the journal
	RemoteAddr string
	// Authorization is the request's Authorization header: read by the
	// authorizer, never logged nor journaled.
	Authorization string
	Interaction   string // read, vread, update, patch, delete, create, search-type, search-system, history-*, batch/transaction, capabilities, operation, unknown
	Type, ID      string // "" when the interaction has none
}

// Authorizer is the one access decision every FHIR interaction passes.
// Authorize returns nil to allow, or a *dsn.Error of KindUnauthorized or
// KindForbidden to refuse.
type Authorizer interface {
	Authorize(ctx context.Context, req Request) error
}

// ContextAuthorizer is an Authorizer that also authenticates: it returns the
// context the interaction runs in, carrying who the caller is (the policy
// behind the repository reads it there). withAccess prefers it when the
// Authorizer has it.
type ContextAuthorizer interface {
	Authorizer
	AuthorizeContext(ctx context.Context, req Request) (context.Context, error)
}

// LoopbackOnly allows callers on the loopback interface only: the policy until
// access control lands (DESIGN.md §2).
type LoopbackOnly struct{}

var _ Authorizer = LoopbackOnly{}

// Authorize allows loopback remote addresses and refuses the rest (403).
func (LoopbackOnly) Authorize(_ context.Context, req Request) error {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	// netip rather than net.ParseIP: no allocation per request; Unmap so that
	// ::ffff:127.0.0.1 stays loopback, as net.IP says it is
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return nil
	}
	return errorf("fhirapi.Authorize", dsn.KindForbidden, "auth.loopback")
}

// Record is one audit entry: who asked what, and how it ended.
type Record struct {
	Time     time.Time
	Request  Request
	Status   int
	Outcome  string // "" on success, else the error kind
	Duration time.Duration
}

// Auditor receives one Record per FHIR interaction.
type Auditor interface {
	Audit(ctx context.Context, rec Record)
}

// SlogAuditor writes audit records as structured log lines, until the audit
// journal (package audit) lands.
type SlogAuditor struct{ Logger *slog.Logger }

var _ Auditor = SlogAuditor{}

// Audit logs rec at Info level under the message "audit".
func (s SlogAuditor) Audit(ctx context.Context, rec Record) {
	s.Logger.LogAttrs(ctx, slog.LevelInfo, "audit",
		slog.String("interaction", rec.Request.Interaction),
		slog.String("method", rec.Request.Method), slog.String("path", rec.Request.Path),
		slog.String("query", rec.Request.Query),
		slog.String("type", rec.Request.Type), slog.String("id", rec.Request.ID),
		slog.String("remote", rec.Request.RemoteAddr), slog.Int("status", rec.Status),
		slog.String("outcome", rec.Outcome), slog.Duration("duration", rec.Duration))
}

var _ http.ResponseWriter = (*recorder)(nil)

// recorder keeps the status and the error kind for the audit record.
type recorder struct {
	http.ResponseWriter
	status int
	kind   string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// ownedWriter takes a whole body its caller hands over (send: the encoded
// answer, never written to again), so that a held response keeps it without
// a copy — a search's Bundle is ~20 KiB per request (docs/benchmarks.md,
// session 7). io.Writer's Write may not keep its argument, hence a method of
// its own. buf, if not nil, is the encodeBufs buffer b lives in: the writer
// puts it back (releaseEncodeBuf) once b is written out.
type ownedWriter interface{ writeOwned(b []byte, buf *[]byte) }

func (r *recorder) writeOwned(b []byte, buf *[]byte) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if o, ok := r.ResponseWriter.(ownedWriter); ok {
		o.writeOwned(b, buf)
		return
	}
	r.ResponseWriter.Write(b)
	releaseEncodeBuf(buf)
}

// withAccess is the route-independent seam: one decision before, one audit
// record after, for every request under the FHIR base. With a CommitAuditor
// (the journal) the response is held until its entry is durable: no entry,
// no data (the caller then gets 503 and nothing of the answer).
func (a *API) withAccess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		req := a.describe(r)
		ctx, _ := access.WithDisclosures(r.Context())
		commit, holds := a.audit.(CommitAuditor)
		var held *heldResponse
		out := w
		if holds {
			held = heldPool.Get().(*heldResponse)
			defer putHeld(held)
			out = held
		}
		rec := &recorder{ResponseWriter: out}
		ctx, err := a.authorize(ctx, req)
		r = r.WithContext(ctx)
		if err != nil {
			a.writeError(rec, r, err)
		} else {
			next.ServeHTTP(rec, r)
		}
		record := Record{Time: start.UTC(), Request: req, Status: rec.status, Outcome: rec.kind, Duration: time.Since(start)}
		if !holds {
			a.audit.Audit(r.Context(), record)
			return
		}
		if err := commit.Commit(r.Context(), record); err != nil {
			a.log.Error("journal unavailable: response withheld", "path", req.Path, "err", err)
			a.writeError(w, r, errorf("fhirapi", dsn.KindUnavailable, "journal.down"))
			return
		}
		held.sendTo(w)
	})
}

// CommitAuditor is an Auditor whose records must be durable before the
// response leaves (the access journal, LRSSS s. 103). Commit returns once
// the record is durable, or an error (the response is then withheld).
type CommitAuditor interface {
	Auditor
	Commit(ctx context.Context, rec Record) error
}

// heldResponse keeps a response in memory until its journal entry is durable.
// Responses are built whole in memory already (Bundles), so holding them
// costs one copy at most: an encoded answer is handed over whole
// (writeOwned); Writes (a gzip-compressed answer) are appended into a pooled
// encode buffer (16 KiB, grown if need be), rather than a bytes.Buffer
// doubling its way up to a 20 KiB Bundle.
type heldResponse struct {
	header http.Header
	status int
	body   []byte
	buf    *[]byte // body's encodeBufs buffer, put back once sent
}

// heldPool keeps held responses, their header map emptied (putHeld): one
// struct and one map fewer per request with the journal on.
var heldPool = sync.Pool{New: func() any { return &heldResponse{header: http.Header{}} }}

// putHeld returns h to heldPool once its request is over (sent or withheld):
// the values sendTo gave the real writer are never changed, since a header
// set later gets a slice of its own (Header.Set, Add on an absent key).
func putHeld(h *heldResponse) {
	clear(h.header)
	h.status, h.body = 0, nil
	releaseEncodeBuf(h.buf)
	h.buf = nil
	heldPool.Put(h)
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	if h.body == nil && h.buf == nil {
		// an encode buffer, put back once sent (sendTo, putHeld): a
		// gzip-compressed answer arrives in Writes, and was copied into a
		// slice of its own per request (session 10)
		h.buf = encodeBufs.Get().(*[]byte)
		h.body = (*h.buf)[:0]
	}
	h.body = append(h.body, b...)
	return len(b), nil
}

func (h *heldResponse) writeOwned(b []byte, buf *[]byte) {
	if h.body != nil || h.buf != nil {
		h.Write(b)
		releaseEncodeBuf(buf)
		return
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	h.body = b[:len(b):len(b)] // a later Write appends to a copy, never into b's array
	h.buf = buf
}

func (h *heldResponse) sendTo(w http.ResponseWriter) {
	dst := w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	w.WriteHeader(h.status)
	w.Write(h.body)
	// written out (net/http keeps no reference): the buffer serves the next answer
	h.body = nil
	releaseEncodeBuf(h.buf)
	h.buf = nil
}

func (a *API) authorize(ctx context.Context, req Request) (context.Context, error) {
	if ca, ok := a.authz.(ContextAuthorizer); ok {
		return ca.AuthorizeContext(ctx, req)
	}
	return ctx, a.authz.Authorize(ctx, req)
}

// describe names the interaction from the method and path alone (http.html#summary).
func (a *API) describe(r *http.Request) Request {
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RemoteAddr: r.RemoteAddr,
		Authorization: r.Header.Get("Authorization")}
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, a.prefix), "/")
	// the segments as strings.Split would give them, in an array on the
	// stack for the usual paths (at most 6 segments: no allocation per request)
	var buf [6]string
	segs := buf[:0]
	for rest != "" { // rest has no trailing "/": no empty last segment to add
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		segs = append(segs, seg)
	}
	if len(segs) > 0 && a.isType[segs[0]] {
		req.Type = segs[0]
		if len(segs) > 1 && !strings.HasPrefix(segs[1], "_") && !strings.HasPrefix(segs[1], "$") {
			req.ID = segs[1]
		}
	}
	req.Interaction = interaction(r.Method, segs, req.ID != "")
	return req
}

func interaction(method string, segs []string, hasID bool) string {
	last := ""
	if len(segs) > 0 {
		last = segs[len(segs)-1]
	}
	switch {
	case len(segs) == 0 && method == "POST":
		return "batch/transaction"
	case len(segs) == 1 && segs[0] == "metadata":
		return "capabilities"
	case strings.HasPrefix(last, "$"):
		return "operation"
	case last == "_history" && len(segs) == 1:
		return "history-system"
	case last == "_history" && !hasID:
		return "history-type"
	case last == "_history":
		return "history-instance"
	case len(segs) == 4 && segs[2] == "_history":
		return "vread"
	case (last == "_search" && len(segs) == 1) || (len(segs) == 0 && method == "GET"):
		return "search-system"
	case last == "_search" || (method == "GET" && !hasID):
		return "search-type"
	case len(segs) == 3 && (method == "GET" || method == "HEAD"):
		// Patient/{id}/{type} or Patient/{id}/*: a search restricted to one
		// patient's compartment (http.html#search); the audit keeps the patient.
		return "search-compartment"
	case method == "POST":
		return "create"
	case method == "PUT":
		return "update"
	case method == "PATCH":
		return "patch"
	case method == "DELETE":
		return "delete"
	case method == "GET" || method == "HEAD":
		return "read"
	}
	return "unknown"
}
