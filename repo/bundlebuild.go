package repo

import (
	"encoding/json"
	"net/url"

	"dsn/fhir"
)

// rawJSON embeds stored JSON as-is in a Bundle being built.
func rawJSON(b []byte) json.RawMessage { return json.RawMessage(b) }

// newBundle starts a Bundle of the given type; total < 0 leaves it out.
func newBundle(typ string, total int) fhir.Object {
	b := fhir.Object{"resourceType": "Bundle", "type": typ}
	if total >= 0 {
		b["total"] = total
	}
	return b
}

// links sets the self and next links (bundle.html#paging): next repeats the
// query with the store's opaque cursor.
func links(b fhir.Object, path string, params url.Values, next string) {
	q := url.Values{}
	for k, v := range params {
		if k != "_cursor" && k != "_format" && k != "_pretty" {
			q[k] = v
		}
	}
	self := path
	if enc := q.Encode(); enc != "" {
		self += "?" + enc
	}
	if c := params.Get("_cursor"); c != "" {
		self = withParam(self, "_cursor", c)
	}
	ls := []any{map[string]any{"relation": "self", "url": self}}
	if next != "" {
		nq := path
		if enc := q.Encode(); enc != "" {
			nq += "?" + enc
		}
		ls = append(ls, map[string]any{"relation": "next", "url": withParam(nq, "_cursor", next)})
	}
	b["link"] = ls
}

func withParam(u, k, v string) string {
	sep := "?"
	for i := 0; i < len(u); i++ {
		if u[i] == '?' {
			sep = "&"
			break
		}
	}
	return u + sep + url.QueryEscape(k) + "=" + url.QueryEscape(v)
}
