package sqlstore

// One clause of a search, on a resource alias: plain index clauses, chains,
// _has, and the modifiers that read their own tables (search.html#modifiers).

import (
	"strconv"
	"strings"

	"dsn"
)

// scope is the resource a clause applies to: its alias in the SQL, its type
// ("" for every type), and its nesting level (0: the searched resource;
// chains and _has go one level deeper, each with its own aliases).
type scope struct {
	r   string
	typ string
	lvl int
}

// clauses translates cs on sc; the clause at index driver (-1: none) takes
// the form that produces the candidates ("r.rid IN (…)").
func (b *builder) clauses(cs []dsn.Clause, sc scope, driver int) ([]string, error) {
	out := make([]string, 0, len(cs))
	for i, c := range cs {
		s, err := b.clause(c, sc, i == driver)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// tableOf is the index table a clause reads: the type's, or the one of a
// modifier that indexes something else.
func tableOf(c dsn.Clause) (string, bool) {
	switch c.Modifier {
	case "of-type":
		return "idx_identifier_type", c.Type == dsn.ParamToken
	case "identifier":
		return "idx_ref_identifier", c.Type == dsn.ParamReference
	}
	t, ok := indexTable[c.Type]
	return t, ok
}

func (b *builder) clause(c dsn.Clause, sc scope, drive bool) (string, error) {
	switch {
	case c.Has != nil:
		return b.has(c, sc, drive)
	case c.Chain != nil:
		return b.chain(c, sc, drive)
	case len(c.Values) == 0:
		return "", invalid("clause.empty", c.Param)
	case c.Param == "_id":
		return b.idClause(c, sc.r)
	case c.Param == "_lastUpdated":
		return b.lastUpdatedClause(c, sc.r)
	}
	table, ok := tableOf(c)
	if !ok {
		return "", invalid("clause.type", c.Param, c.Type)
	}
	if c.Modifier == "missing" {
		return b.missing(table, c, sc.r)
	}
	if err := checkModifier(c); err != nil {
		return "", err
	}
	if negated(c.Modifier) {
		// search.html#token: :not (and :not-in) match resources without a
		// matching row, including those with no value at all.
		head := "NOT EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = " + sc.r + ".rid AND " + b.param("x", c.Param)
		ors, err := b.values(c)
		return head + " AND " + ors + ")", err
	}
	if !drive {
		head := "EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = " + sc.r + ".rid AND " + b.param("x", c.Param)
		ors, err := b.values(c)
		return head + " AND " + ors + ")", err
	}
	head := "SELECT x.rid FROM " + table + " x WHERE "
	if sc.typ != "" {
		head += "x.type = " + b.arg(sc.typ) + " AND "
	}
	// Inside a chain or a _has the sub-query's matches are joined back
	// through reference rows: split there, on tables never analysed the
	// planner led with the reference rows instead (Patient?_has:Observation:patient:code
	// probed 10,925 of them for 340 Observations); one IN keeps the plan it
	// had before shared rows. Chains and _has keep one IN on their own
	// reference rows for the same reason (no fewer buffers read split).
	rids, err := b.probe("x", c.Param, head, " UNION ALL ", sc.lvl == 0, func() (string, error) {
		ors, err := b.values(c)
		return " AND " + ors, err
	})
	return sc.r + ".rid IN (" + rids + ")", err
}

// checkModifier refuses the modifiers the store cannot evaluate: :above and
// :below on tokens and references need a terminology server or a hierarchy
// of resources (search.html#token, #reference).
func checkModifier(c dsn.Clause) error {
	m := c.Modifier
	ok := m == ""
	switch c.Type {
	case dsn.ParamToken:
		ok = ok || m == "not" || m == "text" || m == "of-type" || m == "in" || m == "not-in"
	case dsn.ParamString:
		ok = ok || m == "exact" || m == "contains"
	case dsn.ParamReference:
		ok = ok || isTypeName(m) || m == "identifier"
	case dsn.ParamURI:
		ok = ok || m == "above" || m == "below"
	}
	if !ok {
		return invalid("clause.modifier", m, c.Param)
	}
	if c.Type == dsn.ParamComposite && len(c.Parts) == 0 {
		return invalid("clause.components", c.Param)
	}
	return nil
}

// isTypeName tells a reference's type modifier (subject:Patient) from others.
func isTypeName(m string) bool { return m != "" && m[0] >= 'A' && m[0] <= 'Z' }

// missing: search.html#modifiers, :missing=true matches resources with no row
// for the parameter, :missing=false those with at least one.
func (b *builder) missing(table string, c dsn.Clause, r string) (string, error) {
	var not string
	switch c.Values[0].Text {
	case "true":
		not = "NOT "
	case "false":
	default:
		return "", invalid("clause.missing", c.Param)
	}
	return not + "EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = " + r + ".rid AND " + b.param("x", c.Param) + ")", nil
}

// idClause: _id matches the logical id (search.html#id).
func (b *builder) idClause(c dsn.Clause, r string) (string, error) {
	if c.Modifier != "" {
		return "", invalid("clause.modifier", c.Modifier, "_id")
	}
	ph := make([]string, len(c.Values))
	for i, v := range c.Values {
		id := v.Code
		if id == "" {
			id = v.Text
		}
		ph[i] = b.arg(id)
	}
	return r + ".id IN (" + strings.Join(ph, ", ") + ")", nil
}

// lastUpdatedClause: _lastUpdated compares meta.lastUpdated, an instant.
func (b *builder) lastUpdatedClause(c dsn.Clause, r string) (string, error) {
	if c.Modifier != "" {
		return "", invalid("clause.modifier", c.Modifier, "_lastUpdated")
	}
	return orEach(c.Values, func(v dsn.Value) (string, error) {
		return b.instant(r+".last_updated", v.Prefix, v.Low, v.High)
	})
}

// nested translates the clauses of a chain or _has sub-query on the
// resource alias r of level lvl (its own driver, if any).
func (b *builder) nested(q *dsn.SearchQuery, r string, lvl int) (string, error) {
	cs, err := b.clauses(q.Clauses, scope{r: r, typ: q.Type, lvl: lvl}, driverClause(q.Clauses))
	if err != nil {
		return "", err
	}
	return strings.Join(append([]string{b.d.notDeletedOn(r)}, cs...), " AND "), nil
}

// chain (search.html#chaining): a reference of the parameter points at a
// current resource of the chained type that matches the sub-query. As the
// driver, the sub-query's own driver finds the targets first and the
// reference rows lead back to the referring resources.
func (b *builder) chain(c dsn.Clause, sc scope, drive bool) (string, error) {
	lvl := sc.lvl + 1
	x, t := "c"+strconv.Itoa(lvl), "r"+strconv.Itoa(lvl)
	from := " FROM idx_reference " + x + " JOIN resource " + t + " ON " + t + ".type = " + x + ".ref_type AND " + t + ".id = " + x + ".ref_id WHERE "
	var head string
	if drive {
		head = sc.r + ".rid IN (SELECT " + x + ".rid" + from
		if sc.typ != "" {
			head += x + ".type = " + b.arg(sc.typ) + " AND "
		}
	} else {
		head = "EXISTS (SELECT 1" + from + x + ".rid = " + sc.r + ".rid AND "
	}
	head += b.param(x, c.Param) + " AND " + x + ".ref_type = " + b.arg(c.Chain.Type)
	sub, err := b.nested(c.Chain, t, lvl)
	return head + " AND " + sub + ")", err
}

// has (search.html#has): some current resource of Has.Type matching the
// sub-query refers to this one through HasRef. As the driver, the
// sub-query's matches lead and their references name the candidates.
func (b *builder) has(c dsn.Clause, sc scope, drive bool) (string, error) {
	lvl := sc.lvl + 1
	h, s := "h"+strconv.Itoa(lvl), "r"+strconv.Itoa(lvl)
	from := " FROM idx_reference " + h + " JOIN resource " + s + " ON " + s + ".rid = " + h + ".rid"
	var head string
	if drive {
		tgt := "t" + strconv.Itoa(lvl)
		head = sc.r + ".rid IN (SELECT " + tgt + ".rid" + from + " JOIN resource " + tgt + " ON " + tgt + ".type = " + h + ".ref_type AND " + tgt + ".id = " + h + ".ref_id WHERE "
		if sc.typ != "" {
			head += h + ".ref_type = " + b.arg(sc.typ) + " AND "
		}
	} else {
		head = "EXISTS (SELECT 1" + from + " WHERE " + h + ".ref_id = " + sc.r + ".id AND " + h + ".ref_type = "
		if sc.typ != "" {
			head += b.arg(sc.typ) + " AND "
		} else {
			head += sc.r + ".type AND "
		}
	}
	head += h + ".type = " + b.arg(c.Has.Type) + " AND " + b.param(h, c.HasRef)
	sub, err := b.nested(c.Has, s, lvl)
	return head + " AND " + sub + ")", err
}
