package main

import (
	"flag"
	"net"
	"strings"

	"dsn/audit"
)

// StoreConfig chooses the database: every command that touches the store takes
// the same --data DIR | --db URL (DESIGN.md §4). Environment: DSN_DATA, DSN_DB.
type StoreConfig struct {
	DataDir string // embedded SQLite directory (default ./dsn-data)
	DBURL   string // postgres://… ; when set, DataDir is ignored
	// AuditSpool is the directory of the access journal's spool with --db
	// (postgres.DefaultSpoolDir when empty; decision 0017)
	AuditSpool string
}

func (c *StoreConfig) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&c.DataDir, "data", envOr(env, "DSN_DATA", "./dsn-data"), "directory of the embedded SQLite store")
	fs.StringVar(&c.DBURL, "db", env.Getenv("DSN_DB"), "PostgreSQL URL (postgres://…); overrides --data")
	fs.StringVar(&c.AuditSpool, "audit-spool", env.Getenv("DSN_AUDIT_SPOOL"),
		"with --db: directory of the access journal's local spool (default $STATE_DIRECTORY, $XDG_STATE_HOME/dsn or ~/.local/state/dsn)")
}

// Describe names the store for logs, without credentials.
func (c StoreConfig) Describe() string {
	if c.DBURL != "" {
		if i := strings.LastIndex(c.DBURL, "@"); i >= 0 {
			return "postgres://…" + c.DBURL[i:]
		}
		return c.DBURL
	}
	return "sqlite:" + c.DataDir
}

// Config is the configuration of the server (dsn serve, dsn demo).
type Config struct {
	Store StoreConfig
	Addr  string // listen address (default 127.0.0.1:8080)
	// TLSCert and TLSKey serve HTTPS (PEM files); without them DSN speaks
	// plain HTTP, for loopback or behind a TLS-terminating proxy (README.md).
	TLSCert, TLSKey string
	// Issuer is the iss of the tokens (default access.DefaultIssuer); the
	// server and "dsn token" must agree on it (DSN_ISSUER).
	Issuer string
	// OIDC configures sign-in at an external OpenID provider (federation);
	// empty Issuer: none.
	OIDC struct{ Issuer, ClientID, ClientSecret, Name string }
	// PublicURL is the origin users reach the server at (https://dsn.example.ca):
	// the relying party of passkeys (default: http://ADDR).
	PublicURL string
	// MPIConfig is a matching model in JSON (mpi.Config; `dsn mpi config`
	// prints the default): "" uses mpi.DefaultConfig.
	MPIConfig string
	// AuditSync is the durability of the journal entries of reads and
	// searches: "grouped" (default) or "strict" (audit.SyncMode).
	AuditSync string
	// Access is "on" (default: bearer token, policy, journal) or "off": the
	// FHIR API open to loopback callers without token, policy or journal, to
	// measure what access control costs (issue 6: "measure with dsn bench on
	// and off"). Refused unless --addr is a loopback address.
	Access string
}

func (c *Config) register(fs *flag.FlagSet, env Env) {
	c.Store.register(fs, env)
	fs.StringVar(&c.Addr, "addr", envOr(env, "DSN_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	fs.StringVar(&c.TLSCert, "tls-cert", env.Getenv("DSN_TLS_CERT"), "PEM certificate: serve HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", env.Getenv("DSN_TLS_KEY"), "PEM private key of --tls-cert")
	fs.StringVar(&c.Issuer, "issuer", env.Getenv("DSN_ISSUER"), "issuer (iss) of the access tokens")
	fs.StringVar(&c.PublicURL, "public-url", env.Getenv("DSN_PUBLIC_URL"), "origin users reach the server at (passkeys' relying party)")
	fs.StringVar(&c.OIDC.Issuer, "oidc-issuer", env.Getenv("DSN_OIDC_ISSUER"), "external OpenID provider for staff sign-in (issuer URL)")
	fs.StringVar(&c.OIDC.ClientID, "oidc-client-id", env.Getenv("DSN_OIDC_CLIENT_ID"), "DSN's client id at the external provider")
	// the secret is read from the environment only: flags show in process lists
	c.OIDC.ClientSecret = env.Getenv("DSN_OIDC_CLIENT_SECRET")
	fs.StringVar(&c.OIDC.Name, "oidc-name", envOr(env, "DSN_OIDC_NAME", "le fournisseur d'identité de l'établissement"), "name of the provider on the sign-in page")
	fs.StringVar(&c.AuditSync, "audit-sync", envOr(env, "DSN_AUDIT_SYNC", string(audit.SyncGrouped)),
		"journal entries of reads: grouped (written before the answer, on disk within 20 ms) or strict (on disk before the answer)")
	fs.StringVar(&c.Access, "access", "on",
		"on: token, need-to-know policy and access journal on every FHIR request; off: none of them, loopback --addr only (benchmarks)")
	fs.StringVar(&c.MPIConfig, "mpi-config", env.Getenv("DSN_MPI_CONFIG"), "matching model (JSON, see dsn mpi config); default: the built-in model")
}

// validate checks the address and the TLS pair. Every FHIR interaction
// needs a bearer token, so the server may listen beyond loopback; without
// --tls-cert it should then sit behind a TLS-terminating proxy (README.md).
func (c Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return refusal("addr", c.Addr)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return refusal("tls-pair")
	}
	if _, err := audit.ParseSyncMode(c.AuditSync); err != nil {
		return err
	}
	switch c.Access {
	case "on", "":
	case "off":
		// without the policy and the journal, no one beyond this machine may
		// reach the records (LRSSS s. 103 asks for a journal of every access)
		if !loopbackAddr(c.Addr) {
			return refusal("access-off", c.Addr)
		}
	default:
		return refusal("access", c.Access)
	}
	return nil
}

// loopbackAddr tells whether HOST:PORT listens on loopback only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func envOr(env Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}
