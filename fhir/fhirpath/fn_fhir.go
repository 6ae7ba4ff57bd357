package fhirpath

import "strings"

// FHIR-specific functions (FHIR R4 fhirpath.html#functions).

func init() {
	register("extension", 1, 1, fnExtension)
	register("hasValue", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		if len(in) != 1 {
			return boolColl(false), nil
		}
		n, ok := in[0].(*Node)
		return boolColl(ok && n.isPrimitive() && n.Value != nil), nil
	})
	register("getValue", 0, 0, func(c *evalCtx, in Collection, _ []expr) (Collection, error) {
		if len(in) != 1 {
			return nil, nil
		}
		if n, ok := in[0].(*Node); ok && n.isPrimitive() && n.Value != nil {
			return Collection{n.system()}, nil
		}
		return nil, nil
	})
	register("resolve", 0, 0, fnResolve)
	// hasExtension(url) is not in FHIRPath N1 but R4 search parameters use it
	// (QuestionnaireResponse-item-subject): extension(url).exists().
	register("hasExtension", 1, 1, func(c *evalCtx, in Collection, a []expr) (Collection, error) {
		r, err := fnExtension(c, in, a)
		return boolColl(len(r) > 0), err
	})
	register("memberOf", 1, 1, fnMemberOf)
	register("conformsTo", 1, 1, fnConformsTo)
	for _, name := range []string{"htmlChecks", "htmlChecks2", "subsumes", "subsumedBy", "elementDefinition", "slice", "checkModifiers"} {
		n := name
		register(n, 0, 2, func(*evalCtx, Collection, []expr) (Collection, error) {
			return nil, evalErr("%s() n'est pas pris en charge par ce moteur", n)
		})
	}
}

// fnExtension keeps the extensions with the given url, on complex elements and
// on primitives (whose extensions sit in the "_name" companion).
func fnExtension(c *evalCtx, in Collection, a []expr) (Collection, error) {
	u, err := c.argSingle(a[0], "extension")
	url, ok := u.(string)
	if err != nil || !ok {
		return nil, err
	}
	var exts, out Collection
	for _, it := range in {
		n, ok := it.(*Node)
		if !ok {
			continue
		}
		exts = exts[:0]
		if n.isPrimitive() {
			exts = n.primitiveChildren(c.model, "extension", exts)
		} else {
			exts = n.children(c.model, "extension", exts)
		}
		for _, e := range exts {
			if m := e.(*Node).object(); m != nil && m["url"] == url {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// fnResolve finds the resources that references point to: contained ones
// ("#id") in the current resource, others through Options.Resolver.
func fnResolve(c *evalCtx, in Collection, _ []expr) (Collection, error) {
	var out Collection
	for _, it := range in {
		ref := ""
		switch v := c.system(it).(type) {
		case string:
			ref = v
		case *Node:
			ref, _ = v.object()["reference"].(string)
		}
		if ref == "" {
			continue
		}
		if id, ok := strings.CutPrefix(ref, "#"); ok {
			if r := c.contained(id); r != nil {
				out = append(out, r)
			}
			continue
		}
		var obj map[string]any
		if c.opts.Resolver != nil {
			var err error
			if obj, err = c.opts.Resolver(ref); err != nil {
				return nil, err
			}
		}
		if obj == nil {
			obj = c.stub(ref)
		}
		if obj != nil {
			out = append(out, NewResource(obj))
		}
	}
	return out, nil
}

func (c *evalCtx) contained(id string) *Node {
	res, _ := c.variable("resource")
	for _, r := range res {
		n, ok := r.(*Node)
		if !ok {
			continue
		}
		list, _ := n.object()["contained"].([]any)
		for _, x := range list {
			if m, ok := x.(map[string]any); ok && m["id"] == id {
				return NewResource(m)
			}
		}
	}
	return nil
}

// fnMemberOf asks Options.MemberOf whether codes, Codings or CodeableConcepts
// belong to a value set (FHIR R4 fhirpath.html#functions memberOf).
func fnMemberOf(c *evalCtx, in Collection, a []expr) (Collection, error) {
	u, err := c.argSingle(a[0], "memberOf")
	vs, ok := u.(string)
	if err != nil || !ok || len(in) == 0 {
		return nil, err
	}
	if c.opts.MemberOf == nil {
		return nil, evalErr("memberOf(): aucun service de terminologie configuré")
	}
	if len(in) > 1 {
		return nil, evalErr("memberOf() s'applique à un seul élément")
	}
	for _, cd := range codings(c, in[0]) {
		ok, err := c.opts.MemberOf(cd[0], cd[1], vs)
		if err != nil {
			return nil, err
		}
		if ok {
			return boolColl(true), nil
		}
	}
	return boolColl(false), nil
}

// codings lists (system, code) pairs of a code, Coding or CodeableConcept.
func codings(c *evalCtx, it any) [][2]string {
	if s, ok := c.system(it).(string); ok {
		return [][2]string{{"", s}}
	}
	n, ok := it.(*Node)
	if !ok {
		return nil
	}
	obj := n.object()
	if code, ok := obj["code"].(string); ok {
		sys, _ := obj["system"].(string)
		return [][2]string{{sys, code}}
	}
	var out [][2]string
	list, _ := obj["coding"].([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			code, _ := m["code"].(string)
			sys, _ := m["system"].(string)
			out = append(out, [2]string{sys, code})
		}
	}
	return out
}

// fnConformsTo asks Options.ConformsTo whether the input resource conforms to
// a profile (FHIR R4 fhirpath.html#functions conformsTo).
func fnConformsTo(c *evalCtx, in Collection, a []expr) (Collection, error) {
	u, err := c.argSingle(a[0], "conformsTo")
	url, ok := u.(string)
	if err != nil || !ok || len(in) == 0 {
		return nil, err
	}
	if c.opts.ConformsTo == nil {
		return nil, evalErr("conformsTo(): aucune validation de profil configurée")
	}
	if len(in) > 1 {
		return nil, evalErr("conformsTo() s'applique à un seul élément")
	}
	n, ok := in[0].(*Node)
	if !ok || n.object() == nil {
		return boolColl(false), nil
	}
	yes, err := c.opts.ConformsTo(n.object(), url)
	if err != nil {
		return nil, err
	}
	return boolColl(yes), nil
}

// stub stands for a target the resolver does not know: a resource with only
// its type and id, read from a "Type/id" reference (relative, absolute or
// versioned). It lets "resolve() is Patient", the R4 search parameters' way to
// pick reference targets, work at indexing time without fetching anything.
func (c *evalCtx) stub(ref string) map[string]any {
	if c.opts.NoResolveStub {
		return nil
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return nil
	}
	typ, id := parts[len(parts)-2], parts[len(parts)-1]
	if id == "" || !isTypeName(typ) || (c.model != nil && !c.model.IsResourceType(typ)) {
		return nil
	}
	return map[string]any{"resourceType": typ, "id": id}
}
