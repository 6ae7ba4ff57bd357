package provincial

import (
	"encoding/json"
	"strings"
	"testing"

	"dsn/fhir"
	"dsn/internal/language/langtest"
)

// TestStoredWordsBothLanguages: every stored text has French and English
// with the same arguments.
func TestStoredWordsBothLanguages(t *testing.T) { langtest.Both(t, storedWords) }

// english is the translation extension's English of obj[key], "" if none.
func english(obj map[string]any, key string) string {
	ext, _ := obj["_"+key].(map[string]any)
	list, _ := ext["extension"].([]any)
	for _, x := range list {
		x, _ := x.(map[string]any)
		if x["url"] != TranslationExt {
			continue
		}
		sub, _ := x["extension"].([]any)
		var lang, content string
		for _, s := range sub {
			s, _ := s.(map[string]any)
			switch s["url"] {
			case "lang":
				lang, _ = s["valueCode"].(string)
			case "content":
				content, _ = s["valueString"].(string)
			}
		}
		if lang == "en" {
			return content
		}
	}
	return ""
}

// The review Task and the automatic link's Provenance the MPI stores say
// their texts in French, each with its English in the R4 translation
// extension, and stay valid FHIR (fhir.Validate runs on every write).
func TestStoredTextsTranslated(t *testing.T) {
	e := newEnv(t)
	e.put("s1", pierreN)
	e.drain()
	e.put("s2", person{family: "Tremblay", given: "Pierre", birth: "1965-05-03", gender: "male"})
	e.drain()
	open := e.tasks("s2")["requested"]
	if len(open) != 1 {
		t.Fatalf("review Tasks for s2: %s", pretty(e.tasks("s2")))
	}
	task := open[0]
	bs := task["businessStatus"].(map[string]any)
	code := task["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)
	checks := []struct{ fr, en, wantFR, wantEN string }{
		{bs["text"].(string), english(bs, "text"), "à réviser", "to review"},
		{code["display"].(string), english(code, "display"), "Doublon potentiel à réviser", "Potential duplicate to review"},
		{task["description"].(string), english(task, "description"), "Inscription Patient/s2 et dossier provincial", "Registration Patient/s2 and provincial record"},
	}
	var field bool
	for _, in := range task["input"].([]any) {
		in := in.(map[string]any)
		typ := in["type"].(map[string]any)
		if v, ok := in["valueString"].(string); ok && strings.HasPrefix(typ["coding"].([]any)[0].(map[string]any)["code"].(string), "field-") {
			field = true
			checks = append(checks, struct{ fr, en, wantFR, wantEN string }{typ["text"].(string), english(typ, "text"), "", ""},
				struct{ fr, en, wantFR, wantEN string }{v, english(in, "valueString"), "", ""})
		}
	}
	if !field {
		t.Fatalf("no field input in %s", pretty(task))
	}
	for _, c := range checks {
		if !strings.Contains(c.fr, c.wantFR) || !strings.Contains(c.en, c.wantEN) || c.en == "" || c.en == c.fr {
			t.Errorf("stored %q, English %q; want %q / %q", c.fr, c.en, c.wantFR, c.wantEN)
		}
	}
	// the automatic link of a certain match: its Provenance's activity and reason
	e.put("s3", pierreN)
	e.drain()
	q, _ := e.api.Parse("Provenance", map[string][]string{"target": {"Patient/s3"}})
	provs, err := e.raw.Search(e.ctx, q)
	if err != nil || len(provs.Matches) != 1 {
		t.Fatalf("Provenance of the automatic link: %v, %v", provs.Matches, err)
	}
	var p fhir.Object
	if err := json.Unmarshal(provs.Matches[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	act := p["activity"].(map[string]any)["coding"].([]any)[0].(map[string]any)
	reason := p["reason"].([]any)[0].(map[string]any)
	for _, c := range []struct{ fr, en, wantFR, wantEN string }{
		{act["display"].(string), english(act, "display"), "Liaison automatique au dossier provincial", "Automatic link to the provincial record"},
		{reason["text"].(string), english(reason, "text"), "correspondance certaine avec l'inscription Patient/", "certain match with registration Patient/"},
	} {
		if !strings.Contains(c.fr, c.wantFR) || !strings.Contains(c.en, c.wantEN) {
			t.Errorf("Provenance %q, English %q; want %q / %q", c.fr, c.en, c.wantFR, c.wantEN)
		}
	}
	if en := english(reason, "text"); strings.Contains(en, "identique") || !strings.Contains(en, "(+14.5)") {
		t.Errorf("the English reason explains in French or not at all: %q", en)
	}
}
