package sqlite

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// The page cache's "largest key" after a B-tree balance
// (docs/decisions/0035-sqlite-pcache-rekey.md).
//
// When a B-tree balance swaps two pages' numbers (btree.c, balance_nonroot), SQLite
// parks one page under a temporary number, the locking page (PENDING_BYTE / page size
// + 1: page 262,145 with 4 KiB pages) and moves it back at once. SQLite's page cache
// (pcache1.c) raises its iMaxKey to that number on the first move and never lowers it
// on the second, so the truncate that ends every write transaction (pager.c,
// pager_end_transaction → pcache1Truncate) finds a key "beyond the database" and, with
// that key more than one hash table away, walks every page of the cache looking for
// it: 6–7 % of the server's CPU per HTTP create with the writer's 32 MiB cache, all
// of it on the single writer (docs/benchmarks.md, session 10). The page cache stays
// SQLite's own; only its rekey goes through rekeyPage, which puts iMaxKey back to
// its value before the park when the page leaves the locking page. The truncate then
// does what it did before a balance: nothing, or a few hash slots.

var (
	pcacheOnce sync.Once
	pcacheOK   bool

	// defaultRekey and defaultTruncate are the default page cache's xRekey and
	// xTruncate (pcache1Rekey, pcache1Truncate).
	defaultRekey, defaultTruncate uintptr

	// parkedMax holds, per page cache (sqlite3_pcache*, a PCache1*), its iMaxKey
	// before a page was parked on the locking page. A cache is used by one
	// connection at a time, but connections run on many goroutines.
	parkedMu  sync.Mutex
	parkedMax = map[uintptr]uint32{}

	// pcacheRestores counts the restored iMaxKeys, pcacheFullScans the truncates
	// that walk the whole cache (tests).
	pcacheRestores, pcacheFullScans atomic.Int64
)

// pendingByte is SQLite's PENDING_BYTE (os.h; sqlite3PendingByte, changed only by a
// test control): the page holding it is never used, so balance_nonroot borrows its
// number.
const pendingByte = 0x40000000

// installPageCacheRekey makes SQLite's default page cache use rekeyPage. It must run
// before SQLite initialises (SQLITE_CONFIG_PCACHE2 is refused afterwards: the first
// sqlite3_open or sqlite3_vfs_find), hence from init; if it is refused, the page
// cache is SQLite's unchanged, only slower.
func installPageCacheRekey() bool {
	pcacheOnce.Do(func() {
		tls := libc.NewTLS()
		defer tls.Close()
		methods := libc.Xcalloc(tls, 1, libc.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_pcache_methods2{})))
		va := libc.Xmalloc(tls, libc.Tsize_t(unsafe.Sizeof(uintptr(0))))
		if methods == 0 || va == 0 {
			libc.Xfree(tls, methods)
			libc.Xfree(tls, va)
			return
		}
		defer libc.Xfree(tls, methods)
		defer libc.Xfree(tls, va)
		if sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_GETPCACHE2, libc.VaList(va, methods)) != sqlite3.SQLITE_OK {
			return
		}
		m := (*sqlite3.Tsqlite3_pcache_methods2)(cMemory(methods))
		if m.FxRekey == 0 || m.FxTruncate == 0 {
			return
		}
		defaultRekey, defaultTruncate = m.FxRekey, m.FxTruncate
		*(*func(*libc.TLS, uintptr, uintptr, uint32, uint32))(unsafe.Pointer(&m.FxRekey)) = rekeyPage
		*(*func(*libc.TLS, uintptr, uint32))(unsafe.Pointer(&m.FxTruncate)) = truncatePages
		// SQLite copies the methods (main.c, SQLITE_CONFIG_PCACHE2)
		pcacheOK = sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_PCACHE2, libc.VaList(va, methods)) == sqlite3.SQLITE_OK
	})
	return pcacheOK
}

func init() { installPageCacheRekey() }

// rekeyPage is the default xRekey, plus the restore of iMaxKey described above.
// balance_nonroot moves page A to the locking page, page B to A's number, then A to
// B's number, with nothing in between on that cache; both numbers were keys already,
// so the iMaxKey before the park still bounds every key.
func rekeyPage(tls *libc.TLS, p, page uintptr, oldKey, newKey uint32) {
	c := pcache1(p)
	lock := uint32(0)
	if c.FszPage > 0 {
		lock = pendingByte/uint32(c.FszPage) + 1
	}
	if newKey == lock {
		parkedMu.Lock()
		parkedMax[p] = c.FiMaxKey
		parkedMu.Unlock()
	}
	(*(*func(*libc.TLS, uintptr, uintptr, uint32, uint32))(unsafe.Pointer(&defaultRekey)))(tls, p, page, oldKey, newKey)
	if oldKey != lock || newKey >= lock {
		return
	}
	parkedMu.Lock()
	before, ok := parkedMax[p]
	delete(parkedMax, p)
	parkedMu.Unlock()
	if ok && c.FiMaxKey == lock {
		c.FiMaxKey = max(before, newKey)
		pcacheRestores.Add(1)
	}
}

// truncatePages is the default xTruncate; it counts the calls that walk the whole
// hash table (pcache1TruncateUnsafe's general case), which TestPageCacheRekey expects
// none of after balances.
func truncatePages(tls *libc.TLS, p uintptr, limit uint32) {
	c := pcache1(p)
	if limit <= c.FiMaxKey && c.FiMaxKey-limit >= c.FnHash {
		pcacheFullScans.Add(1)
	}
	(*(*func(*libc.TLS, uintptr, uint32))(unsafe.Pointer(&defaultTruncate)))(tls, p, limit)
}

// pcache1 is the PCache1 at p, cMemory the pointer to libc memory at p. Both live in libc's memory, outside the Go heap,
// so the uintptr is a stable address (the conversion is written so that vet's
// uintptr check, meant for Go memory, does not apply).
func pcache1(p uintptr) *sqlite3.TPCache1 { return (*sqlite3.TPCache1)(cMemory(p)) }

func cMemory(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }
