package bulk

import (
	"fmt"
	"io"
	"strings"
	"time"

	"dsn/internal/language/words"
)

// NewProgressPrinter returns a Progress callback writing to w: on a terminal a
// bar redrawn in place (at most 5 times a second), otherwise a plain line every
// 5 seconds, so that logs stay readable. Rates are resources per second; the
// ETA comes from the input bytes read since the first report against what is
// left (a resumed import starts far into its input: its own pace counts).
// The line is in l (`dsn import --lang`).
func NewProgressPrinter(w io.Writer, terminal bool, verb string, l words.Tag) func(Progress) {
	var last time.Time
	var first *Progress
	return func(p Progress) {
		if first == nil {
			first = &p
		}
		every := 5 * time.Second
		if terminal {
			every = 200 * time.Millisecond
		}
		if !p.Final && time.Since(last) < every {
			return
		}
		last = time.Now()
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Records) / s
		}
		line := fmt.Sprintf(progressLine.In(l), verb, p.Records, rate)
		if p.TotalBytes > 0 {
			frac := float64(p.Bytes) / float64(p.TotalBytes)
			line = fmt.Sprintf(progressBar.In(l), bar(frac), frac*100, line,
				eta(p.Elapsed-first.Elapsed, p.Bytes-first.Bytes, p.TotalBytes-p.Bytes))
		}
		switch {
		case terminal && p.Final:
			fmt.Fprintf(w, "\r%s\x1b[K\n", line)
		case terminal:
			fmt.Fprintf(w, "\r%s\x1b[K", line)
		default:
			fmt.Fprintln(w, line)
		}
	}
}

// The progress line, and the same with its bar and what is left.
var (
	progressLine = words.Text{FR: "%s: %d ressources, %.0f/s", EN: "%s: %d resources, %.0f/s"}
	progressBar  = words.Text{FR: "%s %3.0f%% %s, reste %s", EN: "%s %3.0f%% %s, %s left"}
)

func bar(frac float64) string {
	const width = 24
	n := min(max(int(frac*width), 0), width)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// eta is the time to read left bytes at the pace of done bytes in elapsed.
func eta(elapsed time.Duration, done, left int64) string {
	if done <= 0 || left <= 0 {
		return "?"
	}
	return time.Duration(float64(elapsed) * float64(left) / float64(done)).Round(time.Second).String()
}
