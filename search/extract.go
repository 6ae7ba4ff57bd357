package search

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"dsn"
	"dsn/fhir"
)

// Extract returns the search-index rows of obj, one per value of each of its
// type's search parameters (search.html#ptypes says how each FHIR type becomes
// a value), and its patient key: its own id for a Patient, otherwise the id of
// the first Patient it references through a Patient-compartment parameter
// (compartmentdefinition-patient.html), "" if none. _id and _lastUpdated are
// columns of the resource table and have no rows.
// Errors: KindInvalid if obj has no resourceType.
func Extract(obj fhir.Object) (dsn.Index, string, error) {
	return std.extract(obj)
}

func (r *registry) extract(obj map[string]any) (dsn.Index, string, error) {
	rt := fhir.ResourceType(obj)
	if rt == "" {
		return dsn.Index{}, "", dsn.Errorf("search.Extract", dsn.KindInvalid, "l'élément resourceType est absent")
	}
	p := r.plan(rt)
	ix := p.rows.index()
	ev := evaluators.Get().(*evaluator)
	buf := ev.out[:0]
	live := ev.live(p, obj)
	for i := range p.params {
		if p.rooted[i] && !live[i] {
			continue // none of the elements its paths start at (plan.byRoot)
		}
		c := &p.params[i]
		buf = buf[:0]
		switch {
		case c.parts != nil:
			ix.Composites = compositeRows(ix.Composites, c, obj, ev)
			continue
		case c.expr != nil:
			// An expression failing on this resource (a singleton rule the
			// data breaks) indexes nothing for that parameter rather than
			// refusing the resource; the official examples never fail.
			buf, _ = evalEngine(c.expr, obj, buf)
		default:
			for _, pa := range c.paths {
				buf = ev.eval(pa, obj, buf)
			}
		}
		if len(buf) > 0 {
			addRows(&ix, c.code, c.typ, buf)
		}
	}
	ev.out = buf
	ev.release()
	for _, sp := range specials[rt] {
		sp.rows(&ix, obj) // special parameters (near.go)
	}
	p.rows.remember(&ix)
	return ix, patientKey(rt, obj, p, &ix), nil
}

// rowHint is the number of rows of each kind the last extraction of a type
// gave: the next one starts with slices of that capacity instead of growing
// them from nothing (an Observation's rows grew through 1, 2, 4... in a
// third of its extraction's allocations). Resources of one type look alike
// in a workload; a larger one just grows its slices as before.
type rowHint struct {
	tokens, strings, dates, refs, quantities, composites atomic.Int32
}

// maxRowHint bounds the capacity a hint asks for, so that one very large
// resource (a ValueSet's codes) does not make every later one allocate as much.
const maxRowHint = 64

func (h *rowHint) index() dsn.Index {
	var ix dsn.Index
	if n := h.tokens.Load(); n > 0 {
		ix.Tokens = make([]dsn.TokenKey, 0, n)
	}
	if n := h.strings.Load(); n > 0 {
		ix.Strings = make([]dsn.StringKey, 0, n)
	}
	if n := h.dates.Load(); n > 0 {
		ix.Dates = make([]dsn.DateKey, 0, n)
	}
	if n := h.refs.Load(); n > 0 {
		ix.References = make([]dsn.RefKey, 0, n)
	}
	if n := h.quantities.Load(); n > 0 {
		ix.Quantities = make([]dsn.QuantityKey, 0, n)
	}
	if n := h.composites.Load(); n > 0 {
		ix.Composites = make([]dsn.CompositeKey, 0, n)
	}
	return ix
}

func (h *rowHint) remember(ix *dsn.Index) {
	store := func(a *atomic.Int32, n int) {
		if n = min(n, maxRowHint); int(a.Load()) != n {
			a.Store(int32(n))
		}
	}
	store(&h.tokens, len(ix.Tokens))
	store(&h.strings, len(ix.Strings))
	store(&h.dates, len(ix.Dates))
	store(&h.refs, len(ix.References))
	store(&h.quantities, len(ix.Quantities))
	store(&h.composites, len(ix.Composites))
}

