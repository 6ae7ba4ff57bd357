package fhirpath

import (
	"strings"
	"unicode/utf8"
)

// Further FHIRPath 2.1 (STU) functions, cheap to offer and handy for decision
// support: lastIndexOf, repeatAll, and the date/time component extractors.

func init() {
	register("lastIndexOf", 1, 1, strFn(func(s string, a []string) (any, error) {
		i := strings.LastIndex(s, a[0])
		if i < 0 {
			return int64(-1), nil
		}
		return int64(utf8.RuneCountInString(s[:i])), nil
	}))
	register("repeatAll", 1, 1, fnRepeatAll)
	parts := map[string]func(d DateTime) (int, Precision, bool){
		"yearOf":   func(d DateTime) (int, Precision, bool) { return d.Year, PrecYear, d.Kind != KindTime },
		"monthOf":  func(d DateTime) (int, Precision, bool) { return d.Month, PrecMonth, d.Kind != KindTime },
		"dayOf":    func(d DateTime) (int, Precision, bool) { return d.Day, PrecDay, d.Kind != KindTime },
		"hourOf":   func(d DateTime) (int, Precision, bool) { return d.Hour, PrecHour, d.Kind != KindDate },
		"minuteOf": func(d DateTime) (int, Precision, bool) { return d.Minute, PrecMinute, d.Kind != KindDate },
		"secondOf": func(d DateTime) (int, Precision, bool) { return d.Second, PrecSecond, d.Kind != KindDate },
		"millisecondOf": func(d DateTime) (int, Precision, bool) {
			return d.Ms, PrecMilli, d.Kind != KindDate
		},
	}
	for name, part := range parts {
		register(name, 0, 0, dateFn(func(d DateTime) any {
			v, p, ok := part(d)
			if !ok || d.Prec < p {
				return nil // the value does not have that part (N1: empty)
			}
			return int64(v)
		}))
	}
	register("timezoneOffsetOf", 0, 0, dateFn(func(d DateTime) any {
		if !d.HasTZ {
			return nil
		}
		return Decimal{coef: coefOf(int64(d.TZ) * 100 / 60), scale: 2}.trim(1)
	}))
	register("dateOf", 0, 0, dateFn(func(d DateTime) any {
		if d.Kind == KindTime {
			return nil
		}
		d.Kind, d.HasTZ, d.TZ = KindDate, false, 0
		d.Prec = min(d.Prec, PrecDay)
		return d.truncate()
	}))
	register("timeOf", 0, 0, dateFn(func(d DateTime) any {
		if d.Kind != KindDateTime || d.Prec < PrecHour {
			return nil
		}
		d.Kind, d.HasTZ, d.TZ, d.Year, d.Month, d.Day = KindTime, false, 0, 0, 0, 0
		return d
	}))
}

// dateFn applies f to a single date, dateTime or time input.
func dateFn(f func(d DateTime) any) fnImpl {
	return func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		v, err := c.inputSingle(in, "fonction de date")
		if err != nil || v == nil {
			return nil, err
		}
		if s, ok := v.(string); ok { // FHIR dates read without a model
			if d, ok := ParseDate(s); ok {
				v = d
			}
		}
		d, ok := v.(DateTime)
		if !ok {
			return nil, evalErr("une date ou une heure est attendue, reçu %s", sysTypeName(v))
		}
		r := f(d)
		if r == nil {
			return nil, nil
		}
		return Collection{r}, nil
	}
}

// fnRepeatAll is repeat() without removing duplicates; it stops after a
// bounded number of rounds since a cycle would never end.
func fnRepeatAll(c *evalCtx, in Collection, a []expr) (Collection, error) {
	var out Collection
	queue := in
	for rounds := 0; len(queue) > 0; rounds++ {
		if rounds > 1000 || len(out) > 1_000_000 {
			return nil, evalErr("repeatAll(): trop d'itérations")
		}
		var next Collection
		err := c.each(queue, func(int, any) error {
			r, err := a[0].eval(c)
			next = append(next, r...)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, next...)
		queue = next
	}
	return out, nil
}
