// Package scratch resets pooled slices between uses: the one rule that
// search's evaluators and sqlstore's shared-row buffers both follow.
package scratch

// Reset zeroes s up to its capacity, so that a pooled slice keeps nothing
// of its last use alive (the strings and maps of a resource already
// written), and returns it empty; past max it returns nil instead, so that
// one large resource (a ValueSet's thousands of codes) does not make every
// later, smaller use clear a large backing array.
func Reset[T any](s []T, max int) []T {
	if cap(s) > max {
		return nil
	}
	clear(s[:cap(s)])
	return s[:0]
}
