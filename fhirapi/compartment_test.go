package fhirapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"dsn/fhir"
)

// compartmentData: patient pa with an Encounter, two Observations (one
// deleted), a Condition written last, all by Practitioner dr of Organization
// org; patient pb with its own Observation.
func compartmentData(t *testing.T, s *testServer) (conditionUpdated string) {
	t.Helper()
	put := func(path, body string) resp {
		t.Helper()
		r := s.do(t, "PUT", "/fhir/"+path, body)
		if r.status != http.StatusCreated && r.status != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", path, r.status, r.body)
		}
		return r
	}
	put("Organization/org", `{"resourceType":"Organization","id":"org","name":"CLSC"}`)
	put("Practitioner/dr", `{"resourceType":"Practitioner","id":"dr","name":[{"family":"Roy"}]}`)
	put("Patient/pa", `{"resourceType":"Patient","id":"pa","managingOrganization":{"reference":"Organization/org"}}`)
	put("Patient/pb", `{"resourceType":"Patient","id":"pb"}`)
	put("Encounter/e1", `{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/pa"},"participant":[{"individual":{"reference":"Practitioner/dr"}}]}`)
	obs := `{"resourceType":"Observation","id":"%s","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},"subject":{"reference":"Patient/%s"},"performer":[{"reference":"Practitioner/dr"}]}`
	put("Observation/o1", sprintf(obs, "o1", "8867-4", "pa"))
	put("Observation/o2", sprintf(obs, "o2", "8480-6", "pa"))
	put("Observation/ob", sprintf(obs, "ob", "8867-4", "pb"))
	if r := s.do(t, "DELETE", "/fhir/Observation/o2", ""); r.status >= 300 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	r := put("Condition/c1", `{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/pa"},"asserter":{"reference":"Practitioner/dr"}}`)
	meta := r.obj(t)["meta"].(map[string]any)
	return meta["lastUpdated"].(string)
}

func sprintf(f string, args ...string) string {
	for _, a := range args {
		f = strings.Replace(f, "%s", a, 1)
	}
	return f
}

// entries lists "mode:Type/id" of a searchset, in order.
func entries(t *testing.T, b fhir.Object) []string {
	t.Helper()
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("want a searchset Bundle: %v", b)
	}
	var out []string
	list, _ := b["entry"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		res := m["resource"].(map[string]any)
		mode := m["search"].(map[string]any)["mode"].(string)
		out = append(out, mode+":"+res["resourceType"].(string)+"/"+asString(res["id"]))
	}
	return out
}

func asString(v any) string { s, _ := v.(string); return s }

func nextLink(b fhir.Object) string {
	links, _ := b["link"].([]any)
	for _, l := range links {
		if m := l.(map[string]any); m["relation"] == "next" {
			return m["url"].(string)
		}
	}
	return ""
}

func TestCompartmentSearchOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	compartmentData(t, s)
	cases := []struct{ path, want string }{
		{"/fhir/Patient/pa/Observation", "match:Observation/o1"},
		{"/fhir/Patient/pb/Observation", "match:Observation/ob"},
		{"/fhir/Patient/pa/Observation?code=8480-6", ""},
		{"/fhir/Patient/pa/Observation?code=8867-4&_include=Observation:performer", "match:Observation/o1 include:Practitioner/dr"},
		{"/fhir/Patient/pa/*", "match:Patient/pa match:Encounter/e1 match:Observation/o1 match:Condition/c1"},
		{"/fhir/Patient/pa/Condition", "match:Condition/c1"},
	}
	for _, c := range cases {
		r := s.do(t, "GET", c.path, "")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.path, r.status, r.body)
		}
		if got := strings.Join(entries(t, r.obj(t)), " "); got != c.want {
			t.Errorf("%s: %q, want %q", c.path, got, c.want)
		}
	}
	wantOO(t, s.do(t, "GET", "/fhir/Patient/nobody/Observation", ""), http.StatusNotFound)
	wantOO(t, s.do(t, "GET", "/fhir/Patient/pa/Practitioner", ""), http.StatusBadRequest)
	wantOO(t, s.do(t, "GET", "/fhir/Patient/pa/Nonsense", ""), http.StatusNotFound)
	wantOO(t, s.do(t, "GET", "/fhir/Encounter/e1/Observation", ""), http.StatusNotFound)

	// Paging inside a compartment.
	var got []string
	path := "/fhir/Patient/pa/*?_count=1"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("compartment paging does not end")
		}
		r := s.do(t, "GET", path, "")
		b := r.obj(t)
		got = append(got, entries(t, b)...)
		path = strings.TrimPrefix(nextLink(b), s.URL)
	}
	if len(got) != 4 || got[0] != "match:Patient/pa" {
		t.Fatalf("pages: %v", got)
	}
}

