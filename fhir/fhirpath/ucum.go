package fhirpath

import (
	"math"
	"strings"
)

// A small UCUM subset (https://ucum.org/ucum): enough to compare and convert the
// units clinical data uses most (mass, length, volume, time, amount, pressure).
// Units outside the table are compared only when written identically.

// dims are the exponents of the UCUM base units m, g, s, A, K, mol, cd.
type dims [7]int8

type ucumAtom struct {
	factor string
	d      dims
}

var ucumAtoms = map[string]ucumAtom{
	"1": {"1", dims{}}, "%": {"0.01", dims{}},
	"m": {"1", dims{1}}, "g": {"1", dims{0, 1}}, "s": {"1", dims{0, 0, 1}},
	"A": {"1", dims{0, 0, 0, 1}}, "K": {"1", dims{0, 0, 0, 0, 1}},
	"mol": {"1", dims{0, 0, 0, 0, 0, 1}}, "cd": {"1", dims{0, 0, 0, 0, 0, 0, 1}},
	"eq": {"1", dims{0, 0, 0, 0, 0, 1}},
	"L":  {"0.001", dims{3}}, "l": {"0.001", dims{3}},
	"min": {"60", dims{0, 0, 1}}, "h": {"3600", dims{0, 0, 1}}, "d": {"86400", dims{0, 0, 1}},
	"wk": {"604800", dims{0, 0, 1}}, "mo": {"2629800", dims{0, 0, 1}}, "a": {"31557600", dims{0, 0, 1}},
	"[in_i]": {"0.0254", dims{1}}, "[ft_i]": {"0.3048", dims{1}}, "[yd_i]": {"0.9144", dims{1}},
	"[mi_i]": {"1609.344", dims{1}}, "[lb_av]": {"453.59237", dims{0, 1}},
	"[oz_av]": {"28.349523125", dims{0, 1}}, "[gal_us]": {"3.785411784", dims{3}},
	"Hz": {"1", dims{0, 0, -1}}, "N": {"1000", dims{1, 1, -2}}, "Pa": {"1000", dims{-1, 1, -2}},
	"J": {"1000", dims{2, 1, -2}}, "W": {"1000", dims{2, 1, -3}},
	"mm[Hg]": {"133322.387415", dims{-1, 1, -2}}, "bar": {"100000000", dims{-1, 1, -2}},
	"cal": {"4184", dims{2, 1, -2}}, "[lne]": {"1", dims{}},
}

var ucumPrefixes = map[string]string{
	"Y": "1e24", "Z": "1e21", "E": "1e18", "P": "1e15", "T": "1e12", "G": "1e9", "M": "1e6",
	"k": "1000", "h": "100", "da": "10", "d": "0.1", "c": "0.01", "m": "0.001",
	"u": "0.000001", "n": "0.000000001", "p": "0.000000000001", "f": "0.000000000000001",
}

// ucumParse returns the factor to base units and the dimensions of a unit
// expression such as "mg/dL", "kg.m2", "10*3/uL", "mm[Hg]".
func ucumParse(u string) (Decimal, dims, bool) {
	p := ucumParser{s: u}
	f, d, ok := p.term()
	return f, d, ok && p.i == len(p.s)
}

type ucumParser struct {
	s string
	i int
}

func (p *ucumParser) term() (Decimal, dims, bool) {
	var f Decimal
	var d dims
	ok := true
	if p.i < len(p.s) && p.s[p.i] == '/' { // "/min": a leading division (UCUM §7)
		f = DecimalFromInt(1)
	} else {
		f, d, ok = p.component()
	}
	for ok && p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '/') {
		div := p.s[p.i] == '/'
		p.i++
		g, e, ok2 := p.component()
		if !ok2 {
			return f, d, false
		}
		for k := range d {
			if div {
				d[k] -= e[k]
			} else {
				d[k] += e[k]
			}
		}
		if div {
			f, ok = f.Div(g)
		} else {
			f = f.Mul(g)
		}
	}
	return f, d, ok
}

