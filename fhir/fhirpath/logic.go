package fhirpath

// logicExpr is and/or/xor/implies with three-valued logic (N1 §Boolean logic).
// The right side is evaluated only when it can change the result.
type logicExpr struct {
	op   string
	l, r expr
}

func (e *logicExpr) eval(c *evalCtx) (Collection, error) {
	saved := c.locals
	defer func() { c.locals = saved }()
	l, err := c.boolOf(e.l)
	c.locals = saved
	if err != nil {
		return nil, err
	}
	switch {
	case e.op == "and" && l == bFalse:
		return boolColl(false), nil
	case e.op == "or" && l == bTrue:
		return boolColl(true), nil
	case e.op == "implies" && l == bFalse:
		return boolColl(true), nil
	}
	r, err := c.boolOf(e.r)
	if err != nil {
		return nil, err
	}
	return tri(logic(e.op, l, r)), nil
}

type tribool uint8

const (
	bEmpty tribool = iota
	bFalse
	bTrue
)

func logic(op string, l, r tribool) tribool {
	switch op {
	case "and":
		if l == bFalse || r == bFalse {
			return bFalse
		}
		if l == bTrue && r == bTrue {
			return bTrue
		}
	case "or":
		if l == bTrue || r == bTrue {
			return bTrue
		}
		if l == bFalse && r == bFalse {
			return bFalse
		}
	case "xor":
		if l != bEmpty && r != bEmpty {
			return tb(l != r)
		}
	case "implies":
		if l == bFalse || r == bTrue {
			return bTrue
		}
		if l == bTrue {
			return r
		}
	}
	return bEmpty
}

func tb(b bool) tribool {
	if b {
		return bTrue
	}
	return bFalse
}

func tri(t tribool) Collection {
	switch t {
	case bTrue:
		return boolColl(true)
	case bFalse:
		return boolColl(false)
	}
	return nil
}

var trueColl, falseColl = Collection{true}, Collection{false}

// boolColl returns shared one-item collections (callers never modify results).
func boolColl(b bool) Collection {
	if b {
		return trueColl
	}
	return falseColl
}

// boolOf evaluates e as a singleton Boolean (N1 §Singleton evaluation of collections).
func (c *evalCtx) boolOf(e expr) (tribool, error) {
	v, err := e.eval(c)
	if err != nil {
		return bEmpty, err
	}
	return c.toBool(v)
}

func (c *evalCtx) toBool(v Collection) (tribool, error) {
	switch len(v) {
	case 0:
		return bEmpty, nil
	case 1:
		if b, ok := c.system(v[0]).(bool); ok {
			return tb(b), nil
		}
		return bTrue, nil // a single non-Boolean item counts as true
	}
	return bEmpty, evalErr("une collection de %d éléments n'est pas un booléen", len(v))
}

// singleton returns the only item of v as a System value (nil if v is empty).
func (c *evalCtx) singleton(v Collection, what string) (any, error) {
	switch len(v) {
	case 0:
		return nil, nil
	case 1:
		return c.system(v[0]), nil
	}
	return nil, evalErr("%s attend un seul élément, reçu %d", what, len(v))
}
