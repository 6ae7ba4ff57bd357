package scratch

import "testing"

func TestReset(t *testing.T) {
	s := make([]*int, 3, 8)
	v := 1
	s = append(s[:0], &v, &v, &v)
	stale := s[:8]
	got := Reset(s[:1], 8) // only the first element in len: the rest must be cleared too
	if len(got) != 0 || cap(got) != 8 {
		t.Fatalf("Reset: len %d cap %d, want 0 and 8", len(got), cap(got))
	}
	for i, p := range stale {
		if p != nil {
			t.Errorf("element %d still points at the last use", i)
		}
	}
	if got := Reset(make([]int, 1, 9), 8); got != nil {
		t.Errorf("a slice past max kept (cap %d)", cap(got))
	}
}
