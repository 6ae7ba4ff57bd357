package fhirpath

// sum(), min(), max(), avg() (FHIRPath 2.1 §Aggregates, STU): shorthands for
// aggregate() over numbers (min/max also over strings, dates and quantities).

func init() {
	register("sum", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return c.fold(in, "sum", func(acc, v any) (any, error) { return arith("+", acc, v) })
	})
	register("min", 0, 0, extremum(-1))
	register("max", 0, 0, extremum(1))
	register("avg", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		s, err := c.fold(in, "avg", func(acc, v any) (any, error) { return arith("+", acc, v) })
		if err != nil || len(s) == 0 {
			return nil, err
		}
		r, err := arith("/", s[0], int64(len(in)))
		if err != nil || r == nil {
			return nil, err
		}
		return Collection{r}, nil
	})
}

// fold combines the System values of in from left to right.
func (c *evalCtx) fold(in Collection, name string, f func(acc, v any) (any, error)) (Collection, error) {
	var acc any
	for _, it := range in {
		v := c.system(it)
		switch v.(type) {
		case int64, Decimal, Quantity, string, DateTime:
		default:
			return nil, evalErr("%s() ne s'applique pas à %s", name, sysTypeName(v))
		}
		if acc == nil {
			acc = v
			continue
		}
		var err error
		if acc, err = f(acc, v); err != nil {
			return nil, err
		}
		if acc == nil {
			return nil, nil
		}
	}
	if acc == nil {
		return nil, nil
	}
	return Collection{acc}, nil
}

func extremum(sign int) fnImpl {
	return func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return c.fold(in, "min/max", func(acc, v any) (any, error) {
			n, ok, err := compare(v, acc)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, nil // partial dates that cannot be ordered
			}
			if n*sign > 0 {
				return v, nil
			}
			return acc, nil
		})
	}
}
