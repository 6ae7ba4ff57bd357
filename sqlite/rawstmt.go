package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"modernc.org/libc"
	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// The writer's hot INSERTs (a version, a resource, the index rows, and the
// bulk path's multi-row INSERTs) run through SQLite's C API on the writer
// connection's handle instead of database/sql: database/sql converts every
// argument into a fresh []driver.NamedValue and allocates a Result, and the
// driver looks each parameter's name up, mallocs, copies and frees a C
// string per text argument and clears the bindings after the statement;
// together ~15 % of the bulk writer's CPU (docs/benchmarks.md, session 10,
// rawbind). Here every text and blob of a statement is copied into one
// reusable C buffer and bound SQLITE_STATIC: SQLite reads it only while the
// statement steps, and the C code never sees Go memory.
//
// Only the writer goroutine uses a rawConn, between database/sql calls on
// the same connection, so nothing else runs on the handle meanwhile.
type rawConn struct {
	tls  *libc.TLS
	db   uintptr // the writer connection's sqlite3*, owned by the driver
	buf  uintptr // C memory the text and blob arguments are copied into
	size int
}

// openRaw takes the sqlite3 handle of c's driver connection. The driver
// does not export it; its connection type keeps it in a field named db
// (modernc.org/sqlite conn.go), read here by reflection, and a driver
// version without it makes Open fail rather than run without it.
func openRaw(ctx context.Context, c *sql.Conn) (*rawConn, error) {
	var db uintptr
	err := c.Raw(func(dc any) error {
		v := reflect.ValueOf(dc)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("driver connection %T is not a struct pointer", dc)
		}
		f := v.Elem().FieldByName("db")
		if !f.IsValid() || f.Kind() != reflect.Uintptr || f.Uint() == 0 {
			return fmt.Errorf("driver connection %T has no sqlite3 handle", dc)
		}
		db = uintptr(f.Uint())
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := &rawConn{tls: libc.NewTLS(), db: db}
	if err := r.grow(64 << 10); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// grow makes the argument buffer at least n bytes. Statements bound to the
// old buffer are rebound before they step again.
func (r *rawConn) grow(n int) error {
	if n <= r.size {
		return nil
	}
	n = max(n, 2*r.size)
	p := libc.Xmalloc(r.tls, libc.Tsize_t(n))
	if p == 0 {
		return errors.New("sqlite: out of memory for statement arguments")
	}
	if r.buf != 0 {
		libc.Xfree(r.tls, r.buf)
	}
	r.buf, r.size = p, n
	return nil
}

// close frees the buffer and the TLS; the statements are finalized first
// (rawStmt.close). The connection itself belongs to database/sql.
func (r *rawConn) close() {
	if r == nil || r.tls == nil {
		return
	}
	if r.buf != 0 {
		libc.Xfree(r.tls, r.buf)
		r.buf, r.size = 0, 0
	}
	r.tls.Close()
	r.tls = nil
}

// rawError is a failed raw statement's error, with the result code the
// driver's *msqlite.Error would carry (see resultCode).
type rawError struct {
	code int
	msg  string
}

func (e *rawError) Error() string { return e.msg }

// err reads the connection's error message for result code rc.
func (r *rawConn) err(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(r.tls, rc))
	msg := libc.GoString(sqlite3.Xsqlite3_errmsg(r.tls, r.db))
	if msg != str {
		str += ": " + msg
	}
	return &rawError{code: int(rc), msg: fmt.Sprintf("%s (%d)", str, rc)}
}

// resultCode is the SQLite result code of err from either path.
func resultCode(err error) (int, bool) {
	var e *msqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	var r *rawError
	if errors.As(err, &r) {
		return r.code, true
	}
	return 0, false
}

// rawStmt is one prepared statement of a rawConn.
type rawStmt struct {
	c      *rawConn
	p      uintptr // sqlite3_stmt*
	params int
}

// prepare compiles query once for many runs (SQLITE_PREPARE_PERSISTENT).
func (r *rawConn) prepare(query string) (*rawStmt, error) {
	z, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(r.tls, z)
	pp := r.tls.Alloc(8)
	defer r.tls.Free(8)
	*(*uintptr)(cMemory(pp)) = 0
	if rc := sqlite3.Xsqlite3_prepare_v3(r.tls, r.db, z, -1, sqlite3.SQLITE_PREPARE_PERSISTENT, pp, 0); rc != sqlite3.SQLITE_OK {
		return nil, r.err(rc)
	}
	p := *(*uintptr)(cMemory(pp))
	if p == 0 {
		return nil, fmt.Errorf("prepare %q: no statement", query)
	}
	return &rawStmt{c: r, p: p, params: int(sqlite3.Xsqlite3_bind_parameter_count(r.tls, p))}, nil
}

func (s *rawStmt) close() {
	if s != nil && s.p != 0 && s.c.tls != nil {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
		s.p = 0
	}
}

// exec binds args (by position) and runs the statement to completion. A
// failed statement is undone by SQLite alone (its ABORT conflict
// resolution), as through database/sql; the transaction goes on.
func (s *rawStmt) exec(args ...any) error {
	c := s.c
	if len(args) != s.params {
		return fmt.Errorf("sqlite: %d arguments for %d parameters", len(args), s.params)
	}
	args, err := normalize(args)
	if err != nil {
		return err
	}
	if err := c.grow(argBytes(args)); err != nil {
		return err
	}
	off := 0
	for i, a := range args {
		rc, err := s.bind(int32(i+1), a, &off)
		if err != nil {
			sqlite3.Xsqlite3_reset(c.tls, s.p)
			return err
		}
		if rc != sqlite3.SQLITE_OK {
			sqlite3.Xsqlite3_reset(c.tls, s.p)
			return c.err(rc)
		}
	}
	rc := sqlite3.Xsqlite3_step(c.tls, s.p)
	for rc == sqlite3.SQLITE_ROW { // as Exec: run to the end
		rc = sqlite3.Xsqlite3_step(c.tls, s.p)
	}
	if rc != sqlite3.SQLITE_DONE {
		err = c.err(rc) // before reset, which may replace the message
	}
	sqlite3.Xsqlite3_reset(c.tls, s.p)
	return err
}

// lastInsertID is the rowid of the connection's last INSERT.
func (r *rawConn) lastInsertID() int64 {
	return sqlite3.Xsqlite3_last_insert_rowid(r.tls, r.db)
}

// argBytes is the buffer room args' texts and blobs need.
func argBytes(args []any) int {
	n := 0
	for _, a := range args {
		switch v := a.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		}
	}
	return n
}

