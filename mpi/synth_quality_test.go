package mpi_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"dsn/fhir"
	"dsn/mpi"
	"dsn/synth"
)

// TestSynthQuality measures pairwise precision and recall of the default
// model on dsn/synth's population against its truth: every Patient record is
// indexed, the full scan (Index.Pairs) proposes the pairs, and a pair is true
// when both records belong to the same synthetic person. MPI_SYNTH_PERSONS
// overrides the size (default 3,000 people), MPI_SYNTH_DUP the duplicate
// rate (default 0.2).
func TestSynthQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("population generation")
	}
	n, dup := 3000, 0.2
	if s := os.Getenv("MPI_SYNTH_PERSONS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("MPI_SYNTH_DUP"); s != "" {
		dup, _ = strconv.ParseFloat(s, 64)
	}
	m, err := mpi.NewMatcher(mpi.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x := mpi.NewIndex(m)
	g := synth.New(synth.Options{Seed: 7, Patients: n, DuplicateRate: dup, HistoryYears: 1})
	person := map[string]string{} // Patient id → person
	size := map[string]int{}      // person → number of records
	recs := map[string]mpi.Record{}
	noise := map[string]string{} // Patient id → noise kinds of the record
	err = g.Each(func(p *synth.Person) error {
		for _, r := range p.Resources {
			if fhir.ResourceType(r) != "Patient" {
				continue
			}
			rec := mpi.FromPatient(r)
			recs[rec.ID] = rec
			if err := x.Add(rec); err != nil {
				return err
			}
			person[fhir.ID(r)] = p.ID
		}
		for _, tr := range p.Truth {
			noise[strings.TrimPrefix(tr.Record, "Patient/")] = strings.Join(tr.Noise, "+")
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
	missed := map[string]int{}   // noise of true pairs left to review
	heldBack := map[string]int{} // rule → true pairs above Certain it kept out
	var certTP, certFP, probTP, probFP, collisions int
	for _, p := range x.Pairs(cfg.Probable) {
		same := person[p.A] == person[p.B]
		if nam := recs[p.A].NAM; !same && nam != "" && nam == recs[p.B].NAM {
			// RAMQ never issues one NAM twice (it varies the differentiator
			// of homonyms born the same day) and neither does synth since
			// its NAM pass: two people sharing one would be a generator bug.
			collisions++
		}
		if p.Class == mpi.Certain {
			if same {
				certTP++
			} else {
				certFP++
				t.Logf("faux lien automatique: %s / %s\n%s", p.A, p.B, mpi.Explain(m.Score(recs[p.A], recs[p.B])))
			}
		}
		if same && p.Class != mpi.Certain {
			why := noise[p.A] + "|" + noise[p.B]
			if p.Protected {
				why += " (règle de protection)"
				if p.Total >= cfg.Certain {
					for _, r := range m.Score(recs[p.A], recs[p.B]).Rules {
						heldBack[strings.SplitN(r.FR, ":", 2)[0]]++
					}
				}
			}
			missed[why]++
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
	if collisions > 0 {
		t.Errorf("%d pairs of different people share a NAM: synth must keep NAMs unique", collisions)
	}
	t.Logf("certain:            precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pc, rc, fc, certTP, certFP)
	t.Logf("certain + probable: precision %.4f recall %.4f F1 %.4f (TP %d FP %d)", pp, rp, fp, probTP, probFP)
	t.Logf("true pairs left to review, by noise of the two records: %v", missed)
	t.Logf("true pairs scoring ≥ certain but held back, by protective rule: %v", heldBack)
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
