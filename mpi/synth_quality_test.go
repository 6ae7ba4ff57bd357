package mpi_test

import (
	"os"
	"strconv"
	"testing"

	"dsn/fhir"
	"dsn/mpi"
	"dsn/synth"
)

// TestSynthQuality measures pairwise precision and recall of the default
// model on dsn/synth's population against its truth: every Patient record is
// indexed, the full scan (Index.Pairs) proposes the pairs, and a pair is true
// when both records belong to the same synthetic person. MPI_SYNTH_PERSONS
// overrides the size (default 3,000 people at a 20 % duplicate rate).
func TestSynthQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("population generation")
	}
	n := 3000
	if s := os.Getenv("MPI_SYNTH_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	m, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x := mpi.NewIndex(m)
	g := synth.New(synth.Options{Seed: 7, Patients: n, DuplicateRate: 0.2, HistoryYears: 1})
	person := map[string]string{} // Patient id → person
	size := map[string]int{}      // person → number of records
	err = g.Each(func(p *synth.Person) error {
		for _, r := range p.Resources {
			if fhir.ResourceType(r) != "Patient" {
				continue
			}
			if err := x.Add(mpi.FromPatient(r)); err != nil {
				return err
			}
			person[fhir.ID(r)] = p.ID
			size[p.ID]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	truePairs := 0
	for _, k := range size {
		truePairs += k * (k - 1) / 2
	}
	if truePairs == 0 {
		t.Fatal("the generator planted no duplicate")
	}
	cfg := m.Config()
	var certTP, certFP, probTP, probFP int
	for _, p := range x.Pairs(cfg.Probable) {
		same := person[p.A] == person[p.B]
		if p.Class == mpi.Certain {
			if same {
				certTP++
			} else {
				certFP++
				t.Logf("faux lien automatique: %s / %s (%.1f bits)", p.A, p.B, p.Total)
			}
		}
		if same {
			probTP++
		} else {
			probFP++
		}
	}
	pc, rc, fc := prf(certTP, certFP, truePairs)
	pp, rp, fp := prf(probTP, probFP, truePairs)
	t.Logf("%d people, %d records, %d true pairs", n, len(person), truePairs)
	t.Logf("certain:            precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pc, rc, fc, certTP, certFP)
	t.Logf("certain + probable: precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pp, rp, fp, probTP, probFP)
	if pc < 0.999 {
		t.Errorf("precision(certain) = %.4f, want ≥ 0.999", pc)
	}
	if rp < 0.5 {
		t.Errorf("recall(certain+probable) = %.4f: the scan misses most planted duplicates", rp)
	}
}

func prf(tp, fp, truth int) (p, r, f float64) {
	if tp+fp > 0 {
		p = float64(tp) / float64(tp+fp)
	}
	r = float64(tp) / float64(truth)
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}
