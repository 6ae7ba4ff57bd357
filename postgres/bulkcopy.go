package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"dsn/internal/sqlstore"
)

// The bulk path's COPYs are written in PostgreSQL's binary COPY format here
// rather than by pgx.Conn.CopyFrom, which encodes every value through its
// type map (a plan lookup and an interface call per value: ~10 % of the
// import's client CPU, docs/benchmarks.md session 8). The format
// (postgresql.org/docs/15/sql-copy.html, "Binary Format"): an 11-byte
// signature, a flags word and a header extension length, then per tuple a
// 16-bit field count and per field a 32-bit length (-1: NULL) and the value
// in the type's binary send format; a 16-bit -1 ends the data.

// copyKind is the binary send format of a bulk-path column.
type copyKind byte

const (
	copyText        copyKind = iota // text: the bytes
	copyInt8                        // bigint: 8 bytes, big-endian
	copyFloat8                      // double precision: IEEE 754, big-endian
	copyBool                        // boolean: 1 byte
	copyTimestamptz                 // microseconds since 2000-01-01 00:00 UTC
	copyJSONB                       // jsonb: version byte 1, then the JSON text
)

// columnKind is the type of a column the bulk path COPYs into (migrations
// 0001, 0002, 0007; TestCopyKindsMatchSchema checks every one against the
// catalog). Every other column is text.
func columnKind(table, col string) copyKind {
	switch col {
	case "rid", "seq", "version":
		return copyInt8
	case "last_updated":
		return copyTimestamptz
	case "deleted":
		return copyBool
	case "body":
		return copyJSONB
	}
	switch table {
	case "idx_date":
		if col == "low" || col == "high" {
			return copyInt8
		}
	case "idx_number":
		if col == "value" {
			return copyFloat8
		}
	case "idx_quantity":
		if col == "value" || col == "low" || col == "high" {
			return copyFloat8
		}
	case "idx_composite":
		switch strings.TrimRight(col, "123") {
		case "lo", "hi":
			return copyFloat8
		case "dlo", "dhi":
			return copyInt8
		}
	}
	return copyText
}

var (
	copySignature = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00") // signature, flags 0, no extension
	pgEpochMicros = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
)

// copyBufs keeps the COPY buffers between batches: a batch's versions are
// ~0.5 MB (the bodies), and growing a fresh buffer to that size for every
// table and batch cost more than encoding into it.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooledCopyBuf is the largest buffer kept (a huge batch's is let go).
const maxPooledCopyBuf = 8 << 20

// copyChunk is the largest CopyData message sent (as pgx's CopyFrom sends).
const copyChunk = 64 << 10

// pendingCopy is one COPY of a putAll, encoded and not sent yet.
type pendingCopy struct {
	table string
	// wire is the COPY as the protocol messages that run it (pooled): its
	// Query, the binary COPY stream in CopyData messages of about
	// copyChunk bytes, and CopyDone.
	wire *[]byte
}

// copies are the COPYs of one putAll. They go to the server in ONE round trip
// (send): each COPY's Query, CopyData and CopyDone messages back to back, then
// the answers are read. A COPY statement ends its simple-query cycle with
// ReadyForQuery, so the server takes the next Query from its input as soon as
// one COPY is done; if one fails, the transaction is aborted, the next Query
// fails at once and the server drops the CopyData and CopyDone that follow
// (postgresql.org/docs/15/protocol-flow.html, "COPY Operations"). One round
// trip per table cost each merged write ~10 (docs/benchmarks.md, session 9).
//
// The messages are encoded here, into the pooled buffers, and written to the
// connection as they are (one writev): pgx's Frontend.Send copies every
// message into its own write buffer, which it drops after each flush larger
// than 1 KiB, so each merged write grew a new one to the size of all its
// COPYs — a quarter of the bytes the server allocated under `dsn bench
// --scenario transaction` (session 10).
type copies []pendingCopy

// add encodes the COPY of n rows made by row into table (nothing if n is 0).
func (cs *copies) add(table string, cols []string, n int, row func(int) []any) error {
	kinds := make([]copyKind, len(cols))
	for i, c := range cols {
		kinds[i] = columnKind(table, c)
	}
	return cs.addTuples(table, cols, n, func(buf []byte, i int) ([]byte, error) {
		return appendCopyTuple(buf, cols, kinds, row(i))
	})
}

// addTuples encodes the COPY of n tuples appended by tuple into table
// (nothing if n is 0).
func (cs *copies) addTuples(table string, cols []string, n int, tuple func(buf []byte, i int) ([]byte, error)) error {
	if n == 0 {
		return nil
	}
	sql := "COPY " + table + " (" + strings.Join(cols, ", ") + ") FROM STDIN (FORMAT binary)"
	bp := copyBufs.Get().(*[]byte)
	buf := appendQueryMessage((*bp)[:0], sql)
	chunk := len(buf) // where the open CopyData message starts
	buf = append(buf, 'd', 0, 0, 0, 0)
	buf = append(buf, copySignature...)
	var err error
	for i := range n {
		if buf, err = tuple(buf, i); err != nil {
			*bp = buf
			copyBufs.Put(bp)
			return fmt.Errorf("copy %s: %w", table, err)
		}
		if len(buf)-chunk >= copyChunk && i < n-1 {
			endMessage(buf, chunk)
			chunk = len(buf)
			buf = append(buf, 'd', 0, 0, 0, 0)
		}
	}
	buf = binary.BigEndian.AppendUint16(buf, 0xffff)
	endMessage(buf, chunk)
	*bp = append(buf, 'c', 0, 0, 0, 4) // CopyDone
	*cs = append(*cs, pendingCopy{table: table, wire: bp})
	return nil
}

