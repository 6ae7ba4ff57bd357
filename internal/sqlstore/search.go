package sqlstore

// This file is the search translator: the only code of the store adapters that
// builds SQL at run time (DESIGN.md §5.6). Every value goes in as a parameter;
// table and column names come from the fixed maps below. Both adapters use it,
// each with its Dialect. FHIR R4 search.html is the reference for each rule.

import (
	"fmt"
	"strings"
	"time"

	"dsn"
	"dsn/search"
)

const searchOp = "search"

// indexTable maps a parameter type to the table holding its rows.
var indexTable = map[dsn.ParamType]string{
	dsn.ParamToken: "idx_token", dsn.ParamString: "idx_string", dsn.ParamDate: "idx_date",
	dsn.ParamReference: "idx_reference", dsn.ParamQuantity: "idx_quantity",
	dsn.ParamNumber: "idx_number", dsn.ParamURI: "idx_uri", dsn.ParamComposite: "idx_composite",
}

// Statement is one generated query and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Plan is the translation of a dsn.SearchQuery: the page query (keyset: rows
// after the cursor, one more than the page size to detect a next page), the
// count query for Total, and the sort keys the page rows carry after rid.
type Plan struct {
	Page, Count Statement
	Size        int
	Sort        []dsn.SortKey
}

type builder struct {
	d    Dialect
	args []any
	sets map[string]search.Expansion // :in and :not-in, by ValueSet URL
}

// arg adds a parameter and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

// param is the condition that row alias x belongs to search parameter p:
// its own rows and those it shares with other parameters (shared.go).
func (b *builder) param(x, p string) string {
	names := ParamNames(p)
	if len(names) == 1 {
		return x + ".param = " + b.arg(p)
	}
	in := make([]string, len(names))
	for i, n := range names {
		in[i] = b.arg(n)
	}
	return x + ".param IN (" + strings.Join(in, ", ") + ")"
}

// probe is the sub-query head + (the condition that row alias x belongs to
// parameter p) + tail, where the index rows lead: the rows are found by the
// (type, param, …) index, not by rid. On PostgreSQL a parameter whose rows
// may be stored under several names (shared.go) gets one arm per name joined
// by sep (" UNION ALL ", or " UNION " where the rids must be distinct), each
// with an equality on param: with "param IN ($a, $b)" the planner, on tables
// never analysed (a fresh install, every benchmark), probes the index on
// (type, ref_id) alone and filters param, which reads every row of the type
// per candidate (Observation?patient&code 2 → 55 ms at 340 Observations,
// docs/benchmarks.md session 7). The arms reuse the numbered placeholders
// of head and tail. SQLite's planner probes the index once per value of an
// IN list, and its "?" placeholders cannot be reused: it keeps one IN.
// tail is called once, after the name placeholders are made (SQLite binds
// "?" in order). split false keeps the IN (the caller says why).
func (b *builder) probe(x, p, head, sep string, split bool, tail func() (string, error)) (string, error) {
	names := ParamNames(p)
	if len(names) == 1 || !split || !b.d.armPerName {
		cond := b.param(x, p)
		t, err := tail()
		return head + cond + t, err
	}
	conds := make([]string, len(names))
	for i, n := range names {
		conds[i] = x + ".param = " + b.arg(n)
	}
	t, err := tail()
	arms := make([]string, len(names))
	for i, c := range conds {
		arms[i] = head + c + t
	}
	return strings.Join(arms, sep), err
}

// invalid is a search the store cannot run: the sentence id (messages.go).
func invalid(id string, args ...any) error {
	return Fail(searchOp, dsn.KindInvalid, id, args...)
}

// Translate turns q into SQL for dialect d: clauses ANDed, values of a clause ORed
// (search.html#combining), current non-deleted resources only. A query with
// :in or :not-in needs TranslateWith and the expanded ValueSets.
func Translate(d Dialect, q dsn.SearchQuery) (Plan, error) { return TranslateWith(d, q, nil) }

// TranslateWith is Translate with the expansions of the ValueSets that the
// :in and :not-in clauses of q name (ValueSets resolves them).
func TranslateWith(d Dialect, q dsn.SearchQuery, sets map[string]search.Expansion) (Plan, error) {
	size := PageSize(q.Count)
	plan := Plan{Size: size, Sort: q.Sort}
	cb := &builder{d: d, sets: sets}
	count, err := cb.count(q)
	if err != nil {
		return Plan{}, err
	}
	plan.Count = Statement{SQL: count, Args: cb.args}
	b := &builder{d: d, sets: sets}
	var where string
	if len(q.Sort) > 0 {
		plan.Page, err = b.sortedPage(q, size)
		return plan, err
	}
	if where, err = b.where(q); err != nil {
		return Plan{}, err
	}
	var after int64
	if q.Cursor != "" {
		if after, err = DecodeCursor(searchOp, 's', q.Cursor); err != nil {
			return Plan{}, err
		}
	}
	hint := ""
	if q.PatientKey == "" && driverClause(q.Clauses) >= 0 {
		hint = d.noIndex
	}
	sql := "SELECT r.rid, " + VersionCols + "\nFROM resource r JOIN resource_version v ON v.seq = r.seq\n" +
		where + "\n  AND " + hint + "r.rid > " + b.arg(after) + "\nORDER BY r.rid\nLIMIT " + b.arg(size+1)
	plan.Page = Statement{SQL: sql, Args: b.args}
	return plan, nil
}

