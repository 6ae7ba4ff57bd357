package mpi

import (
	"math"
	"slices"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	cases := []struct {
		a, b string
		want float64
	}{
		{"MARTHA", "MARHTA", 0.961}, {"DWAYNE", "DUANE", 0.840}, {"DIXON", "DICKSONX", 0.813},
		{"TREMBLAY", "TREMBLAY", 1}, {"", "ABC", 0}, {"ABC", "XYZ", 0},
	}
	for _, c := range cases {
		if got := JaroWinkler(c.a, c.b); math.Abs(got-c.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.3f, want %.3f", c.a, c.b, got, c.want)
		}
	}
}

func TestDamerauLevenshtein(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"TREMBLAY", "TREMBLAY", 0}, {"TREMBLAY", "TERMBLAY", 1}, {"GAGNON", "GAGON", 1}, {"GAGON", "GAGNON", 1}, {"ROY", "ROI", 1}, {"ABCD", "BADC", 2}, {"ABC", "ABCDE", 2},
		{"CA", "ABC", 3}, {"", "ABC", 3}, {"KITTEN", "SITTING", 3}, {"TREP65030512", "TREP65035012", 1},
	}
	for _, c := range cases {
		if got := DamerauLevenshtein(c.a, c.b); got != c.want {
			t.Errorf("DamerauLevenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if withinOneEdit(c.a, c.b) != (c.want <= 1) || withinOneEdit(c.b, c.a) != (c.want <= 1) {
			t.Errorf("withinOneEdit(%q, %q) disagrees with distance %d", c.a, c.b, c.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	cases := []struct {
		in, full string
		parts    []string
	}{
		{"Saint-Pierre", "STPIERRE", []string{"STPIERRE"}},
		{"St Pierre", "STPIERRE", []string{"STPIERRE"}},
		{"Ste-Marie", "STMARIE", []string{"STMARIE"}},
		{"de La Fontaine", "LAFONTAINE", []string{"LAFONTAINE"}},
		{"Lafontaine", "LAFONTAINE", []string{"LAFONTAINE"}},
		{"D'Amours", "AMOURS", []string{"AMOURS"}},
		{"Tremblay-Gagnon", "TREMBLAYGAGNON", []string{"TREMBLAY", "GAGNON"}},
		{"  hélène  CÔTÉ ", "HELENECOTE", []string{"HELENE", "COTE"}},
		{"Marie-Ève", "MARIEEVE", []string{"MARIE", "EVE"}},
		{"Roy Jr.", "ROY", []string{"ROY"}},
		{"L'Heureux", "LHEUREUX", []string{"LHEUREUX"}},
	}
	for _, c := range cases {
		n := NormalizeName(c.in)
		if n.Full != c.full || !slices.Equal(n.Parts, c.parts) {
			t.Errorf("NormalizeName(%q) = %+v, want %s %v", c.in, n, c.full, c.parts)
		}
	}
	if Canonical("BOB") != "ROBERT" || Canonical("JOS") != "JOSEPH" || Canonical("ZOE") != "ZOE" {
		t.Error("nickname table")
	}
	if Generation("Roy fils") != "JR" || Generation("Roy Sr") != "SR" || Generation("Roy") != "" {
		t.Error("Generation")
	}
}

func TestPhonetic(t *testing.T) {
	same := [][]string{
		{"Tremblay", "Tremblé", "TREMBLAY"}, {"Gauthier", "Gotier", "Gautier"}, {"Thibault", "Thibeault", "Thibaut"},
		{"Gagnon", "Ganion"}, {"Côté", "Cote", "Kote"}, {"Lévesque", "Levesque"}, {"Roy", "Roi"},
		{"Pelletier", "Peltier"}, {"Giroux", "Jiroux", "Giroult"}, {"Caron", "Karon"}, {"Beaulieu", "Bolieu"},
		{"Philippe", "Filipe"}, {"Marie", "Mary"},
	}
	for _, group := range same {
		for _, n := range group[1:] {
			if Phonetic(n) != Phonetic(group[0]) {
				t.Errorf("Phonetic(%q) = %s, Phonetic(%q) = %s: want equal", n, Phonetic(n), group[0], Phonetic(group[0]))
			}
		}
	}
	differ := [][2]string{{"Tremblay", "Gagnon"}, {"Bouchard", "Boucher"}, {"Roy", "Ricard"}, {"Martin", "Morin"}}
	for _, d := range differ {
		if Phonetic(d[0]) == Phonetic(d[1]) {
			t.Errorf("Phonetic(%q) = Phonetic(%q) = %s: want different", d[0], d[1], Phonetic(d[0]))
		}
	}
}

func prep(r Record) *prepared { return prepare(&r) }

func TestCompareBirth(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1965-03-05", "1965-03-05", 0}, {"1965-03-05", "1965-05-03", 1}, {"1965-03-05", "1965-03-06", 2},
		{"1965-03-15", "1965-03-51", 2}, {"1965-03-05", "1956-03-05", 2}, {"1965-03-05", "1966-03-05", 2},
		{"1965-03-05", "1975-03-05", 2}, {"1969-03-05", "1970-03-05", 3}, {"1965-03-05", "1995-03-05", 2}, {"1965-03-05", "1995-07-21", 4},
		{"1965-03-05", "1965-11-20", 4}, {"1965-03-05", "", Missing},
	}
	for _, c := range cases {
		if got := compareBirth(prep(Record{BirthDate: c.a}), prep(Record{BirthDate: c.b})); got != c.want {
			t.Errorf("compareBirth(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestCompareNames(t *testing.T) {
	fam := []struct {
		a, b string
		want int
	}{
		{"Tremblay", "TREMBLAY", 0}, {"Saint-Pierre", "St-Pierre", 0}, {"Tremblay-Gagnon", "Gagnon", 1},
		{"Tremblay", "Tremblé", 2}, {"Tremblay", "Tremlbay", 2}, {"Tremblay", "Bouchard", 3}, {"", "Roy", Missing},
	}
	for _, c := range fam {
		a, b := Record{}, Record{}
		if c.a != "" {
			a.Family = []string{c.a}
		}
		b.Family = []string{c.b}
		if got := compareFamily(prep(a), prep(b)); got != c.want {
			t.Errorf("compareFamily(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	giv := []struct {
		a, b []string
		want int
	}{
		{[]string{"Jean"}, []string{"JEAN"}, 0}, {[]string{"Bob"}, []string{"Robert"}, 1},
		{[]string{"Marie-Ève"}, []string{"Ève"}, 1}, {[]string{"Marie Ève"}, []string{"Marie-Ève"}, 0},
		{[]string{"Marie-Ève"}, []string{"Marie-Josée"}, 4}, {[]string{"Stéphanie"}, []string{"Stephany"}, 2},
		{[]string{"J."}, []string{"Jean"}, 3}, {[]string{"Luc"}, []string{"Marc"}, 4},
		{[]string{"Paul", "André"}, []string{"André"}, 1},
	}
	for _, c := range giv {
		if got := compareGiven(prep(Record{Given: c.a}), prep(Record{Given: c.b})); got != c.want {
			t.Errorf("compareGiven(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestCompareNAMAddressPhone(t *testing.T) {
	twin, _ := MakeNAM("Tremblay", "Paul", day(1965, 3, 5), false, '2')
	pierre := Record{Family: []string{"Tremblay"}, Given: []string{"Pierre"}, BirthDate: "1965-03-05", NAM: "TREP 6503 0512"}
	cases := []struct {
		a, b string
		want int
	}{
		{"TREP65030512", "TREP65030512", 0},
		{"TREP65030512", "TREP65035012", 1}, // transposition: the second fails its check digit
		{"TREP65030512", twin, 4},           // both valid: twins or homonyms, different people
		{"TREP65030512", "", 2},
	}
	for _, c := range cases {
		a, b := pierre, pierre
		a.NAM, b.NAM = c.a, c.b
		if got := compareNAM(prep(a), prep(b)); got != c.want {
			t.Errorf("compareNAM(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	other := pierre
	other.NAM, other.Family = "", []string{"Gagnon"}
	if got := compareNAM(prep(pierre), prep(other)); got != 3 {
		t.Errorf("NAM against another surname = %d, want 3 (inconsistent)", got)
	}
	addr := func(line, pc string) Record {
		return Record{Addresses: []Address{{Line: line, City: "Trois-Rivières", PostalCode: pc}}}
	}
	adr := []struct {
		a, b Record
		want int
	}{
		{addr("1234, rue des Forges", "G9A 2H5"), addr("1234 des Forges", "g9a2h5"), 0},
		{addr("12 rue X", "G9A 2H5"), addr("14 rue X", "G9A2H5"), 1},
		{addr("12 rue X", "G9A 2H5"), addr("12 rue X", "G9A 3B1"), 2},
		{addr("12 rue X", "H2X 1Y4"), Record{Addresses: []Address{{Line: "5 rue Y", City: "Montréal", PostalCode: "G8Z 1A1"}}}, 3},
	}
	for i, c := range adr {
		if got := compareAddress(prep(c.a), prep(c.b)); got != c.want {
			t.Errorf("address case %d = %d, want %d", i, got, c.want)
		}
	}
	if got := comparePhone(prep(Record{Phones: []string{"+1 (819) 555-1234"}}), prep(Record{Phones: []string{"819-555-1234"}})); got != 0 {
		t.Errorf("phone formats = %d, want 0", got)
	}
	if got := comparePhone(prep(Record{Phones: []string{"819-555-1234"}}), prep(Record{Phones: []string{"819-555-9999"}})); got != 1 {
		t.Errorf("different phones = %d, want 1", got)
	}
}
