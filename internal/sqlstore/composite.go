package sqlstore

import (
	"strconv"

	"dsn"
)

// MaxCompositeParts is the number of components idx_composite has columns
// for (migration 0002): R4 composites have 2 or 3. A key with more parts is
// not stored (CompositeArgs returns nil).
const MaxCompositeParts = 3

// partColumns are the columns of one component N of idx_composite, in the
// order CompositeArgs fills them: sN cN uN are text, loN hiN numbers, dloN
// dhiN date bounds in Unix microseconds.
var partColumns = [...]string{"s", "c", "u", "lo", "hi", "dlo", "dhi"}

// CompositeColumns lists the columns CompositeArgs fills, after rid, type,
// param and patient_key.
func CompositeColumns() []string {
	var cols []string
	for n := 1; n <= MaxCompositeParts; n++ {
		for _, c := range partColumns {
			cols = append(cols, c+strconv.Itoa(n))
		}
	}
	return cols
}

// CompositeArgs lays out the parts of k in the columns of CompositeColumns
// (search.html#composite: each part keeps the reading of its own type):
//
//	token      s=system c=code
//	string     s=norm   c=exact
//	reference  s=type   c=id     u=url
//	quantity   s=system c=code   u=unit  lo hi
//	number                               lo hi (= the value)
//	uri                 c=uri
//	date                                        dlo dhi
//
// Unused text columns are "", unused numbers NULL.
func CompositeArgs(k dsn.CompositeKey) []any {
	if len(k.Parts) > MaxCompositeParts {
		return nil
	}
	return appendCompositeArgs(make([]any, 0, MaxCompositeParts*len(partColumns)), k)
}

// appendCompositeArgs is CompositeArgs appending to args (k has at most
// MaxCompositeParts parts).
func appendCompositeArgs(args []any, k dsn.CompositeKey) []any {
	b := boxer{v: args}
	compositeValues(&b, k)
	return b.v
}

// compositeValues gives r the values of k's CompositeColumns (k has at most
// MaxCompositeParts parts).
func compositeValues(r RowSink, k dsn.CompositeKey) {
	for n := range MaxCompositeParts {
		var s, c, u string
		var lo, hi float64
		var dlo, dhi int64
		nums, dates := false, false
		if n < len(k.Parts) {
			p := k.Parts[n]
			switch p.Type {
			case dsn.ParamToken:
				s, c = p.Token.System, p.Token.Code
			case dsn.ParamString:
				s, c = p.String.Norm, p.String.Exact
			case dsn.ParamReference:
				s, c, u = p.Ref.Type, p.Ref.ID, p.Ref.URL
			case dsn.ParamQuantity:
				s, c, u = p.Quantity.System, p.Quantity.Code, p.Quantity.Unit
				lo, hi = QuantitySpan(p.Quantity)
				nums = true
			case dsn.ParamNumber:
				lo, hi = p.Number.Value, p.Number.Value
				nums = true
			case dsn.ParamURI:
				c = p.URI.URI
			case dsn.ParamDate:
				dlo, dhi = RangeLow(p.Date.Low), RangeHigh(p.Date.High)
				dates = true
			}
		}
		r.Text(s)
		r.Text(c)
		r.Text(u)
		if nums {
			r.Float(lo)
			r.Float(hi)
		} else {
			r.Null()
			r.Null()
		}
		if dates {
			r.Int(dlo)
			r.Int(dhi)
		} else {
			r.Null()
			r.Null()
		}
	}
}

// QuantitySpan is the [low, high] a quantity row covers (idx_quantity's low
// and high): its Low and High, or the value itself for a key built without them.
func QuantitySpan(k dsn.QuantityKey) (lo, hi float64) {
	if k.Low == 0 && k.High == 0 {
		return k.Value, k.Value
	}
	return k.Low, k.High
}
