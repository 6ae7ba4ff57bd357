package sqlstore

import (
	"dsn"
	"dsn/internal/language/words"
)

// The sentences of the stores' write conflicts (409, http.html#concurrency),
// the same in both adapters, in French and in English (every id has both,
// with the same arguments: TestConflictMessagesBothLanguages). The error
// carries both (Msg, English); the edge chooses (fhirapi: Accept-Language).
var conflictMessages = map[string]words.Text{
	"conflict.version":    {FR: "conflit de version pour %s/%s : version courante %d, version proposée %d", EN: "version conflict on %s/%s: current version %d, proposed version %d"},
	"conflict.created":    {FR: "une ressource du lot a été créée entre-temps", EN: "a resource of the batch was created meanwhile"},
	"conflict.concurrent": {FR: "écriture concurrente sur la même ressource, réessayez", EN: "concurrent write on the same resource, try again"},
}

// VersionConflict: the version written does not follow typ/id's current one.
func VersionConflict(op, typ, id string, current, proposed int64) *dsn.Error {
	return conflict(op, "conflict.version", dsn.ErrVersionRace, typ, id, current, proposed)
}

// CreatedMeanwhile: a bulk insert met a resource another writer created
// since the batch was planned (a UNIQUE constraint); err is the driver's.
func CreatedMeanwhile(op string, err error) *dsn.Error {
	return conflict(op, "conflict.created", err)
}

// ConcurrentWrite: the database refused a writer that raced another (a
// deadlock or a serialization failure); the client may retry.
func ConcurrentWrite(op string, err error) *dsn.Error {
	return conflict(op, "conflict.concurrent", err)
}

func conflict(op, id string, err error, args ...any) *dsn.Error {
	t := conflictMessages[id].Format(args...)
	return &dsn.Error{Op: op, Kind: dsn.KindConflict, Msg: t.FR, English: t.EN, Err: err}
}
