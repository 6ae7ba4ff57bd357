package fhirpath_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"dsn"
	"dsn/fhir"
	"dsn/fhir/fhirpath"
)

const obsJSON = `{"resourceType":"Observation","id":"o1","status":"final",
 "contained":[{"resourceType":"Patient","id":"p1","name":[{"family":"Tremblay"}]}],
 "subject":{"reference":"#p1"},
 "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
 "valueQuantity":{"value":185.50,"unit":"lbs","system":"http://unitsofmeasure.org","code":"[lb_av]"},
 "effectiveDateTime":"2016-03-28",
 "_status":{"extension":[{"url":"http://example.org/x","valueString":"ext"}]},
 "component":[{"code":{"text":"a"},"valueInteger":3},{"code":{"text":"b"},"valueString":"x"}]}`

func decode(t testing.TB, s string) map[string]any {
	obj, err := fhir.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return obj
}

// texts renders results as "type:value" for compact assertions.
func texts(c fhirpath.Collection) string {
	var parts []string
	for _, it := range fhirpath.Items(c) {
		parts = append(parts, it.Type+":"+it.Text())
	}
	return strings.Join(parts, ",")
}

func TestEvaluateWithAndWithoutModel(t *testing.T) {
	obs := decode(t, obsJSON)
	cases := []struct{ expr, withModel, noModel string }{
		{"Observation.value.value", "decimal:185.50", "decimal:185.50"},
		{"value.unit", "string:lbs", "string:lbs"},
		{"effective", "dateTime:@2016-03-28T", "string:2016-03-28"},
		{"effective > @2016-01-01", "boolean:true", "boolean:true"},
		{"component.value", "integer:3,string:x", "integer:3,string:x"},
		{"value > 80 'kg'", "boolean:true", "boolean:true"},
		{"value is Quantity", "boolean:true", "boolean:false"},
		{"status.extension('http://example.org/x').value", "string:ext", "string:ext"},
		{"subject.resolve().name.family", "string:Tremblay", "string:Tremblay"},
		{"code.coding.code.first() = '29463-7'", "boolean:true", "boolean:true"},
		{"Observation.children().count()", "integer:9", "integer:9"},
	}
	for _, c := range cases {
		for _, m := range []struct {
			model fhirpath.Model
			want  string
		}{{fhir.R4(), c.withModel}, {nil, c.noModel}} {
			got, err := fhirpath.Evaluate(obs, c.expr, &fhirpath.Options{Model: m.model})
			if err != nil {
				t.Errorf("%s (model %v): %v", c.expr, m.model != nil, err)
				continue
			}
			if s := texts(got); s != m.want {
				t.Errorf("%s (model %v) = %s, want %s", c.expr, m.model != nil, s, m.want)
			}
		}
	}
}

func TestDecimalPrecision(t *testing.T) {
	cases := map[string]string{
		"0.1 + 0.2 = 0.3":                 "boolean:true",
		"1.50 + 1.0":                      "decimal:2.50",
		"1.0 / 3":                         "decimal:0.3333333333333333",
		"12345678901234567890.12 * 10":    "decimal:123456789012345678901.20",
		"2.50 = 2.5":                      "boolean:true",
		"2.50 ~ 2.5":                      "boolean:true",
		"1.55.round(1)":                   "decimal:1.6",
		"(-1.55).round(1)":                "decimal:-1.6",
		"2147483647 + 1":                  "integer:2147483648",
		"9223372036854775807 + 1":         "",
		"1.toDecimal().toString()":        "string:1",
		"'1.500'.toDecimal().precision()": "integer:3",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(nil, src, nil)
		if err != nil || texts(got) != want {
			t.Errorf("%s = %s (%v), want %s", src, texts(got), err, want)
		}
	}
}

