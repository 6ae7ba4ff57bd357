package fhirpath

// Utility, reflection and tree navigation functions (N1 §5.8 Tree navigation,
// §5.9 Utility, §Reflection).

func init() {
	register("trace", 1, 2, fnTrace)
	register("now", 0, 0, func(c *evalCtx, _ Collection, _ []expr) (Collection, error) {
		return Collection{fromTime(c.now(), KindDateTime, PrecMilli, true)}, nil
	})
	register("today", 0, 0, func(c *evalCtx, _ Collection, _ []expr) (Collection, error) {
		return Collection{fromTime(c.now(), KindDate, PrecDay, false)}, nil
	})
	register("timeOfDay", 0, 0, func(c *evalCtx, _ Collection, _ []expr) (Collection, error) {
		return Collection{fromTime(c.now(), KindTime, PrecMilli, false)}, nil
	})
	register("type", 0, 0, fnType)
	register("children", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		var out Collection
		for _, it := range in {
			if n, ok := it.(*Node); ok {
				out = n.allChildren(c.model, out)
			}
		}
		return out, nil
	})
	register("descendants", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		var out Collection
		queue := in
		for len(queue) > 0 {
			var next Collection
			for _, it := range queue {
				if n, ok := it.(*Node); ok {
					next = n.allChildren(c.model, next)
				}
			}
			out = append(out, next...)
			queue = next
		}
		return out, nil
	})
}

func fnTrace(c *evalCtx, in Collection, a []expr) (Collection, error) {
	name, err := c.argSingle(a[0], "trace")
	if err != nil {
		return nil, err
	}
	if c.opts.Trace == nil {
		return in, nil
	}
	out := in
	if len(a) == 2 {
		var proj Collection
		err := c.each(in, func(int, any) error {
			r, err := a[1].eval(c)
			proj = append(proj, r...)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = proj
	}
	s, _ := name.(string)
	c.opts.Trace(s, out)
	return in, nil
}

// fnType returns TypeInfo-like nodes with namespace and name (N1 §Reflection).
func fnType(c *evalCtx, in Collection, _ []expr) (Collection, error) {
	out := make(Collection, 0, len(in))
	for _, it := range in {
		t := c.typeOfItem(it)
		out = append(out, &Node{Type: "TypeInfo", Value: map[string]any{"namespace": t.ns, "name": t.name}})
	}
	return out, nil
}
