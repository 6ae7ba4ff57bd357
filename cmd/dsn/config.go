package main

import (
	"flag"
	"fmt"
	"net"
	"strings"
)

// StoreConfig chooses the database: every command that touches the store takes
// the same --data DIR | --db URL (DESIGN.md §4). Environment: DSN_DATA, DSN_DB.
type StoreConfig struct {
	DataDir string // embedded SQLite directory (default ./dsn-data)
	DBURL   string // postgres://… ; when set, DataDir is ignored
}

func (c *StoreConfig) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&c.DataDir, "data", envOr(env, "DSN_DATA", "./dsn-data"), "directory of the embedded SQLite store")
	fs.StringVar(&c.DBURL, "db", env.Getenv("DSN_DB"), "PostgreSQL URL (postgres://…); overrides --data")
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
	// MPIConfig is a matching model in JSON (mpi.Config; `dsn mpi config`
	// prints the default): "" uses mpi.DefaultConfig.
	MPIConfig string
}

func (c *Config) register(fs *flag.FlagSet, env Env) {
	c.Store.register(fs, env)
	fs.StringVar(&c.Addr, "addr", envOr(env, "DSN_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	fs.StringVar(&c.MPIConfig, "mpi-config", env.Getenv("DSN_MPI_CONFIG"), "matching model (JSON, see dsn mpi config); default: the built-in model")
}

// validate refuses non-loopback addresses: until access control exists the
// server must not be reachable from the network (issue 2, DESIGN.md §2).
func (c Config) validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q: expected HOST:PORT", c.Addr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q: until access control is in place DSN listens only on loopback (127.0.0.1, ::1, localhost)", c.Addr)
	}
	return nil
}

func envOr(env Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}
