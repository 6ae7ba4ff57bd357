package fhirpath

// Existence, filtering, subsetting and combining functions (N1 §5.1–5.4).

func init() {
	register("empty", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return boolColl(len(in) == 0), nil
	})
	register("exists", 0, 1, fnExists)
	register("all", 1, 1, fnAll)
	register("allTrue", 0, 0, boolsAre(true, true))
	register("anyTrue", 0, 0, boolsAre(false, true))
	register("allFalse", 0, 0, boolsAre(true, false))
	register("anyFalse", 0, 0, boolsAre(false, false))
	register("subsetOf", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		return boolColl(c.subset(in, other)), err
	})
	register("supersetOf", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		return boolColl(c.subset(other, in)), err
	})
	register("count", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return Collection{int64(len(in))}, nil
	})
	register("distinct", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return c.appendDistinct(nil, in), nil
	})
	register("isDistinct", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return boolColl(len(c.appendDistinct(nil, in)) == len(in)), nil
	})
	register("where", 1, 1, fnWhere)
	register("select", 1, 1, fnSelect)
	register("repeat", 1, 1, fnRepeat)
	register("single", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		if len(in) > 1 {
			return nil, evalErr("single(): la collection a %d éléments", len(in))
		}
		return in, nil
	})
	register("first", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) { return slice(in, 0, 1), nil })
	register("last", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		return slice(in, len(in)-1, len(in)), nil
	})
	register("tail", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) { return slice(in, 1, len(in)), nil })
	register("skip", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		n, err := c.intArg(a[0], "skip")
		return slice(in, n, len(in)), err
	})
	register("take", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		n, err := c.intArg(a[0], "take")
		return slice(in, 0, n), err
	})
	register("intersect", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		var out Collection
		for _, it := range in {
			if c.contains(other, it) && !c.contains(out, it) {
				out = append(out, it)
			}
		}
		return out, err
	})
	register("exclude", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		var out Collection
		for _, it := range in {
			if !c.contains(other, it) {
				out = append(out, it)
			}
		}
		return out, err
	})
	register("union", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		return union(c, in, other), err
	})
	register("combine", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		other, err := c.arg(a[0])
		out := make(Collection, 0, len(in)+len(other))
		return append(append(out, in...), other...), err
	})
	register("aggregate", 1, 2, fnAggregate)
	register("sort", 0, 9, fnSort)
	register("not", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		b, err := c.toBool(in)
		switch {
		case err != nil:
			return nil, err
		case b == bEmpty:
			return nil, nil
		}
		return boolColl(b == bFalse), nil
	})
}

// slice returns in[from:to] clamped to the collection's bounds.
func slice(in Collection, from, to int) Collection {
	from, to = max(from, 0), min(to, len(in))
	if from >= to {
		return nil
	}
	return in[from:to]
}

func (c *evalCtx) intArg(e expr, fn string) (int, error) {
	v, err := c.argSingle(e, fn)
	if err != nil {
		return 0, err
	}
	i, ok := v.(int64)
	if !ok {
		return 0, evalErr("%s() attend un entier", fn)
	}
	return int(i), nil
}

func (c *evalCtx) subset(a, b Collection) bool {
	for _, it := range a {
		if !c.contains(b, it) {
			return false
		}
	}
	return true
}

func fnExists(c *evalCtx, in Collection, a []expr) (Collection, error) {
	if len(a) == 0 {
		return boolColl(len(in) > 0), nil
	}
	found := false
	err := c.each(in, func(_ int, _ any) error {
		b, err := c.boolOf(a[0])
		if b == bTrue {
			found = true
			return errStop
		}
		return err
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return boolColl(found), nil
}

// errStop ends an iteration early without an error.
var errStop = evalErr("stop")

func fnAll(c *evalCtx, in Collection, a []expr) (Collection, error) {
	all := true
	err := c.each(in, func(_ int, _ any) error {
		b, err := c.boolOf(a[0])
		if err == nil && b != bTrue {
			all = false
			return errStop
		}
		return err
	})
	if err != nil && err != errStop {
		return nil, err
	}
	return boolColl(all), nil
}

// boolsAre implements allTrue/anyTrue/allFalse/anyFalse.
func boolsAre(all, want bool) fnImpl {
	return func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		for _, it := range in {
			b, ok := c.system(it).(bool)
			if !ok {
				return nil, evalErr("une collection de booléens est attendue")
			}
			if all && b != want {
				return boolColl(false), nil
			}
			if !all && b == want {
				return boolColl(true), nil
			}
		}
		return boolColl(all), nil
	}
}

func fnWhere(c *evalCtx, in Collection, a []expr) (Collection, error) {
	var out Collection
	err := c.each(in, func(_ int, it any) error {
		b, err := c.boolOf(a[0])
		if b == bTrue {
			out = append(out, it)
		}
		return err
	})
	return out, err
}

func fnSelect(c *evalCtx, in Collection, a []expr) (Collection, error) {
	var out Collection
	err := c.each(in, func(_ int, _ any) error {
		r, err := a[0].eval(c)
		out = append(out, r...)
		return err
	})
	return out, err
}

// fnRepeat applies the projection to the input, then to its results, until
// nothing new appears (N1 repeat(): items already seen are not revisited).
func fnRepeat(c *evalCtx, in Collection, a []expr) (Collection, error) {
	var out Collection
	queue := in
	for rounds := 0; len(queue) > 0; rounds++ {
		if rounds > 1000 {
			return nil, evalErr("repeat(): trop d'itérations")
		}
		var next Collection
		err := c.each(queue, func(_ int, _ any) error {
			r, err := a[0].eval(c)
			for _, it := range r {
				if !c.containsSame(out, it) {
					out = append(out, it)
					next = append(next, it)
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		queue = next
	}
	return out, nil
}

// containsSame is identity for nodes (the same element), equality otherwise.
func (c *evalCtx) containsSame(coll Collection, it any) bool {
	if n, ok := it.(*Node); ok && !n.isPrimitive() {
		for _, o := range coll {
			if m, ok := o.(*Node); ok && sameNode(m, n) {
				return true
			}
		}
		return false
	}
	return c.contains(coll, it)
}

func sameNode(a, b *Node) bool {
	ma, mb := a.object(), b.object()
	if ma == nil || mb == nil {
		return a == b
	}
	return len(ma) == len(mb) && ptrEq(ma, mb)
}

func fnAggregate(c *evalCtx, in Collection, a []expr) (Collection, error) {
	saveTotal := c.total
	defer func() { c.total = saveTotal }()
	var total Collection
	if len(a) > 1 {
		var err error
		if total, err = c.arg(a[1]); err != nil {
			return nil, err
		}
	}
	err := c.each(in, func(_ int, _ any) error {
		c.total = total
		r, err := a[0].eval(c)
		total = append(Collection(nil), r...)
		return err
	})
	return total, err
}
