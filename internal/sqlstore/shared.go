package sqlstore

import (
	"math/bits"
	"strings"
	"sync"

	"dsn"
)

// Shared rows. Several R4 search parameters of one type index the same values:
// Observation's combo-code repeats code and each component's code (its
// expression is `Observation.code | Observation.component.code`), patient
// repeats subject when the subject is a Patient, name and phonetic repeat
// family and given, address repeats address-city, -state, -postalcode and
// -country, telecom repeats phone and email. Stored one row per parameter,
// an Observation had 11 index rows of which 4 were copies, a Patient 25 of
// which 9 — and each row is two B-tree inserts, most into a random page that
// the COMMIT writes to the WAL (docs/benchmarks.md, session 7).
//
// So a row that parameters of one group share is stored once, under the
// group's name (its parameters joined by "+", e.g. "family+name+phonetic"),
// and a search on a parameter reads its own rows and those of every group it
// belongs to (ParamNames). Sharing is an encoding, not a claim about the
// definitions: a group row is written only when every parameter of the group
// has that very row, so the answer is the same for every resource type and
// whether or not the row was shared (rows written before sharing existed,
// or by a writer that does not share, stay plain and are still read).
// Decision 0018. A group may be added at any time; removing one would hide
// its rows from searches until `dsn reindex` rewrote them.
var sharedGroups = [][]string{
	{"family", "name", "phonetic"},
	{"given", "name", "phonetic"},
	{"name", "phonetic"},
	{"address", "address-city"},
	{"address", "address-state"},
	{"address", "address-postalcode"},
	{"address", "address-country"},
	{"phone", "telecom"},
	{"email", "telecom"},
	{"patient", "subject"},
	// Encounter's practitioner is participant.individual where it is a
	// Practitioner (one row per synthetic Encounter, session 7)
	{"participant", "practitioner"},
	{"code", "combo-code"},
	{"value-quantity", "combo-value-quantity"},
	{"value-concept", "combo-value-concept"},
	{"data-absent-reason", "combo-data-absent-reason"},
	{"code-value-quantity", "combo-code-value-quantity"},
	{"code-value-concept", "combo-code-value-concept"},
	// combo-* is also Observation.component.*: a component's rows repeat
	// under combo-* (12 % of an Observation's index rows in synthetic data,
	// docs/benchmarks.md session 7 — footprint)
	{"component-code", "combo-code"},
	{"component-value-quantity", "combo-value-quantity"},
	{"component-value-concept", "combo-value-concept"},
	{"component-data-absent-reason", "combo-data-absent-reason"},
	{"component-code-value-quantity", "combo-code-value-quantity"},
	{"component-code-value-concept", "combo-code-value-concept"},
}

// paramNames maps a parameter to the names its rows are stored under: its
// own first, then every group it belongs to.
var paramNames = func() map[string][]string {
	names := map[string][]string{}
	for _, g := range sharedGroups {
		for _, p := range g {
			if names[p] == nil {
				names[p] = []string{p}
			}
			names[p] = append(names[p], strings.Join(g, "+"))
		}
	}
	return names
}()

// ParamNames returns the param values of the rows a search on parameter p
// reads: p itself and the groups that share rows with it.
func ParamNames(p string) []string {
	if n := paramNames[p]; n != nil {
		return n
	}
	return []string{p}
}

// Share runs on every write of both stores (IndexRows, PostgreSQL's index
// document), so its lookups are made once here: each parameter of some group
// gets a bit (paramBit), each group the mask of its parameters' bits and its
// joined name. Grouping then compares masks instead of looking parameters up
// in maps and joining names per row (session 8, docs/benchmarks.md: Share had
// been ~40 % of PostgreSQL's index document and half of the bulk rows).
var paramBit = map[string]uint64{}

type groupMask struct {
	members uint64 // the bits of its parameters
	size    int
	name    string // its parameters joined by "+"
}

// groupMasks are sharedGroups in their order (the first of equal size wins).
var groupMasks = func() []groupMask {
	gs := make([]groupMask, len(sharedGroups))
	for i, g := range sharedGroups {
		for _, p := range g {
			if _, ok := paramBit[p]; !ok {
				if len(paramBit) == 64 {
					panic("sqlstore: more than 64 parameters in shared groups")
				}
				paramBit[p] = 1 << len(paramBit)
			}
			gs[i].members |= paramBit[p]
		}
		gs[i].size, gs[i].name = len(g), strings.Join(g, "+")
	}
	return gs
}()

// maxShared bounds the keys of one kind compared pairwise: past it (a
// resource with hundreds of names or codings) rows are stored plain, which
// is always correct.
const maxShared = 64

// Share returns ix with the rows that a group of parameters shares stored
// once under the group's name (see sharedGroups). ix itself is not changed;
// when nothing is shared it is returned as is. The writers use WithShared,
// which allocates nothing.
func Share(ix *dsn.Index) *dsn.Index {
	// small enough to be inlined, so that out lives on the caller's stack
	// when the caller keeps the result no longer than itself
	var out dsn.Index
	return shareInto(ix, &out)
}