func patientKey(rt string, obj map[string]any, p *plan, ix *dsn.Index) string {
	if rt == "Patient" {
		return fhir.ID(obj)
	}
	for _, code := range p.compartment {
		for _, ref := range ix.References {
			if ref.Param == code && ref.Type == "Patient" {
				return ref.ID
			}
		}
	}
	return ""
}

// addRows converts the values of one parameter into rows of its type,
// skipping duplicates of rows this parameter already produced.
func addRows(ix *dsn.Index, code string, typ dsn.ParamType, vals []node) {
	switch typ {
	case dsn.ParamToken:
		start := len(ix.Tokens)
		var seen map[dsn.TokenKey]bool
		if len(vals) > manyValues { // a ValueSet's thousands of codes: no quadratic de-duplication
			seen = make(map[dsn.TokenKey]bool, len(vals))
		}
		for _, n := range vals {
			ix.Tokens = tokenRows(ix.Tokens, start, code, n, seen)
			ix.IdentifierTypes = identifierTypeRows(ix.IdentifierTypes, code, n)
		}
	case dsn.ParamString:
		start := len(ix.Strings)
		for _, n := range vals {
			ix.Strings = stringRows(ix.Strings, start, code, n.v)
		}
	case dsn.ParamDate:
		for _, n := range vals {
			ix.Dates = dateRows(ix.Dates, code, n)
		}
	case dsn.ParamReference:
		start := len(ix.References)
		for _, n := range vals {
			if k, ok := refRow(code, n.v); ok && !hasRef(ix.References[start:], k) {
				ix.References = append(ix.References, k)
			}
			ix.RefIdentifiers = refIdentifierRow(ix.RefIdentifiers, code, n.v)
		}
	case dsn.ParamQuantity:
		for _, n := range vals {
			if k, ok := quantityRow(code, n); ok {
				ix.Quantities = append(ix.Quantities, k)
			}
		}
	case dsn.ParamNumber:
		for _, n := range vals {
			if f, ok := number(n.v); ok {
				ix.Numbers = append(ix.Numbers, dsn.NumberKey{Param: code, Value: f})
			}
		}
	case dsn.ParamURI:
		for _, n := range vals {
			if s, ok := n.v.(string); ok && s != "" {
				ix.URIs = append(ix.URIs, dsn.URIKey{Param: code, URI: s})
			}
		}
	}
}

// manyValues is the number of values of one parameter past which rows are
// de-duplicated through a map rather than by scanning.
const manyValues = 32

// contactSystems are the ContactPoint.system codes, which tell a ContactPoint
// from an Identifier when both carry system and value.
var contactSystems = map[string]bool{"phone": true, "fax": true, "email": true,
	"pager": true, "url": true, "sms": true, "other": true}

