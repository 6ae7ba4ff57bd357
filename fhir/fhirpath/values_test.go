package fhirpath

import "testing"

func TestDecimalArithmetic(t *testing.T) {
	d := func(s string) Decimal {
		v, ok := ParseDecimal(s)
		if !ok {
			t.Fatalf("ParseDecimal(%q) failed", s)
		}
		return v
	}
	cases := []struct{ got, want string }{
		{d("1.50").Add(d("1")).String(), "2.50"},
		{d("0.1").Add(d("0.2")).String(), "0.3"},
		{d("-1.25").Sub(d("0.75")).String(), "-2.00"},
		{d("1.5").Mul(d("2.0")).String(), "3.0"},
		{d("2.5").Round(0).String(), "3"},
		{d("-2.5").Round(0).String(), "-3"},
		{d("1.2345").Round(2).String(), "1.23"},
		{d("-7.5").Floor().String(), "-8"},
		{d("-7.5").Ceiling().String(), "-7"},
		{d("-7.5").Truncate().String(), "-7"},
		{d("0.001").String(), "0.001"},
		{d("1e3").String(), "1000"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %s, want %s", i, c.got, c.want)
		}
	}
	q, ok := d("2").Div(d("3"))
	if !ok || q.String() != "0.6666666666666667" {
		t.Errorf("2/3 = %s", q)
	}
	if _, ok := d("1").Div(d("0.0")); ok {
		t.Error("division by zero accepted")
	}
	if d("1.0").Cmp(d("1")) != 0 || d("-0.5").Cmp(d("0.25")) >= 0 {
		t.Error("Cmp ignores scale wrongly")
	}
	for _, bad := range []string{"", "1.", "-", "1.2.3", "abc", "1,5", "0x10"} {
		if _, ok := ParseDecimal(bad); ok {
			t.Errorf("ParseDecimal(%q) accepted", bad)
		}
	}
}

func TestDateParseAndCompare(t *testing.T) {
	for s, want := range map[string]string{
		"2014":                        "2014",
		"2014-01":                     "2014-01",
		"2014-01-02T":                 "2014-01-02T",
		"2014-01-02T10":               "2014-01-02T10",
		"2014-01-02T10:30:05.1+02:00": "2014-01-02T10:30:05.100+02:00",
		"2014-01-02T10:30:05Z":        "2014-01-02T10:30:05Z",
		"T10:30":                      "10:30",
	} {
		d, ok := ParseDate(s)
		if !ok || d.String() != want {
			t.Errorf("ParseDate(%q) = %s %v, want %s", s, d, ok, want)
		}
	}
	for _, bad := range []string{"2014-02-30", "2014-13", "2014-1", "T24:00", "2014-01-01T10:61", "T10:00Z", "14-01-01"} {
		if _, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	cmp := func(a, b string) (int, bool) {
		x, _ := ParseDate(a)
		y, _ := ParseDate(b)
		return compareDT(x, y)
	}
	type r struct {
		n  int
		ok bool
	}
	for _, c := range []struct {
		a, b string
		want r
	}{
		{"2014-01-01", "2014-01-02", r{-1, true}},
		{"2014", "2014-01", r{0, false}},
		{"2014", "2015-01", r{-1, true}},
		{"2014-01-01T10:00:00+01:00", "2014-01-01T09:00:00Z", r{0, true}},
		{"2014-01-01T10:00:00", "2014-01-01T10:00:00Z", r{0, false}},
		{"2014-01-01T10:00:00", "2014-01-01T10:00:00.000", r{0, true}},
		{"T10:00", "T10:00:01", r{0, false}},
		{"T10:00", "T11:00:01", r{-1, true}},
	} {
		n, ok := cmp(c.a, c.b)
		if (r{n, ok}) != c.want {
			t.Errorf("compare(%s, %s) = %d %v, want %v", c.a, c.b, n, ok, c.want)
		}
	}
}

func TestUCUM(t *testing.T) {
	for _, c := range []struct {
		a, b Quantity
		n    int
		ok   bool
	}{
		{Quantity{DecimalFromInt(1), "kg"}, Quantity{DecimalFromInt(1000), "g"}, 0, true},
		{Quantity{DecimalFromInt(1), "mg/dL"}, Quantity{DecimalFromInt(10), "mg/L"}, 0, true},
		{Quantity{DecimalFromInt(1), "[in_i]"}, Quantity{DecimalFromInt(2), "cm"}, 1, true},
		{Quantity{DecimalFromInt(1), "10*3/uL"}, Quantity{DecimalFromInt(1), "10*9/L"}, 0, true},
		{Quantity{DecimalFromInt(1), "h"}, Quantity{DecimalFromInt(60), "min"}, 0, true},
		{Quantity{DecimalFromInt(1), "kg"}, Quantity{DecimalFromInt(1), "m"}, 0, false},
		{Quantity{DecimalFromInt(1), "{beats}/min"}, Quantity{DecimalFromInt(1), "/min"}, 0, true},
		{Quantity{DecimalFromInt(1), "mmol/L"}, Quantity{DecimalFromInt(1), "mg/dL"}, 0, false},
		{Quantity{DecimalFromInt(37), "Cel"}, Quantity{DecimalFromInt(98), "[degF]"}, 1, true},
		{Quantity{DecimalFromInt(100), "Cel"}, Quantity{DecimalFromInt(212), "[degF]"}, 0, true},
		{Quantity{DecimalFromInt(0), "Cel"}, Quantity{Decimal{coef: coefOf(27315), scale: 2}, "K"}, 0, true},
	} {
		n, ok := compareQuantity(c.a, c.b)
		if n != c.n || ok != c.ok {
			t.Errorf("compare(%s, %s) = %d %v, want %d %v", c.a, c.b, n, ok, c.n, c.ok)
		}
	}
}
