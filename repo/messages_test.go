package repo

import (
	"regexp"
	"testing"

	"dsn/internal/language/langtest"
)

// TestMessagesBothLanguages: every sentence of repo's catalogue has French
// and English with the same arguments, and every id the code says (fail's
// third argument, invalidIn's third) is in it.
func TestMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`\b(?:fail\([^,()]+, [^,()]+|invalidIn\([^,()]+, [^,()]+), "([a-z][a-z.-]*)"`)
	used := langtest.Check(t, messages, ids, "messages.go", len(messages))
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
}