// tokenRows follows search.html#token: Coding and CodeableConcept give
// system|code (text from CodeableConcept.text or Coding.display, normalised
// like strings, for :text),
// Identifier gives system|value (text from Identifier.type.text), ContactPoint
// its value, code/string/uri the code, boolean "true" or "false".
func tokenRows(rows []dsn.TokenKey, start int, code string, n node, seen map[dsn.TokenKey]bool) []dsn.TokenKey {
	add := func(k dsn.TokenKey) {
		if k.Code == "" && k.Text == "" {
			return
		}
		k.Param = code
		k.Text = Normalize(k.Text) // :text is case- and accent-insensitive, like string search
		if seen != nil {
			if seen[k] {
				return
			}
			seen[k] = true
		} else if slices.Contains(rows[start:], k) {
			return
		}
		rows = append(rows, k)
	}
	switch v := n.v.(type) {
	case bool:
		add(dsn.TokenKey{Code: strconv.FormatBool(v)})
	case string:
		add(dsn.TokenKey{Code: v})
	case json.Number:
		add(dsn.TokenKey{Code: v.String()})
	case map[string]any:
		text := str(v, "text")
		switch {
		case v["coding"] != nil || n.typ == "CodeableConcept":
			codings, _ := v["coding"].([]any)
			for _, c := range codings {
				if cm, ok := c.(map[string]any); ok {
					t := text
					if t == "" {
						t = str(cm, "display")
					}
					add(dsn.TokenKey{System: str(cm, "system"), Code: str(cm, "code"), Text: t})
				}
			}
			if len(codings) == 0 {
				add(dsn.TokenKey{Text: text})
			}
		case v["code"] != nil:
			add(dsn.TokenKey{System: str(v, "system"), Code: str(v, "code"), Text: str(v, "display")})
		case v["value"] != nil:
			sys := str(v, "system")
			if n.typ == "ContactPoint" || contactSystems[sys] {
				add(dsn.TokenKey{Code: str(v, "value")})
				break
			}
			t, _ := v["type"].(map[string]any)
			add(dsn.TokenKey{System: sys, Code: str(v, "value"), Text: str(t, "text")})
		default:
			add(dsn.TokenKey{Text: text})
		}
	}
	return rows
}

// nameParts are the string components of HumanName and Address that the
// string parameters on them match (search.html#string).
var nameParts = [...]string{"text", "family", "given", "prefix", "suffix",
	"line", "city", "district", "state", "postalCode", "country"}

func stringRows(rows []dsn.StringKey, start int, code string, v any) []dsn.StringKey {
	switch v := v.(type) {
	case string:
		if v == "" {
			return rows
		}
		for _, r := range rows[start:] {
			if r.Exact == v {
				return rows
			}
		}
		return append(rows, dsn.StringKey{Param: code, Norm: Normalize(v), Exact: v})
	case []any:
		for _, item := range v {
			rows = stringRows(rows, start, code, item)
		}
	case map[string]any:
		for _, k := range nameParts {
			if part, ok := v[k]; ok {
				rows = stringRows(rows, start, code, part)
			}
		}
	}
	return rows
}

// dateRows indexes date, dateTime and instant by the range their precision
// covers, Period as [start, end) with open ends at DateMin/DateMax, and Timing
// by its events and bounds (search.html#date).
func dateRows(rows []dsn.DateKey, code string, n node) []dsn.DateKey {
	switch v := n.v.(type) {
	case string:
		if lo, hi, ok := DateRange(v); ok {
			rows = append(rows, dsn.DateKey{Param: code, Low: lo, High: hi})
		}
	case map[string]any:
		if v["start"] != nil || v["end"] != nil {
			lo, hi := DateMin, DateMax
			if l, _, ok := DateRange(str(v, "start")); ok {
				lo = l
			}
			if _, h, ok := DateRange(str(v, "end")); ok {
				hi = h
			}
			if hi.Before(lo) { // an invalid Period (per-1) stays findable over the span it names
				lo, hi = hi, lo
			}
			return append(rows, dsn.DateKey{Param: code, Low: lo, High: hi})
		}
		if events, ok := v["event"].([]any); ok {
			for _, e := range events {
				rows = dateRows(rows, code, node{v: e})
			}
		}
		if rep, ok := v["repeat"].(map[string]any); ok {
			if b, ok := rep["boundsPeriod"].(map[string]any); ok {
				rows = dateRows(rows, code, node{v: b})
			}
		}
	}
	return rows
}

