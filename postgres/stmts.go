package postgres

import "dsn/internal/sqlstore"

// The fixed SQL of the adapter. Only the search translator
// (internal/sqlstore) builds SQL at run time. pgx
// prepares and caches each statement per connection on first use.
const (
	versionCols = sqlstore.VersionCols

	// a read by type and id selects the version's other columns only
	// (sqlstore.KeyedCols): the caller knows the two it asked for
	sqlReadCurrent = `SELECT ` + sqlstore.KeyedCols + ` FROM resource r
		JOIN resource_version v ON v.seq = r.seq WHERE r.type = $1 AND r.id = $2`
	sqlVRead = `SELECT ` + sqlstore.KeyedCols + ` FROM resource_version v
		WHERE v.type = $1 AND v.id = $2 AND v.version = $3`
	sqlPut = `SELECT dsn_put($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`
)
