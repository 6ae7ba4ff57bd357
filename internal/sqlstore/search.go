package sqlstore

// This file is the search translator: the only code of the store adapters that
// builds SQL at run time (DESIGN.md §5.6). Every value goes in as a parameter;
// table and column names come from the fixed maps below. Both adapters use it,
// each with its Dialect. FHIR R4 search.html is the reference for each rule.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"dsn"
)

const searchOp = "search"

// indexTable maps a parameter type to the table holding its rows.
var indexTable = map[dsn.ParamType]string{
	dsn.ParamToken: "idx_token", dsn.ParamString: "idx_string", dsn.ParamDate: "idx_date",
	dsn.ParamReference: "idx_reference", dsn.ParamQuantity: "idx_quantity",
	dsn.ParamNumber: "idx_number", dsn.ParamURI: "idx_uri",
}

// Statement is one generated query and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Plan is the translation of a dsn.SearchQuery: the page query (keyset: rows
// after the cursor's rid, one more than the page size to detect a next page)
// and the count query for Total.
type Plan struct {
	Page, Count Statement
	Size        int
}

type builder struct {
	d    Dialect
	typ  string
	args []any
}

// arg adds a parameter and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

func invalid(format string, args ...any) error {
	return dsn.Errorf(searchOp, dsn.KindInvalid, format, args...)
}

// Translate turns q into SQL for dialect d: clauses ANDed, values of a clause ORed
// (search.html#combining), current non-deleted resources only.
func Translate(d Dialect, q dsn.SearchQuery) (Plan, error) {
	b := &builder{d: d, typ: q.Type}
	driver, hint, typeHint := -1, "", ""
	if q.PatientKey == "" {
		driver = driverClause(q.Clauses)
	}
	if driver >= 0 {
		hint, typeHint = d.noIndex, d.noIndex
	}
	conds := []string{d.notDeleted}
	if q.PatientKey != "" {
		// A compartment is small: the (patient_key, rid) index leads and every
		// other condition is checked per candidate (compartmentdefinition-patient.html).
		typeHint = d.noIndex
		conds = append(conds, "r.patient_key = "+b.arg(q.PatientKey))
	}
	if q.Type != "" {
		conds = append(conds, typeHint+"r.type = "+b.arg(q.Type))
	} else if len(q.Types) > 0 {
		conds = append(conds, b.typeList(typeHint, q.Types))
	}
	for i, c := range q.Clauses {
		s, err := b.clause(c, i == driver)
		if err != nil {
			return Plan{}, err
		}
		conds = append(conds, s)
	}
	where := "WHERE " + strings.Join(conds, "\n  AND ")
	count := Statement{SQL: "SELECT count(*) FROM resource r\n" + where, Args: slices.Clone(b.args)}
	var after int64
	if q.Cursor != "" {
		var err error
		if after, err = DecodeCursor(searchOp, 's', q.Cursor); err != nil {
			return Plan{}, err
		}
	}
	size := PageSize(q.Count)
	sql := "SELECT r.rid, " + VersionCols + "\nFROM resource r JOIN resource_version v ON v.seq = r.seq\n" +
		where + "\n  AND " + hint + "r.rid > " + b.arg(after) + "\nORDER BY r.rid\nLIMIT " + b.arg(size+1)
	return Plan{Page: Statement{SQL: sql, Args: b.args}, Count: count, Size: size}, nil
}

// typeList restricts the search to several types (_type of $everything).
func (b *builder) typeList(hint string, types []string) string {
	ph := make([]string, len(types))
	for i, t := range types {
		ph[i] = b.arg(t)
	}
	return hint + "r.type IN (" + strings.Join(ph, ", ") + ")"
}

// driveRank orders the parameter types by how few resources a value usually
// matches: references and identifiers first, numbers last.
var driveRank = map[dsn.ParamType]int{dsn.ParamReference: 1, dsn.ParamURI: 2, dsn.ParamToken: 3,
	dsn.ParamString: 4, dsn.ParamDate: 5, dsn.ParamQuantity: 6, dsn.ParamNumber: 7}

// driverClause picks the clause whose index rows lead the query ("r.rid IN"):
// the positive index clause of the best rank; the others are checked per
// candidate with EXISTS on the rid index. -1 if there is none.
func driverClause(cs []dsn.Clause) int {
	best := -1
	for i, c := range cs {
		_, indexed := indexTable[c.Type]
		if !indexed || c.Param == "_id" || c.Param == "_lastUpdated" || c.Modifier == "missing" || c.Modifier == "not" {
			continue
		}
		if best < 0 || driveRank[c.Type] < driveRank[cs[best].Type] {
			best = i
		}
	}
	return best
}

