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
	WithShared(ix, func(ix *dsn.Index) { indexRows(ix, add) })
}

// maxRowValues is the most values a row has (idx_composite's).
const maxRowValues = 1 + MaxCompositeParts*len(partColumns)

func indexRows(ix *dsn.Index, add func(table string, vals ...any)) {
	v := make([]any, 0, maxRowValues)
	for _, k := range ix.Tokens {
		add("idx_token", append(v[:0], k.Param, k.System, k.Code, Normalize(k.Text))...)
	}
	for _, k := range ix.Strings {
		add("idx_string", append(v[:0], k.Param, k.Norm, k.Exact)...)
	}
	for _, k := range ix.Dates {
		add("idx_date", append(v[:0], k.Param, RangeLow(k.Low), RangeHigh(k.High))...)
	}
	for _, k := range ix.References {
		add("idx_reference", append(v[:0], k.Param, k.Type, k.ID, k.URL)...)
	}
	for _, k := range ix.Quantities {
		lo, hi := QuantitySpan(k)
		add("idx_quantity", append(v[:0], k.Param, k.Value, k.System, k.Code, k.Unit, lo, hi)...)
	}
	for _, k := range ix.Numbers {
		add("idx_number", append(v[:0], k.Param, k.Value)...)
	}
	for _, k := range ix.URIs {
		add("idx_uri", append(v[:0], k.Param, k.URI)...)
	}
	for _, k := range ix.Composites {
		if len(k.Parts) <= MaxCompositeParts {
			add("idx_composite", appendCompositeArgs(append(v[:0], k.Param), k)...)
		}
	}
	for _, k := range ix.IdentifierTypes {
		add("idx_identifier_type", append(v[:0], k.Param, k.TypeSystem, k.TypeCode, k.Value)...)
	}
	for _, k := range ix.RefIdentifiers {
		add("idx_ref_identifier", append(v[:0], k.Param, k.System, k.Code)...)
	}
}

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
