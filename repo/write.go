package repo

import (
	"strconv"
	"time"

	"dsn"
	"dsn/fhir"
)

// current returns the current version number of typ/id inside tx: 0 if the id
// never existed, the tombstone's version if it is deleted (deleted reports that).
func current(tx reader, typ, id string) (res dsn.Resource, deleted bool, err error) {
	res, err = tx.Read(typ, id)
	if err == nil {
		return res, false, nil
	}
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		return dsn.Resource{}, false, nil
	case dsn.KindGone:
		return res, true, nil
	}
	return res, false, err
}

// prepared is a resource validated and indexed, ready to be written. The
// expensive steps (validation, index extraction) run outside Store.Write so
// that the store's single writer only sets meta, encodes and stores.
type prepared struct {
	typ, id string
	obj     fhir.Object
	idx     dsn.Index
	patient string
	// size is the room the stored encoding starts with: the request body's
	// length and meta's when known (sized), else 0 and fhir.Encode's default.
	size int
}

// metaRoom is what the id, meta.versionId and meta.lastUpdated add to an
// encoding (a 36-character id: ~140 bytes).
const metaRoom = 160

// sized notes in p that its encoding will be about the size of body, so
// that commit encodes into one buffer instead of growing one from 512 bytes
// (an Observation of the create-observation bench is ~650 bytes stored).
func (p *prepared) sized(body []byte) {
	p.size = len(body) + metaRoom
}

// prepare validates obj as typ/id and extracts its index rows (the write
// pipeline of http.html#create and #update, before the version is known).
func (s *Service) prepare(op, typ, id string, obj fhir.Object) (*prepared, error) {
	if rt := fhir.ResourceType(obj); rt != typ {
		return nil, invalidIn(op, "resourceType", "write.type", rt, typ)
	}
	obj["id"] = id
	if err := s.validate(obj); err != nil {
		return nil, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	idx, patient, err := s.extract(obj)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return &prepared{typ: typ, id: id, obj: obj, idx: idx, patient: patient}, nil
}

// commit stores p as the version after cur (zero for a new id) inside tx:
// meta.versionId and meta.lastUpdated are set here, where the version is known.
func (s *Service) commit(tx dsn.Tx, op string, p *prepared, cur dsn.Resource, method string) (dsn.Resource, error) {
	now := s.now(cur)
	v := cur.VersionID + 1
	fhir.SetMeta(p.obj, strconv.FormatInt(v, 10), now)
	w := dsn.Write{
		Resource: dsn.Resource{Type: p.typ, ID: p.id, VersionID: v, LastUpdated: now,
			Method: method, Body: p.encode(), PatientKey: p.patient},
		PatientKey: p.patient,
		Index:      p.idx,
	}
	if err := tx.Put(w); err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return w.Resource, nil
}

// encode is the stored body of p.obj.
func (p *prepared) encode() []byte {
	if p.size <= 0 {
		return fhir.Encode(p.obj)
	}
	return fhir.AppendEncode(make([]byte, 0, p.size), p.obj)
}

// checkVersion enforces If-Match (http.html#concurrency): want 0 means no check.
func checkVersion(op string, want int64, cur dsn.Resource, exists bool) error {
	if want == 0 {
		return nil
	}
	if !exists {
		return fail(op, dsn.KindPrecondition, "if-match.missing")
	}
	if cur.VersionID != want {
		return fail(op, dsn.KindPrecondition, "if-match.version", want, cur.VersionID)
	}
	return nil
}

// now is the lastUpdated of the version after cur: the clock, but never at or
// before cur's, so that versions stay in order even if the clock steps back.
func (s *Service) now(cur dsn.Resource) time.Time {
	t := s.clock.Now()
	if !cur.LastUpdated.IsZero() && !t.After(cur.LastUpdated) {
		t = cur.LastUpdated.Add(time.Microsecond)
	}
	return t
}
