package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// runMainEnv, set in the environment of a re-executed test binary, makes it
// the dsn command itself (TestMain): the test starts real `dsn serve`
// processes without building a binary.
const runMainEnv = "DSN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main() // os.Args[1:] are the command's: serve --addr …
	}
	os.Exit(m.Run())
}

// process is a `dsn serve` running in its own OS process.
type process struct {
	base string
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer // its standard error (JSON log lines)
}

// startProcess runs `dsn serve` on a free loopback port with the store
// flags given, waits for its "serving" line and stops it (SIGTERM, then
// SIGKILL) at the end of the test; its log is shown if the test failed.
func startProcess(t *testing.T, store ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, store...)...)}
	p.cmd.Env = append(os.Environ(), runMainEnv+"=1")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	serving := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.Write(sc.Bytes())
			p.logs.WriteByte('\n')
			p.mu.Unlock()
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				select {
				case serving <- line.URL:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		exited := make(chan error, 1)
		go func() { <-done; exited <- p.cmd.Wait() }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-exited
			t.Errorf("dsn serve (pid %d) did not stop within 10 s of SIGINT", p.cmd.Process.Pid)
		}
		if t.Failed() {
			p.mu.Lock()
			t.Logf("log of dsn serve (pid %d):\n%s", p.cmd.Process.Pid, p.logs.String())
			p.mu.Unlock()
		}
	})
	select {
	case u := <-serving:
		p.base = u
	case <-done:
		t.Fatalf("dsn serve exited before serving:\n%s", p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("dsn serve not serving after 30 s:\n%s", p.log())
	}
	return p
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// dsnCommand runs a dsn command in this process (the operator's tools) and
// returns its standard output.
func dsnCommand(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }}); code != 0 {
		t.Fatalf("dsn %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// TestRevocationTwoProcesses: two `dsn serve` processes on one store (a
// SQLite data directory; a PostgreSQL schema); a token revoked through one
// (RFC 7009) is refused by the other on its very next request, though that
// one had accepted and cached it, and so is its grant's refresh token
// (decisions 0011 and 0013: the revocation signal crosses processes — the
// shared-memory counter of revocations.seq, or LISTEN/NOTIFY with
// acknowledgements). TestRevocationTwoServers does the same with two
// servers in one process.
func TestRevocationTwoProcesses(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			sc := freshStore(t, kind)
			store := []string{"--data", sc.DataDir}
			if kind == "postgres" {
				store = []string{"--db", sc.DBURL}
			}
			dsnCommand(t, "", append([]string{"migrate"}, store...)...) // before two processes race to create the schema
			dsnCommand(t, "un mot de passe solide\n", append([]string{"user", "create", "--username", "dr.processus",
				"--role", "physician", "--establishment", "e", "--password-stdin"}, store...)...)
			const scope = "offline_access user/*.rs"
			var client struct {
				ID string `json:"client_id"`
			}
			out := dsnCommand(t, "", append([]string{"client", "create", "--name", "Appli processus", "--scope", scope,
				"--redirect-uri", appCallback, "--public"}, store...)...)
			if err := json.Unmarshal([]byte(out), &client); err != nil || client.ID == "" {
				t.Fatalf("client create: %q %v", out, err)
			}
			one, two := startProcess(t, store...), startProcess(t, store...)
			ap := &app{t: t, base: one.base, id: client.ID, cb: appCallback}
			tk := ap.tokens("dr.processus", "un mot de passe solide", scope)
			other := ap.tokens("dr.processus", "un mot de passe solide", scope)
			for _, tok := range []string{tk["access_token"].(string), other["access_token"].(string)} {
				if st := fhirStatus(t, two.base, tok); st != 200 {
					t.Fatalf("second process before: %d", st)
				}
			}
			if st, out := ap.revoke(tk["access_token"].(string), ""); st != 200 {
				t.Fatalf("revoke at the first process: %d %v", st, out)
			}
			if a := call(t, "GET", two.base+"/fhir/Practitioner", "", "Authorization", "Bearer "+tk["access_token"].(string)); a.status != 401 {
				t.Fatalf("second process, next request after the revocation: %d %s", a.status, a.raw)
			}
			ap2 := *ap
			ap2.base = two.base
			if st, out := ap2.refresh(tk["refresh_token"].(string)); st != 400 || out["error"] != "invalid_grant" {
				t.Fatalf("refresh at the second process: %d %v", st, out)
			}
			if st := fhirStatus(t, two.base, other["access_token"].(string)); st != 200 {
				t.Fatalf("another grant at the second process: %d", st)
			}
		})
	}
}