func TestEnvironmentAndHooks(t *testing.T) {
	obs := decode(t, obsJSON)
	var traced []string
	opts := &fhirpath.Options{
		Model:     fhir.R4(),
		Variables: map[string]any{"limit": int64(100), "codes": fhirpath.Collection{"29463-7", "x"}},
		Trace: func(name string, items fhirpath.Collection) {
			traced = append(traced, name+"="+texts(items))
		},
		MemberOf: func(system, code, vs string) (bool, error) {
			return vs == "http://hl7.org/fhir/ValueSet/weights" && system == "http://loinc.org" && code == "29463-7", nil
		},
	}
	cases := map[string]string{
		"value.value > %limit":                     "boolean:true",
		"code.coding.code in %codes":               "boolean:true",
		"%resource.id & '/' & %context.id":         "string:o1/o1",
		"%ucum = 'http://unitsofmeasure.org'":      "boolean:true",
		"code.memberOf(%`vs-weights`)":             "boolean:true",
		"code.coding.trace('codes', code).count()": "integer:1",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(obs, src, opts)
		if err != nil || texts(got) != want {
			t.Errorf("%s = %s (%v), want %s", src, texts(got), err, want)
		}
	}
	if len(traced) != 1 || traced[0] != "codes=code:29463-7" {
		t.Errorf("trace got %v", traced)
	}
	if _, err := fhirpath.Evaluate(obs, "%nope", opts); err == nil {
		t.Error("unknown variable: no error")
	}
	if _, err := fhirpath.Evaluate(obs, "code.memberOf('x')", &fhirpath.Options{}); err == nil {
		t.Error("memberOf without hook: no error")
	}
}

func TestErrorsAreDSNErrors(t *testing.T) {
	for _, src := range []string{"Patient.name.", "1 +* 2", "'unterminated", "nosuch()", "where()", "@2014-13-01", "$foo"} {
		_, err := fhirpath.Compile(src)
		if dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("Compile(%q) = %v, want KindInvalid", src, err)
		}
	}
	_, err := fhirpath.Evaluate(nil, "(1 | 2).single()", nil)
	if dsn.KindOf(err) != dsn.KindUnprocessable {
		t.Errorf("single() on two items: %v, want KindUnprocessable", err)
	}
	_, err = fhirpath.Evaluate(decode(t, obsJSON), "Observation.valueQuantity", &fhirpath.Options{Model: fhir.R4()})
	if err == nil {
		t.Error("choice element by JSON name: no error")
	}
}

func TestCompileCacheConcurrent(t *testing.T) {
	obs := decode(t, obsJSON)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := fhirpath.Compile("component.where(value.ofType(integer) > 2).code.text")
			if err != nil {
				errs <- err
				return
			}
			r, err := e.Evaluate(obs, &fhirpath.Options{Model: fhir.R4()})
			if err != nil || texts(r) != "string:a" {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// One compiled step shared by resources of different types (its model
	// cache flips between parents).
	pat := decode(t, `{"resourceType":"Patient","id":"p9"}`)
	var wg2 sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			res, want := any(obs), "id:o1,code:final"
			if i%2 == 0 {
				res, want = pat, "id:p9"
			}
			for j := 0; j < 200; j++ {
				r, err := fhirpath.Evaluate(res, "id | status", &fhirpath.Options{Model: fhir.R4()})
				if err != nil || texts(r) != want {
					t.Errorf("got %s (%v), want %s", texts(r), err, want)
					return
				}
			}
		}(i)
	}
	wg2.Wait()
	a, _ := fhirpath.Compile("component.where(value.ofType(integer) > 2).code.text")
	b, _ := fhirpath.Compile("component.where(value.ofType(integer) > 2).code.text")
	if a != b {
		t.Error("Compile does not return the cached expression")
	}
}

