package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/authapi"
	"dsn/bulk"
	"dsn/fhirapi"
	"dsn/internal/gcheadroom"
	"dsn/mpi"
	"dsn/mpi/provincial"
	"dsn/repo"
)

// Main owns the server's lifecycle: store, HTTP listener, shutdown. NewMain
// prepares everything (and listens, so Addr is known), Run serves until its
// context ends, Close releases the store.
type Main struct {
	cfg   Config
	log   *slog.Logger
	store dsn.Store
	ln    net.Listener
	srv   *http.Server
	mpi   *mpi.Live // the MPI index, rebuilt from the store at start (mpi.go)
	raw   dsn.Store // the store before the commit hooks: it also keeps the access records
	auth  *access.Service
	audit *audit.Log // the access journal (LRSSS s. 103)
	pol   *access.Policy
	// records is the provincial record; its linker runs until stopLinker (mpi.go)
	records    *provincial.Service
	stopLinker func()
	// exporter runs the $export jobs (exporter.go)
	exporter *bulk.Exporter
	// importer runs the $import jobs (exporter.go)
	importer *bulk.Importer
}

// NewMain opens the store (applying migrations) and binds the listener.
func NewMain(ctx context.Context, cfg Config, log *slog.Logger) (*Main, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	m := &Main{cfg: cfg, log: log, store: st, raw: st}
	if m.auth, err = accessService(st, cfg.Issuer); err != nil {
		st.Close()
		return nil, err
	}
	m.audit = openJournal(st, m.auth, log, cfg.AuditSync)
	m.pol = access.NewPolicy(m.auth, st, log)
	m.store = repo.WithOnCommit(m.store, m.pol.Observe) // this process's Consents apply at once
	if err := m.startMPI(); err != nil {                // wraps m.store: every write reaches the index
		m.Close()
		return nil, err
	}
	if err := m.startExporter(st); err != nil {
		m.Close()
		return nil, err
	}
	if err := m.startImporter(st); err != nil {
		m.Close()
		return nil, err
	}
	handler, err := m.routes()
	if err != nil {
		m.Close()
		return nil, err
	}
	m.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		m.Close()
		return nil, refusalOf(err, "listen", cfg.Addr)
	}
	m.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return m, nil
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Run serves until ctx is cancelled, then stops accepting, lets requests in
// flight finish (up to 15 s) and returns.
func (m *Main) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	scheme := "http"
	if m.cfg.TLSCert != "" {
		scheme = "https"
		go func() { errc <- m.srv.ServeTLS(m.ln, m.cfg.TLSCert, m.cfg.TLSKey) }()
	} else {
		go func() { errc <- m.srv.Serve(m.ln) }()
	}
	m.log.Info("serving", "url", scheme+"://"+m.Addr(), "fhir", scheme+"://"+m.Addr()+"/fhir", "store", m.cfg.Store.Describe())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.srv.Shutdown(sctx); err != nil {
		return refusalOf(err, "shutdown")
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops the export jobs (the next start resumes them) and the linker,
// closes the journal and releases the store; call it after Run returns.
func (m *Main) Close() error {
	if m.exporter != nil {
		m.exporter.Close()
	}
	if m.importer != nil {
		m.importer.Close()
	}
	if m.stopLinker != nil {
		m.stopLinker()
	}
	if err := m.audit.Close(); err != nil {
		m.log.Error("closing the journal", "err", err)
	}
	return m.store.Close()
}

// routes builds the top-level handler: health probe and the FHIR API.
func (m *Main) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	guarded := repo.New(repo.Options{Store: access.NewGuard(m.store, m.pol)})
	o := fhirapi.Options{
		Repo:       guarded,
		Logger:     m.log,
		Prefix:     "/fhir",
		MPI:        m.mpi.Index,
		Records:    m.records,
		Authorizer: fhirapi.Bearer{Auth: m.auth},
		Auditor:    fhirapi.Journal{Log: m.audit, Logger: m.log},
		BreakGlass: m.breakGlass,
		AuditTrail: m.raw.(dsn.Journal),
		Exporter:   m.exporter,
		Importer:   m.importer,
	}
	if m.cfg.Access == "off" {
		// --access off (loopback only, Config.validate): the baseline that
		// issue 6's overhead target is measured against
		m.log.Warn("access control off: no token, no policy, no journal (loopback only)")
		o.Repo, o.Authorizer, o.Auditor = repo.New(repo.Options{Store: m.store}), fhirapi.LoopbackOnly{}, noAudit{}
	}
	api := fhirapi.New(o)
	mux.Handle("/fhir", api)
	mux.Handle("/fhir/", api)
	var fed *authapi.Federation
	if o := m.cfg.OIDC; o.Issuer != "" {
		fed = &authapi.Federation{Name: o.Name, Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	}
	auth := authapi.New(authapi.Options{Auth: m.auth, Logger: m.log, FHIRBase: "/fhir", Prefix: "/auth",
		Journal: m.journalAuth, Federation: fed, PublicURL: m.publicURL,
		Patients: patientDirectory{repo: guarded, m: m}})
	for _, p := range auth.Patterns() {
		mux.Handle(p, auth)
	}
	return mux, nil
}

// noAudit records nothing: the auditor of --access off.
type noAudit struct{}

func (noAudit) Audit(context.Context, fhirapi.Record) {}

// publicURL is the server's public origin (--public-url), else the address
// it listens on: the relying party of passkeys.
func (m *Main) publicURL() string {
	if m.cfg.PublicURL != "" {
		return strings.TrimSuffix(m.cfg.PublicURL, "/")
	}
	scheme := "http"
	if m.cfg.TLSCert != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(m.Addr())
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		host = "localhost" // a WebAuthn relying party is a domain, never an IP
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// journalAuth records an event of the authorisation server (a token issued
// or refused) in the access journal.
func (m *Main) journalAuth(r *http.Request, e authapi.Event) {
	action := e.Name
	if e.Outcome != "" {
		action = "denied"
	}
	err := m.audit.Record(r.Context(), audit.Entry{Time: time.Now().UTC(), Agent: e.Agent, Action: action,
		Interaction: e.Name, Method: r.Method, Path: r.URL.Path, Outcome: e.Outcome, Remote: r.RemoteAddr,
		Patient: e.Patient, Client: e.Client, Query: e.Detail, Name: e.Person, Role: e.Role, Establishment: e.Establishment})
	if err != nil {
		m.log.Error("journal", "err", err)
	}
}

// breakGlass opens an existing patient's record (fhirapi.BreakGlassFunc).
func (m *Main) breakGlass(ctx context.Context, p *access.Principal, patient, reason string) (access.Grant, error) {
	if _, err := m.store.Read(ctx, "Patient", patient); err != nil {
		return access.Grant{}, err
	}
	g, err := m.auth.BreakGlass(ctx, p, patient, reason)
	if err == nil {
		m.pol.Forget(p)
		m.log.Warn("break-the-glass", "agent", p.Agent(), "patient", patient, "grant", g.ID, "until", g.End)
	}
	return g, err
}

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve", env)
	var cfg Config
	cfg.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	startPprof(env.Getenv("DSN_PPROF"), log)
	gcheadroom.Start() // fewer collections of a small heap (decision 0020)
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Run(ctx)
}

func runMigrate(ctx context.Context, args []string, env Env) error {
	fs := newFlags("migrate", env)
	var sc StoreConfig
	sc.register(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, sc)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, say(env, "migrate.done", sc.Describe()))
	return st.Close()
}
