package search

import (
	"math"
	"strconv"
	"strings"

	"dsn"
)

// Location near (location.html#search: special parameter,
// "[latitude]|[longitude]|[distance]|[units]", WGS84, kilometres when the
// units are omitted; "servers may search using various techniques that might
// have differing accuracies"). DSN indexes Location.position as two quantity
// rows of "near" (codes lat and long in nearSystem) and answers a near search
// with the bounding box of the distance: latitude ± d / 111.2 km, longitude
// ± d / (111.2 km × cos latitude). A point in a corner of the box can be up
// to √2 × d away; for finding the installations around a patient's address
// that is the accuracy the spec allows, and it stays an index range scan.

const (
	nearSystem    = "urn:dsn:geo"
	kmPerDegree   = 111.2 // one degree of latitude (mean Earth radius 6,371 km)
	nearDefaultKm = 10.0  // distance when none is given ("the server's discretion")
	nearParam     = "near"
	nearLocation  = "Location"
)

// special is a special parameter (search.html#special) DSN answers: the rows
// it indexes and how it parses a search value. The generic plan skips it.
type special struct {
	rows  func(ix *dsn.Index, obj map[string]any)
	parse func(p *parser, key, mod, value string)
}

// specials lists them by resource type and code.
var specials = map[string]map[string]special{
	nearLocation: {nearParam: {rows: nearRows, parse: (*parser).near}},
}

func specialOf(resourceType, code string) (special, bool) {
	sp, ok := specials[resourceType][code]
	return sp, ok
}

// nearUnits are the UCUM units accepted for the distance, in kilometres.
var nearUnits = map[string]float64{"": 1, "km": 1, "m": 0.001, "[mi_i]": 1.609344, "mi": 1.609344}

// nearRows indexes Location.position (latitude, longitude) as two rows.
func nearRows(ix *dsn.Index, obj map[string]any) {
	pos, _ := obj["position"].(map[string]any)
	lat, ok1 := number(pos["latitude"])
	lng, ok2 := number(pos["longitude"])
	if !ok1 || !ok2 {
		return
	}
	ix.Quantities = append(ix.Quantities,
		dsn.QuantityKey{Param: nearParam, Value: lat, Low: lat, High: lat, System: nearSystem, Code: "lat", Unit: "deg"},
		dsn.QuantityKey{Param: nearParam, Value: lng, Low: lng, High: lng, System: nearSystem, Code: "long", Unit: "deg"})
}

// near turns "lat|long|distance|units" into four quantity clauses: the box.
func (p *parser) near(key, mod, value string) {
	if mod != "" {
		p.refuse(key, "not-supported", "near.modifier", mod)
		return
	}
	lat, lng, km, bad := parseNear(value)
	if bad != nil {
		p.refused1("value", after(key, *bad))
		return
	}
	dLat := km / kmPerDegree
	dLng := 180.0
	if c := math.Cos(lat * math.Pi / 180); c > 1e-9 {
		dLng = math.Min(180, km/(kmPerDegree*c))
	}
	d := def{Code: nearParam, Type: dsn.ParamQuantity}
	for _, v := range []string{
		"ge" + nearNum(lat-dLat) + "|" + nearSystem + "|lat",
		"le" + nearNum(lat+dLat) + "|" + nearSystem + "|lat",
		"ge" + nearNum(lng-dLng) + "|" + nearSystem + "|long",
		"le" + nearNum(lng+dLng) + "|" + nearSystem + "|long",
	} {
		c, err := p.clause(d, "", v)
		if err != nil {
			p.refused1(err.code, after(key, err.msg))
			return
		}
		p.q.Clauses = append(p.q.Clauses, c)
	}
}

// nearNum writes a box end with 7 decimals (~1 cm), so that the precision
// range search.html#number gives the value does not widen the box.
func nearNum(f float64) string { return strconv.FormatFloat(f, 'f', 7, 64) }

// parseNear reads "lat|long[|distance[|units]]"; bad is the reason of a refusal.
func parseNear(value string) (lat, lng, km float64, bad *text) {
	parts := strings.Split(value, "|")
	if len(parts) < 2 || len(parts) > 4 {
		return 0, 0, 0, sayp("near.form")
	}
	var err error
	if lat, err = strconv.ParseFloat(parts[0], 64); err != nil || lat < -90 || lat > 90 {
		return 0, 0, 0, sayp("near.lat", parts[0])
	}
	if lng, err = strconv.ParseFloat(parts[1], 64); err != nil || lng < -180 || lng > 180 {
		return 0, 0, 0, sayp("near.long", parts[1])
	}
	km = nearDefaultKm
	if len(parts) > 2 && parts[2] != "" {
		dist, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || dist < 0 || math.IsInf(dist, 0) {
			return 0, 0, 0, sayp("near.distance", parts[2])
		}
		unit := ""
		if len(parts) > 3 {
			unit = parts[3]
		}
		f, ok := nearUnits[unit]
		if !ok {
			return 0, 0, 0, sayp("near.unit", unit)
		}
		km = dist * f
	}
	return lat, lng, km, nil
}
