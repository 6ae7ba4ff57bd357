package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"dsn"
)

// onWriter runs fn on the writer goroutine, the only one that may use s.raw.
func onWriter(t *testing.T, s *Store, fn func(t *tx) error) {
	t.Helper()
	err := s.Write(context.Background(), func(x dsn.Tx) error { return fn(x.(*tx)) })
	if err != nil {
		t.Fatal(err)
	}
}

type valuer string

func (v valuer) Value() (driver.Value, error) { return "v:" + string(v), nil }

// The raw statements bind every argument type the writer uses as the
// driver did: an empty text is the empty string (not NULL), a nil []byte is NULL, an
// empty []byte a zero-length blob, texts and blobs larger than the
// argument buffer come back whole, and other types take database/sql's
// conversion.
func TestRawStmtBindsLikeTheDriver(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB, beyond the first buffer
	onWriter(t, s, func(x *tx) error {
		ctx := context.Background()
		if _, err := x.s.wconn.ExecContext(ctx, "CREATE TEMP TABLE rawt (k INTEGER, a, b, c, d, e, f)"); err != nil {
			return err
		}
		st, err := x.s.raw.prepare("INSERT INTO rawt VALUES (?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer st.close()
		rows := [][]any{
			{int64(1), "", []byte(nil), []byte{}, 2.5, true, int32(7)},
			{2, strings.Repeat("é", 100000), big, nil, valuer("x"), false, uint8(3)},
		}
		for _, r := range rows {
			if err := st.exec(r...); err != nil {
				return err
			}
		}
		if err := st.exec(int64(3)); err == nil {
			t.Error("1 argument for 7 parameters: no error")
		}
		if err := st.exec(int64(3), struct{}{}, nil, nil, nil, nil, nil); err == nil {
			t.Error("a struct argument: no error")
		}
		type got struct {
			types string
			a     string
			b     []byte
			e     string
			g     int64
		}
		want := []got{
			{"integer text null blob real integer integer", "", nil, "2.5", 7},
			{"integer text blob null text integer integer", strings.Repeat("é", 100000), big, "v:x", 3},
		}
		for i, w := range want {
			var g got
			err := x.s.wconn.QueryRowContext(ctx, `SELECT typeof(k)||' '||typeof(a)||' '||typeof(b)||' '||typeof(c)||' '||
				typeof(d)||' '||typeof(e)||' '||typeof(f), a, b, CAST(d AS TEXT), f FROM rawt WHERE k = ?`, i+1).
				Scan(&g.types, &g.a, &g.b, &g.e, &g.g)
			if err != nil {
				return err
			}
			if g.types != w.types || g.a != w.a || !bytes.Equal(g.b, w.b) || g.e != w.e || g.g != w.g {
				t.Errorf("row %d: types %q a %d bytes b %d bytes d %q f %d; want %q, %d, %d, %q, %d",
					i+1, g.types, len(g.a), len(g.b), g.e, g.g, w.types, len(w.a), len(w.b), w.e, w.g)
			}
		}
		var n int
		if err := x.s.wconn.QueryRowContext(ctx, "SELECT count(*) FROM rawt").Scan(&n); err != nil || n != 2 {
			t.Errorf("rows after the failed execs: %d, %v; want 2", n, err)
		}
		_, err = x.s.wconn.ExecContext(ctx, "DROP TABLE rawt")
		return err
	})
}

// A constraint violation on a raw statement is the driver's: constraint and
// busy tell it as before, the statement's writes are undone and the
// transaction goes on.
func TestRawStmtConstraintError(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	onWriter(t, s, func(x *tx) error {
		ctx := context.Background()
		if _, err := x.s.wconn.ExecContext(ctx, "CREATE TEMP TABLE rawu (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			return err
		}
		st, err := x.s.raw.prepare("INSERT INTO rawu VALUES (?, ?), (?, ?)")
		if err != nil {
			return err
		}
		defer st.close()
		if err := st.exec(1, "a", 2, "b"); err != nil {
			return err
		}
		err = st.exec(3, "c", 1, "dup") // the second row breaks the key
		if !constraint(err) || busy(err) {
			t.Errorf("duplicate key: %v; constraint %v, busy %v", err, constraint(err), busy(err))
		}
		if code, ok := resultCode(err); !ok || code != 1555 { // SQLITE_CONSTRAINT_PRIMARYKEY
			t.Errorf("result code %d, %v; want 1555", code, ok)
		}
		if err := st.exec(3, nil, 4, "d"); !constraint(err) { // NOT NULL
			t.Errorf("NULL into NOT NULL: %v", err)
		}
		if err := st.exec(5, "e", 6, "f"); err != nil {
			return err
		}
		if id := x.s.raw.lastInsertID(); id != 6 {
			t.Errorf("last insert id %d; want 6", id)
		}
		var keys string
		if err := x.s.wconn.QueryRowContext(ctx, "SELECT group_concat(k) FROM (SELECT k FROM rawu ORDER BY k)").Scan(&keys); err != nil {
			return err
		}
		if keys != "1,2,5,6" {
			t.Errorf("keys after the failed statements: %q; want 1,2,5,6 (nothing of the failed statements kept)", keys)
		}
		_, err = x.s.wconn.ExecContext(ctx, "DROP TABLE rawu")
		return err
	})
}
