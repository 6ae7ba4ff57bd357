// Package fhirapi is the FHIR R4 RESTful API over HTTP (http.html): one file per
// interaction, one error mapper (errors.go), format and Prefer negotiation, and
// the access seam every interaction passes (access.go). The interactions
// themselves live in package repo; this package only speaks HTTP.
package fhirapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"dsn"
	"dsn/bulk"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/mpi"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// Options configures the API. Repo is required.
type Options struct {
	Repo   *repo.Service
	Logger *slog.Logger // default slog.Default()
	// Prefix is the path of the FHIR base (default "/fhir"); the handler
	// expects full paths, so mount it at Prefix and Prefix+"/".
	Prefix string
	// BaseURL is the absolute base used in links and Location (default: from the
	// request's Host, "http://host"+Prefix).
	BaseURL string
	// MaxBody caps request bodies, after gzip decompression (default 64 MiB: the
	// largest official R4 example Bundle is 35 MB).
	MaxBody int64
	// Authorizer decides on every interaction (default LoopbackOnly).
	Authorizer Authorizer
	// Auditor records every interaction (default SlogAuditor on Logger).
	Auditor Auditor
	// ResourceTypes are the types served (default fhir.ResourceTypes()).
	ResourceTypes []string
	// MPI, if set, serves POST [base]/Patient/$match (match.go) from this
	// live index; without it the operation is neither routed nor declared.
	MPI *mpi.Index
	// BreakGlass, if set, serves POST [base]/Patient/[id]/$break-the-glass
	// (breakglass.go).
	BreakGlass BreakGlassFunc
	// AuditTrail, if set, serves AuditEvent read and search from the access
	// journal (auditevent.go) instead of the store, and refuses AuditEvent writes.
	AuditTrail dsn.Journal
	// Records, if set, is the provincial record (golden records, package
	// mpi/provincial): its operations are routed and declared (mpi_ops.go),
	// $match answers golden records and $everything on a golden record
	// gathers its registrations' compartments. MPI defaults to its index.
	Records *provincial.Service
	// Exporter, if set, serves FHIR Bulk Data $export (export.go,
	// exportstatus.go); without it the operation is neither routed nor declared.
	Exporter *bulk.Exporter
	// Importer, if set, serves $import (import.go); without it the
	// operation is neither routed nor declared.
	Importer *bulk.Importer
}

// API is the FHIR REST handler.
type API struct {
	repo     *repo.Service
	log      *slog.Logger
	prefix   string
	baseURL  string
	maxBody  int64
	authz    Authorizer
	audit    Auditor
	types    []string
	isType   map[string]bool
	mux      *http.ServeMux
	caps     [2][]byte // the CapabilityStatement, built once in French [0] and English [1]
	mpi      *mpi.Index
	records  *provincial.Service
	exporter *bulk.Exporter
	importer *bulk.Importer
	routed   []string // the patterns of routes(), for the test that walks them all

	breakGlassFn BreakGlassFunc
	trail        dsn.Journal
}

var _ http.Handler = (*API)(nil)

// New builds the FHIR API handler.
func New(o Options) http.Handler {
	a := &API{repo: o.Repo, log: o.Logger, prefix: strings.TrimSuffix(o.Prefix, "/"),
		baseURL: strings.TrimSuffix(o.BaseURL, "/"), maxBody: o.MaxBody,
		authz: o.Authorizer, audit: o.Auditor, types: o.ResourceTypes, mpi: o.MPI, records: o.Records,
		breakGlassFn: o.BreakGlass, trail: o.AuditTrail, exporter: o.Exporter, importer: o.Importer}
	if a.mpi == nil && a.records != nil {
		a.mpi = a.records.Live().Index
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.prefix == "" {
		a.prefix = "/fhir"
	}
	if a.maxBody <= 0 {
		a.maxBody = 64 << 20
	}
	if a.authz == nil {
		a.authz = LoopbackOnly{}
	}
	if a.audit == nil {
		a.audit = SlogAuditor{Logger: a.log}
	}
	if a.types == nil {
		a.types = fhir.ResourceTypes()
	}
	a.isType = make(map[string]bool, len(a.types))
	for _, t := range a.types {
		a.isType[t] = true
	}
	a.caps = [2][]byte{a.capabilityStatement(language.French), a.capabilityStatement(language.English)}
	a.mux = a.routes()
	return a
}

// ServeHTTP runs the route-independent layers (access decision, audit,
// format negotiation) around the router.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.withAccess(a.mux).ServeHTTP(w, r)
}

