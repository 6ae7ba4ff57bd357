package bulk

import (
	"regexp"
	"testing"

	"dsn/internal/language/langtest"
)

// TestMessagesBothLanguages: every sentence of the catalogue has French and
// English with the same arguments, every id the code says (fail's third
// argument, messages[…]) is in it, and every id in it is said somewhere.
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`(?:\bfail\([^,()]+, [^,()]+, |\bmessages\[)"([a-z][a-z0-9.-]*)"`)
	used := langtest.Check(t, messages, ids, "messages.go", len(messages))
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
}
