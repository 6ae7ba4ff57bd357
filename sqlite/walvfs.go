package sqlite

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// WAL write coalescing (docs/decisions/0033-sqlite-wal-write-coalescing.md).
// SQLite appends each WAL frame with two writes, the 24-byte frame header and
// then the page (wal.c, walWriteOneFrame), and the unix VFS turns each into a
// pwrite: ~26 system calls per Observation create. On the test VM under load a
// 4 KiB pwrite costs several µs of CPU whatever its size, so the writer
// connections open their files through "dsnwal", a VFS that is the unix VFS
// except for the WAL file's writes: consecutive writes are gathered in a buffer
// and written with one pwrite when the commit frame's page arrives (a frame
// header whose "database size" field is non-zero marks a commit,
// sqlite.org/fileformat2.html#wal_file_format), when the buffer is full, when a
// write is not contiguous, and before any other operation on the file (read,
// truncate, sync, size, lock, file control, close). So the frames of a
// transaction reach the file before COMMIT returns, as before: readers, the
// checkpointer and the syncer (durable.go) see exactly what they saw, and an
// error of that pwrite fails the COMMIT as SQLite's own write would. Frames of a
// transaction that has not committed may wait in the buffer; no other
// connection reads them (they are not in the wal-index's committed range).
const walVFSName = "dsnwal"

// walBufSize bounds one coalesced write: 31 frames of a 4 KiB page, under the
// 128 KiB that the unix VFS writes in one call (os_unix.c, seekAndWriteFd masks
// the size with 0x1ffff). A larger transaction (a Bundle, an import) is written
// in pieces of this size.
const walBufSize = 31 * (4096 + walFrameHeader)

// walFrameHeader is the size of a WAL frame's header (wal.c, WAL_FRAME_HDRSIZE).
const walFrameHeader = 24

// walFile is the buffer of one open WAL file.
type walFile struct {
	buf        uintptr // libc memory of walBufSize bytes
	n          int32   // bytes buffered
	off        int64   // file offset of buf[0]
	commitNext bool    // the next write is the page of a commit frame
	err        int32   // the first failed write: final for this file (below)
}

var (
	walVFSOnce sync.Once
	walVFSErr  int32

	// unixVFS is the unix VFS's struct (copied), walVFS ours.
	unixVFS     sqlite3.Tsqlite3_vfs
	unixVFSAddr uintptr
	walVFS      sqlite3.Tsqlite3_vfs

	// unixWAL is the unix VFS's methods of an open WAL file, walMethods ours.
	unixWALOnce sync.Once
	unixWAL     sqlite3.Tsqlite3_io_methods
	walMethods  sqlite3.Tsqlite3_io_methods

	walFilesMu sync.Mutex
	walFiles   = map[uintptr]*walFile{}

	// walWrites counts the unix VFS's writes to WAL files (tests).
	walWrites atomic.Int64
)

// registerWALVFS registers "dsnwal" once; a failure leaves the writers on the
// default VFS (dataSource checks walVFSReady).
func registerWALVFS() bool {
	walVFSOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		unixVFSAddr = sqlite3.Xsqlite3_vfs_find(tls, 0)
		if unixVFSAddr == 0 {
			walVFSErr = sqlite3.SQLITE_ERROR
			return
		}
		unixVFS = *(*sqlite3.Tsqlite3_vfs)(cMemory(unixVFSAddr))
		walVFS = unixVFS
		walVFS.FpNext = 0
		walVFS.FzName = mustCString(walVFSName)
		*(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walVFS.FxOpen)) = walOpen
		walVFSErr = sqlite3.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&walVFS)), 0)
	})
	return walVFSErr == sqlite3.SQLITE_OK
}

func mustCString(s string) uintptr {
	p, err := libc.CString(s)
	if err != nil {
		panic(err)
	}
	return p
}

// walOpen opens a file with the unix VFS and, for a WAL file, puts our methods
// in front of the unix ones.
func walOpen(tls *libc.TLS, _ uintptr, zName uintptr, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	open := *(*func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32)(unsafe.Pointer(&unixVFS.FxOpen))
	rc := open(tls, unixVFSAddr, zName, pFile, flags, pOutFlags)
	if rc != sqlite3.SQLITE_OK || flags&sqlite3.SQLITE_OPEN_WAL == 0 {
		return rc
	}
	methods := *(*uintptr)(cMemory(pFile))
	if methods == 0 {
		return rc
	}
	unixWALOnce.Do(func() { setWALMethods(methods) })
	if *(*sqlite3.Tsqlite3_io_methods)(cMemory(methods)) != unixWAL {
		return rc // methods we did not wrap: leave the file as the unix VFS made it
	}
	buf := libc.Xmalloc(tls, walBufSize)
	if buf == 0 {
		return rc
	}
	walFilesMu.Lock()
	walFiles[pFile] = &walFile{buf: buf}
	walFilesMu.Unlock()
	*(*uintptr)(cMemory(pFile)) = uintptr(unsafe.Pointer(&walMethods)) // a package variable: never moves
	return rc
}