func TestEverythingOverHTTP(t *testing.T) {
	s := newServer(t, nil)
	since := compartmentData(t, s)
	r := s.do(t, "GET", "/fhir/Patient/pa/$everything", "")
	if r.status != http.StatusOK {
		t.Fatalf("$everything: %d %s", r.status, r.body)
	}
	want := []string{"match:Patient/pa", "match:Encounter/e1", "match:Observation/o1", "match:Condition/c1",
		"include:Organization/org", "include:Practitioner/dr"}
	got := entries(t, r.obj(t))
	if got[0] != want[0] || !sameSet(got, want) {
		t.Fatalf("$everything: %v, want %v (Patient first)", got, want)
	}
	if tot := r.obj(t)["total"]; tot != float64(4) {
		t.Errorf("total %v, want 4", tot)
	}

	// Paging: every compartment resource once, the Patient first, each page
	// bringing the references it needs.
	var all []string
	path := "/fhir/Patient/pa/$everything?_count=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("$everything paging does not end")
		}
		b := s.do(t, "GET", path, "").obj(t)
		all = append(all, entries(t, b)...)
		path = strings.TrimPrefix(nextLink(b), s.URL)
	}
	matches := slices.DeleteFunc(slices.Clone(all), func(e string) bool { return strings.HasPrefix(e, "include:") })
	if !slices.Equal(matches, want[:4]) {
		t.Errorf("pages: %v", all)
	}

	checks := []struct {
		method, path, body string
		want               []string
	}{
		{"GET", "/fhir/Patient/pa/$everything?_type=Observation,Practitioner", "",
			[]string{"match:Observation/o1", "include:Practitioner/dr"}},
		{"GET", "/fhir/Patient/pa/$everything?_since=" + url.QueryEscape(since), "",
			[]string{"match:Condition/c1", "include:Practitioner/dr"}},
		{"GET", "/fhir/Patient/pb/$everything", "",
			[]string{"match:Patient/pb", "match:Observation/ob", "include:Practitioner/dr"}},
		{"POST", "/fhir/Patient/pa/$everything",
			`{"resourceType":"Parameters","parameter":[{"name":"_type","valueCode":"Condition"},{"name":"_count","valueInteger":5}]}`,
			[]string{"match:Condition/c1"}},
	}
	for _, c := range checks {
		r := s.do(t, c.method, c.path, c.body)
		if r.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.status, r.body)
		}
		if got := entries(t, r.obj(t)); !sameSet(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.method, c.path, got, c.want)
		}
	}
	wantOO(t, s.do(t, "GET", "/fhir/Patient/nobody/$everything", ""), http.StatusNotFound)
	wantOO(t, s.do(t, "GET", "/fhir/Patient/pa/$everything?_since=yesterday", ""), http.StatusBadRequest)
	wantOO(t, s.do(t, "GET", "/fhir/Patient/pa/$everything?_type=Nonsense", ""), http.StatusBadRequest)
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// The CapabilityStatement declares the Patient compartment and $everything.
func TestMetadataDeclaresCompartment(t *testing.T) {
	s := newServer(t, nil)
	body := string(s.do(t, "GET", "/fhir/metadata", "").body)
	for _, want := range []string{`"compartment":["http://hl7.org/fhir/CompartmentDefinition/patient"]`,
		`"http://hl7.org/fhir/OperationDefinition/Patient-everything"`} {
		if !strings.Contains(body, want) {
			t.Errorf("metadata lacks %s", want)
		}
	}
}
