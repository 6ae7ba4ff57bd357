package fhirpath

import (
	"math"
)

// Math functions (N1 §5.7). Transcendental ones go through float64, then back
// to Decimal; exact ones (abs, ceiling, floor, round, truncate) stay exact.

func init() {
	register("abs", 0, 0, numFn(func(x any) (any, error) {
		switch v := x.(type) {
		case int64:
			if v < 0 {
				return -v, nil
			}
			return v, nil
		case Decimal:
			if v.Sign() < 0 {
				return v.Neg(), nil
			}
			return v, nil
		case Quantity:
			if v.Value.Sign() < 0 {
				v.Value = v.Value.Neg()
			}
			return v, nil
		}
		return nil, nil
	}))
	register("ceiling", 0, 0, decFn(func(d Decimal) any { return intOf(d.Ceiling()) }))
	register("floor", 0, 0, decFn(func(d Decimal) any { return intOf(d.Floor()) }))
	register("truncate", 0, 0, decFn(func(d Decimal) any { return intOf(d.Truncate()) }))
	register("exp", 0, 0, floatFn(math.Exp))
	register("ln", 0, 0, floatFn(math.Log))
	register("sqrt", 0, 0, floatFn(math.Sqrt))
	register("round", 0, 1, fnRound)
	register("log", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		base, err := c.argSingle(a[0], "log")
		b, ok := toDecimal(base)
		if err != nil || !ok {
			return nil, err
		}
		return floatFn(func(x float64) float64 { return math.Log(x) / math.Log(b.Float64()) })(c, in, nil)
	})
	register("power", 1, 1, fnPower)
	register("lowBoundary", 0, 1, boundaryFn(false))
	register("highBoundary", 0, 1, boundaryFn(true))
	register("precision", 0, 0, fnPrecision)
	register("comparable", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		x, err := c.inputSingle(in, "comparable")
		if err != nil || x == nil {
			return nil, err
		}
		y, err := c.argSingle(a[0], "comparable")
		if err != nil || y == nil {
			return nil, err
		}
		qx, ok1 := x.(Quantity)
		qy, ok2 := y.(Quantity)
		if !ok1 || !ok2 {
			return nil, evalErr("comparable() s'applique à des quantités")
		}
		_, ok := compareQuantity(qx, qy)
		return boolColl(ok), nil
	})
}

func intOf(d Decimal) any {
	if i, ok := d.Int64(); ok {
		return i
	}
	return d
}

// numFn applies f to a single numeric (or quantity) input.
func numFn(f func(x any) (any, error)) fnImpl {
	return func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		x, err := c.inputSingle(in, "fonction mathématique")
		if err != nil || x == nil {
			return nil, err
		}
		switch x.(type) {
		case int64, Decimal, Quantity:
		default:
			return nil, evalErr("un nombre est attendu, reçu %s", sysTypeName(x))
		}
		r, err := f(x)
		if err != nil || r == nil {
			return nil, err
		}
		return Collection{r}, nil
	}
}

func decFn(f func(d Decimal) any) fnImpl {
	return numFn(func(x any) (any, error) {
		d, ok := toDecimal(x)
		if !ok {
			return nil, evalErr("un nombre est attendu")
		}
		return f(d), nil
	})
}

func floatFn(f func(x float64) float64) fnImpl {
	return decFn(func(d Decimal) any {
		r := f(d.Float64())
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return nil
		}
		return decimalFromFloat(r)
	})
}

func fnRound(c *evalCtx, in Collection, a []expr) (Collection, error) {
	n := 0
	if len(a) == 1 {
		var err error
		if n, err = c.intArg(a[0], "round"); err != nil {
			return nil, err
		}
		if n < 0 || n > maxScale {
			return nil, evalErr("round(): précision hors limites (0 à %d)", maxScale)
		}
	}
	return decFn(func(d Decimal) any { return d.Round(n) })(c, in, nil)
}

// fnPower keeps integers exact for integer exponents; a negative base with a
// fractional exponent gives empty (N1 power()).
func fnPower(c *evalCtx, in Collection, a []expr) (Collection, error) {
	x, err := c.inputSingle(in, "power")
	if err != nil || x == nil {
		return nil, err
	}
	y, err := c.argSingle(a[0], "power")
	if err != nil || y == nil {
		return nil, err
	}
	xi, ok1 := x.(int64)
	yi, ok2 := y.(int64)
	if ok1 && ok2 && yi >= 0 {
		r := DecimalFromInt(xi)
		return Collection{intOf(decPow(r, int(yi)))}, nil
	}
	xd, ok1 := toDecimal(x)
	yd, ok2 := toDecimal(y)
	if !ok1 || !ok2 {
		return nil, evalErr("power() attend des nombres")
	}
	r := math.Pow(xd.Float64(), yd.Float64())
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return nil, nil
	}
	return Collection{decimalFromFloat(r)}, nil
}
