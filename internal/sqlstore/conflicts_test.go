package sqlstore

import (
	"regexp"
	"testing"

	"dsn/internal/language/langtest"
)

// TestConflictMessagesBothLanguages: every conflict sentence has French and
// English with the same arguments, every id conflict is called with is in
// the catalogue, and every id in it is used.
func TestConflictMessagesBothLanguages(t *testing.T) {
	ids := regexp.MustCompile(`\bconflict\([^,()]+, "([a-z][a-z0-9.-]*)"`)
	used := langtest.Check(t, conflictMessages, ids, "", len(conflictMessages))
	for id := range conflictMessages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
	e := VersionConflict("op", "Patient", "p1", 3, 5)
	if e.Msg != "conflit de version pour Patient/p1 : version courante 3, version proposée 5" ||
		e.English != "version conflict on Patient/p1: current version 3, proposed version 5" {
		t.Errorf("VersionConflict: %q / %q", e.Msg, e.English)
	}
}
