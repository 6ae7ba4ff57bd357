package mpi

import (
	"math"
	"math/rand/v2"
)

// EM estimates m and u (and the share of true matches) from unlabelled
// candidate pairs by expectation–maximisation on the Fellegi–Sunter mixture
// (Winkler 1988; fields assumed conditionally independent, missing levels
// ignored). u is estimated among the blocked candidates, the population the
// weights are then applied to; RandomU measures it on random pairs instead,
// for comparison. It returns a new Config and the estimated share of matches.
func EM(cfg *Config, pairs []Levels, iterations int) (*Config, float64) {
	out := cfg.Clone()
	p := 0.1
	g := make([]float64, len(pairs))
	for it := 0; it < iterations; it++ {
		sum := 0.0
		for i, l := range pairs {
			g[i] = posterior(out, l, p)
			sum += g[i]
		}
		newP := sum / float64(max(len(pairs), 1))
		change := math.Abs(newP - p)
		p = newP
		for f := range out.Fields {
			change = math.Max(change, update(out, f, pairs, g, true))
			change = math.Max(change, update(out, f, pairs, g, false))
		}
		if change < 1e-6 {
			break
		}
	}
	return out, p
}

// posterior is P(match | levels) under the current model.
func posterior(c *Config, l Levels, p float64) float64 {
	lm, lu := math.Log(p), math.Log(1-p)
	for f, lv := range l {
		if lv == Missing {
			continue
		}
		lm += math.Log(c.Fields[f].Levels[lv].M)
		lu += math.Log(c.Fields[f].Levels[lv].U)
	}
	return 1 / (1 + math.Exp(lu-lm))
}

// update re-estimates field f's m values (or u values when !isM, weighting
// each pair by 1-g); it returns the largest change.
func update(c *Config, f int, pairs []Levels, g []float64, isM bool) float64 {
	lvls := c.Fields[f].Levels
	num := make([]float64, len(lvls))
	den := 0.0
	for i, l := range pairs {
		w := g[i]
		if !isM {
			w = 1 - w
		}
		if lv := l[f]; lv != Missing {
			num[lv] += w
			den += w
		}
	}
	if den == 0 {
		return 0
	}
	change := 0.0
	for k := range lvls {
		v := math.Max(num[k]/den, 1e-5) // never exactly 0: log2(0) would forbid a level
		old := &lvls[k].U
		if isM {
			old = &lvls[k].M
		}
		change = math.Max(change, math.Abs(v-*old))
		*old = v
	}
	return change
}

// RandomU measures u on n random pairs of indexed records: the chance that two
// (almost surely different) people agree at each level. Levels never observed
// get u = 1/(2n), the resolution of the sample.
func (x *Index) RandomU(cfg *Config, n int, rng *rand.Rand) *Config {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := cfg.Clone()
	counts := make([][]float64, len(out.Fields))
	totals := make([]float64, len(out.Fields))
	for f := range counts {
		counts[f] = make([]float64, len(out.Fields[f].Levels))
	}
	for s := 0; s < n && len(x.recs) > 1; s++ {
		a, b := &x.recs[rng.IntN(len(x.recs))], &x.recs[rng.IntN(len(x.recs))]
		if a.text == "" || b.text == "" || a == b {
			continue
		}
		for f, lv := range compareAll(a, b) {
			if lv != Missing {
				counts[f][lv]++
				totals[f]++
			}
		}
	}
	for f := range out.Fields {
		for k := range out.Fields[f].Levels {
			if totals[f] > 0 {
				out.Fields[f].Levels[k].U = math.Max(counts[f][k], 0.5) / totals[f]
			}
		}
	}
	return out
}

// CandidateLevels returns the agreement levels of up to n candidate pairs from
// the blocking (the input of EM).
func (x *Index) CandidateLevels(n int) []Levels {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Levels
	for i := int32(0); int(i) < len(x.recs) && len(out) < n; i++ {
		p := &x.recs[i]
		if p.text == "" {
			continue
		}
		for _, c := range x.candidates(p, p.s(p.id)) {
			if c > i {
				out = append(out, compareAll(p, &x.recs[c]))
			}
		}
	}
	return out
}

// Estimate runs EM over up to candidatePairs blocked pairs of the index and
// returns the estimated model (thresholds and overrides kept from cfg) with
// the estimated share of matches among candidates.
func (x *Index) Estimate(cfg *Config, candidatePairs int) (*Config, float64) {
	return EM(cfg, x.CandidateLevels(candidatePairs), 100)
}
