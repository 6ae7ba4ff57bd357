package sqlstore

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dsn"
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

// storeMessageID is an id of messages.go as the code says it: Fail's third
// argument (here and in the adapters), invalid's first, jobDoc's last.
var storeMessageID = regexp.MustCompile(`(?:\bFail\([^,()]+, [^,()]+, |\binvalid\(|sql\w+Get, id, )"([a-z][a-z0-9.-]*)"`)

// TestStoreMessagesBothLanguages: every sentence of the stores' own
// refusals has French and English with the same arguments, every id this
// package and both adapters say is in the catalogue, and every id in it is
// said somewhere.
func TestStoreMessagesBothLanguages(t *testing.T) {
	used := langtest.Check(t, messages, storeMessageID, "messages.go", 10)
	for _, dir := range []string{"../../sqlite", "../../postgres"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range storeMessageID.FindAllStringSubmatch(string(src), -1) {
				if _, ok := messages[m[1]]; !ok {
					t.Errorf("%s says message %s, missing from messages.go", f, m[1])
				}
				used[m[1]]++
			}
		}
	}
	for id := range messages {
		if used[id] == 0 {
			t.Errorf("message %s is in the catalogue, used nowhere", id)
		}
	}
	if _, err := ReadResult("op", "Patient", "p1", 3, dsn.Resource{}, nil, true); dsn.Message(err) != "la version 3 de Patient/p1 n'existe pas" ||
		dsn.EnglishMessage(err) != "version 3 of Patient/p1 does not exist" {
		t.Errorf("ReadResult: %q / %q", dsn.Message(err), dsn.EnglishMessage(err))
	}
}
