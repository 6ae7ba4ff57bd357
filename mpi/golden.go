package mpi

import (
	"bytes"
	"encoding/json"
	"strings"

	"dsn/fhir"
)

// The provincial record (package mpi/provincial) gathers each person's
// registrations — source Patients — under one golden Patient: the source
// carries Patient.link type "refer" to it, the golden one Patient.link type
// "seealso" to each source (FHIR R4 patient.html#links), and the golden
// record is recognisable by a meta.tag of DSN's MPI CodeSystem.
const (
	// System is DSN's CodeSystem for the MPI: the golden tag, the review
	// Task code, the Provenance activities.
	System = "urn:dsn:codesystem:mpi"
	// GoldenCode tags a golden Patient (meta.tag System|GoldenCode).
	GoldenCode = "golden"
)

// IsGolden tells whether a Patient carries the golden tag.
func IsGolden(p fhir.Object) bool {
	meta, _ := p["meta"].(map[string]any)
	for _, t := range objs(meta["tag"]) {
		if str(t["system"]) == System && str(t["code"]) == GoldenCode {
			return true
		}
	}
	return false
}

// IsGoldenBody is IsGolden on a stored Patient's JSON without decoding the
// whole of it: only meta.tag is read, and only from a body that names
// System. A bulk export asks it of every Patient it writes; fhir.Decode cost
// ~30–140 µs each and loaded the R4 definitions (stored bodies are valid
// FHIR: case-exact, unique keys, so encoding/json reads them alike).
func IsGoldenBody(body []byte) bool {
	if !bytes.Contains(body, []byte(System)) {
		return false
	}
	var p struct {
		Meta struct {
			Tag []struct {
				System string `json:"system"`
				Code   string `json:"code"`
			} `json:"tag"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &p) != nil {
		return false
	}
	for _, t := range p.Meta.Tag {
		if t.System == System && t.Code == GoldenCode {
			return true
		}
	}
	return false
}

// Links returns the Patient ids that p's links of type typ point at
// ("Patient/x" references only, in order).
func Links(p fhir.Object, typ string) []string {
	var out []string
	for _, l := range objs(p["link"]) {
		if str(l["type"]) != typ {
			continue
		}
		other, _ := l["other"].(map[string]any)
		if id, ok := strings.CutPrefix(str(other["reference"]), "Patient/"); ok && id != "" && !strings.Contains(id, "/") {
			out = append(out, id)
		}
	}
	return out
}
