package bulk

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"dsn/internal/language/langtest"
	"dsn/internal/language/words"
)

// A resumed import starts far into its input: the ETA follows this run's
// pace (100 bytes/s here, 100 bytes left: 1 s), not the fraction of the
// whole input over this run's time.
func TestProgressETAOfResumedImport(t *testing.T) {
	var out bytes.Buffer
	p := NewProgressPrinter(&out, false, "import", words.French)
	p(Progress{Records: 10, Bytes: 800, TotalBytes: 1000, Elapsed: time.Second, Final: true})
	p(Progress{Records: 20, Bytes: 900, TotalBytes: 1000, Elapsed: 2 * time.Second, Final: true})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "reste 1s") || !strings.Contains(lines[1], " 90% ") {
		t.Fatalf("progress lines:\n%s", out.String())
	}
}

// `dsn import --lang en`: the same lines in English.
func TestProgressInEnglish(t *testing.T) {
	var out bytes.Buffer
	p := NewProgressPrinter(&out, false, "import", words.English)
	p(Progress{Records: 10, Bytes: 800, TotalBytes: 1000, Elapsed: time.Second, Final: true})
	p(Progress{Records: 20, Bytes: 900, TotalBytes: 1000, Elapsed: 2 * time.Second, Final: true})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "import: 20 resources, 10/s, 1s left") {
		t.Fatalf("progress lines:\n%s", out.String())
	}
	langtest.Both(t, map[string]words.Text{"line": progressLine, "bar": progressBar})
}
