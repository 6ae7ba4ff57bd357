package fhirpath

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number: coef × 10^-scale. FHIRPath N1 §Decimal asks
// for at least 28 digits of precision and FHIR keeps trailing zeros ("1.50" is not
// "1.5" in output), so floats will not do; scale is kept as written.
type Decimal struct {
	coef    *big.Int
	scale   int32
	negZero bool // "-0.0", which lowBoundary() can produce
}

func coefOf(v int64) *big.Int { return big.NewInt(v) }

// ParseDecimal reads a decimal as written in FHIR JSON or FHIRPath ("-1.50", "3").
func ParseDecimal(s string) (Decimal, bool) {
	if s == "" {
		return Decimal{}, false
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return Decimal{}, false
		}
		return decimalFromFloat(f), true
	}
	digits := s
	var scale int32
	if k := strings.IndexByte(s, '.'); k >= 0 {
		if k == len(s)-1 {
			return Decimal{}, false
		}
		digits = s[:k] + s[k+1:]
		scale = int32(len(s) - k - 1)
	}
	if digits == "" || digits == "-" || digits == "+" {
		return Decimal{}, false
	}
	for i, c := range digits {
		if !(c >= '0' && c <= '9') && !(i == 0 && (c == '-' || c == '+')) {
			return Decimal{}, false
		}
	}
	c, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return Decimal{}, false
	}
	return Decimal{coef: c, scale: scale}, true
}

// DecimalFromInt makes an integer decimal of scale 0.
func DecimalFromInt(v int64) Decimal { return Decimal{coef: big.NewInt(v), scale: 0} }

func decimalFromFloat(f float64) Decimal {
	d, _ := ParseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	return d
}

func (d Decimal) big() *big.Int {
	if d.coef == nil {
		return new(big.Int)
	}
	return d.coef
}

// Scale is the number of digits after the point.
func (d Decimal) Scale() int { return int(d.scale) }

var bigTen = big.NewInt(10)

func pow10(n int32) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// rescale returns d's coefficient expressed at scale s >= d.scale.
func (d Decimal) rescale(s int32) *big.Int {
	if s == d.scale {
		return d.big()
	}
	return new(big.Int).Mul(d.big(), pow10(s-d.scale))
}

// Cmp compares the values of d and e (-1, 0, 1), ignoring scale.
func (d Decimal) Cmp(e Decimal) int {
	s := max(d.scale, e.scale)
	return d.rescale(s).Cmp(e.rescale(s))
}

// Sign is -1, 0 or 1.
func (d Decimal) Sign() int { return d.big().Sign() }

// Add returns d+e at the larger scale.
func (d Decimal) Add(e Decimal) Decimal {
	s := max(d.scale, e.scale)
	return Decimal{coef: new(big.Int).Add(d.rescale(s), e.rescale(s)), scale: s}
}

// Sub returns d-e.
func (d Decimal) Sub(e Decimal) Decimal { return d.Add(e.Neg()) }

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{coef: new(big.Int).Neg(d.big()), scale: d.scale} }

// Mul returns d×e.
func (d Decimal) Mul(e Decimal) Decimal {
	return Decimal{coef: new(big.Int).Mul(d.big(), e.big()), scale: d.scale + e.scale}.trim(max(d.scale, e.scale))
}

// maxScale bounds the fractional digits a computation may ask for, so that a
// hostile expression cannot allocate huge numbers (round(999999999)).
const maxScale = 64

// divScale is the number of fractional digits kept by division (N1 requires 8).
const divScale = 16

// Div returns d/e rounded half-up to divScale digits, trailing zeros removed; ok
// is false on division by zero.
func (d Decimal) Div(e Decimal) (Decimal, bool) {
	if e.Sign() == 0 {
		return Decimal{}, false
	}
	// d/e = (dc·10^-ds)/(ec·10^-es); scale the numerator so the quotient has divScale+1 digits.
	num := new(big.Int).Mul(d.big(), pow10(divScale+1+e.scale))
	den := new(big.Int).Mul(e.big(), pow10(d.scale))
	q := new(big.Int).Quo(num, den)
	r := Decimal{coef: q, scale: divScale + 1}.Round(divScale)
	return r.trim(0), true
}

// trim removes trailing zeros down to scale min.
func (d Decimal) trim(minScale int32) Decimal {
	c := d.big()
	s := d.scale
	if s <= minScale || c.Sign() == 0 && s <= minScale {
		return d
	}
	c = new(big.Int).Set(c)
	m := new(big.Int)
	for s > minScale {
		q, r := new(big.Int).QuoRem(c, bigTen, m)
		if r.Sign() != 0 {
			break
		}
		c = q
		s--
	}
	return Decimal{coef: c, scale: s}
}

// Round rounds half away from zero to n fractional digits (N1 round()).
func (d Decimal) Round(n int) Decimal {
	s := int32(n)
	if s >= d.scale {
		return Decimal{coef: d.rescale(s), scale: s}
	}
	div := pow10(d.scale - s)
	q, r := new(big.Int).QuoRem(d.big(), div, new(big.Int))
	r.Abs(r).Mul(r, big.NewInt(2))
	if r.Cmp(div) >= 0 {
		if d.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Decimal{coef: q, scale: s}
}

// Truncate drops the fractional part.
func (d Decimal) Truncate() Decimal {
	if d.scale <= 0 {
		return d
	}
	return Decimal{coef: new(big.Int).Quo(d.big(), pow10(d.scale)), scale: 0}
}

// Floor is the greatest integer <= d.
func (d Decimal) Floor() Decimal {
	t := d.Truncate()
	if d.Sign() < 0 && t.Cmp(d) != 0 {
		return t.Sub(DecimalFromInt(1))
	}
	return t
}

// Ceiling is the least integer >= d.
func (d Decimal) Ceiling() Decimal {
	t := d.Truncate()
	if d.Sign() > 0 && t.Cmp(d) != 0 {
		return t.Add(DecimalFromInt(1))
	}
	return t
}

// IsInteger reports whether d has no fractional value.
func (d Decimal) IsInteger() bool { return d.Truncate().Cmp(d) == 0 }

// Int64 returns the integer part when it fits.
func (d Decimal) Int64() (int64, bool) {
	t := d.Truncate().big()
	return t.Int64(), t.IsInt64()
}

// Float64 approximates d for the transcendental functions (exp, ln, power...).
func (d Decimal) Float64() float64 {
	f, _ := strconv.ParseFloat(d.String(), 64)
	return f
}

// String writes d with exactly Scale() fractional digits.
func (d Decimal) String() string {
	c := d.big()
	neg := c.Sign() < 0 || d.negZero
	s := new(big.Int).Abs(c).String()
	if d.scale > 0 {
		if len(s) <= int(d.scale) {
			s = strings.Repeat("0", int(d.scale)-len(s)+1) + s
		}
		k := len(s) - int(d.scale)
		s = s[:k] + "." + s[k:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
