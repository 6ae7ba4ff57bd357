package provincial

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"dsn/fhir"
	"dsn/mpi"
)

// source is one registration of a golden record, as read in the transaction.
type source struct {
	id      string
	updated time.Time
	obj     fhir.Object
	trust   int
}

// Survivorship rules: which registration gives each element of the golden
// record (README.md, "Survivorship"). Sources are ranked by trust
// (Options.Trust on meta.source), then most recent first, then id; merged-away
// sources (a "replaced-by" link) do not count. Per element:
//
//   - identifier: the NAM from the best-ranked source whose NAM passes the
//     check digit (an invalid one only if no source has a valid one); then
//     every other identifier of every source, once each (all chart numbers);
//   - name: all names of the best-ranked source that has a family and a given
//     name (most complete), else of the best-ranked with any name;
//   - birthDate: the full date the most sources give, ties to the one
//     agreeing with the chosen NAM, then to rank; partial dates only if none is full;
//   - gender: best-ranked source saying male, female or other (else unknown);
//   - address and telecom: the most RECENT source having them (people move;
//     trust does not tell who knows the new address);
//   - deceased: any source recording a death wins (a death date first);
//   - maritalStatus, multipleBirth, communication, generalPractitioner,
//     contact: the best-ranked source having them;
//   - active: true when any source is active;
//   - meta.tag: the golden tag, plus the tags every source carries.

// rank orders sources best first.
func rank(ss []source) []source {
	out := slices.Clone(ss)
	slices.SortStableFunc(out, func(a, b source) int {
		if c := cmp.Compare(b.trust, a.trust); c != 0 {
			return c
		}
		if c := b.updated.Compare(a.updated); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}

// byRecency orders sources most recent first.
func byRecency(ss []source) []source {
	out := slices.Clone(ss)
	slices.SortStableFunc(out, func(a, b source) int {
		if c := b.updated.Compare(a.updated); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}

// survive computes the demographic elements of a golden record from its
// sources. The caller adds id, meta and links.
func survive(ss []source, now time.Time) fhir.Object {
	g := fhir.Object{"resourceType": "Patient"}
	ranked := rank(ss)
	active := false
	for _, s := range ranked {
		if a, ok := s.obj["active"].(bool); !ok || a {
			active = true
		}
	}
	g["active"] = active
	nam := surviveNAM(ranked, now)
	if ids := surviveIdentifiers(ranked, nam); len(ids) > 0 {
		g["identifier"] = ids
	}
	if names := surviveNames(ranked); names != nil {
		g["name"] = names
	}
	for _, s := range ranked {
		if x, _ := s.obj["gender"].(string); x == "male" || x == "female" || x == "other" {
			g["gender"] = x
			break
		}
	}
	if _, ok := g["gender"]; !ok {
		for _, s := range ranked {
			if x, _ := s.obj["gender"].(string); x != "" {
				g["gender"] = x
				break
			}
		}
	}
	if b := surviveBirthDate(ranked, nam, now); b != "" {
		g["birthDate"] = b
	}
	recent := byRecency(ss)
	firstOf(g, recent, "address", "telecom")
	surviveDeceased(g, ranked)
	firstOf(g, ranked, "maritalStatus", "communication", "generalPractitioner", "contact")
	surviveMultipleBirth(g, ranked)
	return g
}

func surviveMultipleBirth(g fhir.Object, ranked []source) {
	for _, s := range ranked {
		for _, k := range []string{"multipleBirthBoolean", "multipleBirthInteger"} {
			if v, ok := s.obj[k]; ok {
				g[k] = v
				return
			}
		}
	}
}

// firstOf copies each key from the first source (in order) that has it.
func firstOf(g fhir.Object, order []source, keys ...string) {
	for _, k := range keys {
		for _, s := range order {
			if v, ok := s.obj[k]; ok {
				g[k] = v
				break
			}
		}
	}
}

// surviveNAM returns the NAM identifier to keep (nil if none) and whether it is valid.
func surviveNAM(ranked []source, now time.Time) map[string]any {
	var fallback map[string]any
	for _, s := range ranked {
		for _, id := range objs(s.obj["identifier"]) {
			if str(id["system"]) != mpi.NAMSystem || str(id["value"]) == "" {
				continue
			}
			if _, err := mpi.ParseNAM(str(id["value"]), now); err == nil {
				return id
			}
			if fallback == nil {
				fallback = id
			}
		}
	}
	return fallback
}

func surviveIdentifiers(ranked []source, nam map[string]any) []any {
	var out []any
	seen := map[string]bool{}
	if nam != nil {
		out = append(out, nam)
		seen[mpi.NAMSystem] = true // one NAM per person
	}
	for _, s := range ranked {
		for _, id := range objs(s.obj["identifier"]) {
			sys, val := str(id["system"]), str(id["value"])
			if sys == mpi.NAMSystem || val == "" || seen[sys+"|"+val] {
				continue
			}
			seen[sys+"|"+val] = true
			out = append(out, id)
		}
	}
	return out
}

func surviveNames(ranked []source) any {
	for _, s := range ranked {
		for _, n := range objs(s.obj["name"]) {
			if given, _ := n["given"].([]any); str(n["family"]) != "" && len(given) > 0 {
				return s.obj["name"]
			}
		}
	}
	for _, s := range ranked {
		if v, ok := s.obj["name"]; ok {
			return v
		}
	}
	return nil
}

func surviveBirthDate(ranked []source, nam map[string]any, now time.Time) string {
	votes := map[string]int{}
	var order []string
	for _, s := range ranked {
		if b := str(s.obj["birthDate"]); len(b) == 10 {
			if votes[b] == 0 {
				order = append(order, b)
			}
			votes[b]++
		}
	}
	if len(order) == 0 {
		for _, s := range ranked {
			if b := str(s.obj["birthDate"]); b != "" {
				return b
			}
		}
		return ""
	}
	agrees := func(string) bool { return false }
	if nam != nil {
		if n, err := mpi.ParseNAM(str(nam["value"]), now); err == nil {
			agrees = func(b string) bool { return b[2:] == n.BirthDate.Format("2006-01-02")[2:] }
		}
	}
	best := order[0]
	for _, b := range order[1:] {
		if votes[b] > votes[best] || votes[b] == votes[best] && agrees(b) && !agrees(best) {
			best = b
		}
	}
	return best
}

func surviveDeceased(g fhir.Object, ranked []source) {
	for _, s := range ranked {
		if v, ok := s.obj["deceasedDateTime"]; ok {
			g["deceasedDateTime"] = v
			return
		}
	}
	for _, s := range ranked {
		if v, _ := s.obj["deceasedBoolean"].(bool); v {
			g["deceasedBoolean"] = true
			return
		}
	}
}

func str(v any) string { s, _ := v.(string); return strings.TrimSpace(s) }

func objs(v any) []map[string]any {
	arr, _ := v.([]any)
	var out []map[string]any
	for _, x := range arr {
		if o, ok := x.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}
