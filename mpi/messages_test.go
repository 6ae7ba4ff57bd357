package mpi

import (
	"regexp"
	"strings"
	"testing"

	"dsn/internal/language/langtest"
	"dsn/internal/language/words"
)

// TestMessagesBothLanguages: every sentence of the catalogue has French and
// English with the same arguments, every id the code says (namErr's,
// messages[…]) is in it, and every id in it is said somewhere.
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\bnamErr\(|\bmessages\[)"([a-z][a-z0-9.-]*)"`)
	used := langtest.Check(t, messages, ids, "messages.go", len(messages))
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
}

// TestExplainInBothLanguages: a $match explanation (ExplainIn) speaks the
// language asked for — the model's field and level labels, the class, the
// adjustments and the protective rules — and Explain stays French; a model
// written without English labels explains in English with the built-in
// ones, and one with its own English labels uses them.
func TestExplainInBothLanguages(t *testing.T) {
	def := DefaultConfig()
	labels := map[string]words.Text{}
	for _, f := range def.Fields {
		labels[f.Name] = words.Text{FR: f.Label, EN: f.LabelEN}
		for _, l := range f.Levels {
			labels[f.Name+"."+l.Name] = words.Text{FR: l.Label, EN: l.LabelEN}
		}
	}
	for i, c := range classWords {
		labels[Class(i).String()] = c
	}
	langtest.Both(t, labels)
	langtest.Both(t, map[string]words.Text{"temporary": ruleTemporary, "nams": ruleTwoNAMs, "twins": ruleTwins, "parent": ruleParent,
		"dates": ruleDates, "differentiator": ruleDifferentiator, "generation": ruleGeneration, "missing": labelMissing,
		"household": noteHousehold, "frequent": noteFrequent, "match": explainMatch, "rule": explainRule})

	m, err := NewMatcher(def)
	if err != nil {
		t.Fatal(err)
	}
	twins := m.Score(person("Tremblay", "Marie-Ève", "1990-04-02", "female", ""), person("Tremblay", "Marie-Josée", "1990-04-02", "female", ""))
	for l, want := range map[words.Tag][]string{
		words.French:  {"Correspondance probable (à réviser)", "nom de famille: « Tremblay » / « Tremblay » → identique", "date de naissance: « 1990-04-02 » / « 1990-04-02 » → identique", "Règle de protection: même nom de famille et même date de naissance mais prénoms différents"},
		words.English: {"Match probable (to review)", "family name: « Tremblay » / « Tremblay » → identical", "birth date: « 1990-04-02 » / « 1990-04-02 » → identical", "Protective rule: same family name and same birth date but different given names"},
	} {
		got := ExplainIn(twins, l)
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("ExplainIn %s: %q missing from\n%s", l, w, got)
			}
		}
		if l == words.French && got != Explain(twins) {
			t.Errorf("Explain is not the French:\n%s\n%s", Explain(twins), got)
		}
	}
	if en := ExplainIn(twins, words.English); strings.Contains(en, "identique") || strings.Contains(en, "Règle") {
		t.Errorf("French in the English explanation:\n%s", en)
	}

	// A model written before labelEn: the built-in English of each position.
	old := regexp.MustCompile(`,?\s*"labelEn": "[^"]*"`).ReplaceAll(def.JSON(), nil)
	if strings.Contains(string(old), "labelEn") {
		t.Fatal("labelEn left in the old model")
	}
	cfg, err := ParseConfig(old)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fields[0].Label = "patronyme"
	cfg.Fields[2].Levels[0].LabelEN = "the very same"
	om, err := NewMatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := om.Score(person("Tremblay", "Jean", "1981-01-01", "male", ""), person("Tremblay", "Jean", "1981-01-01", "male", ""))
	en, fr := ExplainIn(r, words.English), ExplainIn(r, words.French)
	for _, w := range []string{"Match certain", "family name: « Tremblay » / « Tremblay » → identical", "birth date: « 1981-01-01 » / « 1981-01-01 » → the very same"} {
		if !strings.Contains(en, w) {
			t.Errorf("model without English labels: %q missing from\n%s", w, en)
		}
	}
	if !strings.Contains(fr, "patronyme: « Tremblay »") {
		t.Errorf("the model's French label: %s", fr)
	}
}
