package repo

import (
	"context"
	"strconv"

	"dsn"
)

// Read returns the current version of typ/id (http.html#read). Errors:
// KindNotFound; KindGone with the tombstone when it was deleted.
func (s *Service) Read(ctx context.Context, typ, id string) (dsn.Resource, error) {
	const op = "repo.Read"
	if err := s.checkType(op, typ); err != nil {
		return dsn.Resource{}, err
	}
	if err := checkID(op, id); err != nil {
		return dsn.Resource{}, notFound(op, typ, id, nil)
	}
	res, err := s.store.Read(ctx, typ, id)
	return res, readErr(op, typ, id, err)
}

// VRead returns one version of typ/id (http.html#vread).
func (s *Service) VRead(ctx context.Context, typ, id string, version int64) (dsn.Resource, error) {
	const op = "repo.VRead"
	if err := s.checkType(op, typ); err != nil {
		return dsn.Resource{}, err
	}
	if checkID(op, id) != nil || version < 1 {
		v := typ + "/" + id + "/_history/" + strconv.FormatInt(version, 10)
		return dsn.Resource{}, &dsn.Error{Op: op, Kind: dsn.KindNotFound, Msg: v + " introuvable", English: v + " not found"}
	}
	res, err := s.store.VRead(ctx, typ, id, version)
	return res, readErr(op, typ, id, err)
}

// readErr gives store read errors a user message naming the resource, in
// French and English (the API's edge chooses). A resource the policy hides
// (access.Guard, 404) gets the same message as one that does not exist.
func readErr(op, typ, id string, err error) error {
	if err == nil {
		return nil // before KindOf, whose errors.As target escapes: one allocation per read
	}
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		return notFound(op, typ, id, err)
	case dsn.KindGone:
		return &dsn.Error{Op: op, Kind: dsn.KindGone, Msg: "ressource supprimée: " + typ + "/" + id,
			English: "resource deleted: " + typ + "/" + id, Err: err}
	}
	return dsn.Wrap(op, dsn.KindInternal, err)
}

// notFound is the answer for typ/id that does not exist (or is hidden).
func notFound(op, typ, id string, err error) error {
	return &dsn.Error{Op: op, Kind: dsn.KindNotFound, Msg: "ressource introuvable: " + typ + "/" + id,
		English: "resource not found: " + typ + "/" + id, Err: err}
}
