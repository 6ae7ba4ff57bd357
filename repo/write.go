package repo

import (
	"strconv"

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

// put stores obj as version prev+1 of typ/id: validate, set id and meta,
// extract the index rows, Tx.Put (the write pipeline of http.html#create/update).
func (s *Service) put(tx dsn.Tx, op, typ, id string, obj fhir.Object, prev int64, method string) (dsn.Resource, error) {
	if rt := fhir.ResourceType(obj); rt != typ {
		return dsn.Resource{}, invalidf(op, "resourceType", "le type de la ressource (%q) ne correspond pas à l'URL (%q)", rt, typ)
	}
	obj["id"] = id
	if err := s.validate(obj); err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	now := s.clock.Now()
	v := prev + 1
	fhir.SetMeta(obj, strconv.FormatInt(v, 10), now)
	idx, patient, err := s.extract(obj)
	if err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	w := dsn.Write{
		Resource: dsn.Resource{Type: typ, ID: id, VersionID: v, LastUpdated: now,
			Method: method, Body: fhir.Encode(obj)},
		PatientKey: patient,
		Index:      idx,
	}
	if err := tx.Put(w); err != nil {
		return dsn.Resource{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return w.Resource, nil
}

// checkVersion enforces If-Match (http.html#concurrency): want 0 means no check.
func checkVersion(op string, want int64, cur dsn.Resource, exists bool) error {
	if want == 0 {
		return nil
	}
	if !exists {
		return dsn.Errorf(op, dsn.KindPrecondition, "If-Match: la ressource n'existe pas")
	}
	if cur.VersionID != want {
		return dsn.Errorf(op, dsn.KindPrecondition, "If-Match: version %d attendue, la version courante est %d", want, cur.VersionID)
	}
	return nil
}