// clause translates one parameter with its ORed values; drive makes it the
// clause that produces the candidates.
func (b *builder) clause(c dsn.Clause, drive bool) (string, error) {
	if len(c.Values) == 0 {
		return "", invalid("le paramètre %s n'a pas de valeur", c.Param)
	}
	switch c.Param {
	case "_id":
		return b.idClause(c)
	case "_lastUpdated":
		return b.lastUpdatedClause(c)
	}
	table, ok := indexTable[c.Type]
	if !ok {
		return "", invalid("le paramètre %s de type %s n'est pas pris en charge", c.Param, c.Type)
	}
	if c.Modifier == "missing" {
		return b.missing(table, c)
	}
	if err := checkModifier(c); err != nil {
		return "", err
	}
	if c.Modifier == "not" {
		// search.html#token: :not matches resources without a matching token,
		// including those with no value at all.
		head := "NOT EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = r.rid AND x.param = " + b.arg(c.Param)
		ors, err := b.values(c)
		return head + " AND " + ors + ")", err
	}
	if !drive {
		head := "EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = r.rid AND x.param = " + b.arg(c.Param)
		ors, err := b.values(c)
		return head + " AND " + ors + ")", err
	}
	head := "r.rid IN (SELECT x.rid FROM " + table + " x WHERE "
	if b.typ != "" {
		head += "x.type = " + b.arg(b.typ) + " AND "
	}
	head += "x.param = " + b.arg(c.Param)
	ors, err := b.values(c)
	return head + " AND " + ors + ")", err
}

// checkModifier refuses the modifiers the store cannot evaluate yet.
func checkModifier(c dsn.Clause) error {
	m := c.Modifier
	ok := m == ""
	switch c.Type {
	case dsn.ParamToken:
		ok = ok || m == "not" || m == "text"
	case dsn.ParamString:
		ok = ok || m == "exact" || m == "contains"
	case dsn.ParamReference:
		ok = ok || isTypeName(m)
	}
	if !ok {
		return invalid("le modificateur :%s n'est pas pris en charge pour %s", m, c.Param)
	}
	return nil
}

// isTypeName tells a reference's type modifier (subject:Patient) from others.
func isTypeName(m string) bool { return m != "" && m[0] >= 'A' && m[0] <= 'Z' }

// values ORs the conditions of each value of c on the index row x.
func (b *builder) values(c dsn.Clause) (string, error) {
	return orEach(c.Values, func(v dsn.Value) (string, error) { return b.value(c, v) })
}

// orEach ORs the condition one makes of each value (search.html#combining).
func orEach(vs []dsn.Value, one func(dsn.Value) (string, error)) (string, error) {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		s, err := one(v)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", nil
}

func (b *builder) value(c dsn.Clause, v dsn.Value) (string, error) {
	switch c.Type {
	case dsn.ParamToken:
		return b.token(c, v)
	case dsn.ParamString:
		return b.str(c, v), nil
	case dsn.ParamDate:
		return b.dateRange("x.low", "x.high", v.Prefix, v.Low, v.High)
	case dsn.ParamReference:
		return b.reference(c, v)
	case dsn.ParamNumber:
		return b.number("x.value", v.Prefix, v.Number)
	case dsn.ParamQuantity:
		return b.quantity(v)
	case dsn.ParamURI:
		return "x.uri = " + b.arg(v.Text), nil
	}
	return "", invalid("type de paramètre %s non pris en charge", c.Type)
}

// missing: search.html#modifiers, :missing=true matches resources with no row
// for the parameter, :missing=false those with at least one.
func (b *builder) missing(table string, c dsn.Clause) (string, error) {
	var not string
	switch c.Values[0].Text {
	case "true":
		not = "NOT "
	case "false":
	default:
		return "", invalid("%s:missing attend true ou false", c.Param)
	}
	return not + "EXISTS (SELECT 1 FROM " + table + " x WHERE x.rid = r.rid AND x.param = " + b.arg(c.Param) + ")", nil
}

// idClause: _id matches the logical id (search.html#id).
func (b *builder) idClause(c dsn.Clause) (string, error) {
	if c.Modifier != "" {
		return "", invalid("le modificateur :%s n'est pas pris en charge pour _id", c.Modifier)
	}
	ph := make([]string, len(c.Values))
	for i, v := range c.Values {
		id := v.Code
		if id == "" {
			id = v.Text
		}
		ph[i] = b.arg(id)
	}
	return "r.id IN (" + strings.Join(ph, ", ") + ")", nil
}

// lastUpdatedClause: _lastUpdated compares meta.lastUpdated, an instant.
func (b *builder) lastUpdatedClause(c dsn.Clause) (string, error) {
	if c.Modifier != "" {
		return "", invalid("le modificateur :%s n'est pas pris en charge pour _lastUpdated", c.Modifier)
	}
	return orEach(c.Values, func(v dsn.Value) (string, error) {
		return b.instant("r.last_updated", v.Prefix, v.Low, v.High)
	})
}

// String renders a plan for golden files.
func (p Plan) String() string {
	return fmt.Sprintf("-- page\n%s\n-- args %s\n\n-- count\n%s\n-- args %s\n",
		p.Page.SQL, fmtArgs(p.Page.Args), p.Count.SQL, fmtArgs(p.Count.Args))
}

func fmtArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = t.Format(time.RFC3339Nano)
		}
		parts[i] = fmt.Sprintf("%#v", a)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
