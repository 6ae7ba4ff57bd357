package fhir

import (
	"errors"
	"strings"
	"testing"

	"dsn"
)

const patientOK = `{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2024-01-02T03:04:05.123Z"},
 "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Marie</div>"},
 "identifier":[{"system":"https://www.ramq.gouv.qc.ca/nam","value":"TREM12345678"}],
 "active":true,"name":[{"family":"Tremblay","given":["Marie","Ève"],"_given":[null,{"extension":[{"url":"http://example.org/x","valueString":"y"}]}]}],
 "gender":"female","birthDate":"1980-02-29","deceasedBoolean":false,"multipleBirthInteger":2,
 "address":[{"city":"Trois-Rivières","postalCode":"G9A 5H7"}],
 "contact":[{"name":{"text":"Jean"},"gender":"male"}],
 "managingOrganization":{"reference":"Organization/o1"},
 "contained":[{"resourceType":"Organization","id":"org","name":"CIUSSS"}],
 "generalPractitioner":[{"reference":"#org"}]}`

func TestValidateValid(t *testing.T) {
	valid := []string{
		patientOK,
		`{"resourceType":"Patient"}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50,"unit":"mg"}}`,
		`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:0b0b4d0e-9f3c-4b5e-8a0e-2e1f7d2c3a4b","resource":{"resourceType":"Patient","gender":"other"}}]}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1/_history/2"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"https://example.org/fhir/Patient/p1"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:oid:1.2.3"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient?identifier=a|b"}}`,
		`{"resourceType":"Patient","birthDate":"1980","_birthDate":{"extension":[{"url":"http://x","valueDateTime":"1980-05-02T10:00:00-05:00"}]}}`,
		`{"resourceType":"Patient","name":[{"_given":[{"id":"a"}]}]}`,
	}
	for _, body := range valid {
		obj, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("Decode(%s): %v", body, err)
		}
		if err := Validate(obj); err != nil {
			t.Errorf("Validate(%s) = %v; issues %+v", body, err, dsn.IssuesOf(err))
		}
	}
}