func TestItemJSON(t *testing.T) {
	got, _ := fhirpath.Evaluate(decode(t, obsJSON), "value | 3.0 | @T10:00", &fhirpath.Options{Model: fhir.R4()})
	b, err := json.Marshal(fhirpath.Items(got))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type":"Quantity","value":{"code":"[lb_av]","system":"http://unitsofmeasure.org","unit":"lbs","value":185.50}},{"type":"decimal","value":3.0},{"type":"time","value":"@T10:00"}]`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

func TestLocalValueSets(t *testing.T) {
	expansion := decode(t, `{"resourceType":"ValueSet","url":"http://x/vs/exp","version":"1",
	 "expansion":{"contains":[{"system":"http://loinc.org","code":"14647-2"},
	  {"abstract":true,"code":"group","contains":[{"system":"http://loinc.org","code":"2093-3"}]}]}}`)
	compose := decode(t, `{"resourceType":"ValueSet","url":"http://x/vs/enum",
	 "compose":{"include":[{"system":"http://s","concept":[{"code":"a"},{"code":"b"}]}],
	  "exclude":[{"system":"http://s","concept":[{"code":"b"}]}]}}`)
	whole := decode(t, `{"resourceType":"ValueSet","url":"http://x/vs/all","compose":{"include":[{"system":"http://snomed.info/sct"}]}}`)
	obs := decode(t, `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2093-3"}]},
	 "valueCodeableConcept":{"coding":[{"system":"http://s","code":"a"}]},"category":[{"coding":[{"system":"http://s","code":"b"}]}]}`)
	opts := &fhirpath.Options{Model: fhir.R4(), MemberOf: fhirpath.LocalValueSets(expansion, compose, whole)}
	cases := map[string]string{
		"code.memberOf('http://x/vs/exp')":             "boolean:true",
		"code.memberOf('http://x/vs/exp|1')":           "boolean:true",
		"value.memberOf('http://x/vs/exp')":            "boolean:false",
		"value.memberOf('http://x/vs/enum')":           "boolean:true",
		"category.memberOf('http://x/vs/enum')":        "boolean:false",
		"'group'.memberOf('http://x/vs/exp')":          "boolean:false",
		"code.coding.code.memberOf('http://x/vs/exp')": "boolean:true",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(obs, src, opts)
		if err != nil || texts(got) != want {
			t.Errorf("%s = %s (%v), want %s", src, texts(got), err, want)
		}
	}
	for _, src := range []string{"code.memberOf('http://x/vs/unknown')", "'x'.memberOf('http://x/vs/all')"} {
		if _, err := fhirpath.Evaluate(obs, src, opts); dsn.KindOf(err) != dsn.KindUnavailable {
			t.Errorf("%s: %v, want KindUnavailable", src, err)
		}
	}
}

func TestAggregateShorthands(t *testing.T) {
	cases := map[string]string{
		"(1 | 2 | 3).sum()":                 "integer:6",
		"(1 | 2.5).sum()":                   "decimal:3.5",
		"(3 | 1 | 2).min()":                 "integer:1",
		"('b' | 'a').max()":                 "string:b",
		"(1 | 2).avg()":                     "decimal:1.5",
		"{}.sum()":                          "",
		"(@2014-01-01 | @2013-05-02).min()": "date:@2013-05-02",
		"(1 'kg' | 500 'g').max()":          "Quantity:1 'kg'",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(nil, src, nil)
		if err != nil || texts(got) != want {
			t.Errorf("%s = %s (%v), want %s", src, texts(got), err, want)
		}
	}
	if _, err := fhirpath.Evaluate(nil, "(1 | true).sum()", nil); err == nil {
		t.Error("sum() of a boolean: no error")
	}
}

func TestDefineVariable(t *testing.T) {
	obs := decode(t, obsJSON)
	opts := &fhirpath.Options{Model: fhir.R4()}
	cases := map[string]string{
		"defineVariable('v1', 'value1').select(%v1)":                                                            "string:value1",
		"Observation.defineVariable('c', code.coding.code.first()).component.where(code.text = 'a').select(%c)": "code:29463-7",
		"component.defineVariable('n').count() + %n.count()":                                                    "error",
		"defineVariable('a', 1).defineVariable('b', %a + 1).select(%a + %b)":                                    "integer:3",
		"component.select(defineVariable('t', code.text).select(%t))":                                           "string:a,string:b",
		"component.select(defineVariable('t', code.text)).select(%t)":                                           "error",
		"defineVariable('context', 1)":                                                                          "error",
		"defineVariable('x', 1).defineVariable('x', 2)":                                                         "error",
		"(defineVariable('v', 1).select(%v) | %v)":                                                              "error",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(obs, src, opts)
		s := texts(got)
		if err != nil {
			s = "error"
		}
		if s != want {
			t.Errorf("%s = %s (%v), want %s", src, s, err, want)
		}
	}
}

func TestFHIRPath21Extras(t *testing.T) {
	obs := decode(t, obsJSON)
	opts := &fhirpath.Options{Model: fhir.R4()}
	cases := map[string]string{
		"'abcabc'.lastIndexOf('bc')":                               "integer:4",
		"@2014-05-06T10:20:30.456+05:30.yearOf()":                  "integer:2014",
		"@2014-05-06T10:20:30.456+05:30.millisecondOf()":           "integer:456",
		"@2014-05-06T10:20:30.456+05:30.timezoneOffsetOf()":        "decimal:5.5",
		"@2014-05.dayOf()":                                         "",
		"@T10:20.minuteOf()":                                       "integer:20",
		"@2014-05-06T10:20.dateOf()":                               "date:@2014-05-06",
		"@2014-05-06T10:20.timeOf()":                               "time:@T10:20",
		"effective.monthOf()":                                      "integer:3",
		"(1 | 2).repeatAll(iif($this < 3, $this + 1, {})).count()": "integer:3",
	}
	for src, want := range cases {
		got, err := fhirpath.Evaluate(obs, src, opts)
		if err != nil || texts(got) != want {
			t.Errorf("%s = %s (%v), want %s", src, texts(got), err, want)
		}
	}
}

func TestChoiceNamesAndInvariants(t *testing.T) {
	m := &fhirpath.Options{Model: fhir.R4()}
	obs := decode(t, `{"resourceType":"Observation","status":"final","code":{"text":"x"},
	 "valueCodeableConcept":{"text":"y"}}`)
	if _, err := fhirpath.Evaluate(obs, "Observation.valueCodeableConcept", m); err == nil {
		t.Error("valueCodeableConcept: no error (choice asked by JSON name)")
	}
	if r, err := fhirpath.Evaluate(obs, "Observation.value.text", m); err != nil || texts(r) != "string:y" {
		t.Errorf("value.text = %s %v", texts(r), err)
	}
	red := decode(t, `{"resourceType":"ResearchElementDefinition","status":"draft","type":"population",
	 "characteristic":[{"definitionCodeableConcept":{"text":"c"},"studyEffectiveDescription":"d"}]}`)
	if r, err := fhirpath.Evaluate(red, "characteristic.studyEffectiveDescription", m); err != nil || texts(r) != "string:d" {
		t.Errorf("studyEffectiveDescription = %s %v (a plain element, not a choice)", texts(r), err)
	}
	// pat-1 on a contact with nothing but a gender: the invariant must be false.
	pat := decode(t, `{"resourceType":"Patient","contact":[{"gender":"male"},{"name":{"family":"X"}}]}`)
	contacts, _ := fhirpath.Evaluate(pat, "Patient.contact", m)
	var got []string
	for _, c := range contacts {
		r, err := fhirpath.Evaluate(fhirpath.Collection{c}, "name.exists() or telecom.exists() or address.exists() or organization.exists()", m)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, texts(r))
	}
	if strings.Join(got, " ") != "boolean:false boolean:true" {
		t.Errorf("pat-1 per contact = %v", got)
	}
}

func TestResourceLimits(t *testing.T) {
	for _, src := range []string{
		"'ab'.repeat($this & $this)",                                                                        // doubling strings
		"(1).repeat(iif($this < 100000000, $this + 1, {})).count()",                                         // endless growth
		strings.Repeat("(1|2|3|4|5|6|7|8|9|10).select(", 7) + "$this" + strings.Repeat(")", 7) + ".count()", // 10^7 steps
	} {
		_, err := fhirpath.Evaluate(nil, src, &fhirpath.Options{MaxSteps: 100_000})
		if dsn.KindOf(err) != dsn.KindUnprocessable {
			t.Errorf("%s: %v, want a limit error", src, err)
		}
	}
}

func TestResultsAreCallersOwn(t *testing.T) {
	for _, src := range []string{"true", "'abc'", "1 = 1"} {
		r, _ := fhirpath.Evaluate(nil, src, nil)
		first := texts(r)
		r[0] = "changed"
		r2, _ := fhirpath.Evaluate(nil, src, nil)
		if texts(r2) != first {
			t.Errorf("%s: modifying a result changed the next one: %s", src, texts(r2))
		}
	}
}
