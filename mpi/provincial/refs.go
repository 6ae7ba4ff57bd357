package provincial

// References in clinical resources (references.html#Reference): a merge
// re-points every "reference": "Patient/source" of the source's compartment
// at the target; an unmerge puts back exactly the ones the merge changed,
// found by comparing the version before the merge with the version the
// merge wrote (versions are immutable, so the answer never drifts).

// path is a position in a JSON document: object keys and array indexes.
type path []any

// rewriteRefs replaces every Reference.reference equal to from by to, in
// place, and returns how many it changed. Versioned references
// ("Patient/x/_history/2") name a past version and are left alone.
func rewriteRefs(v any, from, to string) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "reference" && s == from {
				t[k] = to
				n++
				continue
			}
			n += rewriteRefs(x, from, to)
		}
	case []any:
		for _, x := range t {
			n += rewriteRefs(x, from, to)
		}
	}
	return n
}

// refPaths lists the paths of the "reference" strings equal to value.
func refPaths(v any, value string, at path, out []path) []path {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && k == "reference" && s == value {
				out = append(out, extend(at, k))
				continue
			}
			out = refPaths(x, value, extend(at, k), out)
		}
	case []any:
		for i, x := range t {
			out = refPaths(x, value, extend(at, i), out)
		}
	}
	return out
}

// get returns the value at p, and whether p exists.
func get(v any, p path) (any, bool) {
	for _, step := range p {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || s >= len(a) {
				return nil, false
			}
			v = a[s]
		}
	}
	return v, true
}

// set replaces the string at p (which must exist) by value.
func set(v any, p path, value string) {
	parent, _ := get(v, p[:len(p)-1])
	switch s := p[len(p)-1].(type) {
	case string:
		parent.(map[string]any)[s] = value
	case int:
		parent.([]any)[s] = value
	}
}

// changedPaths are the paths where before held from and after holds to: the
// references a merge re-pointed.
func changedPaths(before, after any, from, to string) []path {
	var out []path
	for _, p := range refPaths(before, from, nil, nil) {
		if v, ok := get(after, p); ok && v == to {
			out = append(out, p)
		}
	}
	return out
}

// revertPaths sets back from at each path that still holds to, and returns
// how many it changed and how many it could not (changed or gone since).
func revertPaths(v any, paths []path, to, from string) (done, missed int) {
	for _, p := range paths {
		if cur, ok := get(v, p); ok && cur == to {
			set(v, p, from)
			done++
		} else {
			missed++
		}
	}
	return done, missed
}

// extend returns a new path: at followed by step (never sharing at's array).
func extend(at path, step any) path {
	return append(append(make(path, 0, len(at)+1), at...), step)
}
