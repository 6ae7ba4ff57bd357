package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteText prints the result for a person (see README.md, "Reading the output").
func (r Result) WriteText(w io.Writer) error {
	l := r.Latency
	var b strings.Builder
	fmt.Fprintf(&b, "scenario   %s — %s\n", r.Scenario, r.Request)
	fmt.Fprintf(&b, "target     %s, %d workers, %s measured after %s warm-up (stopped by %s)\n",
		r.URL, r.Concurrency, r.Elapsed.Round(time.Millisecond), r.Warmup, r.Stopped)
	fmt.Fprintf(&b, "requests   %d  (%.1f req/s)\n", r.Requests, r.RequestsPerSecond())
	if r.Resources > 0 {
		fmt.Fprintf(&b, "resources  %d  (%.1f resources/s)\n", r.Resources, r.ResourcesPerSecond())
	}
	fmt.Fprintf(&b, "errors     %d%s\n", r.Errors, byStatus(r.ErrorsByStatus))
	fmt.Fprintf(&b, "latency    p50 %s  p95 %s  p99 %s  max %s  (mean %s)\n",
		ms(l.Percentile(50)), ms(l.Percentile(95)), ms(l.Percentile(99)), ms(l.Max()), ms(l.Mean()))
	fmt.Fprintf(&b, "cpu        client %.1f µs/req", r.ClientCPU)
	if r.ServerCPU > 0 {
		fmt.Fprintf(&b, "  server %.1f µs/req", r.ServerCPU)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the result as one JSON object, durations in milliseconds.
func (r Result) WriteJSON(w io.Writer) error {
	l := r.Latency
	out := struct {
		Result
		WarmupSeconds   float64            `json:"warmupSeconds"`
		ElapsedSeconds  float64            `json:"elapsedSeconds"`
		RequestsPerSec  float64            `json:"requestsPerSecond"`
		ResourcesPerSec float64            `json:"resourcesPerSecond"`
		LatencyMS       map[string]float64 `json:"latencyMs"`
	}{r, r.Warmup.Seconds(), r.Elapsed.Seconds(), r.RequestsPerSecond(), r.ResourcesPerSecond(),
		map[string]float64{"p50": msf(l.Percentile(50)), "p95": msf(l.Percentile(95)),
			"p99": msf(l.Percentile(99)), "max": msf(l.Max()), "mean": msf(l.Mean())}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func byStatus(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return "  (" + strings.Join(parts, ", ") + ")"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", msf(d)) }

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
