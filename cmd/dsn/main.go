// Command dsn is the Dossier santé numérique: a FHIR R4 record server and its
// tools. Run "dsn help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Env is what a subcommand may touch of the outside world; tests pass their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

type command struct {
	run     func(ctx context.Context, args []string, env Env) error
	summary string
}

// commands is the table of subcommands; each lives in the file of its name.
var commands = map[string]command{
	"serve":    {runServe, "serve the FHIR API (--addr, --data DIR | --db URL)"},
	"demo":     {runDemo, "load the synthetic demo record into an empty store and serve it"},
	"synth":    {runSynth, "write a synthetic Québec population as NDJSON: dsn synth --patients N --seed S --out DIR"},
	"migrate":  {runMigrate, "apply the embedded schema migrations and exit"},
	"fhirpath": {runFHIRPath, "evaluate a FHIRPath expression: dsn fhirpath [--input FILE] EXPR"},
	"bench":    {runBench, "load-test a running server: dsn bench --url URL --scenario S"},
	"version":  {runVersion, "print the version"},
	"import":   {runImport, "load NDJSON files, Bundles or directories: dsn import [--batch N] [--errors FILE] [--lang fr|en] PATH…"},
	"client":   {runClient, "register an OAuth client: dsn client create --name N --scope S (prints client_id, client_secret); dsn client disable|enable|delete|trust|untrust --id ID"},
	"user":     {runUser, "create a user: dsn user create --username U --role R --establishment E [--password-stdin]; dsn user disable|enable --username U"},
	"audit":    {runAudit, "check the access journal's hash chain and signed checkpoints: dsn audit verify"},
	"consent":  {runConsent, "the apps a user authorised: dsn consent list --username U; withdraw one (its tokens revoked): dsn consent withdraw --username U --client ID"},
	"token":    {runToken, "print a short-lived access token: dsn token --user U [--scope S]; revoke one: dsn token revoke [--jti ID] (token on stdin)"},
	"reindex":  {runReindex, "rebuild the search index of stored resources (after migration 0002): dsn reindex [--type T]"},
	"mpi":      {runMPI, "identity: dsn mpi report [--threshold T] [--out FILE] | link | config [--config FILE]"},
	"export":   {runExport, "write one NDJSON file per type and a manifest: dsn export [--type T,…] [--since INSTANT] OUTDIR"},
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into one line on stderr and
// an exit code: 2 for usage errors, 1 for everything else.
func run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintln(env.Stderr, say(env, "unknown-command", args[0]))
		return 2
	}
	err := cmd.run(ctx, args[1:], env)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(env.Stderr, "dsn %s: %s\n", args[0], oneLine(err, cliLang(env)))
		return 1
	}
}

// errUsage marks an error already reported by the flag package.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "dsn — Dossier santé numérique (FHIR R4)\n\nUsage: dsn COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
}

// newFlags makes a FlagSet that reports errors on env.Stderr and returns them.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("dsn "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses args, mapping flag errors to errUsage (already printed).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

func runVersion(_ context.Context, _ []string, env Env) error {
	fmt.Fprintln(env.Stdout, "dsn", version)
	return nil
}
