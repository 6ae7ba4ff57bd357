package fhirpath_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"dsn/fhir"
)

// fromXML converts a FHIR XML resource to the JSON shape fhir.Decode returns
// (FHIR R4 xml.html ↔ json.html): primitives carry their value attribute,
// their id and extensions go to "_name", numbers and booleans are typed from
// the model. The model has no cardinalities, so repeated elements become
// arrays and single ones stay single: navigation treats both alike.
func fromXML(data []byte, m *fhir.Definitions) (map[string]any, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			obj, err := xmlObject(dec, se.Name.Local, m)
			if err != nil {
				return nil, err
			}
			obj["resourceType"] = se.Name.Local
			return obj, nil
		}
	}
}

// xmlObject reads the children of a complex element of type typ.
func xmlObject(dec *xml.Decoder, typ string, m *fhir.Definitions) (map[string]any, error) {
	obj := map[string]any{}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return obj, nil
		case xml.StartElement:
			name := t.Name.Local
			if name == "div" && t.Name.Space == "http://www.w3.org/1999/xhtml" {
				s, err := xhtml(dec, t)
				if err != nil {
					return nil, err
				}
				obj["div"] = s
				continue
			}
			val, ext, err := xmlElement(dec, t, typ, m)
			if err != nil {
				return nil, err
			}
			addMember(obj, name, val)
			if ext != nil {
				addMember(obj, "_"+name, ext)
			}
		}
	}
}

func addMember(obj map[string]any, name string, v any) {
	old, ok := obj[name]
	if !ok {
		obj[name] = v
		return
	}
	if list, ok := old.([]any); ok {
		obj[name] = append(list, v)
		return
	}
	obj[name] = []any{old, v}
}

// xmlElement reads one child element: a primitive (value attribute), a
// resource wrapper (contained, entry.resource) or a complex value.
func xmlElement(dec *xml.Decoder, se xml.StartElement, parentType string, m *fhir.Definitions) (val any, ext map[string]any, err error) {
	name := se.Name.Local
	typ, _ := m.ChildType(parentType, name)
	var value *string
	var id, url string
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "value":
			v := a.Value
			value = &v
		case "id":
			id = a.Value
		case "url":
			url = a.Value
		}
	}
	if value != nil || (typ != "" && isPrimitiveName(typ)) {
		inner, err := xmlObject(dec, "Element", m)
		if err != nil {
			return nil, nil, err
		}
		if id != "" {
			inner["id"] = id
		}
		if len(inner) > 0 {
			ext = inner
		}
		if value == nil {
			return nil, ext, nil
		}
		return primitive(typ, *value), ext, nil
	}
	if typ == "Resource" || (typ == "" && m.IsResourceType(name)) {
		return xmlResource(dec, m)
	}
	obj, err := xmlObject(dec, typ, m)
	if err != nil {
		return nil, nil, err
	}
	if id != "" {
		obj["id"] = id
	}
	if url != "" {
		obj["url"] = url
	}
	return obj, nil, nil
}

func xmlResource(dec *xml.Decoder, m *fhir.Definitions) (any, map[string]any, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			obj, err := xmlObject(dec, t.Name.Local, m)
			if err != nil {
				return nil, nil, err
			}
			obj["resourceType"] = t.Name.Local
			// consume the wrapper's end element
			for {
				tok, err := dec.Token()
				if err != nil {
					return nil, nil, err
				}
				if _, ok := tok.(xml.EndElement); ok {
					return obj, nil, nil
				}
			}
		case xml.EndElement:
			return nil, nil, fmt.Errorf("empty resource wrapper")
		}
	}
}

func isPrimitiveName(t string) bool {
	return t != "" && t[0] >= 'a' && t[0] <= 'z' && !strings.Contains(t, ".")
}

func primitive(typ, v string) any {
	switch typ {
	case "boolean":
		return v == "true"
	case "integer", "positiveInt", "unsignedInt", "decimal", "integer64":
		return json.Number(v)
	}
	return v
}

// xhtml re-serialises the narrative div as a string.
func xhtml(dec *xml.Decoder, start xml.StartElement) (string, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeToken(start); err != nil {
		return "", err
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
		if err := enc.EncodeToken(xml.CopyToken(tok)); err != nil {
			return "", err
		}
	}
	enc.Flush()
	return buf.String(), nil
}
