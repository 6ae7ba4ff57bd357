package fhir

import (
	"slices"
	"testing"

	"dsn"
)

func TestResourceTypes(t *testing.T) {
	rts := ResourceTypes()
	if len(rts) != 145 && len(rts) != 146 && len(rts) != 147 {
		t.Fatalf("got %d resource types", len(rts))
	}
	if !slices.IsSorted(rts) {
		t.Error("ResourceTypes not sorted")
	}
	for _, name := range []string{"Patient", "Observation", "Bundle", "Parameters", "Binary"} {
		if !IsResourceType(name) {
			t.Errorf("IsResourceType(%q) = false", name)
		}
	}
	for _, name := range []string{"Resource", "DomainResource", "HumanName", "patient", "", "Patient.contact"} {
		if IsResourceType(name) {
			t.Errorf("IsResourceType(%q) = true", name)
		}
	}
}

func TestChildType(t *testing.T) {
	d := R4()
	cases := []struct{ parent, child, want string }{
		{"Patient", "name", "HumanName"},
		{"Patient", "id", "id"},
		{"Patient", "contact", "Patient.contact"},
		{"Patient.contact", "name", "HumanName"},
		{"Patient", "deceasedBoolean", "boolean"},
		{"Patient", "deceasedDateTime", "dateTime"},
		{"Observation", "valueQuantity", "Quantity"},
		{"Extension", "valueCodeableConcept", "CodeableConcept"},
		{"Extension", "url", "uri"},
		{"HumanName", "given", "string"},
		{"HumanName", "id", "string"},
		{"Questionnaire.item", "item", "Questionnaire.item"},
		{"Bundle.entry", "resource", "Resource"},
		{"Patient", "birthDate", "date"},
		{"Patient", "meta", "Meta"},
		{"Meta", "lastUpdated", "instant"},
	}
	for _, c := range cases {
		got, ok := d.ChildType(c.parent, c.child)
		if !ok || got != c.want {
			t.Errorf("ChildType(%q, %q) = %q, %v; want %q", c.parent, c.child, got, ok, c.want)
		}
	}
	for _, c := range [][2]string{{"Patient", "deceased"}, {"Patient", "foo"}, {"Nope", "id"}, {"Observation", "valueFoo"}} {
		if got, ok := d.ChildType(c[0], c[1]); ok {
			t.Errorf("ChildType(%q, %q) = %q, want not found", c[0], c[1], got)
		}
	}
}

func TestChoiceTypesAndBaseType(t *testing.T) {
	d := R4()
	got, ok := d.ChoiceTypes("Patient", "deceased")
	if !ok || !slices.Equal(got, []string{"boolean", "dateTime"}) {
		t.Errorf("ChoiceTypes(Patient, deceased) = %v, %v", got, ok)
	}
	if _, ok := d.ChoiceTypes("Patient", "name"); ok {
		t.Error("Patient.name reported as a choice")
	}
	bases := map[string]string{"Patient": "DomainResource", "DomainResource": "Resource", "Resource": "",
		"Bundle": "Resource", "Age": "Quantity", "code": "string", "positiveInt": "integer",
		"Patient.contact": "BackboneElement", "HumanName": "Element", "Nope": ""}
	for typ, want := range bases {
		if got := d.BaseType(typ); got != want {
			t.Errorf("BaseType(%q) = %q, want %q", typ, got, want)
		}
	}
}

func TestSearchParams(t *testing.T) {
	ps := SearchParams("Patient")
	for code, typ := range map[string]dsn.ParamType{"identifier": dsn.ParamToken, "_id": dsn.ParamToken,
		"_lastUpdated": dsn.ParamDate, "_text": dsn.ParamString, "_content": dsn.ParamString,
		"birthdate": dsn.ParamDate, "name": dsn.ParamString, "general-practitioner": dsn.ParamReference} {
		if p, ok := ps[code]; !ok || p.Type != typ {
			t.Errorf("Patient %s = %+v", code, p)
		}
	}
	if e := ps["birthdate"].Expression; e != "Patient.birthDate" {
		t.Errorf("birthdate expression %q", e) // only the Patient term of individual-birthdate
	}
	if _, ok := SearchParams("Bundle")["_text"]; ok {
		t.Error("Bundle is not a DomainResource: no _text")
	}
	obs := SearchParams("Observation")
	cv := obs["code-value-quantity"]
	if cv.Type != dsn.ParamComposite || len(cv.Components) != 2 || cv.Components[0].Param != "code" ||
		cv.Components[1].Param != "value-quantity" {
		t.Errorf("code-value-quantity = %+v", cv)
	}
	if p := obs["patient"]; !slices.Equal(p.Targets, []string{"Patient", "Group"}) || p.Expression != "Observation.subject.where(resolve() is Patient)" {
		t.Errorf("Observation patient = %+v", p)
	}
	if SearchParams("Nope") != nil {
		t.Error("unknown type has parameters")
	}
}

func TestPatientCompartment(t *testing.T) {
	if got := PatientCompartment("Patient"); !slices.Equal(got, []string{"link"}) {
		t.Errorf("Patient: %v", got)
	}
	if got := PatientCompartment("Observation"); !slices.Equal(got, []string{"subject", "performer"}) {
		t.Errorf("Observation: %v", got)
	}
	if got := PatientCompartment("Organization"); got != nil {
		t.Errorf("Organization: %v", got)
	}
}

// TestEveryTypeResolves checks the generated tables are closed: every type code
// an element uses is itself defined, so validation never meets an unknown type.
func TestEveryTypeResolves(t *testing.T) {
	d := R4()
	if len(d.types) < 600 {
		t.Fatalf("only %d types", len(d.types))
	}
	for name, td := range d.types {
		for k, r := range td.byJSON {
			if r.td == nil {
				t.Errorf("%s.%s has undefined type %q", name, k, r.typ)
			}
		}
		if td.base != "" && d.types[td.base] == nil {
			t.Errorf("%s has undefined base %q", name, td.base)
		}
	}
	for _, el := range d.types["Observation"].elems {
		if el.Name == "status" && el.VS != "http://hl7.org/fhir/ValueSet/observation-status" {
			t.Errorf("Observation.status binding %q", el.VS)
		}
	}
	if !d.codes["http://hl7.org/fhir/ValueSet/administrative-gender"]["unknown"] {
		t.Error("administrative-gender lacks unknown")
	}
}

func TestInvariants(t *testing.T) {
	got := Invariants("Patient.contact")
	if len(got) != 1 || got[0].Key != "pat-1" || got[0].Severity != "error" ||
		got[0].Expression != "name.exists() or telecom.exists() or address.exists() or organization.exists()" {
		t.Errorf("Patient.contact invariants = %+v", got)
	}
	keys := map[string]bool{}
	for _, inv := range Invariants("Patient") {
		keys[inv.Key] = true
	}
	if !keys["dom-2"] || !keys["dom-6"] || keys["ele-1"] {
		t.Errorf("Patient invariants %v", keys)
	}
	if ext := Invariants("Extension"); len(ext) != 1 || ext[0].Key != "ext-1" {
		t.Errorf("Extension invariants = %+v", ext)
	}
	if Invariants("Patient.extension") != nil || Invariants("Nope") != nil {
		t.Error("unexpected invariants")
	}
}