// shareInto is Share, with out the index to return when something is shared.
func shareInto(ix, out *dsn.Index) *dsn.Index {
	return shareBuffered(ix, out, &shareBuffers{}, 0)
}

// shareBuffered is shareInto writing the merged kinds' keys into b's slices
// when they are large enough (and keeping there the ones it had to make, of
// at least minCap keys).
func shareBuffered(ix, out *dsn.Index, b *shareBuffers, minCap int) *dsn.Index {
	tokens, t := shareKeys(ix.Tokens, b.tokens, minCap, tokenParam, sameToken)
	strs, s := shareKeys(ix.Strings, b.strings, minCap, stringParam, sameString)
	refs, r := shareKeys(ix.References, b.refs, minCap, refParam, sameRef)
	qs, q := shareKeys(ix.Quantities, b.quantities, minCap, quantityParam, sameQuantity)
	comps, c := shareKeys(ix.Composites, b.composites, minCap, compositeParam, sameComposite)
	if !t && !s && !r && !q && !c {
		return ix
	}
	if t {
		b.tokens = tokens
	}
	if s {
		b.strings = strs
	}
	if r {
		b.refs = refs
	}
	if q {
		b.quantities = qs
	}
	if c {
		b.composites = comps
	}
	*out = *ix
	out.Tokens, out.Strings, out.References, out.Quantities, out.Composites = tokens, strs, refs, qs, comps
	return out
}

// shareBuffers are the slices a write's merged keys are put in, reused from
// one write to the next through sharePool (a Share used to make ~4 per
// resource).
type shareBuffers struct {
	ix         dsn.Index
	tokens     []dsn.TokenKey
	strings    []dsn.StringKey
	refs       []dsn.RefKey
	quantities []dsn.QuantityKey
	composites []dsn.CompositeKey
}

var sharePool = sync.Pool{New: func() any { return new(shareBuffers) }}

// maxPooledKeys: buffers that grew past it (a resource with hundreds of
// keys of one kind) are dropped rather than kept for the next write.
const maxPooledKeys = 256

// minShareBuffer is the smallest buffer WithShared makes for merged keys, so
// that a pooled buffer fits the next write's keys too: a synthetic resource
// has fewer keys of a kind (a Patient ~15 strings).
const minShareBuffer = 32

// WithShared calls f with Share(ix). The index f gets, when something was
// shared, lives in buffers that the next write reuses: f must not keep it
// (or its slices) once it returns.
func WithShared(ix *dsn.Index, f func(ix *dsn.Index)) {
	b := sharePool.Get().(*shareBuffers)
	f(shareBuffered(ix, &b.ix, b, minShareBuffer))
	// the keys' strings are the write's: not kept alive by the pool
	b.ix = dsn.Index{}
	b.tokens = reuse(b.tokens)
	b.strings = reuse(b.strings)
	b.refs = reuse(b.refs)
	b.quantities = reuse(b.quantities)
	b.composites = reuse(b.composites)
	sharePool.Put(b)
}

// reuse empties a buffer for the next write. Only its first len(s) keys are
// cleared: shareKeys appends from the start of the buffer and WithShared
// keeps the slice it returned, so the keys past len(s) were cleared by an
// earlier reuse or never written (clearing the whole capacity, 32 keys of
// each kind, was ~12 % of a Bundle's index COPYs, session 10).
func reuse[K any](s []K) []K {
	if cap(s) > maxPooledKeys {
		return nil
	}
	clear(s)
	return s[:0]
}

// The parameter of a key and whether two keys of a kind are stored as the
// same row (everything but the parameter), one pair per kind.
func tokenParam(k *dsn.TokenKey) *string       { return &k.Param }
func stringParam(k *dsn.StringKey) *string     { return &k.Param }
func refParam(k *dsn.RefKey) *string           { return &k.Param }
func quantityParam(k *dsn.QuantityKey) *string { return &k.Param }
func compositeParam(k *dsn.CompositeKey) *string {
	return &k.Param
}

func sameToken(a, b *dsn.TokenKey) bool {
	return a.System == b.System && a.Code == b.Code && a.Text == b.Text
}

func sameString(a, b *dsn.StringKey) bool { return a.Norm == b.Norm && a.Exact == b.Exact }

func sameRef(a, b *dsn.RefKey) bool { return a.Type == b.Type && a.ID == b.ID && a.URL == b.URL }

func sameQuantity(a, b *dsn.QuantityKey) bool {
	return a.Value == b.Value && a.System == b.System && a.Code == b.Code && a.Unit == b.Unit && a.Low == b.Low && a.High == b.High
}

// sameComposite tells whether two composite keys are stored as the same row:
// CompositeArgs gives them the same columns (their component parameters'
// codes are not stored), compared part by part without building the columns.
// A key with too many parts has no row and is the same as none.
func sameComposite(a, b *dsn.CompositeKey) bool {
	if len(a.Parts) > MaxCompositeParts || len(b.Parts) > MaxCompositeParts {
		return false
	}
	for n := range MaxCompositeParts {
		var x, y compositeCells
		if n < len(a.Parts) {
			x = cells(&a.Parts[n])
		}
		if n < len(b.Parts) {
			y = cells(&b.Parts[n])
		}
		if x != y {
			return false
		}
	}
	return true
}

