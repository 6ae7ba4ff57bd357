package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"

	"dsn"
)

// The search scenarios of issue 3 run against a store already loaded with a
// population (dsn synth --patients N --out DIR; dsn import DIR): they write
// nothing. Their seed step samples patients through the API — birthdate
// searches over random months, so the sample spreads over the whole store —
// and each request picks one of them.

// sampled is what a search scenario knows of one patient.
type sampled struct {
	id, family, given, birthDate, gender string
	identifier                           string // system|value of the first identifier with a system
	nam                                  string // value of the Québec health number, if any
}

// namSystem is the Québec health number's system (mpi.NAMSystem; bench does
// not import the engine it measures).
const namSystem = "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id"

// goldenTag marks the provincial record's golden Patients: the sample leaves
// them out, since clinical data point at the registrations.
const goldenTag = "urn:dsn:codesystem:mpi|golden"

// sample reads up to n patients (the --seed-size; default 500).
func sample(ctx context.Context, c *client, cfg Config, n int) ([]sampled, error) {
	g := newGen(cfg.Seed, 999)
	var out []sampled
	var mu sync.Mutex
	for tries := 0; len(out) < n && tries < 40*n/50+40; tries++ {
		month := fmt.Sprintf("%04d-%02d", 1930+g.r.IntN(95), 1+g.r.IntN(12))
		r, err := c.do(ctx, "GET", "/Patient?birthdate="+month+"&_tag:not="+url.QueryEscape(goldenTag)+"&_count=50", nil, true)
		if err := seedErr("GET /Patient?birthdate="+month, r, err); err != nil {
			return nil, err
		}
		var b struct {
			Entry []struct {
				Resource struct {
					ID   string `json:"id"`
					Name []struct {
						Family string   `json:"family"`
						Given  []string `json:"given"`
					} `json:"name"`
					BirthDate  string `json:"birthDate"`
					Gender     string `json:"gender"`
					Identifier []struct{ System, Value string }
				} `json:"resource"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(r.body, &b); err != nil {
			return nil, dsn.Wrap("bench.seed", dsn.KindUnavailable, err)
		}
		mu.Lock()
		for _, e := range b.Entry {
			p := e.Resource
			s := sampled{id: p.ID, birthDate: p.BirthDate, gender: p.Gender}
			if len(p.Name) > 0 {
				s.family = p.Name[0].Family
				if len(p.Name[0].Given) > 0 {
					s.given = p.Name[0].Given[0]
				}
			}
			for _, id := range p.Identifier {
				if id.System != "" && id.Value != "" && s.identifier == "" {
					s.identifier = id.System + "|" + id.Value
				}
				if id.System == namSystem && s.nam == "" {
					s.nam = id.Value
				}
			}
			if s.id != "" && len(out) < n {
				out = append(out, s)
			}
		}
		mu.Unlock()
	}
	if len(out) == 0 {
		return nil, dsn.Errorf("bench.seed", dsn.KindUnavailable,
			"aucun patient trouvé : chargez d'abord une population (dsn synth --patients N --out DIR, puis dsn import DIR)")
	}
	return out, nil
}

// loadedScenario is a read-only scenario over a loaded store: one request
// shape built from a sampled patient.
type loadedScenario struct {
	what     string
	patients []sampled
	build    func(g *gen, p sampled) string
	body     func(g *gen, p sampled) []byte // non-nil: the request is a POST of this body
	need     func(p sampled) bool           // which sampled patients the request can use (nil: all)
}

func (s *loadedScenario) seed(ctx context.Context, c *client, cfg Config) error {
	all, err := sample(ctx, c, cfg, or(cfg.SeedSize, 500))
	for _, p := range all {
		if s.need == nil || s.need(p) {
			s.patients = append(s.patients, p)
		}
	}
	if err == nil && len(s.patients) == 0 {
		err = dsn.Errorf("bench.seed", dsn.KindUnavailable, "aucun patient échantillonné ne convient à %s", s.what)
	}
	return err
}
func (s *loadedScenario) next(g *gen) (string, string, []byte) {
	p := s.patients[g.r.IntN(len(s.patients))]
	if s.body != nil {
		return "POST", s.build(g, p), s.body(g, p)
	}
	return "GET", s.build(g, p), nil
}
func (*loadedScenario) perRequest() int    { return 0 }
func (s *loadedScenario) describe() string { return s.what }

// labCodes are LOINC codes every synthetic population has many of
// (synth/observations.go), with a threshold for population counts.
var labCodes = []struct {
	code string
	gt   string
}{{"8867-4", "100"}, {"14682-9", "110"}, {"4548-4", "7"}, {"14749-6", "7"}, {"2823-3", "5"}, {"8310-5", "38"}}

// newLoadedScenario makes the read-only search scenarios (bench/README.md).
func newLoadedScenario(name string) scenario {
	q := url.QueryEscape
	switch name {
	case "search-observation":
		return &loadedScenario{what: "GET Observation?patient=…&code=http://loinc.org|…&_sort=-date",
			build: func(g *gen, p sampled) string {
				return "/Observation?patient=" + p.id + "&code=" + q("http://loinc.org|"+labCodes[g.r.IntN(len(labCodes))].code) + "&_sort=-date"
			}}
	case "search-encounter":
		return &loadedScenario{what: "GET Encounter?patient=…&status=finished",
			build: func(_ *gen, p sampled) string { return "/Encounter?patient=" + p.id + "&status=finished" }}
	case "search-medication":
		return &loadedScenario{what: "GET MedicationRequest?patient=…&status=active",
			build: func(_ *gen, p sampled) string { return "/MedicationRequest?patient=" + p.id + "&status=active" }}
	case "search-demographics":
		return &loadedScenario{what: "GET Patient?family=…&given=…&birthdate=…",
			build: func(_ *gen, p sampled) string {
				return "/Patient?family=" + q(p.family) + "&given=" + q(p.given) + "&birthdate=" + p.birthDate
			},
			need: func(p sampled) bool { return p.family != "" && p.given != "" && p.birthDate != "" }}
	case "search-identifier":
		return &loadedScenario{what: "GET Patient?identifier=system|value",
			build: func(_ *gen, p sampled) string { return "/Patient?identifier=" + q(p.identifier) },
			need:  func(p sampled) bool { return p.identifier != "" }}
	case "everything":
		return &loadedScenario{what: "GET Patient/{id}/$everything (first page)",
			build: func(_ *gen, p sampled) string { return "/Patient/" + p.id + "/$everything" }}
	case "match":
		return &loadedScenario{what: "POST Patient/$match (a sampled registration, NAM left out one time in two)",
			build: func(*gen, sampled) string { return "/Patient/$match" },
			body:  matchBody,
			need:  func(p sampled) bool { return p.family != "" && p.given != "" && p.birthDate != "" }}
	case "population-count":
		return &loadedScenario{what: "GET Observation?code=http://loinc.org|…&value-quantity=gt…&_summary=count",
			build: func(g *gen, _ sampled) string {
				c := labCodes[g.r.IntN(len(labCodes))]
				return "/Observation?code=" + q("http://loinc.org|"+c.code) + "&value-quantity=gt" + c.gt + "&_summary=count"
			}}
	}
	return nil
}

// matchBody is the Parameters of a $match for a sampled registration: its
// name, birth date and sex, with its NAM one time in two (a clerk searching
// for a patient without the card).
func matchBody(g *gen, p sampled) []byte {
	pat := map[string]any{"resourceType": "Patient",
		"name": []any{map[string]any{"family": p.family, "given": []string{p.given}}}, "birthDate": p.birthDate}
	if p.gender != "" {
		pat["gender"] = p.gender
	}
	if p.nam != "" && g.r.IntN(2) == 0 {
		pat["identifier"] = []any{map[string]any{"system": namSystem, "value": p.nam}}
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Parameters",
		"parameter": []any{map[string]any{"name": "resource", "resource": pat}}})
	return b
}
