package bulk

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// A resumed import starts far into its input: the ETA follows this run's
// pace (100 bytes/s here, 100 bytes left: 1 s), not the fraction of the
// whole input over this run's time.
func TestProgressETAOfResumedImport(t *testing.T) {
	var out bytes.Buffer
	p := NewProgressPrinter(&out, false, "import")
	p(Progress{Records: 10, Bytes: 800, TotalBytes: 1000, Elapsed: time.Second, Final: true})
	p(Progress{Records: 20, Bytes: 900, TotalBytes: 1000, Elapsed: 2 * time.Second, Final: true})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "reste 1s") || !strings.Contains(lines[1], " 90% ") {
		t.Fatalf("progress lines:\n%s", out.String())
	}
}
