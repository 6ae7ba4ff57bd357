package fhirpath

import (
	"encoding/json"
	"strconv"
)

// Item is one result written as the official test suite writes outputs:
// {"type":"date","value":"@1974-12-25"}, {"type":"Quantity","value":"1 '1'"};
// complex FHIR values keep their JSON.
type Item struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Items converts a result collection for display (dsn fhirpath, tests).
func Items(coll Collection) []Item {
	out := make([]Item, 0, len(coll))
	for _, v := range coll {
		out = append(out, ItemOf(v))
	}
	return out
}

// ItemOf describes one result item.
func ItemOf(v any) Item {
	if n, ok := v.(*Node); ok {
		t := nodeType(n)
		if s := n.system(); s != nil {
			it := ItemOf(s)
			it.Type = t
			return it
		}
		if n.Value == nil {
			return Item{Type: t, Value: n.Ext}
		}
		return Item{Type: t, Value: n.Value}
	}
	switch x := v.(type) {
	case bool:
		return Item{"boolean", x}
	case string:
		return Item{"string", x}
	case int64:
		return Item{"integer", x}
	case Decimal:
		return Item{"decimal", json.Number(x.String())}
	case DateTime:
		t := map[TemporalKind]string{KindDate: "date", KindDateTime: "dateTime", KindTime: "time"}[x.Kind]
		if x.Kind == KindTime {
			return Item{t, "@T" + x.String()}
		}
		return Item{t, "@" + x.String()}
	case Quantity:
		return Item{"Quantity", x.String()}
	}
	return Item{"unknown", strconv.Quote(sysTypeName(v))}
}

// Text writes an item's value as the suite's XML outputs hold it.
func (it Item) Text() string {
	switch x := it.Value.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case json.Number:
		return string(x)
	}
	b, _ := json.Marshal(it.Value)
	return string(b)
}
