package postgres

import (
	"encoding/json"

	"dsn"
	"dsn/internal/sqlstore"
)

// indexDocReflect is indexDoc as it was written with encoding/json: the
// reference the hand-written encoder must agree with.
func indexDocReflect(ix *dsn.Index) (string, string, error) {
	ix = sqlstore.Share(ix)
	type tok struct {
		P string `json:"p"`
		S string `json:"s"`
		C string `json:"c"`
		X string `json:"x"`
	}
	type str struct {
		P string `json:"p"`
		N string `json:"n"`
		E string `json:"e"`
	}
	type date struct {
		P string `json:"p"`
		L int64  `json:"l"`
		H int64  `json:"h"`
	}
	type ref struct {
		P string `json:"p"`
		T string `json:"t"`
		I string `json:"i"`
		U string `json:"u"`
	}
	type qty struct {
		P  string  `json:"p"`
		V  float64 `json:"v"`
		S  string  `json:"s"`
		C  string  `json:"c"`
		U  string  `json:"u"`
		Lo float64 `json:"lo"`
		Hi float64 `json:"hi"`
	}
	type num struct {
		P string  `json:"p"`
		V float64 `json:"v"`
	}
	type uri struct {
		P string `json:"p"`
		U string `json:"u"`
	}
	type comp struct { // migration 0002
		P string `json:"p"`
		A []any  `json:"a"` // sqlstore.CompositeArgs
	}
	type idType struct {
		P string `json:"p"`
		S string `json:"s"`
		C string `json:"c"`
		V string `json:"v"`
	}
	type refID struct {
		P string `json:"p"`
		S string `json:"s"`
		V string `json:"v"`
	}
	var doc struct {
		T []tok    `json:"t,omitempty"`
		S []str    `json:"s,omitempty"`
		D []date   `json:"d,omitempty"`
		R []ref    `json:"r,omitempty"`
		Q []qty    `json:"q,omitempty"`
		N []num    `json:"n,omitempty"`
		U []uri    `json:"u,omitempty"`
		C []comp   `json:"c,omitempty"`
		I []idType `json:"i,omitempty"`
		X []refID  `json:"x,omitempty"`
	}
	for _, k := range ix.Tokens {
		doc.T = append(doc.T, tok{k.Param, k.System, k.Code, sqlstore.Normalize(k.Text)})
	}
	for _, k := range ix.Strings {
		doc.S = append(doc.S, str{k.Param, k.Norm, k.Exact})
	}
	for _, k := range ix.Dates {
		doc.D = append(doc.D, date{k.Param, sqlstore.RangeLow(k.Low), sqlstore.RangeHigh(k.High)})
	}
	for _, k := range ix.References {
		doc.R = append(doc.R, ref{k.Param, k.Type, k.ID, k.URL})
	}
	for _, k := range ix.Quantities {
		lo, hi := sqlstore.QuantitySpan(k)
		doc.Q = append(doc.Q, qty{k.Param, k.Value, k.System, k.Code, k.Unit, lo, hi})
	}
	for _, k := range ix.Numbers {
		doc.N = append(doc.N, num{k.Param, k.Value})
	}
	for _, k := range ix.URIs {
		doc.U = append(doc.U, uri{k.Param, k.URI})
	}
	for _, k := range ix.Composites {
		if a := sqlstore.CompositeArgs(k); a != nil {
			doc.C = append(doc.C, comp{k.Param, a})
		}
	}
	for _, k := range ix.IdentifierTypes {
		doc.I = append(doc.I, idType{k.Param, k.TypeSystem, k.TypeCode, k.Value})
	}
	for _, k := range ix.RefIdentifiers {
		doc.X = append(doc.X, refID{k.Param, k.System, k.Code})
	}
	b, err := json.Marshal(doc)
	kinds := ""
	for _, k := range [...]struct {
		letter string
		n      int
	}{{"t", len(doc.T)}, {"s", len(doc.S)}, {"d", len(doc.D)}, {"r", len(doc.R)}, {"q", len(doc.Q)},
		{"n", len(doc.N)}, {"u", len(doc.U)}, {"c", len(doc.C)}, {"i", len(doc.I)}, {"x", len(doc.X)}} {
		if k.n > 0 {
			kinds += k.letter
		}
	}
	return string(b), kinds, err
}
