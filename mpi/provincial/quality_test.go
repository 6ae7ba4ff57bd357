package provincial

import (
	"os"
	"strconv"
	"testing"

	"dsn/fhir"
	"dsn/synth"
)

// TestRecordQuality measures the provincial record end to end on dsn/synth's
// population: every Patient record is imported through Enqueue into a real
// SQLite store, the linker links them all, and the result is judged pairwise
// against the synthetic truth:
//
//   - automatic: two registrations in the same golden record;
//   - automatic + review: the same, or an open review Task proposing one's
//     golden record for the other.
//
// MPI_RECORD_PERSONS sets the size (default 600 people: seconds);
// MPI_SYNTH_DUP the duplicate rate (default 0.2).
func TestRecordQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("population generation and linking")
	}
	n, dup := 600, 0.2
	if s := os.Getenv("MPI_RECORD_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("MPI_SYNTH_DUP"); s != "" {
		dup, _ = strconv.ParseFloat(s, 64)
	}
	e := newEnv(t)
	g := synth.New(synth.Options{Seed: 7, Patients: n, DuplicateRate: dup, HistoryYears: 1})
	person := map[string]string{}
	size := map[string]int{}
	var batch []fhir.Object
	flush := func() {
		if len(batch) == 0 {
			return
		}
		_, errs := e.api.Import(e.ctx, batch)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("import %s: %v", fhir.ID(batch[i]), err)
			}
		}
		batch = batch[:0]
	}
	err := g.Each(func(p *synth.Person) error {
		for _, r := range p.Resources {
			if fhir.ResourceType(r) == "Patient" {
				person[fhir.ID(r)] = p.ID
				size[p.ID]++
				batch = append(batch, r)
			}
		}
		if len(batch) >= 500 {
			flush()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	flush()
	e.drain()

	truePairs := 0
	for _, k := range size {
		truePairs += k * (k - 1) / 2
	}
	cluster := map[string][]string{} // golden → registrations
	for id := range person {
		g := e.live.GoldenOf(id)
		if g == "" {
			t.Fatalf("Patient/%s has no golden record", id)
		}
		cluster[g] = append(cluster[g], id)
	}
	var autoTP, autoFP int
	for _, ids := range cluster {
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				if person[ids[i]] == person[ids[j]] {
					autoTP++
				} else {
					autoFP++
					t.Logf("faux lien: %s / %s", ids[i], ids[j])
				}
			}
		}
	}
	// pairs an open review Task brings together (not already linked)
	items, _, err := e.svc.Queue(e.ctx, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	reviewTP, reviewFP := 0, 0
	seen := map[[2]string]bool{}
	for _, it := range items {
		obj, _ := fhir.Decode(it.Task.Body)
		src, cand := focusOf(obj), inputRef(obj, "candidate")
		if e.live.GoldenOf(src) == cand {
			t.Errorf("open Task %s proposes %s's own golden record", it.Task.ID, src)
		}
		for _, other := range cluster[cand] {
			pair := [2]string{min(src, other), max(src, other)}
			if seen[pair] || e.live.GoldenOf(src) == e.live.GoldenOf(other) {
				continue
			}
			seen[pair] = true
			if person[other] == person[src] {
				reviewTP++
			} else {
				reviewFP++
			}
		}
	}
	pa, ra, fa := prf(autoTP, autoFP, truePairs)
	pr, rr, fr := prf(autoTP+reviewTP, autoFP+reviewFP, truePairs)
	t.Logf("%d people, %d registrations, %d golden records, %d true pairs, %d review Tasks", n, len(person), len(cluster), truePairs, len(items))
	t.Logf("automatic links:     precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pa, ra, fa, autoTP, autoFP)
	t.Logf("automatic + review:  precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pr, rr, fr, autoTP+reviewTP, autoFP+reviewFP)
	if pa < 0.999 {
		t.Errorf("automatic precision %.4f < 0.999", pa)
	}
	if ra < 0.97 {
		t.Errorf("automatic recall %.4f < 0.97", ra)
	}
	if rr < 0.995 {
		t.Errorf("automatic + review recall %.4f < 0.995", rr)
	}
}

func prf(tp, fp, truth int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	if truth > 0 {
		r = float64(tp) / float64(truth)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}
