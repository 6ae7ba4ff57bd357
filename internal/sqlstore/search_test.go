package sqlstore

import (
	"flag"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"dsn"
	"dsn/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dialects are the two adapters' dialects, named like their testdata folder.
var dialects = map[string]Dialect{"sqlite": SQLite, "postgres": Postgres}

// goldenQueries cover every clause the translator supports; the generated SQL
// is compared with testdata/<dialect>/<name>.golden
// (go test ./internal/sqlstore -run Golden -update).
func goldenQueries() map[string]dsn.SearchQuery {
	day := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	next := day.AddDate(0, 0, 1)
	c := func(param string, typ dsn.ParamType, mod string, vs ...dsn.Value) []dsn.Clause {
		return []dsn.Clause{{Param: param, Type: typ, Modifier: mod, Values: vs}}
	}
	q := func(typ string, cls ...[]dsn.Clause) dsn.SearchQuery {
		var all []dsn.Clause
		for _, c := range cls {
			all = append(all, c...)
		}
		return dsn.SearchQuery{Type: typ, Clauses: all}
	}
	paged := q("Patient", c("gender", dsn.ParamToken, "", dsn.Value{Code: "female", AnySystem: true}))
	paged.Count, paged.Cursor, paged.Total = 10, EncodeCursor('s', 42), true
	prefixes := func(p string) []dsn.Clause {
		return c("birthdate", dsn.ParamDate, "", dsn.Value{Prefix: p, Low: day, High: next})
	}
	compartment := q("Observation", c("code", dsn.ParamToken, "", dsn.Value{Code: "8867-4", AnySystem: true}))
	compartment.PatientKey = "p1"
	everything := q("")
	everything.PatientKey, everything.Types = "p1", []string{"Patient", "Encounter"}
	m := map[string]dsn.SearchQuery{
		"compartment_type":   compartment,
		"compartment_types":  everything,
		"type_only":          q("Patient"),
		"all_types":          q("", c("subject", dsn.ParamReference, "", dsn.Value{RefType: "Patient", RefID: "p1"})),
		"id":                 q("Patient", c("_id", dsn.ParamToken, "", dsn.Value{Code: "a"}, dsn.Value{Code: "b"})),
		"lastupdated":        q("Patient", c("_lastUpdated", dsn.ParamDate, "", dsn.Value{Prefix: "ge", Low: day, High: next}, dsn.Value{Prefix: "ne", Low: day, High: next})),
		"token_forms":        q("Patient", c("identifier", dsn.ParamToken, "", dsn.Value{System: "urn:s", Code: "1"}, dsn.Value{Code: "2"}, dsn.Value{Code: "3", AnySystem: true}, dsn.Value{System: "urn:s"})),
		"token_not":          q("Patient", c("gender", dsn.ParamToken, "not", dsn.Value{Code: "male", AnySystem: true})),
		"token_text":         q("Observation", c("code", dsn.ParamToken, "text", dsn.Value{Text: "heart_rate"})),
		"missing":            q("Patient", c("gender", dsn.ParamToken, "missing", dsn.Value{Text: "true"}), c("birthdate", dsn.ParamDate, "missing", dsn.Value{Text: "false"})),
		"string":             q("Patient", c("name", dsn.ParamString, "", dsn.Value{Text: "Gagné"})),
		"string_exact":       q("Patient", c("name", dsn.ParamString, "exact", dsn.Value{Text: "Gagné"})),
		"string_contains":    q("Patient", c("name", dsn.ParamString, "contains", dsn.Value{Text: "50%"})),
		"date_eq_ne_gt_lt":   q("Patient", prefixes("eq"), prefixes("ne"), prefixes("gt"), prefixes("lt")),
		"date_ge_le_sa_eb":   q("Patient", prefixes("ge"), prefixes("le"), prefixes("sa"), prefixes("eb"), prefixes("ap")),
		"reference":          q("Observation", c("subject", dsn.ParamReference, "", dsn.Value{RefType: "Patient", RefID: "p1"}, dsn.Value{RefID: "p2"}, dsn.Value{Text: "https://x/Patient/3"})),
		"reference_type_mod": q("Observation", c("subject", dsn.ParamReference, "Patient", dsn.Value{RefID: "p1"})),
		"quantity":           q("Observation", c("value-quantity", dsn.ParamQuantity, "", dsn.Value{Prefix: "gt", Number: 5.4, System: "http://unitsofmeasure.org", Code: "mg"}, dsn.Value{Number: 72, Code: "/min"})),
		"number":             q("RiskAssessment", c("probability", dsn.ParamNumber, "", dsn.Value{Prefix: "le", Number: 0.5}, dsn.Value{Prefix: "ap", Number: 10})),
		"uri":                q("ValueSet", c("url", dsn.ParamURI, "", dsn.Value{Text: "http://hl7.org/fhir/ValueSet/x"})),
		"and_paged":          paged,
	}
	for k, v := range fullQueries() {
		m[k] = v
	}
	return m
}

func TestGoldenSQL(t *testing.T) {
	for dname, d := range dialects {
		for name, q := range goldenQueries() {
			p, err := TranslateWith(d, q, goldenSets)
			if err != nil {
				t.Fatalf("%s %s: %v", dname, name, err)
			}
			golden(t, filepath.Join("testdata", dname, name+".golden"), p.String())
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	storetest.Golden(t, path, got, *update)
}

// The placeholders and the arguments always agree in number: a mismatch would
// bind values to the wrong columns.
func TestPlaceholdersMatchArgsSQLite(t *testing.T) {
	for name, q := range goldenQueries() {
		p, _ := TranslateWith(SQLite, q, goldenSets)
		for _, st := range []Statement{p.Page, p.Count} {
			if n := countRunes(st.SQL, '?'); n != len(st.Args) {
				t.Errorf("%s: %d placeholders, %d args", name, n, len(st.Args))
			}
		}
	}
}

func countRunes(s string, r rune) int {
	n := 0
	for _, c := range s {
		if c == r {
			n++
		}
	}
	return n
}

// Every numbered placeholder $1..$n is used and no other: PostgreSQL refuses a
// parameter it cannot type, and a gap would bind values to the wrong columns.
func TestPlaceholdersMatchArgsPostgres(t *testing.T) {
	for name, q := range goldenQueries() {
		p, _ := TranslateWith(Postgres, q, goldenSets)
		for _, st := range []Statement{p.Page, p.Count} {
			for i := 1; i <= len(st.Args); i++ {
				if !regexp.MustCompile(`\$` + strconv.Itoa(i) + `\b`).MatchString(st.SQL) {
					t.Errorf("%s: $%d unused", name, i)
				}
			}
			if regexp.MustCompile(`\$` + strconv.Itoa(len(st.Args)+1) + `\b`).MatchString(st.SQL) {
				t.Errorf("%s: placeholder beyond the %d args", name, len(st.Args))
			}
		}
	}
}