// bind binds a to parameter i; texts and blobs are copied into the buffer
// at *off. exec has normalized a to one of these types.
func (s *rawStmt) bind(i int32, a any, off *int) (int32, error) {
	c := s.c
	switch v := a.(type) {
	case nil:
		return sqlite3.Xsqlite3_bind_null(c.tls, s.p, i), nil
	case int64:
		return sqlite3.Xsqlite3_bind_int64(c.tls, s.p, i, v), nil
	case int:
		return sqlite3.Xsqlite3_bind_int64(c.tls, s.p, i, int64(v)), nil
	case float64:
		return sqlite3.Xsqlite3_bind_double(c.tls, s.p, i, v), nil
	case bool:
		return sqlite3.Xsqlite3_bind_int64(c.tls, s.p, i, int64(boolInt(v))), nil
	case string:
		p := c.copyArg(off, v)
		// SQLITE_STATIC (0): the buffer outlives the step
		return sqlite3.Xsqlite3_bind_text(c.tls, s.p, i, p, int32(len(v)), 0), nil
	case []byte:
		if v == nil { // as the driver: a nil []byte is NULL
			return sqlite3.Xsqlite3_bind_null(c.tls, s.p, i), nil
		}
		p := c.copyArg(off, unsafe.String(unsafe.SliceData(v), len(v)))
		return sqlite3.Xsqlite3_bind_blob(c.tls, s.p, i, p, int32(len(v)), 0), nil
	}
	return 0, fmt.Errorf("sqlite: argument %d: unsupported type %T", i, a)
}

// normalize converts the arguments outside bind's cases with database/sql's
// default conversion (driver.Valuer, other integer kinds), copying args only
// then.
func normalize(args []any) ([]any, error) {
	var out []any
	for i, a := range args {
		switch a.(type) {
		case nil, int64, int, float64, bool, string, []byte:
			if out != nil {
				out[i] = a
			}
			continue
		}
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("sqlite: argument %d: %w", i+1, err)
		}
		if out == nil {
			out = make([]any, len(args))
			copy(out, args[:i])
		}
		out[i] = v
	}
	if out == nil {
		return args, nil
	}
	return out, nil
}

// copyArg copies b into the buffer at *off and returns its C address (never
// 0, so that an empty text is bound as ” and not NULL).
func (c *rawConn) copyArg(off *int, b string) uintptr {
	p := c.buf + uintptr(*off)
	if len(b) > 0 {
		copy(unsafe.Slice((*byte)(cMemory(p)), len(b)), b)
	}
	*off += len(b)
	return p
}
