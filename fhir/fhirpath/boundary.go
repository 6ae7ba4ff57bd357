package fhirpath

// lowBoundary, highBoundary and precision (FHIRPath 2.1 §Utility, used by FHIR
// R4 search on partial values): a value stands for the interval of values it
// could be at its precision.

func boundaryFn(high bool) fnImpl {
	return func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		x, err := c.inputSingle(in, "boundary")
		if err != nil || x == nil {
			return nil, err
		}
		prec := -1
		if len(a) == 1 {
			if prec, err = c.intArg(a[0], "boundary"); err != nil || prec < 0 {
				return nil, err
			}
		}
		switch v := x.(type) {
		case int64:
			return decBoundary(DecimalFromInt(v), prec, high)
		case Decimal:
			return decBoundary(v, prec, high)
		case Quantity:
			r, err := decBoundary(v.Value, prec, high)
			if len(r) == 0 {
				return nil, err
			}
			return Collection{Quantity{r[0].(Decimal), v.Unit}}, nil
		case DateTime:
			return dateBoundary(v, prec, high)
		}
		return nil, evalErr("boundary: type %s non pris en charge", sysTypeName(x))
	}
}

func decBoundary(d Decimal, prec int, high bool) (Collection, error) {
	if prec < 0 {
		prec = 8
	}
	if prec > 28 {
		return nil, nil
	}
	half := Decimal{coef: coefOf(5), scale: d.scale + 1}
	b := d.Sub(half)
	if high {
		b = d.Add(half)
	}
	unit := Decimal{coef: coefOf(1), scale: int32(prec)}
	if b.Sign() != 0 && abs(b).Cmp(unit) < 0 && prec < int(d.scale) {
		z := Decimal{coef: coefOf(0), scale: int32(prec)}
		z.negZero = d.Sign() < 0
		return Collection{z}, nil
	}
	var r Decimal
	if high {
		r = b.scaleTo(int32(prec), true)
	} else {
		r = b.scaleTo(int32(prec), false)
	}
	return Collection{r}, nil
}

func abs(d Decimal) Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

// scaleTo expresses d with exactly s fractional digits, rounding up (ceil) or
// down (floor) when digits are dropped.
func (d Decimal) scaleTo(s int32, up bool) Decimal {
	if s >= d.scale {
		return Decimal{coef: d.rescale(s), scale: s}
	}
	shift := Decimal{coef: d.big(), scale: d.scale - s} // d × 10^s
	var n Decimal
	if up {
		n = shift.Ceiling()
	} else {
		n = shift.Floor()
	}
	return Decimal{coef: n.big(), scale: s}
}

// dateBoundary fills the missing parts with their lowest or highest values, up
// to precision digits (4 year, 6 month, 8 day, 10 hour, 12 minute, 14 second,
// 17 millisecond; times: 2, 4, 6, 9). A dateTime without offset takes the
// widest offsets (+14:00 low, -12:00 high).
func dateBoundary(d DateTime, prec int, high bool) (Collection, error) {
	var target Precision
	if d.Kind == KindTime {
		m := map[int]Precision{-1: PrecMilli, 2: PrecHour, 4: PrecMinute, 6: PrecSecond, 9: PrecMilli}
		t, ok := m[prec]
		if !ok {
			return nil, nil
		}
		target = t
	} else {
		m := map[int]Precision{4: PrecYear, 6: PrecMonth, 8: PrecDay, 10: PrecHour, 12: PrecMinute, 14: PrecSecond, 17: PrecMilli}
		if prec == -1 {
			prec = 17
			if d.Kind == KindDate {
				prec = 8
			}
		}
		t, ok := m[prec]
		if !ok {
			return nil, nil
		}
		target = t
	}
	if d.Prec == PrecHour && d.Kind == KindDateTime {
		d.Prec = PrecMinute // "T08" is not a FHIR dateTime: read it as 08:00
	}
	r := d
	for p := d.Prec + 1; p <= target; p++ {
		switch p {
		case PrecMonth:
			r.Month = pick(high, 1, 12)
		case PrecDay:
			r.Day = pick(high, 1, daysIn(r.Year, r.Month))
		case PrecHour:
			r.Hour = pick(high, 0, 23)
		case PrecMinute:
			r.Minute = pick(high, 0, 59)
		case PrecSecond:
			r.Second = pick(high, 0, 59)
		case PrecMilli:
			r.Ms = pick(high, 0, 999)
		}
	}
	r.Prec = target
	r = r.truncate()
	if r.Kind != KindTime {
		if target <= PrecDay {
			r.Kind, r.HasTZ, r.TZ = KindDate, false, 0
		} else {
			r.Kind = KindDateTime
			if !r.HasTZ {
				r.HasTZ, r.TZ = true, pick(high, 14*60, -12*60)
			}
		}
	}
	return Collection{r}, nil
}

func pick(high bool, low, hi int) int {
	if high {
		return hi
	}
	return low
}

func fnPrecision(c *evalCtx, in Collection, _ []expr) (Collection, error) {
	x, err := c.inputSingle(in, "precision")
	if err != nil || x == nil {
		return nil, err
	}
	switch v := x.(type) {
	case int64:
		return Collection{int64(0)}, nil
	case Decimal:
		return Collection{int64(v.scale)}, nil
	case DateTime:
		if v.Kind == KindTime {
			return Collection{int64([]int{0, 0, 0, 0, 2, 4, 6, 9}[v.Prec])}, nil
		}
		return Collection{int64([]int{0, 4, 6, 8, 10, 12, 14, 17}[v.Prec])}, nil
	}
	return nil, evalErr("precision(): type %s non pris en charge", sysTypeName(x))
}