// count is the count query of q. When a plain index clause leads and no
// other condition reads a column of resource, the candidates come from the
// index rows alone: index rows exist only for the current, non-deleted
// version of a resource of their type, so resource need not be read
// (population counts: Observation?code=…&value-quantity=gt…&_summary=count).
func (b *builder) count(q dsn.SearchQuery) (string, error) {
	driver := -1
	if q.PatientKey == "" && len(q.Types) == 0 && q.Type != "" {
		driver = driverClause(q.Clauses)
	}
	if driver < 0 || !indexOnly(q.Clauses, driver) {
		where, err := b.where(q)
		return "SELECT count(*) FROM resource r\n" + where, err
	}
	c := q.Clauses[driver]
	table, _ := tableOf(c)
	head := "SELECT DISTINCT x.rid FROM " + table + " x WHERE x.type = " + b.arg(q.Type) + " AND "
	rids, err := b.probe("x", c.Param, head, " UNION ", true, func() (string, error) {
		ors, err := b.values(c)
		return " AND " + ors, err
	})
	if err != nil {
		return "", err
	}
	rest := append(append([]dsn.Clause{}, q.Clauses[:driver]...), q.Clauses[driver+1:]...)
	conds, err := b.clauses(rest, scope{r: "r", typ: q.Type}, -1)
	if err != nil {
		return "", err
	}
	sql := "SELECT count(*) FROM (" + rids + ") r"
	if len(conds) > 0 {
		sql += "\nWHERE " + strings.Join(conds, "\n  AND ")
	}
	return sql, nil
}

// indexOnly tells whether the clauses other than the driver read only r.rid
// (no _id, _lastUpdated or _has, which read other columns of resource), and
// the driver is a plain index clause.
func indexOnly(cs []dsn.Clause, driver int) bool {
	for i, c := range cs {
		switch {
		case c.Param == "_id" || c.Param == "_lastUpdated" || c.Has != nil:
			return false
		case i == driver && c.Chain != nil:
			return false
		}
	}
	return true
}

// where is the WHERE clause of the searched resources (alias r).
func (b *builder) where(q dsn.SearchQuery) (string, error) {
	driver, typeHint := -1, ""
	if q.PatientKey == "" {
		driver = driverClause(q.Clauses)
	}
	if driver >= 0 {
		typeHint = b.d.noIndex
	}
	conds := []string{b.d.notDeletedOn("r")}
	if q.PatientKey != "" {
		// A compartment is small: the (patient_key, rid) index leads and every
		// other condition is checked per candidate (compartmentdefinition-patient.html).
		typeHint = b.d.noIndex
		conds = append(conds, "r.patient_key = "+b.arg(q.PatientKey))
	}
	if q.Type != "" {
		conds = append(conds, typeHint+"r.type = "+b.arg(q.Type))
	} else if len(q.Types) > 0 {
		conds = append(conds, b.typeList(typeHint, q.Types))
	}
	cs, err := b.clauses(q.Clauses, scope{r: "r", typ: q.Type}, driver)
	if err != nil {
		return "", err
	}
	return "WHERE " + strings.Join(append(conds, cs...), "\n  AND "), nil
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
// matches: references and identifiers first, numbers last; a date of a day
// or less (birthdate=1950-02-03) sits between tokens and strings; a chain or
// a _has leads only when no plain clause can.
var driveRank = map[dsn.ParamType]int{dsn.ParamReference: 10, dsn.ParamURI: 20, dsn.ParamToken: 30,
	dsn.ParamComposite: 30, dsn.ParamString: 40, dsn.ParamDate: 50, dsn.ParamQuantity: 60, dsn.ParamNumber: 70}

const narrowDateRank, chainRank, hasRank = 35, 80, 90

// driverClause picks the clause whose rows lead the query ("r.rid IN"): the
// positive clause of the best rank; the others are checked per candidate with
// EXISTS on the rid index. -1 if there is none.
func driverClause(cs []dsn.Clause) int {
	best, bestRank := -1, 0
	for i, c := range cs {
		rank, ok := driveRank[c.Type]
		switch {
		case c.Has != nil:
			rank, ok = hasRank, true
		case c.Chain != nil:
			rank, ok = chainRank, true
		case c.Param == "_id" || c.Param == "_lastUpdated" || negated(c.Modifier) || c.Modifier == "missing":
			ok = false
		case c.Type == dsn.ParamDate && narrowDates(c.Values):
			rank = narrowDateRank
		}
		if ok && (best < 0 || rank < bestRank) {
			best, bestRank = i, rank
		}
	}
	return best
}

// narrowDates: every value is an equality on a day or less.
func narrowDates(vs []dsn.Value) bool {
	for _, v := range vs {
		if v.Prefix != "" && v.Prefix != "eq" || v.High.Sub(v.Low) > 24*time.Hour || v.Low.IsZero() {
			return false
		}
	}
	return true
}

// negated modifiers match resources WITHOUT a matching row (search.html#token).
func negated(m string) bool { return m == "not" || m == "not-in" }

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
