package sqlite

import (
	"cmp"
	"encoding/binary"
	"errors"
	"slices"

	"dsn"
	"dsn/internal/sqlstore"
)

// How audit.db keeps the journal (docs/decisions/0016-journal-blocks.md).
//
// Until session 7 every entry was a row of audit_entry with two indexes,
// (patient, seq) and (agent, seq): three B-tree inserts per entry, the
// indexes' leaves scattered, ~7 cpu-µs per entry in the mover — a read's
// largest journal cost (BenchmarkJournalMove, docs/benchmarks.md). Now the
// mover writes each batch of the spool as a few blocks, rows of audit_block
// holding up to blockBytes of consecutive entries (one row, the entries'
// bytes in its overflow pages), and one audit_key row per patient, agent and
// action present in the batch, listing their seqs: the views' index, built
// in bulk, one insert per key per batch instead of two per entry.
//
// A block's data is its entries in seq order, each
//
//	varint seq, varint time (µs), then patient, agent, action, body, hash,
//	each as uvarint length + bytes
//
// Each entry carries its seq, so an entry removed from a block shows as a
// gap (`dsn audit verify`: « entrée N manquante »), an altered one as a
// broken hash. Readers stop at the first entry of a block that does not
// decode (the rest of the block is then missing to them, as removed rows
// were before).
//
// An audit_key row's seqs are uvarint deltas after its first seq (kept in the
// key column of its primary key), ascending.

// blockBytes bounds a block's data: a view reading one entry decodes at most
// this much (~150 read entries), while the mover's cost stays per byte.
const blockBytes = 64 << 10

// key kinds of audit_key: the first byte of its key column.
const (
	keyPatient = "p:"
	keyAgent   = "a:"
	keyAction  = "x:"
)

// appendBlockEntry appends e to a block's data.
func appendBlockEntry(b []byte, e *dsn.AuditEntry) []byte {
	b = binary.AppendVarint(b, e.Seq)
	b = binary.AppendVarint(b, sqlstore.Micros(e.Time))
	b = appendBytes(b, e.Patient)
	b = appendBytes(b, e.Agent)
	b = appendBytes(b, e.Action)
	b = appendBytes(b, e.Body)
	return appendBytes(b, e.Hash)
}

func appendBytes[S ~string | ~[]byte](b []byte, s S) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errBadBlock = errors.New("journal block: entry does not decode")

// blockReader walks a block's entries in order.
type blockReader struct{ p []byte }

// next decodes the next entry; ok is false at the end or at damage (err set).
// Body and Hash share the block's bytes.
func (r *blockReader) next() (e dsn.AuditEntry, ok bool, err error) {
	if len(r.p) == 0 {
		return e, false, nil
	}
	p := r.p
	var n int
	if e.Seq, n = binary.Varint(p); n <= 0 {
		return e, false, errBadBlock
	}
	p = p[n:]
	us, n := binary.Varint(p)
	if n <= 0 {
		return e, false, errBadBlock
	}
	p, e.Time = p[n:], sqlstore.FromMicros(us)
	var f [5][]byte
	for i := range f {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return e, false, errBadBlock
		}
		f[i], p = p[n:n+int(l)], p[n+int(l):]
	}
	e.Patient, e.Agent, e.Action, e.Body, e.Hash = string(f[0]), string(f[1]), string(f[2]), f[3], f[4]
	r.p = p
	return e, true, nil
}

// skip passes over the next entry, returning its seq, without building it.
func (r *blockReader) skip() (seq int64, ok bool) {
	p := r.p
	if len(p) == 0 {
		return 0, false
	}
	seq, n := binary.Varint(p)
	if n <= 0 {
		return 0, false
	}
	p = p[n:]
	if _, n = binary.Varint(p); n <= 0 {
		return 0, false
	}
	p = p[n:]
	for range 5 {
		l, n := binary.Uvarint(p)
		if n <= 0 || l > uint64(len(p)-n) {
			return 0, false
		}
		p = p[n+int(l):]
	}
	r.p = p
	return seq, true
}