// refRow indexes a Reference (references.html): "Type/id" as type and id, an
// absolute URL or urn as URL; contained ("#x") and identifier-only references
// are skipped. A canonical or uri reached by a reference parameter is a URL.
func refRow(code string, v any) (dsn.RefKey, bool) {
	var ref string
	switch v := v.(type) {
	case string:
		ref = v
	case map[string]any:
		ref = str(v, "reference")
	}
	if ref == "" || ref[0] == '#' {
		return dsn.RefKey{}, false
	}
	if strings.Contains(ref, ":") {
		return dsn.RefKey{Param: code, URL: ref}, true
	}
	typ, id, ok := splitRef(ref)
	if !ok || strings.Count(ref, "/") != 1 && !strings.Contains(ref, "/_history/") {
		return dsn.RefKey{}, false
	}
	return dsn.RefKey{Param: code, Type: typ, ID: id}, true
}

func hasRef(rows []dsn.RefKey, k dsn.RefKey) bool {
	for _, r := range rows {
		if r == k {
			return true
		}
	}
	return false
}

// quantityRow indexes Quantity, Age, Duration, Count, Distance and Money
// (currency as code, system urn:iso:std:iso:4217) with Low = High = Value,
// and Range as [low, high] (open ends at ±math.MaxFloat64, units from the
// end that has one). SampledData is not indexed: its data are not one value.
func quantityRow(code string, n node) (dsn.QuantityKey, bool) {
	v, ok := n.v.(map[string]any)
	if !ok {
		return dsn.QuantityKey{}, false
	}
	if n.typ == "Range" || v["low"] != nil || v["high"] != nil {
		return rangeRow(code, v)
	}
	f, ok := number(v["value"])
	if !ok {
		return dsn.QuantityKey{}, false
	}
	k := dsn.QuantityKey{Param: code, Value: f, Low: f, High: f, System: str(v, "system"), Code: str(v, "code"), Unit: str(v, "unit")}
	if cur := str(v, "currency"); cur != "" {
		k.System, k.Code = "urn:iso:std:iso:4217", cur
	}
	return k, true
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// rangeRow indexes a Range (datatypes.html#Range) as the span it covers.
func rangeRow(code string, v map[string]any) (dsn.QuantityKey, bool) {
	lo, _ := v["low"].(map[string]any)
	hi, _ := v["high"].(map[string]any)
	k := dsn.QuantityKey{Param: code, Low: -math.MaxFloat64, High: math.MaxFloat64}
	l, okL := number(lo["value"])
	h, okH := number(hi["value"])
	if !okL && !okH {
		return k, false
	}
	unit := hi
	if okH {
		k.High, k.Value = h, h
	}
	if okL {
		k.Low, k.Value, unit = l, l, lo
	}
	k.System, k.Code, k.Unit = str(unit, "system"), str(unit, "code"), str(unit, "unit")
	return k, true
}

// identifierTypeRows indexes an Identifier that has a type for :of-type
// (search.html#token): one row per coding of Identifier.type.
func identifierTypeRows(rows []dsn.IdentifierTypeKey, code string, n node) []dsn.IdentifierTypeKey {
	v, ok := n.v.(map[string]any)
	if !ok {
		return rows
	}
	t, _ := v["type"].(map[string]any)
	value := str(v, "value")
	if t == nil || value == "" || n.typ != "" && n.typ != "Identifier" {
		return rows
	}
	codings, _ := t["coding"].([]any)
	for _, c := range codings {
		cm, _ := c.(map[string]any)
		if tc := str(cm, "code"); tc != "" {
			rows = append(rows, dsn.IdentifierTypeKey{Param: code, TypeSystem: str(cm, "system"), TypeCode: tc, Value: value})
		}
	}
	return rows
}

// refIdentifierRow indexes Reference.identifier for the :identifier modifier
// (search.html#reference): its system and value (in Code).
func refIdentifierRow(rows []dsn.TokenKey, code string, v any) []dsn.TokenKey {
	m, _ := v.(map[string]any)
	id, _ := m["identifier"].(map[string]any)
	if value := str(id, "value"); value != "" {
		rows = append(rows, dsn.TokenKey{Param: code, System: str(id, "system"), Code: value})
	}
	return rows
}
