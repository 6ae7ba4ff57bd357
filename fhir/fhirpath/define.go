package fhirpath

// defineVariable(name [, value]) (FHIRPath 2.1 §Utility, used by SQL on FHIR
// view definitions): names a value for the rest of the expression chain and
// the arguments of the functions that follow; it returns its input. A name is
// not visible outside the function argument or operand that defines it, and
// may not redefine a variable already in scope.

// scope is an immutable list of local variables: saving and restoring a scope
// is copying one pointer.
type scope struct {
	name  string
	value Collection
	next  *scope
}

func (s *scope) lookup(name string) (Collection, bool) {
	for ; s != nil; s = s.next {
		if s.name == name {
			return s.value, true
		}
	}
	return nil, false
}

// defineExpr is a bound defineVariable() call.
type defineExpr struct {
	x     expr // the chain before the call; nil for $this
	name  expr
	value expr // nil: the input itself
}

func (e *defineExpr) eval(c *evalCtx) (Collection, error) {
	in := c.this
	if e.x != nil {
		var err error
		if in, err = e.x.eval(c); err != nil {
			return nil, err
		}
	}
	saved := c.locals
	n, err := c.argSingle(e.name, "defineVariable")
	name, ok := n.(string)
	if err != nil || !ok {
		c.locals = saved
		return nil, evalErr("defineVariable(): le nom doit être une chaîne")
	}
	val := in
	if e.value != nil {
		saveThis := c.this
		c.this = in
		val, err = e.value.eval(c)
		c.this = saveThis
		if err != nil {
			return nil, err
		}
	}
	c.locals = saved
	if _, exists := c.variable(name); exists {
		return nil, evalErr("defineVariable(): la variable %%%s existe déjà", name)
	}
	c.locals = &scope{name: name, value: append(Collection(nil), val...), next: c.locals}
	return in, nil
}
