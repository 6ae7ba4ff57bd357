package fhirpath

import (
	"strings"
)

// Quantity is a System.Quantity: a decimal value and a unit, either a UCUM code
// or a calendar duration keyword ("year", "days"; N1 §Quantity).
type Quantity struct {
	Value Decimal
	Unit  string
}

// String writes the quantity as the test suite does: 1 'mg', 1 week.
func (q Quantity) String() string {
	if isCalendarUnit(q.Unit) {
		return q.Value.String() + " " + q.Unit
	}
	return q.Value.String() + " '" + q.Unit + "'"
}

var calendarUnits = map[string]string{
	"year": "a", "years": "a", "month": "mo", "months": "mo", "week": "wk", "weeks": "wk",
	"day": "d", "days": "d", "hour": "h", "hours": "h", "minute": "min", "minutes": "min",
	"second": "s", "seconds": "s", "millisecond": "ms", "milliseconds": "ms",
}

func isCalendarUnit(u string) bool { _, ok := calendarUnits[u]; return ok }

// normUnit maps calendar keywords to UCUM; ok=false for year and month, whose
// calendar and UCUM meanings differ (N1 §Time-valued quantities).
func calendarToUCUM(u string) (string, bool) {
	if c, ok := calendarUnits[u]; ok {
		return c, c != "a" && c != "mo"
	}
	return u, true
}

// quantityOf reads a FHIR Quantity (or Age, Duration...) node as a System
// Quantity: the UCUM code when the system is UCUM, else the unit text.
func quantityOf(n *Node) (Quantity, bool) {
	obj := n.object()
	if obj == nil {
		return Quantity{}, false
	}
	if n.Type != "" && !quantityTypes[n.Type] {
		return Quantity{}, false
	}
	v, ok := obj["value"]
	if !ok {
		return Quantity{}, false
	}
	d, ok := toDecimal(numberValue("decimal", numString(v)))
	if !ok {
		return Quantity{}, false
	}
	unit, _ := obj["code"].(string)
	if sys, _ := obj["system"].(string); unit == "" || sys != "http://unitsofmeasure.org" {
		if u, ok := obj["unit"].(string); ok {
			unit = u
		}
	}
	if unit == "" {
		unit = "1"
	}
	return Quantity{Value: d, Unit: unit}, true
}

var quantityTypes = map[string]bool{"Quantity": true, "Age": true, "Duration": true,
	"Distance": true, "Count": true, "SimpleQuantity": true, "MoneyQuantity": true}

func numString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case interface{ String() string }:
		return x.String()
	}
	return ""
}

func toDecimal(v any) (Decimal, bool) {
	switch x := v.(type) {
	case Decimal:
		return x, true
	case int64:
		return DecimalFromInt(x), true
	}
	return Decimal{}, false
}

// parseQuantity reads the string form of toQuantity(): "1.5 'mg'", "2 days", "3".
func parseQuantity(s string) (Quantity, bool) {
	s = strings.TrimSpace(s)
	num, unit, _ := strings.Cut(s, " ")
	d, ok := ParseDecimal(num)
	if !ok {
		return Quantity{}, false
	}
	unit = strings.TrimSpace(unit)
	switch {
	case unit == "":
		unit = "1"
	case len(unit) >= 2 && unit[0] == '\'' && unit[len(unit)-1] == '\'':
		unit = unit[1 : len(unit)-1]
	case isCalendarUnit(unit):
	default:
		return Quantity{}, false
	}
	return Quantity{Value: d, Unit: unit}, true
}

// canonical expresses q in UCUM base units when the unit is known; ok=false
// for units outside the table in ucum.go.
func (q Quantity) canonical() (Decimal, dims, bool) {
	if k, ok := toKelvin(q); ok {
		return k, dims{0, 0, 0, 0, 1}, true
	}
	u, _ := calendarToUCUM(q.Unit)
	f, d, ok := ucumParse(u)
	if !ok {
		return Decimal{}, dims{}, false
	}
	return q.Value.Mul(f), d, true
}

// compareQuantity compares two quantities: same unit directly, otherwise
// through UCUM conversion; ok=false when they are not comparable. Calendar
// year/month only compare with the same keyword family (N1 §Quantity equality).
func compareQuantity(a, b Quantity) (int, bool) {
	ua, ca := calendarToUCUM(a.Unit)
	ub, cb := calendarToUCUM(b.Unit)
	if ua == ub && (ca == cb || isCalendarUnit(a.Unit) == isCalendarUnit(b.Unit)) {
		return a.Value.Cmp(b.Value), true
	}
	if !ca || !cb {
		return 0, false
	}
	va, da, ok1 := a.canonical()
	vb, db, ok2 := b.canonical()
	if !ok1 || !ok2 || da != db {
		return 0, false
	}
	return va.Cmp(vb), true
}
