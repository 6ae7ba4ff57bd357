package fhirpath

// Static checking for strict mode (FHIRPath N1 §Type safety and strict
// evaluation): with the model and the type of the context, paths are followed
// through the element definitions before evaluation, so that a name that no
// possible type has — (Observation.value as Period).unit — is reported even when
// the data would give an empty result. Unknown types (System values, results of
// most functions) stop the check for that branch: it never rejects what it cannot
// prove wrong.

type checker struct {
	m Model
}

// check returns the possible FHIR types of e's result; nil means unknown.
func (k *checker) check(e expr, this []string) ([]string, error) {
	switch x := e.(type) {
	case thisExpr:
		return this, nil
	case *memberExpr:
		in := this
		if x.x != nil {
			var err error
			if in, err = k.check(x.x, this); err != nil {
				return nil, err
			}
		}
		return k.member(in, x.name, x.x == nil)
	case *typeExpr:
		if _, err := k.check(x.x, this); err != nil {
			return nil, err
		}
		if x.op == "as" {
			return []string{x.typ.name}, nil
		}
	case *typeCallExpr:
		if x.x != nil {
			if _, err := k.check(x.x, this); err != nil {
				return nil, err
			}
		}
		if x.name != "is" {
			return []string{x.typ.name}, nil
		}
	case *indexExpr:
		return k.check(x.x, this)
	case *unaryExpr:
		_, err := k.check(x.x, this)
		return nil, err
	case *logicExpr:
		return nil, k.both(x.l, x.r, this)
	case *binaryExpr:
		if err := k.both(x.l, x.r, this); err != nil || x.op != "|" {
			return nil, err
		}
		l, _ := k.check(x.l, this)
		r, _ := k.check(x.r, this)
		if l == nil || r == nil {
			return nil, nil
		}
		return append(append([]string(nil), l...), r...), nil
	case *callExpr:
		return k.call(x, this)
	}
	return nil, nil
}

func (k *checker) both(l, r expr, this []string) error {
	if _, err := k.check(l, this); err != nil {
		return err
	}
	_, err := k.check(r, this)
	return err
}

// sameTypeFns return (a part of) their input.
var sameTypeFns = map[string]bool{"where": true, "first": true, "last": true, "tail": true,
	"skip": true, "take": true, "single": true, "distinct": true, "trace": true, "sort": true}

// lambdaFns evaluate their first argument on each input item.
var lambdaFns = map[string]bool{"where": true, "select": true, "exists": true, "all": true,
	"repeat": true, "sort": true}

func (k *checker) call(x *callExpr, this []string) ([]string, error) {
	in := this
	if x.x != nil {
		var err error
		if in, err = k.check(x.x, this); err != nil {
			return nil, err
		}
	}
	var argOut []string
	for i, a := range x.args {
		argThis := this
		if lambdaFns[x.name] {
			argThis = in
		}
		out, err := k.check(a, argThis)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			argOut = out
		}
	}
	switch {
	case sameTypeFns[x.name]:
		return in, nil
	case x.name == "select":
		return argOut, nil
	}
	return nil, nil
}

// member follows a name from the possible types in; first says the name starts
// the expression, where it may also be the context's type (Patient.name).
func (k *checker) member(in []string, name string, first bool) ([]string, error) {
	if in == nil {
		return nil, nil
	}
	if first && isTypeName(name) {
		for _, t := range in {
			if t == name || isSubtype(k.m, t, name) {
				return in, nil
			}
		}
	}
	var out []string
	for _, t := range in {
		if isPrimitiveType(t) && (name == "id" || name == "extension") {
			out = append(out, map[string]string{"id": "string", "extension": "Extension"}[name])
			continue
		}
		if ct, ok := k.m.ChildType(t, name); ok {
			out = append(out, ct)
			continue
		}
		if types, ok := k.m.ChoiceTypes(t, name); ok {
			out = append(out, types...)
			continue
		}
		if k.m.BaseType(t) == "" && !k.m.IsResourceType(t) && !isPrimitiveType(t) {
			return nil, nil // a type the model does not describe: cannot tell
		}
	}
	if len(out) == 0 {
		return nil, semanticErr("aucun des types %v n'a d'élément %s", in, name)
	}
	return out, nil
}
