package provincial

import (
	"bytes"
	"slices"

	"dsn"
	"dsn/fhir"
)

// withReferLink returns new registration w (version 1, stored by Put in the
// writer) with the "refer" link to its golden record gid, without decoding,
// re-indexing and re-encoding it all: when its body, as fhir.Encode wrote
// it, has no "link" (the usual case), the link is spliced in where Encode
// would put it (after the lead keys, in sorted order) and its one index row
// is added — byte for byte and row for row what rewrite gives
// (TestWithReferLinkIsRewrite). ok is false when the body does not allow it
// (a "link" already there, an escaped key): the caller then rewrites.
func withReferLink(w dsn.Write, gid string) (dsn.Write, bool) {
	at, next, ok := linkInsertion(w.Body)
	if !ok {
		return w, false
	}
	member := append([]byte(`"link":`), fhir.Encode([]any{link("Patient/"+gid, "refer")})...)
	body := make([]byte, 0, len(w.Body)+len(member)+1)
	body = append(body, w.Body[:at]...)
	if before := bytes.TrimRight(w.Body[:at], " \t\r\n"); next == ',' && before[len(before)-1] != '{' {
		body = append(body, ',') // after the last member
	}
	body = append(body, member...)
	if next == '"' {
		body = append(body, ',') // before the next member
	}
	body = append(body, w.Body[at:]...)
	w.Body = body
	w.Index.References = append(slices.Clip(w.Index.References), dsn.RefKey{Param: "link", Type: "Patient", ID: gid})
	return w, true
}

// leadKeys are the keys fhir.Encode writes first, before the sorted others.
var leadKeys = []string{"resourceType", "id", "meta"}

// linkInsertion finds where a top-level "link" member goes in body, an
// object as fhir.Encode writes it (compact, lead keys first, then sorted):
// at the opening quote of the first other top-level key that sorts after
// "link" (next is '"': a comma follows the member), or at the closing brace
// (next is ',': a comma precedes it unless the object is empty). ok is
// false if the object already has a "link", or a top-level key holds an
// escape (its bytes would not sort as the key does).
func linkInsertion(body []byte) (at int, next byte, ok bool) {
	if len(body) < 2 || body[0] != '{' {
		return 0, 0, false
	}
	depth, key := 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return 0, 0, false
			}
			if depth == 1 && key {
				k := body[i+1 : end]
				if bytes.IndexByte(k, '\\') >= 0 || string(k) == "link" {
					return 0, 0, false
				}
				if !slices.Contains(leadKeys, string(k)) && string(k) > "link" {
					return i, '"', true
				}
				key = false
			}
			i = end
		case '{', '[':
			depth++
			key = depth == 1
		case '}', ']':
			depth--
			if depth == 0 {
				return i, ',', i == len(body)-1
			}
		case ',':
			key = depth == 1
		}
	}
	return 0, 0, false
}

// stringEnd returns the index of the quote closing the JSON string that
// opens at body[i], or -1.
func stringEnd(body []byte, i int) int {
	for j := i + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}