// compositeCells are the columns of one part as CompositeArgs fills them; a
// number column that CompositeArgs leaves NULL has its has* false and zero
// values, so == compares like CompositeArgs' values do (NaN differs from
// itself either way).
type compositeCells struct {
	s, c, u  string
	hasNum   bool
	lo, hi   float64
	hasDate  bool
	dlo, dhi int64
}

func cells(p *dsn.CompositePart) compositeCells {
	var x compositeCells
	switch p.Type {
	case dsn.ParamToken:
		x.s, x.c = p.Token.System, p.Token.Code
	case dsn.ParamString:
		x.s, x.c = p.String.Norm, p.String.Exact
	case dsn.ParamReference:
		x.s, x.c, x.u = p.Ref.Type, p.Ref.ID, p.Ref.URL
	case dsn.ParamQuantity:
		x.s, x.c, x.u = p.Quantity.System, p.Quantity.Code, p.Quantity.Unit
		x.hasNum = true
		x.lo, x.hi = QuantitySpan(p.Quantity)
	case dsn.ParamNumber:
		x.hasNum = true
		x.lo, x.hi = p.Number.Value, p.Number.Value
	case dsn.ParamURI:
		x.c = p.URI.URI
	case dsn.ParamDate:
		x.hasDate = true
		x.dlo, x.dhi = RangeLow(p.Date.Low), RangeHigh(p.Date.High)
	}
	return x
}

// shareKeys merges the keys of one kind that a group of parameters shares
// into one key named after the group. param gives a key's parameter, same
// compares everything else. merged reports whether it merged anything (the
// result is then buf's array if large enough, else a new slice of at least
// minCap; keys is never changed).
//
// Each set of equal keys (the first unused grouped key and every later one
// equal to it) gives its rows to the largest group all of whose parameters
// it has, the first such group of equal size, then again with the keys left
// until no group fits; a merged row is a copy of the first key of the set,
// renamed. Merged rows come first, then the keys not merged in their order.
// The grouped keys are numbered 0..n-1 in their order (n ≤ maxShared), so a
// set and the used keys are bit masks.
func shareKeys[K any](keys, buf []K, minCap int, param func(*K) *string, same func(a, b *K) bool) (_ []K, merged bool) {
	var posBuf [maxShared]int32  // the index in keys of grouped key i
	var bitBuf [maxShared]uint64 // its parameter's bit
	pos, pbits := posBuf[:0], bitBuf[:0]
	var present uint64
	for i := range keys {
		b, ok := paramBit[*param(&keys[i])]
		if !ok {
			continue
		}
		if len(pos) == maxShared {
			return keys, false
		}
		pos, pbits = append(pos, int32(i)), append(pbits, b)
		present |= b
	}
	if len(pos) < 2 || !anyGroupWithin(present) {
		return keys, false
	}
	var out []K
	var used uint64 // by grouped key number
	for a := range pos {
		if used&(1<<a) != 0 {
			continue
		}
		set, params := uint64(1)<<a, pbits[a]
		for b := a + 1; b < len(pos); b++ {
			if used&(1<<b) == 0 && same(&keys[pos[a]], &keys[pos[b]]) {
				set |= 1 << b
				params |= pbits[b]
			}
		}
		for set&(set-1) != 0 { // two keys or more
			g := bestGroupMask(params)
			if g == nil {
				break
			}
			if out == nil {
				if cap(buf) >= len(keys) {
					out = buf[:0]
				} else {
					out = make([]K, 0, max(len(keys), minCap))
				}
			}
			// renamed in place: a copy passed to param would be on the heap
			out = append(out, keys[pos[lowestBit(set)]])
			*param(&out[len(out)-1]) = g.name
			params = 0
			for rest := set; rest != 0; rest &= rest - 1 {
				x := lowestBit(rest)
				if pbits[x]&g.members != 0 {
					used |= 1 << x
					set &^= 1 << x
				} else {
					params |= pbits[x]
				}
			}
		}
	}
	if out == nil {
		return keys, false
	}
	next := 0 // the next grouped key's number
	for i := range keys {
		if next < len(pos) && int(pos[next]) == i {
			next++
			if used&(1<<(next-1)) != 0 {
				continue
			}
		}
		out = append(out, keys[i])
	}
	return out, true
}

// anyGroupWithin tells whether some group's parameters are all in params.
func anyGroupWithin(params uint64) bool {
	for i := range groupMasks {
		if groupMasks[i].members&^params == 0 {
			return true
		}
	}
	return false
}

// bestGroupMask returns the largest group whose every parameter is in params,
// the first of equal size, or nil.
func bestGroupMask(params uint64) *groupMask {
	var best *groupMask
	for i := range groupMasks {
		g := &groupMasks[i]
		if g.members&^params == 0 && (best == nil || g.size > best.size) {
			best = g
		}
	}
	return best
}

func lowestBit(x uint64) int { return bits.TrailingZeros64(x) }