func (p *ucumParser) component() (Decimal, dims, bool) {
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		f, d, ok := p.term()
		if !ok || p.i >= len(p.s) || p.s[p.i] != ')' {
			return f, d, false
		}
		p.i++
		return f, d, true
	}
	j := p.i
	for j < len(p.s) && p.s[j] != '.' && p.s[j] != '/' && p.s[j] != ')' {
		if p.s[j] == '[' || p.s[j] == '{' {
			close := map[byte]byte{'[': ']', '{': '}'}[p.s[j]]
			k := strings.IndexByte(p.s[j:], close)
			if k < 0 {
				return Decimal{}, dims{}, false
			}
			j += k
		}
		j++
	}
	tok := p.s[p.i:j]
	p.i = j
	return ucumSimple(tok)
}

// ucumSimple reads one annotated, prefixed, exponentiated atom ("mg", "m2", "10*3", "{cells}").
func ucumSimple(tok string) (Decimal, dims, bool) {
	if k := strings.IndexByte(tok, '{'); k >= 0 {
		tok = tok[:k]
		if tok == "" {
			return DecimalFromInt(1), dims{}, true
		}
	}
	if b, e, ok := strings.Cut(tok, "*"); ok { // 10*3
		base, ok1 := ParseDecimal(b)
		exp, ok2 := ParseDecimal(e)
		n, ok3 := exp.Int64()
		if !ok1 || !ok2 || !ok3 {
			return Decimal{}, dims{}, false
		}
		return decPow(base, int(n)), dims{}, true
	}
	end := len(tok)
	for end > 0 && (isDigit(tok[end-1]) || tok[end-1] == '-' || tok[end-1] == '+') && !strings.HasSuffix(tok[:end], "]") {
		end--
	}
	exp := 1
	if end < len(tok) {
		if end == 0 {
			d, ok := ParseDecimal(tok)
			return d, dims{}, ok
		}
		exp = atoi(strings.TrimPrefix(tok[end:], "+"))
	}
	f, d, ok := ucumAtomPrefixed(tok[:end])
	if !ok {
		return f, d, false
	}
	for k := range d {
		d[k] *= int8(exp)
	}
	return decPow(f, exp), d, true
}

func ucumAtomPrefixed(s string) (Decimal, dims, bool) {
	if a, ok := ucumAtoms[s]; ok {
		f, _ := ParseDecimal(a.factor)
		return f, a.d, true
	}
	for _, n := range []int{2, 1} {
		if len(s) <= n {
			continue
		}
		pf, ok := ucumPrefixes[s[:n]]
		a, ok2 := ucumAtoms[s[n:]]
		if ok && ok2 && s[n:] != "1" && s[n:] != "%" {
			pv, _ := ParseDecimal(pf)
			f, _ := ParseDecimal(a.factor)
			return pv.Mul(f), a.d, true
		}
	}
	return Decimal{}, dims{}, false
}

// maxPow bounds exact exponentiation; beyond it power() goes through float64.
const maxPow = 256

func decPow(b Decimal, n int) Decimal {
	if n > maxPow || n < -maxPow {
		return decimalFromFloat(math.Pow(b.Float64(), float64(n)))
	}
	r := DecimalFromInt(1)
	neg := n < 0
	if neg {
		n = -n
	}
	for ; n > 0; n-- {
		r = r.Mul(b)
	}
	if neg {
		r, _ = DecimalFromInt(1).Div(r)
	}
	return r
}

// Temperatures on offset scales (UCUM Cel and [degF]) do not convert by a
// factor: they are taken to kelvin for comparison (a bare K converts by factor).
var (
	dec27315 = Decimal{coef: coefOf(27315), scale: 2}
	dec45967 = Decimal{coef: coefOf(45967), scale: 2}
	decFive  = DecimalFromInt(5)
	decNine  = DecimalFromInt(9)
)

func toKelvin(q Quantity) (Decimal, bool) {
	switch q.Unit {
	case "Cel":
		return q.Value.Add(dec27315), true
	case "[degF]":
		k, _ := q.Value.Add(dec45967).Mul(decFive).Div(decNine)
		return k, true
	}
	return Decimal{}, false
}

// fromKelvin expresses a kelvin value in unit (Cel, [degF] or K).
func fromKelvin(k Decimal, unit string) (Decimal, bool) {
	switch unit {
	case "Cel":
		return k.Sub(dec27315), true
	case "[degF]":
		f, _ := k.Mul(decNine).Div(decFive)
		return f.Sub(dec45967), true
	case "K":
		return k, true
	}
	return Decimal{}, false
}
