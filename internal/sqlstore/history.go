package sqlstore

import (
	"math"
	"slices"
	"strings"

	"dsn"
)

// History translates a history query (FHIR R4 http.html#history): one fixed
// query shape per level (system, type, instance), newest first; the cursor is
// the last global sequence seen (keyset paging). Each level reads its own
// index so that its cost does not grow with the store: system the primary key
// (seq), type (type, seq), instance UNIQUE (type, id, version) — for one
// resource, version order is seq order, so ordering by version returns the
// same rows without walking every version of the type. At the instance level
// the cursor test carries the dialect's noIndex hint, which keeps SQLite from
// choosing the (type, seq) index for that range. Without _since the count
// leaves last_updated out, so it can be answered from the index alone. The
// count is always wanted (Plan.Count).
func History(d Dialect, op string, q dsn.HistoryQuery) (Plan, error) {
	before := int64(math.MaxInt64)
	if q.Cursor != "" {
		var err error
		if before, err = DecodeCursor(op, 'h', q.Cursor); err != nil {
			return Plan{}, err
		}
	}
	b := &builder{d: d}
	var conds []string
	seq, order := "v.seq", "v.seq DESC"
	switch {
	case q.Type == "" && q.ID != "":
		return Plan{}, Fail(op, dsn.KindInvalid, "history.type")
	case q.Type == "":
		// A WHERE clause even here: SQLite then counts on the (type, seq)
		// index like the other levels (testdata/history_plan.golden).
		conds = append(conds, d.always)
	case q.ID == "":
		conds = append(conds, "v.type = "+b.arg(q.Type))
	default:
		conds = append(conds, "v.type = "+b.arg(q.Type)+" AND v.id = "+b.arg(q.ID))
		seq, order = d.noIndex+"v.seq", "v.version DESC"
	}
	if !q.Since.IsZero() {
		conds = append(conds, "v.last_updated >= "+b.arg(d.timeArg(q.Since)))
	}
	count := Statement{SQL: "SELECT count(*) FROM resource_version v" + where(conds), Args: slices.Clone(b.args)}
	size := PageSize(q.Count)
	conds = append(conds, seq+" < "+b.arg(before))
	page := "SELECT v.seq, " + VersionCols + " FROM resource_version v" + where(conds) +
		" ORDER BY " + order + " LIMIT " + b.arg(size+1)
	return Plan{Page: Statement{SQL: page, Args: b.args}, Count: count, Size: size}, nil
}

func where(conds []string) string { return " WHERE " + strings.Join(conds, " AND ") }
