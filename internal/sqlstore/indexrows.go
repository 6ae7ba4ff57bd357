package sqlstore

import "dsn"

// IndexColumns are the columns of each index table that IndexRows fills, in
// order; every table also has rid, type and patient_key (DESIGN.md §3).
// Both adapters name their columns alike.
var IndexColumns = map[string][]string{
	"idx_token":     {"param", "system", "code", "text"},
	"idx_string":    {"param", "norm", "exact"},
	"idx_date":      {"param", "low", "high"},
	"idx_reference": {"param", "ref_type", "ref_id", "url"},
	"idx_quantity":  {"param", "value", "system", "code", "unit", "low", "high"},
	"idx_number":    {"param", "value"},
	"idx_uri":       {"param", "uri"},
	// migration 0002
	"idx_composite":       append([]string{"param"}, CompositeColumns()...),
	"idx_identifier_type": {"param", "type_system", "type_code", "value"},
	"idx_ref_identifier":  {"param", "system", "value"},
}

// IndexRows calls add once per index row of ix with its table and the values
// of the table's IndexColumns. It is the one place that says which row goes to
// which table for the row-by-row writers (SQLite's Put, both adapters'
// PutAll); PostgreSQL's dsn_put unpacks the same rows from JSON, and a test per
// adapter proves that Put and PutAll store identical rows in every idx_ table.
// Rows that several parameters share are given once, under their group's
// name (Share, shared.go). vals is valid during the call only: one slice
// carries every row's values (a slice per row was most of the allocations of
// a transaction Bundle's rows), so add copies what it keeps.
func IndexRows(ix *dsn.Index, add func(table string, vals ...any)) {
	b := boxer{add: add, v: make([]any, 0, maxRowValues)}
	IndexRowsTo(ix, &b)
}

// RowSink receives index rows value by value, unboxed (IndexRowsTo): Row
// starts a row of table, then one call per value of the table's
// IndexColumns in order, then End. Texts are string columns, Ints the
// date bounds in Unix microseconds, Floats the numbers, Null an absent
// number or date bound (idx_composite's unused parts).
type RowSink interface {
	Row(table string)
	Text(s string)
	Int(n int64)
	Float(f float64)
	Null()
	End()
}

// IndexRowsTo gives sink the rows IndexRows gives, the same values in the
// same order, without boxing each value in an interface: PostgreSQL's PutAll
// encodes them straight into its binary COPYs (boxing and the type switch
// per value were ~10 % of the server's CPU under transaction Bundles,
// docs/benchmarks.md session 10).
func IndexRowsTo(ix *dsn.Index, sink RowSink) {
	WithShared(ix, func(ix *dsn.Index) { indexRows(ix, sink) })
}

// maxRowValues is the most values a row has (idx_composite's).
const maxRowValues = 1 + MaxCompositeParts*len(partColumns)

func indexRows(ix *dsn.Index, r RowSink) {
	for _, k := range ix.Tokens {
		r.Row("idx_token")
		r.Text(k.Param)
		r.Text(k.System)
		r.Text(k.Code)
		r.Text(Normalize(k.Text))
		r.End()
	}
	for _, k := range ix.Strings {
		r.Row("idx_string")
		r.Text(k.Param)
		r.Text(k.Norm)
		r.Text(k.Exact)
		r.End()
	}
	for _, k := range ix.Dates {
		r.Row("idx_date")
		r.Text(k.Param)
		r.Int(RangeLow(k.Low))
		r.Int(RangeHigh(k.High))
		r.End()
	}
	for _, k := range ix.References {
		r.Row("idx_reference")
		r.Text(k.Param)
		r.Text(k.Type)
		r.Text(k.ID)
		r.Text(k.URL)
		r.End()
	}
	for _, k := range ix.Quantities {
		lo, hi := QuantitySpan(k)
		r.Row("idx_quantity")
		r.Text(k.Param)
		r.Float(k.Value)
		r.Text(k.System)
		r.Text(k.Code)
		r.Text(k.Unit)
		r.Float(lo)
		r.Float(hi)
		r.End()
	}
	for _, k := range ix.Numbers {
		r.Row("idx_number")
		r.Text(k.Param)
		r.Float(k.Value)
		r.End()
	}
	for _, k := range ix.URIs {
		r.Row("idx_uri")
		r.Text(k.Param)
		r.Text(k.URI)
		r.End()
	}
	for _, k := range ix.Composites {
		if len(k.Parts) <= MaxCompositeParts {
			r.Row("idx_composite")
			r.Text(k.Param)
			compositeValues(r, k)
			r.End()
		}
	}
	for _, k := range ix.IdentifierTypes {
		r.Row("idx_identifier_type")
		r.Text(k.Param)
		r.Text(k.TypeSystem)
		r.Text(k.TypeCode)
		r.Text(k.Value)
		r.End()
	}
	for _, k := range ix.RefIdentifiers {
		r.Row("idx_ref_identifier")
		r.Text(k.Param)
		r.Text(k.System)
		r.Text(k.Code)
		r.End()
	}
}

// boxer is the RowSink of IndexRows: each row's values boxed in one reused
// slice.
type boxer struct {
	add   func(table string, vals ...any)
	table string
	v     []any
}

func (b *boxer) Row(table string) { b.table, b.v = table, b.v[:0] }
func (b *boxer) Text(s string)    { b.v = append(b.v, s) }
func (b *boxer) Int(n int64)      { b.v = append(b.v, n) }
func (b *boxer) Float(f float64)  { b.v = append(b.v, f) }
func (b *boxer) Null()            { b.v = append(b.v, nil) }
func (b *boxer) End()             { b.add(b.table, b.v...) }

// Distinct refuses a dsn.BulkTx.PutAll naming the same resource twice:
// versions of one id must follow each other, which one multi-row statement
// or COPY cannot check.
func Distinct(op string, ws []dsn.Write) error {
	seen := make(map[[2]string]bool, len(ws))
	for _, w := range ws {
		k := [2]string{w.Type, w.ID}
		if seen[k] {
			return Fail(op, dsn.KindConflict, "batch.twice", w.Type, w.ID)
		}
		seen[k] = true
	}
	return nil
}
