package fhirapi

import (
	"regexp"
	"testing"

	"dsn/internal/language/langtest"
)

// messageID is a message id as written in this package's code.
var messageID = regexp.MustCompile(`(?:errorf\("[^"]*", dsn\.Kind\w+,\s*|invalidInput\([^,()]+, |opInvalid\([^,()]+, [^,()]+, |notFoundf\(|messages\[|\.inform\(w, r, [^,()]+, |\.sendWrite\(w, r, [^,()]+, [^,()]+, )"([a-z.-]+)"`)

// Every sentence has both languages with the same arguments, and every id
// the code uses exists.
func TestMessagesBothLanguages(t *testing.T) {
	used := langtest.Check(t, messages, messageID, "messages.go", len(messages))
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is not used (or the pattern misses it)", id)
		}
	}
}