// blockEntry finds the entry of seq in a block's data.
func blockEntry(data []byte, seq int64) (dsn.AuditEntry, bool) {
	r := blockReader{p: data}
	for {
		before := r.p
		s, ok := r.skip()
		if !ok || s > seq {
			return dsn.AuditEntry{}, false
		}
		if s == seq {
			r.p = before
			e, ok, _ := r.next()
			return e, ok
		}
	}
}

// block is one audit_block row to write.
type block struct {
	first, last int64
	until       int64 // µs: the latest time of any entry up to last
	hash        []byte
	data        []byte
}

// postKey is an audit_key key, kind and value apart (no string built per entry).
type postKey struct{ kind, v string }

// postings lists, per audit_key key, the seqs of one batch, ascending.
type postings map[postKey][]int64

func (ps postings) add(kind, v string, seq int64) {
	k := postKey{kind, v}
	ps[k] = append(ps[k], seq)
}

// buildBlocks cuts batch (consecutive seqs) into blocks of about blockBytes
// and collects its postings: each entry under its patient (if any), its agent
// and its action. until is the latest entry time of the journal before batch.
// The blocks' data go into spare's buffers first (the last batch's, once
// written: the mover's second of reads is ~16 blocks, each a fresh 65 KiB
// before), then into new ones.
func buildBlocks(batch []dsn.AuditEntry, until int64, spare [][]byte) ([]block, postings) {
	var out []block
	ps := postings{}
	var cur *block
	for i := range batch {
		e := &batch[i]
		if cur == nil || len(cur.data) >= blockBytes {
			var data []byte
			if len(out) < len(spare) {
				data = spare[len(out)][:0]
			} else {
				data = make([]byte, 0, min(blockBytes+1024, 420*(len(batch)-i)))
			}
			out = append(out, block{first: e.Seq, data: data})
			cur = &out[len(out)-1]
		}
		cur.data = appendBlockEntry(cur.data, e)
		cur.last, cur.hash = e.Seq, e.Hash
		until = max(until, sqlstore.Micros(e.Time))
		cur.until = until
		// an entry naming several records is found under each (decision 0023)
		dsn.AuditPatients(e.Patient, func(p string) { ps.add(keyPatient, p, e.Seq) })
		ps.add(keyAgent, e.Agent, e.Seq)
		ps.add(keyAction, e.Action, e.Seq)
	}
	return out, ps
}

// sortedKeys is ps's keys in order: the rows are inserted in key order, so
// that consecutive inserts land on neighbouring B-tree leaves.
func (ps postings) sortedKeys() []postKey {
	keys := make([]postKey, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b postKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.v, b.v))
	})
	return keys
}

// encodeSeqs writes seqs after the first as uvarint deltas.
func encodeSeqs(seqs []int64) []byte {
	b := make([]byte, 0, len(seqs)*2)
	for i := 1; i < len(seqs); i++ {
		b = binary.AppendUvarint(b, uint64(seqs[i]-seqs[i-1]))
	}
	return b
}

// decodeSeqs reads an audit_key row's seqs (first, then the deltas).
func decodeSeqs(first int64, b []byte, out []int64) []int64 {
	out = append(out, first)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		first += int64(d)
		out, b = append(out, first), b[n:]
	}
	return out
}

// DecodeJournalBlock reads the entries of one audit_block row's data (the
// format above), for tools that read audit.db directly — and for the tests
// that alter it as someone with write access to the file could.
func DecodeJournalBlock(data []byte) ([]dsn.AuditEntry, error) {
	var out []dsn.AuditEntry
	r := blockReader{p: data}
	for {
		e, ok, err := r.next()
		if !ok {
			return out, err
		}
		out = append(out, e)
	}
}

// EncodeJournalBlock writes entries as one audit_block row's data.
func EncodeJournalBlock(entries []dsn.AuditEntry) []byte {
	var b []byte
	for i := range entries {
		b = appendBlockEntry(b, &entries[i])
	}
	return b
}
