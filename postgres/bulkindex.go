package postgres

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"dsn"
	"dsn/internal/sqlstore"
)

// The index rows of a PutAll are encoded as binary COPY tuples as
// sqlstore.IndexRowsTo gives their values, typed: no row of boxed values is
// made, kept, sorted and type-switched value by value (that was ~10 % of the
// server's CPU and ~15 % of its allocated bytes under transaction Bundles,
// docs/benchmarks.md session 10). Each table's tuples go into one buffer; a
// tuple is known by where it starts and ends, and the sort orders those.

// indexTable is one table's encoded index rows.
type indexTable struct {
	cols  []string   // rid, type, patient_key, then sqlstore.IndexColumns
	kinds []copyKind // of cols
	lead  []int      // the columns of the table's search index (indexLeads)
	slot  []int8     // per column, its place in lead, or -1
	buf   *[]byte    // the tuples, back to back (pooled)
	spans []span     // the tuples in buf
}

// maxLeads is the most leading columns a table's search index has.
const maxLeads = 4

// span is one encoded tuple: where it starts and ends in its table's buffer,
// and where each of its leading columns' fields (length word) starts, for the
// sort (the fields before them have variable lengths).
type span struct {
	start, end int32
	lead       [maxLeads]int32
}

// indexLayouts are the tables' columns, kinds and leading columns, made once.
var indexLayouts = sync.OnceValue(func() map[string]*indexTable {
	m := map[string]*indexTable{}
	for table, ic := range sqlstore.IndexColumns {
		t := &indexTable{cols: append([]string{"rid", "type", "patient_key"}, ic...)}
		for _, c := range t.cols {
			t.kinds = append(t.kinds, columnKind(table, c))
		}
		t.slot = make([]int8, len(t.cols))
		for i := range t.slot {
			t.slot[i] = -1
		}
		for _, k := range indexLeads[table] {
			if i := slices.Index(t.cols, k); i >= 0 && len(t.lead) < maxLeads {
				t.slot[i] = int8(len(t.lead))
				t.lead = append(t.lead, i)
			}
		}
		m[table] = t
	}
	return m
})

// indexEncoder is the sqlstore.RowSink that encodes rows into the tables'
// buffers; the first error (a value of the wrong type for its column, which
// a change to IndexRowsTo or the schema would make) stops nothing but is
// returned at the end.
type indexEncoder struct {
	tables  map[string]*indexTable
	cur     *indexTable
	table   string
	col     int
	span    span
	rid     int64
	typ, pk string
	err     error
}

// encoders keeps encoders, their buffers and spans, from one PutAll to the
// next (making them was most of the allocations left in a Bundle's index
// COPYs).
var encoders = sync.Pool{New: func() any {
	e := &indexEncoder{tables: make(map[string]*indexTable, len(sqlstore.IndexColumns))}
	for table, l := range indexLayouts() {
		t := *l
		t.buf = new([]byte)
		e.tables[table] = &t
	}
	return e
}}

// maxPooledSpans is the most rows of a table an encoder kept in the pool
// has room for (an import's batch's encoder is let go).
const maxPooledSpans = 4096

func newIndexEncoder() *indexEncoder {
	return encoders.Get().(*indexEncoder)
}

// release gives e back to the pool, empty, unless it grew large.
func (e *indexEncoder) release() {
	keep := true
	for _, t := range e.tables {
		keep = keep && cap(*t.buf) <= maxPooledCopyBuf && cap(t.spans) <= maxPooledSpans
		*t.buf, t.spans = (*t.buf)[:0], t.spans[:0]
	}
	e.cur, e.table, e.typ, e.pk, e.err = nil, "", "", "", nil
	if keep {
		encoders.Put(e)
	}
}

func (e *indexEncoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("copy %s: "+format, append([]any{e.table}, args...)...)
	}
}

// next is the kind of the column the next value fills, false past the last.
func (e *indexEncoder) next(want copyKind, what string) bool {
	if e.cur == nil {
		return false
	}
	if e.col >= len(e.cur.kinds) {
		e.fail("more values than the %d columns", len(e.cur.kinds))
		return false
	}
	if k := e.cur.kinds[e.col]; k != want {
		e.fail("column %s: unexpected %s", e.cur.cols[e.col], what)
		return false
	}
	e.mark()
	return true
}

// mark notes where the field of the column e.col starts if it is a leading
// one, and moves on to the next column.
func (e *indexEncoder) mark() {
	if l := e.cur.slot[e.col]; l >= 0 {
		e.span.lead[l] = int32(len(*e.cur.buf))
	}
	e.col++
}

func (e *indexEncoder) Row(table string) {
	e.table, e.cur = table, e.tables[table]
	if e.cur == nil {
		e.fail("no such index table")
		return
	}
	e.span.start = int32(len(*e.cur.buf))
	*e.cur.buf = binary.BigEndian.AppendUint16(*e.cur.buf, uint16(len(e.cur.kinds)))
	e.col = 0
	e.Int(e.rid)
	e.Text(e.typ)
	e.Text(e.pk)
}

func (e *indexEncoder) Text(s string) {
	if e.next(copyText, "text") {
		*e.cur.buf = appendText(*e.cur.buf, s)
	}
}

func (e *indexEncoder) Int(n int64) {
	if e.next(copyInt8, "int64") {
		*e.cur.buf = appendInt8(*e.cur.buf, n)
	}
}

func (e *indexEncoder) Float(f float64) {
	if e.next(copyFloat8, "float64") {
		b := binary.BigEndian.AppendUint32(*e.cur.buf, 8)
		*e.cur.buf = binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	}
}

