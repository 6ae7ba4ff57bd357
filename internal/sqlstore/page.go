package sqlstore

import (
	"encoding/base64"
	"strconv"
	"strings"

	"dsn"
)

// Page sizes for history and search (FHIR search.html#count lets the server cap _count).
const (
	DefaultCount = 50
	MaxCount     = 1000
)

// VersionCols are the columns of resource_version v that ScanResource reads.
const VersionCols = `v.type, v.id, ` + KeyedCols

// KeyedCols are VersionCols without type and id, for a read by (type, id)
// that knows them already (ScanKeyed): two columns fewer to name, convert
// and copy on every read.
const KeyedCols = `v.version, v.last_updated, v.deleted, v.method, v.body, v.patient_key`

// PageSize applies the default and the cap to a requested count.
func PageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultCount
	case n > MaxCount:
		return MaxCount
	}
	return n
}

// EncodeCursor makes an opaque cursor: kind letter and position, base64url.
func EncodeCursor(kind byte, pos int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(kind) + strconv.FormatInt(pos, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor with the same kind; any
// other string is an invalid request for op.
func DecodeCursor(op string, kind byte, c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s := string(b)
	if err == nil && strings.HasPrefix(s, string(kind)) {
		if n, err := strconv.ParseInt(s[1:], 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, Fail(op, dsn.KindInvalid, "cursor")
}
