package sqlstore

import (
	"runtime"
	"sync"

	"dsn"
)

// BulkIndexRows makes the index rows of a bulk write's versions, by table, as
// IndexRows gives them after rid, type and patient_key (resource i has rid
// rids[i]; tombstones have none), in ws's order. The versions are cut into
// GOMAXPROCS parts made at once: both stores call it from their single
// writer, the bulk path's serial stage, where making ~13 rows per resource
// (normalising text, boxing values) ran on one core
// (docs/benchmarks.md, session 8).
func BulkIndexRows(ws []dsn.Write, rids []int64) map[string][][]any {
	parts := min(runtime.GOMAXPROCS(0), max(1, len(ws)/bulkRowsPerWorker))
	chunks := make([]map[string][][]any, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := p*len(ws)/parts, (p+1)*len(ws)/parts
			// the rows' values in one slab and each table's rows in one
			// slice, made for the most rows the versions can give (shared
			// rows make fewer): no growth, and no block larger than needed
			m := make(map[string][][]any, len(IndexColumns))
			counts, values := rowBounds(ws[from:to])
			for table, n := range counts {
				if n > 0 {
					m[table] = make([][]any, 0, n)
				}
			}
			slab := make([]any, 0, values)
			for i := from; i < to; i++ {
				w := &ws[i]
				if w.Deleted {
					continue
				}
				// boxed once per resource, not once per row
				var r, typ, pk any = rids[i], w.Type, w.PatientKey
				IndexRows(&w.Index, func(table string, vals ...any) {
					n := 3 + len(vals)
					if cap(slab)-len(slab) < n { // cannot happen (rowBounds)
						slab = make([]any, 0, max(bulkSlab, n))
					}
					row := append(slab[len(slab):len(slab)], r, typ, pk)
					row = append(row, vals...)
					slab = slab[:len(slab)+n]
					m[table] = append(m[table], row[:n:n])
				})
			}
			chunks[p] = m
		}()
	}
	wg.Wait()
	index := chunks[0]
	for _, m := range chunks[1:] {
		for table, rows := range m {
			index[table] = append(index[table], rows...)
		}
	}
	return index
}

// bulkSlab is the number of values allocated at once for the rows.
const bulkSlab = 4096

// bulkRowsPerWorker is the fewest versions worth a goroutine of
// BulkIndexRows (a transaction Bundle's 26 are made on one).
const bulkRowsPerWorker = 64

// rowBounds is the most rows of each table the index rows of ws can be, and
// the most values they hold, rid, type and patient_key included.
func rowBounds(ws []dsn.Write) (map[string]int, int) {
	c := map[string]int{}
	for i := range ws {
		if ws[i].Deleted {
			continue
		}
		ix := &ws[i].Index
		c["idx_token"] += len(ix.Tokens)
		c["idx_string"] += len(ix.Strings)
		c["idx_date"] += len(ix.Dates)
		c["idx_reference"] += len(ix.References)
		c["idx_quantity"] += len(ix.Quantities)
		c["idx_number"] += len(ix.Numbers)
		c["idx_uri"] += len(ix.URIs)
		c["idx_composite"] += len(ix.Composites)
		c["idx_identifier_type"] += len(ix.IdentifierTypes)
		c["idx_ref_identifier"] += len(ix.RefIdentifiers)
	}
	values := 0
	for table, n := range c {
		values += n * (3 + len(IndexColumns[table]))
	}
	return c, values
}