func (e *indexEncoder) Null() {
	if e.cur == nil {
		return
	}
	if e.col >= len(e.cur.kinds) {
		e.fail("more values than the %d columns", len(e.cur.kinds))
		return
	}
	e.mark()
	*e.cur.buf = binary.BigEndian.AppendUint32(*e.cur.buf, math.MaxUint32) // -1: NULL
}

func (e *indexEncoder) End() {
	if e.cur == nil {
		return
	}
	if e.col != len(e.cur.kinds) {
		e.fail("%d values for %d columns", e.col, len(e.cur.kinds))
	}
	e.span.end = int32(len(*e.cur.buf))
	e.cur.spans = append(e.cur.spans, e.span)
	e.cur = nil
}

func appendText(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendInt8(b []byte, n int64) []byte {
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

// encodeIndexRows encodes the index rows of ws (resource i has rid rids[i];
// tombstones have none), in ws's order, cut into GOMAXPROCS parts encoded at
// once for a large batch (the bulk path's serial stage, as
// sqlstore.BulkIndexRows), and put back together in order.
func encodeIndexRows(ws []dsn.Write, rids []int64) (*indexEncoder, error) {
	parts := min(runtime.GOMAXPROCS(0), max(1, len(ws)/bulkIndexPerWorker))
	encs := make([]*indexEncoder, parts)
	encode := func(p int) {
		e := newIndexEncoder()
		for i := p * len(ws) / parts; i < (p+1)*len(ws)/parts; i++ {
			w := &ws[i]
			if w.Deleted {
				continue
			}
			e.rid, e.typ, e.pk = rids[i], w.Type, w.PatientKey
			sqlstore.IndexRowsTo(&w.Index, e)
		}
		encs[p] = e
	}
	if parts == 1 {
		encode(0)
	} else {
		var wg sync.WaitGroup
		for p := range parts {
			wg.Go(func() { encode(p) })
		}
		wg.Wait()
	}
	all := encs[0]
	var err error
	for _, e := range encs {
		if err == nil {
			err = e.err
		}
	}
	for _, e := range encs[1:] {
		for table, t := range e.tables {
			to := all.tables[table]
			off := int32(len(*to.buf))
			*to.buf = append(*to.buf, *t.buf...)
			for _, s := range t.spans {
				s.start, s.end = s.start+off, s.end+off
				for l := range s.lead {
					s.lead[l] += off
				}
				to.spans = append(to.spans, s)
			}
		}
		e.release()
	}
	if err != nil {
		all.release()
		return nil, err
	}
	return all, nil
}

// bulkIndexPerWorker is the fewest versions worth a goroutine of
// encodeIndexRows (a transaction Bundle's 26 are encoded on one).
const bulkIndexPerWorker = 64

// sortSpans orders each table's tuples by the leading columns of its search
// index (bulksort.go says why): a large batch's tables on a goroutine each, a
// small one's (a transaction Bundle's ~300 rows) on the caller's, where
// starting and waking ten goroutines cost more than the sorts.
func (e *indexEncoder) sortSpans() {
	var wg sync.WaitGroup
	for _, t := range e.tables {
		switch {
		case len(t.spans) < 2:
		case len(t.spans) < sortPerWorker:
			t.sort()
		default:
			wg.Go(t.sort)
		}
	}
	wg.Wait()
}

// sortPerWorker is the fewest rows of a table sorted on a goroutine of its own.
const sortPerWorker = 1024

// sort orders t's tuples by the leading columns of its search index.
func (t *indexTable) sort() {
	buf := *t.buf
	slices.SortFunc(t.spans, func(a, b span) int {
		for l, c := range t.lead {
			if r := compareField(buf[a.lead[l]:], buf[b.lead[l]:], t.kinds[c]); r != 0 {
				return r
			}
		}
		return 0
	})
}

// field is the value's bytes of the encoded field that b starts with, null
// if NULL.
func field(b []byte) (v []byte, null bool) {
	n := int32(binary.BigEndian.Uint32(b))
	if n < 0 {
		return nil, true
	}
	return b[4 : 4+n], false
}

// compareField orders the encoded fields a and b start with, of kind: NULL
// first, texts by bytes (the "C" collation of the index columns), numbers by
// value.
func compareField(a, b []byte, kind copyKind) int {
	x, xnull := field(a)
	y, ynull := field(b)
	switch {
	case xnull || ynull:
		return cmp.Compare(boolInt(!xnull), boolInt(!ynull))
	case kind == copyInt8:
		return cmp.Compare(int64(binary.BigEndian.Uint64(x)), int64(binary.BigEndian.Uint64(y)))
	case kind == copyFloat8:
		return cmp.Compare(math.Float64frombits(binary.BigEndian.Uint64(x)), math.Float64frombits(binary.BigEndian.Uint64(y)))
	}
	return bytes.Compare(x, y)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addIndexCopies adds the COPYs of the index rows of ws (tombstones have
// none), one per table, sorted unless unsorted.
func addIndexCopies(cs *copies, ws []dsn.Write, rids []int64, unsorted bool) error {
	e, err := encodeIndexRows(ws, rids)
	if err != nil {
		return err
	}
	defer e.release()
	if !unsorted {
		// no B-tree to insert into while a load defers the indexes: the
		// sort would only cost the client (bulkload.go)
		e.sortSpans()
	}
	for _, table := range indexTableNames() {
		t := e.tables[table]
		buf := *t.buf
		err := cs.addTuples(table, t.cols, len(t.spans), func(out []byte, k int) ([]byte, error) {
			s := t.spans[k]
			return append(out, buf[s.start:s.end]...), nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