// routes maps the interactions of http.html#summary to their handlers.
func (a *API) routes() *http.ServeMux {
	m := &recordingMux{ServeMux: http.NewServeMux(), patterns: &a.routed}
	p := a.prefix
	m.Handle("GET "+p+"/metadata", a.h(a.metadata))
	if a.trail != nil {
		m.Handle("GET "+p+"/AuditEvent", a.h(a.auditSearch))
		m.Handle("POST "+p+"/AuditEvent/_search", a.h(a.auditSearch))
		for _, pat := range []string{"POST /AuditEvent", "PUT /AuditEvent", "DELETE /AuditEvent", "PATCH /AuditEvent",
			"PUT /AuditEvent/{id}", "DELETE /AuditEvent/{id}", "PATCH /AuditEvent/{id}"} {
			method, path, _ := strings.Cut(pat, " ")
			m.Handle(method+" "+p+path, a.h(a.auditWrite))
		}
	}
	m.Handle("POST "+p, a.h(a.bundle))
	m.Handle("POST "+p+"/{$}", a.h(a.bundle))
	m.Handle("GET "+p+"/_history", a.h(a.history))
	m.Handle("GET "+p+"/{$}", a.h(a.search))
	m.Handle("GET "+p, a.h(a.search))
	m.Handle("POST "+p+"/_search", a.h(a.search))
	m.Handle("GET "+p+"/{type}", a.h(a.search))
	m.Handle("POST "+p+"/{type}/_search", a.h(a.search))
	m.Handle("POST "+p+"/{type}", a.h(a.create))
	m.Handle("POST "+p+"/{type}/$validate", a.h(a.validate)) // validate.go
	m.Handle("POST "+p+"/{type}/{id}/$validate", a.h(a.validate))
	if a.mpi != nil {
		m.Handle("POST "+p+"/Patient/$match", a.h(a.match))
	}
	a.mpiRoutes(m) // mpi_ops.go
	if a.exporter != nil {
		a.exportRoutes(m)
	}
	if a.importer != nil {
		a.importRoutes(m)
	}
	m.Handle("PUT "+p+"/{type}", a.h(a.conditionalUpdate))
	m.Handle("DELETE "+p+"/{type}", a.h(a.conditionalDelete))
	m.Handle("PATCH "+p+"/{type}", a.h(a.conditionalPatch))
	m.Handle("GET "+p+"/{type}/_history", a.h(a.history))
	m.Handle("GET "+p+"/{type}/{id}", a.h(a.readOrAudit))
	m.Handle("PUT "+p+"/{type}/{id}", a.h(a.update))
	m.Handle("DELETE "+p+"/{type}/{id}", a.h(a.delete))
	m.Handle("PATCH "+p+"/{type}/{id}", a.h(a.patch))
	m.Handle("GET "+p+"/{type}/{id}/_history", a.h(a.history))
	// compartment search and Patient/$everything (compartment.go, everything.go)
	m.Handle("GET "+p+"/{type}/{id}/{ctype}", a.h(a.compartment))
	m.Handle("POST "+p+"/Patient/{id}/$everything", a.h(a.everything))
	if a.breakGlassFn != nil {
		m.Handle("POST "+p+"/Patient/{id}/$break-the-glass", a.h(a.breakGlass))
	}
	m.Handle("GET "+p+"/{type}/{id}/_history/{vid}", a.h(a.vread))
	m.Handle(p+"/", a.h(a.notFound(m.ServeMux)))
	m.Handle(p, a.h(a.notFound(m.ServeMux)))
	return m.ServeMux
}

// recordingMux keeps the patterns it routes.
type recordingMux struct {
	*http.ServeMux
	patterns *[]string
}

func (m *recordingMux) Handle(pattern string, h http.Handler) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// handlerFunc is an interaction: it writes a success or returns an error that
// the one mapper renders (DESIGN.md §5.2).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) h(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// A bug in one interaction answers 500 (and is audited) instead of
			// dropping the connection.
			if p := recover(); p != nil {
				a.writeError(w, r, &dsn.Error{Op: "fhirapi", Kind: dsn.KindInternal, Err: fmt.Errorf("panic: %v", p)})
			}
		}()
		if err := negotiate(r); err != nil {
			a.writeError(w, r, err)
			return
		}
		if t := r.PathValue("type"); t != "" && !a.isType[t] {
			a.writeError(w, r, notFoundf("route.type", t))
			return
		}
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// base is the absolute URL of the FHIR base for links and Location.
func (a *API) base(r *http.Request) string {
	if a.baseURL != "" {
		return a.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + a.prefix
}

// router is what route registration needs (a ServeMux, or recordingMux).
type router interface {
	Handle(pattern string, h http.Handler)
}
