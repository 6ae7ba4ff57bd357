package search

import "dsn"

// fullValue reads the values only ParseAll understands: composite values
// and the modifiers of search.html#modifiers that change a value's shape.
// ok is false when the shared reading applies.
func (p *parser) fullValue(d def, mod, raw string) (v dsn.Value, err *valueErr, ok bool) {
	switch {
	case d.Type == dsn.ParamComposite:
		v, err = p.compositeValue(d, raw)
	case mod == "of-type":
		v, err = ofTypeValue(raw)
	case mod == "in" || mod == "not-in":
		v.Text = unescape(raw) // the ValueSet's canonical URL
	case d.Type == dsn.ParamURI && (mod == "above" || mod == "below"):
		v.Text = unescape(raw)
	case d.Type == dsn.ParamReference && mod == "identifier":
		v, err = tokenValue(d, "", raw) // system|value of Reference.identifier
	default:
		return v, nil, false
	}
	return v, err, true
}

// ofTypeValue reads [system]|[code]|[value] (search.html#token :of-type):
// the Identifier.type coding and the Identifier.value.
func ofTypeValue(raw string) (dsn.Value, *valueErr) {
	parts := splitUnescaped(raw, '|')
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return dsn.Value{}, bad("value.of-type", raw)
	}
	return dsn.Value{System: unescape(parts[0]), Code: unescape(parts[1]), Text: unescape(parts[2])}, nil
}

// compositeValue reads part$part... (search.html#composite), each part by
// the type of its component, prefixes included (code$gt100).
func (p *parser) compositeValue(d def, raw string) (dsn.Value, *valueErr) {
	parts := splitUnescaped(raw, '$')
	if len(parts) != len(d.Components) {
		return dsn.Value{}, bad("value.composite", raw, len(d.Components))
	}
	var v dsn.Value
	for i, comp := range d.Components {
		cd, ok := p.defs[comp.Param]
		if !ok || cd.Type == dsn.ParamComposite || parts[i] == "" {
			return dsn.Value{}, bad("value.part", raw, i+1)
		}
		pv, err := p.value(cd, "", parts[i])
		if err != nil {
			return dsn.Value{}, err
		}
		v.Components = append(v.Components, pv)
	}
	return v, nil
}
