package fhirpath

import (
	"math"
	"time"
)

// arithOp implements + - * / div mod (N1 §Math; date arithmetic §Date/Time arithmetic).
func arithOp(op string) func(c *evalCtx, l, r Collection) (Collection, error) {
	return func(c *evalCtx, l, r Collection) (Collection, error) {
		a, err := c.singleton(l, op)
		if err != nil {
			return nil, err
		}
		b, err := c.singleton(r, op)
		if err != nil || a == nil || b == nil {
			return nil, err
		}
		v, err := arith(op, a, b)
		if err != nil || v == nil {
			return nil, err
		}
		return Collection{v}, nil
	}
}

func arith(op string, a, b any) (any, error) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return intArith(op, x, y)
		case Decimal:
			return decArith(op, DecimalFromInt(x), y)
		case Quantity:
			return quantityArith(op, Quantity{DecimalFromInt(x), "1"}, y)
		}
	case Decimal:
		switch y := b.(type) {
		case int64:
			return decArith(op, x, DecimalFromInt(y))
		case Decimal:
			return decArith(op, x, y)
		case Quantity:
			return quantityArith(op, Quantity{x, "1"}, y)
		}
	case string:
		if y, ok := b.(string); ok && op == "+" {
			if len(x)+len(y) > maxString {
				return nil, evalErr("chaîne trop longue (plus de %d octets)", maxString)
			}
			return x + y, nil
		}
	case DateTime:
		if y, ok := b.(Quantity); ok && (op == "+" || op == "-") {
			return dateAdd(x, y, op == "-")
		}
	case Quantity:
		switch y := b.(type) {
		case Quantity:
			return quantityArith(op, x, y)
		case int64, Decimal:
			d, _ := toDecimal(y)
			return quantityArith(op, x, Quantity{d, "1"})
		}
	}
	return nil, evalErr("l'opérateur %s ne s'applique pas à %s et %s", op, sysTypeName(a), sysTypeName(b))
}

func intArith(op string, x, y int64) (any, error) {
	switch op {
	case "+":
		r := x + y
		if (r > x) != (y > 0) {
			return nil, nil // overflow: empty (N1 §Math)
		}
		return r, nil
	case "-":
		r := x - y
		if (r < x) != (y > 0) {
			return nil, nil
		}
		return r, nil
	case "*":
		if x != 0 && (x*y)/x != y {
			return nil, nil
		}
		return x * y, nil
	case "/":
		return decArith(op, DecimalFromInt(x), DecimalFromInt(y))
	case "div":
		if y == 0 {
			return nil, nil
		}
		return x / y, nil
	case "mod":
		if y == 0 {
			return nil, nil
		}
		return x % y, nil
	}
	return nil, nil
}

func decArith(op string, x, y Decimal) (any, error) {
	switch op {
	case "+":
		return x.Add(y), nil
	case "-":
		return x.Sub(y), nil
	case "*":
		return x.Mul(y), nil
	case "/":
		if q, ok := x.Div(y); ok {
			return q, nil
		}
		return nil, nil
	case "div":
		if q, ok := x.Div(y); ok {
			return q.Truncate(), nil
		}
		return nil, nil
	case "mod":
		q, ok := x.Div(y)
		if !ok {
			return nil, nil
		}
		return x.Sub(y.Mul(q.Truncate())), nil
	}
	return nil, nil
}

// quantityArith: + and - need comparable units; * and / combine units.
func quantityArith(op string, x, y Quantity) (any, error) {
	switch op {
	case "+", "-":
		if x.Unit == y.Unit {
			v, _ := decArith(op, x.Value, y.Value)
			return Quantity{v.(Decimal), x.Unit}, nil
		}
		vx, dx, ok1 := x.canonical()
		vy, dy, ok2 := y.canonical()
		if !ok1 || !ok2 || dx != dy {
			return nil, evalErr("unités incompatibles %q et %q", x.Unit, y.Unit)
		}
		f, _, _ := Quantity{DecimalFromInt(1), x.Unit}.canonical()
		v, _ := decArith(op, vx, vy)
		q, _ := v.(Decimal).Div(f)
		return Quantity{q, x.Unit}, nil
	case "*":
		return Quantity{x.Value.Mul(y.Value), unitProduct(x.Unit, y.Unit, ".")}, nil
	case "/":
		q, ok := x.Value.Div(y.Value)
		if !ok {
			return nil, nil
		}
		if x.Unit == y.Unit {
			return Quantity{q, "1"}, nil
		}
		return Quantity{q, unitProduct(x.Unit, y.Unit, "/")}, nil
	}
	return nil, evalErr("l'opérateur %s ne s'applique pas aux quantités", op)
}

func unitProduct(a, b, sep string) string {
	a, _ = calendarToUCUM(a)
	b, _ = calendarToUCUM(b)
	switch {
	case b == "1":
		return a
	case a == "1" && sep == ".":
		return b
	}
	if sep == "/" && (containsAny(b, "./")) {
		b = "(" + b + ")"
	}
	return a + sep + b
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

// dateAdd adds a time-valued quantity to a date/time. The value is truncated
// to an integer; calendar years and months move the calendar (N1 §Date/Time
// arithmetic), UCUM 'a' and 'mo' are refused because they are not calendar units.
func dateAdd(d DateTime, q Quantity, sub bool) (any, error) {
	n, ok := q.Value.Truncate().Int64()
	if !ok {
		return nil, evalErr("durée trop grande")
	}
	if sub {
		n = -n
	}
	unit, ok := calendarUnits[q.Unit]
	if !ok {
		unit = q.Unit
		if unit == "a" || unit == "mo" {
			return nil, evalErr("l'unité UCUM '%s' n'est pas une durée calendaire; utiliser year ou month", unit)
		}
	}
	t := d.time(time.UTC)
	switch unit {
	case "a":
		t = addMonths(t, 12*int(n))
	case "mo":
		t = addMonths(t, int(n))
	case "wk":
		t = t.AddDate(0, 0, 7*int(n))
	case "d":
		t = t.AddDate(0, 0, int(n))
	case "h":
		t = t.Add(time.Duration(n) * time.Hour)
	case "min":
		t = t.Add(time.Duration(n) * time.Minute)
	case "s":
		t = t.Add(time.Duration(n) * time.Second)
	case "ms":
		t = t.Add(time.Duration(n) * time.Millisecond)
	default:
		return nil, evalErr("%s n'est pas une durée", q)
	}
	r := fromTime(t, d.Kind, d.Prec, false)
	r.HasTZ, r.TZ = d.HasTZ, d.TZ
	return r, nil
}

// addMonths moves by whole months, clamping the day to the month's end
// (2014-01-31 + 1 month = 2014-02-28).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + n
	ny := y + int(math.Floor(float64(total)/12))
	nm := total%12 + 1
	if nm <= 0 {
		nm += 12
	}
	if dm := daysIn(ny, nm); d > dm {
		d = dm
	}
	return time.Date(ny, time.Month(nm), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
