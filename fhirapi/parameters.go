package fhirapi

import (
	"net/http"
	"strings"

	"dsn"
	"dsn/fhir"
)

// parameters is the input of an operation (operations.html#executing): a
// Parameters resource in the body of a POST, or URL parameters of a GET,
// by name.
type parameters struct {
	op  string
	all map[string][]map[string]any
}

// readParameters reads the Parameters body of an operation, or, without a
// body, the URL query (simple values as valueString).
func (a *API) readParameters(w http.ResponseWriter, r *http.Request, op string) (parameters, error) {
	p := parameters{op: op, all: map[string][]map[string]any{}}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		if body, err = a.readBody(w, r); err != nil && !(dsn.KindOf(err) == dsn.KindInvalid && len(body) == 0) {
			return p, err
		}
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		for k, vs := range r.URL.Query() {
			for _, v := range vs {
				p.all[k] = append(p.all[k], map[string]any{"name": k, "valueString": v})
			}
		}
		return p, nil
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return p, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	if fhir.ResourceType(obj) != "Parameters" {
		return p, opInvalid(op, "", "op.parameters")
	}
	list, _ := obj["parameter"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		name, _ := m["name"].(string)
		p.all[name] = append(p.all[name], m)
	}
	return p, nil
}

// str returns a string parameter (valueString, valueCode, valueId, valueUri).
func (p parameters) str(name string) string {
	for _, m := range p.all[name] {
		for _, k := range []string{"valueString", "valueCode", "valueId", "valueUri"} {
			if s, ok := m[k].(string); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// boolean reads valueBoolean (or "true"/"false" from a URL).
func (p parameters) boolean(name string) (bool, error) {
	for _, m := range p.all[name] {
		if b, ok := m["valueBoolean"].(bool); ok {
			return b, nil
		}
		switch m["valueString"] {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return false, opInvalid(p.op, "Parameters.parameter", "op.boolean", name)
	}
	return false, nil
}

// resource returns a resource parameter (nil if absent).
func (p parameters) resource(name string) fhir.Object {
	for _, m := range p.all[name] {
		if r, ok := m["resource"].(map[string]any); ok {
			return r
		}
	}
	return nil
}

// patientRef reads a Reference(Patient) parameter (or "Patient/x" as a
// string, for GET): the Patient id, "" if absent.
func (p parameters) patientRef(name string) (string, error) {
	ref := ""
	for _, m := range p.all[name] {
		if v, ok := m["valueReference"].(map[string]any); ok {
			ref, _ = v["reference"].(string)
		} else if s := p.str(name); s != "" {
			ref = s
		}
	}
	if ref == "" {
		return "", nil
	}
	id, ok := strings.CutPrefix(strings.TrimSpace(ref), "Patient/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", opInvalid(p.op, "Parameters.parameter", "op.patient", name, ref)
	}
	return id, nil
}

// requirePatient is patientRef for a mandatory parameter.
func (p parameters) requirePatient(name string) (string, error) {
	id, err := p.patientRef(name)
	if err == nil && id == "" {
		err = opInvalid(p.op, "Parameters.parameter", "op.patient-required", name)
	}
	return id, err
}

func opInvalid(op, expr, id string, args ...any) error {
	e := errorf(op, dsn.KindInvalid, id, args...)
	e.Issues = []dsn.Issue{{Severity: "error", Code: "invalid", Diagnostics: e.Msg, English: e.English, Expression: expr}}
	return e
}

// outputParameters builds an operation's Parameters answer.
func outputParameters(params ...map[string]any) fhir.Object {
	list := make([]any, len(params))
	for i, p := range params {
		list[i] = p
	}
	return fhir.Object{"resourceType": "Parameters", "parameter": list}
}

func information(msg string) fhir.Object {
	return fhir.Object{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
		"severity": "information", "code": "informational", "diagnostics": msg}}}
}
