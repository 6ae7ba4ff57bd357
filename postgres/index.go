package postgres

import (
	"fmt"
	"math"
	"strconv"

	"dsn"
	"dsn/internal/jsonstr"
	"dsn/internal/sqlstore"
)

// The index rows of a version travel as one JSONB document to dsn_put (and
// dsn_reindex), whose dsn_index (migration 0002) unpacks them: the only place
// this adapter writes index rows.

// indexJSON encodes the index rows in the shape dsn_put unpacks with
// json_to_recordset; empty kinds are omitted (NULL: no rows). Rows that
// several parameters share go once, under their group's name (sqlstore.Share).
func indexJSON(ix *dsn.Index) (string, error) {
	doc, _, err := indexDoc(ix)
	return doc, err
}

// indexDoc is indexJSON and the letters of the kinds the document holds
// (dsn_create skips the tables no create of its batch has rows for). It is
// written by hand, without reflection: encoding/json.Marshal was ~5 % of the
// server process's CPU per HTTP create (docs/benchmarks.md, session 8);
// TestIndexDocMatchesEncodingJSON holds it to what encoding/json wrote.
// NaN and infinite numbers have no JSON form: an error, as from encoding/json.
func indexDoc(ix *dsn.Index) (doc, kinds string, err error) {
	sqlstore.WithShared(ix, func(ix *dsn.Index) { doc, kinds, err = sharedIndexDoc(ix) })
	return doc, kinds, err
}

// sharedIndexDoc is indexDoc of an index already shared (sqlstore.WithShared).
func sharedIndexDoc(ix *dsn.Index) (string, string, error) {
	e := docEncoder{b: make([]byte, 0, 1024)}
	e.b = append(e.b, '{')
	for i, k := range ix.Tokens {
		e.row('t', i, len(ix.Tokens))
		e.str("p", k.Param).str("s", k.System).str("c", k.Code).str("x", sqlstore.Normalize(k.Text)).end()
	}
	for i, k := range ix.Strings {
		e.row('s', i, len(ix.Strings))
		e.str("p", k.Param).str("n", k.Norm).str("e", k.Exact).end()
	}
	for i, k := range ix.Dates {
		e.row('d', i, len(ix.Dates))
		e.str("p", k.Param).int("l", sqlstore.RangeLow(k.Low)).int("h", sqlstore.RangeHigh(k.High)).end()
	}
	for i, k := range ix.References {
		e.row('r', i, len(ix.References))
		e.str("p", k.Param).str("t", k.Type).str("i", k.ID).str("u", k.URL).end()
	}
	for i, k := range ix.Quantities {
		lo, hi := sqlstore.QuantitySpan(k)
		e.row('q', i, len(ix.Quantities))
		e.str("p", k.Param).num("v", k.Value).str("s", k.System).str("c", k.Code).str("u", k.Unit).
			num("lo", lo).num("hi", hi).end()
	}
	for i, k := range ix.Numbers {
		e.row('n', i, len(ix.Numbers))
		e.str("p", k.Param).num("v", k.Value).end()
	}
	for i, k := range ix.URIs {
		e.row('u', i, len(ix.URIs))
		e.str("p", k.Param).str("u", k.URI).end()
	}
	n := 0 // composites with a row (CompositeArgs: nil for too many parts)
	for _, k := range ix.Composites {
		if a := sqlstore.CompositeArgs(k); a != nil {
			e.row('c', n, -1)
			e.str("p", k.Param).values("a", a).end()
			n++
		}
	}
	if n > 0 {
		e.b = append(e.b, ']')
	}
	for i, k := range ix.IdentifierTypes {
		e.row('i', i, len(ix.IdentifierTypes))
		e.str("p", k.Param).str("s", k.TypeSystem).str("c", k.TypeCode).str("v", k.Value).end()
	}
	for i, k := range ix.RefIdentifiers {
		e.row('x', i, len(ix.RefIdentifiers))
		e.str("p", k.Param).str("s", k.System).str("v", k.Code).end()
	}
	e.b = append(e.b, '}')
	if e.err != nil {
		return "", "", e.err
	}
	return string(e.b), string(e.kinds), nil
}

// docEncoder appends the rows of indexDoc's document: {"t":[{…},…],"s":[…]…}.
type docEncoder struct {
	b     []byte
	kinds []byte // the letters of the kinds written
	first bool   // the next field is the row's first
	last  bool   // the current row is its kind's last: end closes the array
	err   error
}

// row opens row i of kind (of n rows; n < 0: unknown, the caller closes the
// array), and the kind's array at its first row.
func (e *docEncoder) row(kind byte, i, n int) {
	if i == 0 {
		if len(e.kinds) > 0 {
			e.b = append(e.b, ',')
		}
		e.kinds = append(e.kinds, kind)
		e.b = append(e.b, '"', kind, '"', ':', '[', '{')
	} else {
		e.b = append(e.b, ',', '{')
	}
	e.first, e.last = true, i == n-1
}

// end closes the row, and the kind's array after its last row.
func (e *docEncoder) end() {
	e.b = append(e.b, '}')
	if e.last {
		e.b = append(e.b, ']')
	}
}

func (e *docEncoder) key(k string) {
	if !e.first {
		e.b = append(e.b, ',')
	}
	e.first = false
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *docEncoder) str(k, v string) *docEncoder {
	e.key(k)
	e.b = jsonstr.Append(e.b, v)
	return e
}

func (e *docEncoder) int(k string, v int64) *docEncoder {
	e.key(k)
	e.b = strconv.AppendInt(e.b, v, 10)
	return e
}

func (e *docEncoder) num(k string, v float64) *docEncoder {
	e.key(k)
	e.float(v)
	return e
}

// float writes v in the shortest form that reads back as v (PostgreSQL
// reads it as numeric, then double precision).
func (e *docEncoder) float(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if e.err == nil {
			e.err = fmt.Errorf("index: unsupported number %v", v)
		}
		e.b = append(e.b, '0')
		return
	}
	e.b = strconv.AppendFloat(e.b, v, 'g', -1, 64)
}

// values writes sqlstore.CompositeArgs: strings, float64s, int64s and nils.
func (e *docEncoder) values(k string, a []any) *docEncoder {
	e.key(k)
	e.b = append(e.b, '[')
	for i, v := range a {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		switch v := v.(type) {
		case nil:
			e.b = append(e.b, "null"...)
		case string:
			e.b = jsonstr.Append(e.b, v)
		case float64:
			e.float(v)
		case int64:
			e.b = strconv.AppendInt(e.b, v, 10)
		default:
			if e.err == nil {
				e.err = fmt.Errorf("index: composite value of type %T", v)
			}
			e.b = append(e.b, "null"...)
		}
	}
	e.b = append(e.b, ']')
	return e
}