func setWALMethods(methods uintptr) {
	unixWAL = *(*sqlite3.Tsqlite3_io_methods)(cMemory(methods))
	walMethods = unixWAL
	*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxWrite)) = walWrite
	*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&walMethods.FxClose)) = walClose
	*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&walMethods.FxRead)) = walRead
	*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&walMethods.FxTruncate)) = walTruncate
	*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxSync)) = walSync
	*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileSize)) = walFileSize
	*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxLock)) = walLock
	*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&walMethods.FxUnlock)) = walUnlock
	*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&walMethods.FxFileControl)) = walFileControl
}

func lookupWAL(pFile uintptr) *walFile {
	walFilesMu.Lock()
	w := walFiles[pFile]
	walFilesMu.Unlock()
	return w
}

// unixWrite writes through the unix VFS.
func unixWrite(tls *libc.TLS, pFile, p uintptr, n int32, off int64) int32 {
	walWrites.Add(1)
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&unixWAL.FxWrite)))(tls, pFile, p, n, off)
}

// flush writes the buffer, if any, with one pwrite. A write that fails while
// SQLite writes frames (walWrite) fails that write, and SQLite rolls the
// transaction back, so the next frames overwrite the same place. A write that
// fails in another operation (a read of a spilled frame, a sync, ...) is final
// for this file (every later operation returns it until the file is closed):
// frames must never follow a hole as if it had been written, whatever SQLite
// does with that operation's error. Either needs a failing disk.
func (w *walFile) flush(tls *libc.TLS, pFile uintptr, final bool) int32 {
	if w == nil {
		return sqlite3.SQLITE_OK
	}
	if w.err != sqlite3.SQLITE_OK || w.n == 0 {
		return w.err
	}
	n := w.n
	w.n, w.commitNext = 0, false
	rc := unixWrite(tls, pFile, w.buf, n, w.off)
	if final {
		w.err = rc
	}
	return rc
}

func walWrite(tls *libc.TLS, pFile, p uintptr, n int32, off int64) int32 {
	w := lookupWAL(pFile)
	if w == nil {
		return unixWrite(tls, pFile, p, n, off)
	}
	if w.err != sqlite3.SQLITE_OK {
		return w.err
	}
	if w.n > 0 && (off != w.off+int64(w.n) || n > walBufSize-w.n) {
		if rc := w.flush(tls, pFile, false); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	if n > walBufSize {
		return unixWrite(tls, pFile, p, n, off)
	}
	if w.n == 0 {
		w.off = off
	}
	libc.Xmemcpy(tls, w.buf+uintptr(w.n), p, libc.Tsize_t(n))
	w.n += n
	if w.commitNext {
		return w.flush(tls, pFile, false)
	}
	if n == walFrameHeader {
		// bytes 4–7: the database size after a commit, zero in other frames
		w.commitNext = *(*[4]byte)(cMemory(p + 4)) != [4]byte{}
	}
	return sqlite3.SQLITE_OK
}

func walClose(tls *libc.TLS, pFile uintptr) int32 {
	w := lookupWAL(pFile)
	rc := w.flush(tls, pFile, true)
	if w != nil {
		walFilesMu.Lock()
		delete(walFiles, pFile)
		walFilesMu.Unlock()
		libc.Xfree(tls, w.buf)
	}
	if rc2 := (*(*func(*libc.TLS, uintptr) int32)(unsafe.Pointer(&unixWAL.FxClose)))(tls, pFile); rc == sqlite3.SQLITE_OK {
		rc = rc2
	}
	return rc
}

func walRead(tls *libc.TLS, pFile, p uintptr, n int32, off int64) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr, int32, int64) int32)(unsafe.Pointer(&unixWAL.FxRead)))(tls, pFile, p, n, off)
}

func walTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int64) int32)(unsafe.Pointer(&unixWAL.FxTruncate)))(tls, pFile, size)
}

func walSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&unixWAL.FxSync)))(tls, pFile, flags)
}

func walFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, uintptr) int32)(unsafe.Pointer(&unixWAL.FxFileSize)))(tls, pFile, pSize)
}

func walLock(tls *libc.TLS, pFile uintptr, level int32) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&unixWAL.FxLock)))(tls, pFile, level)
}

func walUnlock(tls *libc.TLS, pFile uintptr, level int32) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32) int32)(unsafe.Pointer(&unixWAL.FxUnlock)))(tls, pFile, level)
}

func walFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	if rc := lookupWAL(pFile).flush(tls, pFile, true); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return (*(*func(*libc.TLS, uintptr, int32, uintptr) int32)(unsafe.Pointer(&unixWAL.FxFileControl)))(tls, pFile, op, pArg)
}
