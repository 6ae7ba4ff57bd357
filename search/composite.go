package search

import (
	"dsn"
	"dsn/fhir/fhirpath"
)

// maxCombinations bounds the rows one item of a composite parameter gives
// (the product of its components' value counts), so that an item with many
// codings and many values cannot blow the index up.
const maxCombinations = 64

// compositeRows indexes a composite parameter (search.html#composite): for
// each item its expression selects, every combination of one value per
// component, each value read by its component's parameter type.
func compositeRows(rows []dsn.CompositeKey, c *compiled, obj map[string]any, ev *evaluator) []dsn.CompositeKey {
	var items []any
	if c.paths != nil {
		nodes := ev.items[:0]
		for _, pa := range c.paths {
			nodes = ev.eval(pa, obj, nodes)
		}
		ev.items = nodes
		items = ev.objs[:0]
		for _, n := range nodes {
			if m, ok := n.v.(map[string]any); ok {
				items = append(items, m)
			}
		}
		ev.objs = items
	} else {
		coll, err := c.expr.Evaluate(obj, engineOptions())
		if err != nil {
			return rows
		}
		items = coll
	}
	for len(ev.parts) < len(c.parts) {
		ev.parts = append(ev.parts, nil)
	}
	perPart := ev.parts[:len(c.parts)]
	for _, it := range items {
		// Last component first: it is the value (value.as(Quantity)...),
		// empty for most items, which spares evaluating the code.
		complete := true
		for i := len(c.parts) - 1; i >= 0 && complete; i-- {
			perPart[i] = componentParts(perPart[i][:0], c.parts[i], it, ev)
			complete = len(perPart[i]) > 0
		}
		if !complete {
			continue
		}
		rows = combinations(rows, c.code, perPart)
	}
	return rows
}

// componentParts evaluates one component on an item and converts its values
// into parts through the rows of the component's own type.
func componentParts(out []dsn.CompositePart, pt part, item any, ev *evaluator) []dsn.CompositePart {
	vals := ev.vals[:0]
	switch it := item.(type) {
	case map[string]any: // walked item
		for _, pa := range pt.paths {
			vals = ev.eval(pa, it, vals)
		}
	case *fhirpath.Node:
		vals, _ = evalEngine(pt.expr, it, vals)
	}
	ev.vals = vals
	if len(vals) == 0 {
		return nil
	}
	ix := &ev.ix
	*ix = dsn.Index{Tokens: ix.Tokens[:0], Strings: ix.Strings[:0], Dates: ix.Dates[:0],
		References: ix.References[:0], Quantities: ix.Quantities[:0], Numbers: ix.Numbers[:0], URIs: ix.URIs[:0]}
	addRows(ix, pt.code, pt.typ, vals)
	base := dsn.CompositePart{Param: pt.code, Type: pt.typ}
	for _, k := range ix.Tokens {
		p := base
		p.Token = k
		out = append(out, p)
	}
	for _, k := range ix.Strings {
		p := base
		p.String = k
		out = append(out, p)
	}
	for _, k := range ix.Dates {
		p := base
		p.Date = k
		out = append(out, p)
	}
	for _, k := range ix.References {
		p := base
		p.Ref = k
		out = append(out, p)
	}
	for _, k := range ix.Quantities {
		p := base
		p.Quantity = k
		out = append(out, p)
	}
	for _, k := range ix.Numbers {
		p := base
		p.Number = k
		out = append(out, p)
	}
	for _, k := range ix.URIs {
		p := base
		p.URI = k
		out = append(out, p)
	}
	return out
}

// combinations appends to rows a row of param for every choice of one part
// per component (at most maxCombinations), their parts in one allocation:
// combination i reads i in the mixed radix of the components' value counts.
func combinations(rows []dsn.CompositeKey, param string, perPart [][]dsn.CompositePart) []dsn.CompositeKey {
	total := 1
	for _, vals := range perPart {
		total = min(total*len(vals), maxCombinations)
	}
	width := len(perPart)
	backing := make([]dsn.CompositePart, total*width)
	for i := range total {
		row := backing[i*width : (i+1)*width : (i+1)*width]
		idx := i
		for j := width - 1; j >= 0; j-- {
			n := len(perPart[j])
			row[j] = perPart[j][idx%n]
			idx /= n
		}
		rows = append(rows, dsn.CompositeKey{Param: param, Parts: row})
	}
	return rows
}
