package fhirpath

import (
	"regexp"
	"strconv"
	"strings"
)

// Conversion and utility functions (N1 §5.5 Conversion, §5.9 Utility).

func init() {
	register("iif", 2, 3, fnIif)
	for name, conv := range converters {
		register("to"+name, 0, 0, convertFn(conv, false))
		register("convertsTo"+name, 0, 0, convertFn(conv, true))
	}
	register("toQuantity", 0, 1, fnToQuantity)
	register("convertsToQuantity", 0, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		if len(in) == 0 {
			return nil, nil
		}
		r, err := fnToQuantity(c, in, a)
		if err != nil {
			return nil, err
		}
		return boolColl(len(r) == 1), nil
	})
}

// fnIif evaluates only the branch it returns (N1 iif(): "short-circuit").
func fnIif(c *evalCtx, in Collection, a []expr) (Collection, error) {
	if len(in) > 1 {
		return nil, evalErr("iif() s'applique à un seul élément")
	}
	var out Collection
	run := func() error {
		cond, err := a[0].eval(c)
		if err != nil {
			return err
		}
		if len(cond) == 1 {
			if _, ok := c.system(cond[0]).(bool); !ok {
				return evalErr("iif(): le critère doit être booléen")
			}
		}
		b, err := c.toBool(cond)
		if err != nil {
			return err
		}
		switch {
		case b == bTrue:
			out, err = a[1].eval(c)
		case len(a) == 3:
			out, err = a[2].eval(c)
		}
		return err
	}
	if len(in) == 1 {
		save := c.this
		c.this = in
		err := run()
		c.this = save
		return out, err
	}
	return out, run()
}

type converter func(v any) (any, bool)

var converters = map[string]converter{
	"Boolean":  toBoolean,
	"Integer":  toInteger,
	"Decimal":  toDecimalConv,
	"String":   toStringConv,
	"Date":     toDateConv(KindDate),
	"DateTime": toDateConv(KindDateTime),
	"Time":     toDateConv(KindTime),
}

// convertFn applies a conversion to a single input: toX gives empty when the
// value cannot convert, convertsToX answers true/false.
func convertFn(conv converter, test bool) fnImpl {
	return func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		v, err := c.inputSingle(in, "conversion")
		if err != nil || v == nil {
			return nil, err
		}
		r, ok := conv(v)
		if test {
			return boolColl(ok), nil
		}
		if !ok {
			return nil, nil
		}
		return Collection{r}, nil
	}
}

func toBoolean(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		if x == 0 || x == 1 {
			return x == 1, true
		}
	case Decimal:
		if x.Cmp(DecimalFromInt(0)) == 0 || x.Cmp(DecimalFromInt(1)) == 0 {
			return x.Sign() != 0, true
		}
	case string:
		switch strings.ToLower(x) {
		case "true", "t", "yes", "y", "1", "1.0":
			return true, true
		case "false", "f", "no", "n", "0", "0.0":
			return false, true
		}
	}
	return nil, false
}

var intRe = regexp.MustCompile(`^[+-]?[0-9]+$`)
var decRe = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

func toInteger(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case string:
		if intRe.MatchString(x) {
			i, err := strconv.ParseInt(x, 10, 64)
			return i, err == nil
		}
	}
	return nil, false
}

func toDecimalConv(v any) (any, bool) {
	switch x := v.(type) {
	case int64:
		return DecimalFromInt(x), true
	case Decimal:
		return x, true
	case bool:
		if x {
			return DecimalFromInt(1), true
		}
		return DecimalFromInt(0), true
	case string:
		if decRe.MatchString(x) {
			return ParseDecimal(strings.TrimPrefix(x, "+"))
		}
	}
	return nil, false
}

func toStringConv(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case Decimal:
		return x.String(), true
	case Quantity:
		return x.String(), true
	case DateTime:
		return strings.TrimSuffix(x.String(), "T"), true // @2015T reads "2015"
	}
	return nil, false
}

func toDateConv(kind TemporalKind) converter {
	return func(v any) (any, bool) {
		var d DateTime
		switch x := v.(type) {
		case DateTime:
			d = x
		case string:
			s := x
			if kind == KindTime {
				s = "T" + s
			}
			var ok bool
			if d, ok = ParseDate(s); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		switch {
		case kind == KindTime:
			return d, d.Kind == KindTime
		case d.Kind == KindTime:
			return nil, false
		case kind == KindDate:
			if d.Prec > PrecDay {
				d.Prec = PrecDay
			}
			d.Kind, d.HasTZ, d.TZ = KindDate, false, 0
			return d.truncate(), true
		}
		d.Kind = KindDateTime
		return d, true
	}
}

// fnToQuantity converts numbers and strings to quantities; with a unit
// argument it converts through UCUM (N1 toQuantity(unit)).
func fnToQuantity(c *evalCtx, in Collection, a []expr) (Collection, error) {
	v, err := c.inputSingle(in, "toQuantity")
	if err != nil || v == nil {
		return nil, err
	}
	var q Quantity
	switch x := v.(type) {
	case int64:
		q = Quantity{DecimalFromInt(x), "1"}
	case Decimal:
		q = Quantity{x, "1"}
	case Quantity:
		q = x
	case bool:
		q = Quantity{DecimalFromInt(0), "1"}
		if x {
			q.Value = DecimalFromInt(1)
		}
	case string:
		var ok bool
		if q, ok = parseQuantity(x); !ok {
			return nil, nil
		}
	default:
		return nil, nil
	}
	if len(a) == 1 {
		u, err := c.argSingle(a[0], "toQuantity")
		if err != nil {
			return nil, err
		}
		unit, _ := u.(string)
		if unit != q.Unit {
			return convertUnit(q, unit), nil
		}
	}
	return Collection{q}, nil
}

func convertUnit(q Quantity, unit string) Collection {
	if k, ok := toKelvin(Quantity{q.Value, q.Unit}); ok || q.Unit == "K" {
		if !ok {
			k = q.Value
		}
		if r, ok := fromKelvin(k, unit); ok {
			return Collection{Quantity{r, unit}}
		}
		return nil
	}
	v, d, ok := q.canonical()
	f, d2, ok2 := Quantity{DecimalFromInt(1), unit}.canonical()
	if !ok || !ok2 || d != d2 {
		return nil
	}
	r, _ := v.Div(f)
	return Collection{Quantity{r, unit}}
}
