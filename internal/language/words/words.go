// Package words holds the two languages DSN speaks and the sentence pair
// of a catalogue, without HTTP: the domain packages that build messages
// (fhir, search) use it, and internal/language (which reads requests)
// re-exports it.
package words

import "fmt"

// Tag is one of the two languages DSN speaks.
type Tag string

const (
	French  Tag = "fr"
	English Tag = "en"
)

// Other is the language a switch offers.
func (l Tag) Other() Tag {
	if l == English {
		return French
	}
	return English
}

// Text is one sentence of a catalogue, in both languages.
type Text struct{ FR, EN string }

// In is t in l.
func (t Text) In(l Tag) string {
	if l == English {
		return t.EN
	}
	return t.FR
}

// Format is t with args put in each language (fmt verbs; both languages
// take the same arguments, which langtest checks).
func (t Text) Format(args ...any) Text {
	return Text{FR: fmt.Sprintf(t.FR, args...), EN: fmt.Sprintf(t.EN, args...)}
}
