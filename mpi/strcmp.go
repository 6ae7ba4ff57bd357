package mpi

// JaroWinkler returns the Jaro–Winkler similarity of a and b in [0, 1]
// (Winkler 1990: Jaro similarity plus a bonus of 0.1 per common prefix
// character, up to 4). It compares bytes: callers pass folded ASCII names.
func JaroWinkler(a, b string) float64 {
	j := jaro(a, b)
	if j < 0.7 {
		return j
	}
	l := 0
	for l < 4 && l < len(a) && l < len(b) && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

func jaro(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if a == "" || b == "" {
		return 0
	}
	window := max(len(a), len(b))/2 - 1
	window = max(window, 0)
	var am, bm [64]bool
	if len(a) > 64 || len(b) > 64 {
		a, b = a[:min(len(a), 64)], b[:min(len(b), 64)]
	}
	matches := 0
	for i := 0; i < len(a); i++ {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !bm[k] && a[i] == b[k] {
				am[i], bm[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := 0; i < len(a); i++ {
		if !am[i] {
			continue
		}
		for !bm[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(trans/2))/m) / 3
}

// DamerauLevenshtein is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and transpositions of adjacent characters each cost 1.
func DamerauLevenshtein(a, b string) int {
	if a == b {
		return 0
	}
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return n + m
	}
	prev2 := make([]int, m+1)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	for k := range prev {
		prev[k] = k
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for k := 1; k <= m; k++ {
			cost := 1
			if a[i-1] == b[k-1] {
				cost = 0
			}
			cur[k] = min(prev[k]+1, cur[k-1]+1, prev[k-1]+cost)
			if i > 1 && k > 1 && a[i-1] == b[k-2] && a[i-2] == b[k-1] {
				cur[k] = min(cur[k], prev2[k-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}
