package access

import (
	"context"
	"fmt"
	"testing"

	"dsn"
)

// Each resource version is noted once per action, in the order first met,
// whether the collector checks repeats by a scan (few) or by its map (many).
func TestDisclosuresOncePerAction(t *testing.T) {
	for _, n := range []int{1, seenScan - 1, seenScan, seenScan + 1, 3 * seenScan} {
		_, d := WithDisclosures(context.Background())
		d.reserve(n)
		var want []string
		for round := range 3 {
			for i := range n {
				r := dsn.Resource{Type: "Observation", ID: fmt.Sprint("o", i), VersionID: 1, PatientKey: "p1"}
				d.add(r, "read", "care")
				if i%5 == 0 {
					d.add(r, "denied", "")
				}
				if round == 0 {
					want = append(want, "read "+r.Type+"/"+r.ID+"/_history/1")
					if i%5 == 0 {
						want = append(want, "denied "+r.Type+"/"+r.ID)
					}
				}
			}
		}
		got := d.Items()
		if len(got) != len(want) {
			t.Fatalf("n=%d: %d disclosures, want %d", n, len(got), len(want))
		}
		for i := range got {
			if got[i].Action+" "+got[i].Ref != want[i] || got[i].Patient != "p1" {
				t.Fatalf("n=%d: disclosure %d = %+v, want %s", n, i, got[i], want[i])
			}
		}
	}
}
