// Package fhir handles FHIR R4 resources as JSON documents: decoding, encoding,
// meta, references and validation against definitions generated from the
// official R4 package. It does no I/O.
package fhir

import (
	"errors"
	"fmt"
	"time"

	"dsn"
)

// Object is a decoded JSON object. Numbers are json.Number so that decimals keep
// their precision and trailing zeros (FHIR json.html#primitive: 1.50 stays 1.50).
type Object = map[string]any

// Decode parses one FHIR resource strictly (no duplicate keys, valid UTF-8, no
// trailing data; see decode.go). It does not validate against the definitions:
// call Validate for that. Errors are *dsn.Error of KindInvalid with an Issue
// saying what is wrong.
func Decode(body []byte) (Object, error) {
	v, err := parseJSON(body)
	if err != nil {
		var se *syntaxError
		if !errors.As(err, &se) { // parseJSON fails with a syntaxError only
			se = &syntaxError{msg: text{FR: err.Error(), EN: err.Error()}}
		}
		return nil, invalid("", text{FR: fmt.Sprintf(messages["json.invalid"].FR, se.msg.FR, se.off),
			EN: fmt.Sprintf(messages["json.invalid"].EN, se.msg.EN, se.off)})
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("", say("json.object"))
	}
	rt, ok := obj["resourceType"].(string)
	if !ok || rt == "" {
		return nil, invalid("resourceType", say("json.type"))
	}
	return obj, nil
}

// ResourceType returns obj's resourceType ("" if absent).
func ResourceType(obj Object) string {
	s, _ := obj["resourceType"].(string)
	return s
}

// ID returns obj's id ("" if absent).
func ID(obj Object) string {
	s, _ := obj["id"].(string)
	return s
}

// SetMeta sets meta.versionId and meta.lastUpdated, keeping the rest of meta
// (profile, security, tag, source) as the client sent it (resource.html#Meta).
func SetMeta(obj Object, versionID string, lastUpdated time.Time) {
	meta, _ := obj["meta"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		obj["meta"] = meta
	}
	meta["versionId"] = versionID
	meta["lastUpdated"] = dsn.FormatInstant(lastUpdated)
}

// invalid is Decode's refusal at expr, saying msg in both languages.
func invalid(expr string, msg text) *dsn.Error {
	return &dsn.Error{Op: "fhir.Decode", Kind: dsn.KindInvalid, Msg: msg.FR, English: msg.EN,
		Issues: []dsn.Issue{{Severity: "error", Code: "structure", Diagnostics: msg.FR, English: msg.EN, Expression: expr}}}
}