func TestValidateInvalid(t *testing.T) {
	cases := []struct{ body, code, expr string }{
		{`{"resourceType":"Patient","foo":1}`, "structure", "Patient.foo"},
		{`{"resourceType":"Nope"}`, "invalid", "resourceType"},
		{`{"resourceType":"DomainResource"}`, "invalid", "resourceType"},
		{`{"resourceType":"Patient","active":"true"}`, "structure", "Patient.active"},
		{`{"resourceType":"Patient","multipleBirthInteger":1.5}`, "value", "Patient.multipleBirth.ofType(integer)"},
		{`{"resourceType":"Patient","multipleBirthInteger":3000000000}`, "value", "Patient.multipleBirth.ofType(integer)"},
		{`{"resourceType":"Patient","name":{"family":"x"}}`, "structure", "Patient.name"},
		{`{"resourceType":"Patient","gender":["male"]}`, "structure", "Patient.gender"},
		{`{"resourceType":"Patient","name":[]}`, "structure", "Patient.name"},
		{`{"resourceType":"Patient","name":[{}]}`, "structure", "Patient.name[0]"},
		{`{"resourceType":"Patient","name":[{"family":""}]}`, "value", "Patient.name[0].family"},
		{`{"resourceType":"Patient","name":[{"given":["a",null]}]}`, "structure", "Patient.name[0].given[1]"},
		{`{"resourceType":"Patient","name":[null],"_name":[{"id":"x"}]}`, "structure", "Patient._name"},
		{`{"resourceType":"Patient","identifier":[{"value":"a"},null]}`, "structure", "Patient.identifier[1]"},
		{`{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}`, "structure", "Patient.name[0]._given"},
		{`{"resourceType":"Patient","name":[{"given":["a"],"_given":[{"foo":1}]}]}`, "structure", "Patient.name[0].given[0].foo"},
		{`{"resourceType":"Patient","_active":"x"}`, "structure", "Patient._active"},
		{`{"resourceType":"Patient","_name":{}}`, "structure", "Patient._name"},
		{`{"resourceType":"Patient","gender":"M"}`, "code-invalid", "Patient.gender"},
		{`{"resourceType":"Patient","birthDate":"1980-02-30"}`, "value", "Patient.birthDate"},
		{`{"resourceType":"Patient","birthDate":"1980-1-2"}`, "value", "Patient.birthDate"},
		{`{"resourceType":"Patient","deceasedDateTime":"2020-01-01T10:00:00"}`, "value", "Patient.deceased.ofType(dateTime)"},
		{`{"resourceType":"Patient","deceasedBoolean":true,"deceasedDateTime":"2020"}`, "structure", "Patient.deceased"},
		{`{"resourceType":"Patient","deceasedDateTime":"2020","deceasedBoolean":true}`, "structure", "Patient.deceased"},
		{`{"resourceType":"Patient","id":"a b"}`, "value", "Patient.id"},
		{`{"resourceType":"Patient","meta":{"lastUpdated":"2020-01-01"}}`, "value", "Patient.meta.lastUpdated"},
		{`{"resourceType":"Patient","link":[{"type":"seealso"}]}`, "required", "Patient.link[0].other"},
		{`{"resourceType":"Patient","extension":[{"valueString":"x"}]}`, "required", "Patient.extension[0].url"},
		{`{"resourceType":"Patient","managingOrganization":{"reference":"Organization/a b"}}`, "value", "Patient.managingOrganization.reference"},
		{`{"resourceType":"Patient","managingOrganization":{"reference":"Practitioner/x"}}`, "value", "Patient.managingOrganization.reference"},
		{`{"resourceType":"Patient","managingOrganization":{"reference":"Foo/x"}}`, "value", "Patient.managingOrganization.reference"},
		{`{"resourceType":"Patient","managingOrganization":{"reference":"urn:uuid:123"}}`, "value", "Patient.managingOrganization.reference"},
		{`{"resourceType":"Patient","contained":[{"resourceType":"Organization","name":1}]}`, "structure", "Patient.contained[0].name"},
		{`{"resourceType":"Patient","contained":[{"id":"x"}]}`, "structure", "Patient.contained[0].resourceType"},
		{`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","gender":"x"}}]}`, "code-invalid", "Bundle.entry[0].resource.gender"},
		{`{"resourceType":"Bundle","type":"nope"}`, "code-invalid", "Bundle.type"},
		{`{"resourceType":"Bundle"}`, "required", "Bundle.type"},
		{`{"resourceType":"Observation","code":{"text":"x"},"status":"done"}`, "code-invalid", "Observation.status"},
		{`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"1"}}`, "structure", "Observation.value.ofType(Quantity).value"},
		{`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueFoo":1}`, "structure", "Observation.valueFoo"},
		{`{"resourceType":"Parameters","parameter":[{"name":"a","resource":{"resourceType":"Patient","foo":1}}]}`, "structure", "Parameters.parameter[0].resource.foo"},
		{`{"resourceType":"Patient","text":{"status":"generated","div":"hello"}}`, "value", "Patient.text.div"},
		{`{"resourceType":"Patient","text":{"status":"generated","div":"<div/>","_div":{"id":"a"}}}`, "structure", "Patient.text._div"},
		{`{"resourceType":"Patient","extension":[{"url":"http://x","_url":{"id":"a"}}]}`, "structure", "Patient.extension[0]._url"},
	}
	for _, c := range cases {
		obj, err := Decode([]byte(c.body))
		if err != nil {
			t.Fatalf("Decode(%s): %v", c.body, err)
		}
		err = Validate(obj)
		var de *dsn.Error
		if !errors.As(err, &de) || de.Kind != dsn.KindInvalid || de.Msg == "" {
			t.Errorf("Validate(%s) = %v, want a KindInvalid *dsn.Error", c.body, err)
			continue
		}
		if !hasIssue(de.Issues, c.code, c.expr) {
			t.Errorf("Validate(%s): no issue %s at %s in %+v", c.body, c.code, c.expr, de.Issues)
		}
	}
}

func hasIssue(issues []dsn.Issue, code, expr string) bool {
	for _, is := range issues {
		if is.Code == code && is.Expression == expr && is.Severity == "error" && is.Diagnostics != "" {
			return true
		}
	}
	return false
}

func TestValidateMessageIsFrench(t *testing.T) {
	obj, _ := Decode([]byte(`{"resourceType":"Patient","foo":1,"bar":2}`))
	err := Validate(obj)
	if msg := dsn.Message(err); !strings.Contains(msg, "Patient.bar") || !strings.Contains(msg, "1 autre") {
		t.Errorf("message %q", msg)
	}
}

func issuesOf(err error) []dsn.Issue { return dsn.IssuesOf(err) }

// TestValidateChoiceOnce runs the check many times: Go randomises map order,
// and a choice given with three types must be reported exactly once.
func TestValidateChoiceOnce(t *testing.T) {
	obj, _ := Decode([]byte(`{"resourceType":"Observation","status":"final","code":{"text":"x"},
	  "valueString":"a","valueBoolean":true,"valueInteger":1}`))
	for range 50 {
		n := 0
		for _, is := range issuesOf(Validate(obj)) {
			if is.Expression == "Observation.value" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("value[x] reported %d times", n)
		}
	}
}