// appendQueryMessage appends the simple-query message of sql
// (protocol-message-formats.html: 'Q', Int32 length, the text, a NUL).
func appendQueryMessage(buf []byte, sql string) []byte {
	buf = append(buf, 'Q')
	buf = binary.BigEndian.AppendUint32(buf, uint32(4+len(sql)+1))
	buf = append(buf, sql...)
	return append(buf, 0)
}

// endMessage sets the length of the message that starts at buf[at] (its
// type byte) and ends at the end of buf: the length counts itself, not the
// type byte.
func endMessage(buf []byte, at int) {
	binary.BigEndian.PutUint32(buf[at+1:], uint32(len(buf)-at-1))
}

// release gives the buffers back to the pool.
func (cs copies) release() {
	for _, c := range cs {
		if cap(*c.wire) <= maxPooledCopyBuf {
			copyBufs.Put(c.wire)
		}
	}
}

// sendCopies runs the COPYs of cs on t's connection in one round trip (above) and returns
// the first error: a unique violation is a resource created meanwhile.
func (t *tx) sendCopies(op string, cs copies) error {
	defer cs.release()
	if len(cs) == 0 {
		return nil
	}
	pc := t.conn.PgConn()
	// whatever pgx still buffers goes first (nothing, after nextKeys), then
	// the COPYs' messages, straight to the connection pgx writes to
	err := pc.Frontend().Flush()
	if err == nil {
		wire := make(net.Buffers, len(cs))
		for i, c := range cs {
			wire[i] = *c.wire
		}
		_, err = wire.WriteTo(pc.Conn())
	}
	if err != nil {
		abandon(pc)
		return t.fail(op, fmt.Errorf("copy: %w", err))
	}
	var first error
	for i := 0; i < len(cs); {
		msg, err := pc.ReceiveMessage(t.ctx)
		if err != nil {
			abandon(pc)
			return t.fail(op, fmt.Errorf("copy %s: %w", cs[i].table, err))
		}
		switch msg := msg.(type) {
		case *pgproto3.ErrorResponse:
			if first == nil {
				first = fmt.Errorf("copy %s: %w", cs[i].table, pgconn.ErrorResponseToPgError(msg))
			}
		case *pgproto3.ReadyForQuery:
			i++
		}
	}
	if first != nil {
		var pe *pgconn.PgError
		if errors.As(first, &pe) && pe.Code == "23505" { // unique_violation: created meanwhile
			return t.Record(sqlstore.CreatedMeanwhile(op, first))
		}
		return t.fail(op, first)
	}
	return nil
}

// abandon closes pc after an I/O error in the middle of sendCopies: what the
// server still has to say is unknown, so the connection is not used again (the
// writer opens another at its next batch).
func abandon(pc *pgconn.PgConn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	pc.Close(ctx)
}

// appendCopyTuple appends one tuple of vals (one per column, of kinds) to buf.
func appendCopyTuple(buf []byte, cols []string, kinds []copyKind, vals []any) ([]byte, error) {
	if len(vals) != len(kinds) {
		return buf, fmt.Errorf("%d values for %d columns", len(vals), len(kinds))
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(vals)))
	for i, v := range vals {
		if v == nil {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // -1: NULL
			continue
		}
		ok := true
		switch kinds[i] {
		case copyText:
			var s string
			if s, ok = v.(string); ok {
				buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
				buf = append(buf, s...)
			}
		case copyInt8:
			var x int64
			if x, ok = v.(int64); ok {
				buf = binary.BigEndian.AppendUint32(buf, 8)
				buf = binary.BigEndian.AppendUint64(buf, uint64(x))
			}
		case copyFloat8:
			var x float64
			if x, ok = v.(float64); ok {
				buf = binary.BigEndian.AppendUint32(buf, 8)
				buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(x))
			}
		case copyBool:
			var x bool
			if x, ok = v.(bool); ok {
				b := byte(0)
				if x {
					b = 1
				}
				buf = binary.BigEndian.AppendUint32(buf, 1)
				buf = append(buf, b)
			}
		case copyTimestamptz:
			var x time.Time
			if x, ok = v.(time.Time); ok {
				buf = binary.BigEndian.AppendUint32(buf, 8)
				buf = binary.BigEndian.AppendUint64(buf, uint64(x.UnixMicro()-pgEpochMicros))
			}
		case copyJSONB:
			var x []byte
			if x, ok = v.([]byte); ok && x == nil {
				buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // a nil body is NULL, as pgx sends it
			} else if ok {
				buf = binary.BigEndian.AppendUint32(buf, uint32(1+len(x)))
				buf = append(buf, 1)
				buf = append(buf, x...)
			}
		}
		if !ok {
			return buf, fmt.Errorf("column %s: unexpected %T", cols[i], v)
		}
	}
	return buf, nil
}
