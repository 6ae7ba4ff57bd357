package fhir

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitSlash: splitSlash and lastSegments give what strings.Split
// gives (all parts, or the last ones), without its allocation.
func TestSplitSlash(t *testing.T) {
	for _, s := range []string{"", "/", "Patient", "Patient/1", "Patient/1/", "/Patient/1",
		"Patient/1/_history/2", "a/b/c/d/e", "https://x.org/fhir/Patient/1/_history/2", "//", "a//b"} {
		want := strings.Split(s, "/")
		var parts [4]string
		n := splitSlash(s, parts[:])
		if len(want) > 4 {
			if n != 5 {
				t.Errorf("splitSlash(%q) = %d parts, want 5 (more than 4)", s, n)
			}
		} else if n != len(want) || !slices.Equal(parts[:n], want) {
			t.Errorf("splitSlash(%q) = %q, want %q", s, parts[:n], want)
		}
		var tail [4]string
		m := lastSegments(s, tail[:])
		if w := want[max(0, len(want)-4):]; !slices.Equal(tail[:m], w) {
			t.Errorf("lastSegments(%q) = %q, want %q", s, tail[:m], w)
		}
	}
}
