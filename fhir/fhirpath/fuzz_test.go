package fhirpath

import (
	"testing"
	"time"
)

// FuzzParse checks that no input makes the lexer, parser or evaluator panic,
// and that a compiled expression evaluates (to a result or an error).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Patient.name.where(use='official').given.first()",
		"(Observation.value as Quantity) | (Observation.value as SampledData)",
		"@2014-01-01T10:30:00.000+01:00 + 1 'wk' - 3 days",
		"1.587 'cm'.lowBoundary(8) ~ 1.5 'cm'",
		"'\\u00e9\\'x'.matches('[a-z]+') implies {} xor true",
		"name.select(given | family).distinct().aggregate($this + $total, '')",
		"%`vs-administrative-gender` & %resource.id",
		"children().descendants().repeat(item).ofType(FHIR.`Patient`)[0]",
		"-(5 div 2 mod 3) * 4.0 / 0 != 1 'mg'",
		"/* c */ // x\n iif(true, 1, 2)",
	} {
		f.Add(s)
	}
	patient := map[string]any{"resourceType": "Patient", "id": "p",
		"name":      []any{map[string]any{"use": "official", "given": []any{"A", "B"}}},
		"birthDate": "1974-12-25"}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := parse(src)
		if err != nil {
			return
		}
		c := &evalCtx{opts: &Options{Now: time.Unix(0, 0)}, this: Collection{NewResource(patient)}}
		c.context = c.this
		_, _ = e.eval(c)
	})
}
