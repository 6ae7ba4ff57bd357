package repo

import (
	"context"

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
		return dsn.Resource{}, dsn.Errorf(op, dsn.KindNotFound, "ressource introuvable: %s/%s", typ, id)
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
		return dsn.Resource{}, dsn.Errorf(op, dsn.KindNotFound, "%s/%s/_history/%d introuvable", typ, id, version)
	}
	res, err := s.store.VRead(ctx, typ, id, version)
	return res, readErr(op, typ, id, err)
}

// readErr gives store read errors a user message naming the resource.
func readErr(op, typ, id string, err error) error {
	if err == nil {
		return nil // before KindOf, whose errors.As target escapes: one allocation per read
	}
	switch dsn.KindOf(err) {
	case dsn.KindNotFound:
		return &dsn.Error{Op: op, Kind: dsn.KindNotFound, Msg: "ressource introuvable: " + typ + "/" + id, Err: err}
	case dsn.KindGone:
		return &dsn.Error{Op: op, Kind: dsn.KindGone, Msg: "ressource supprimée: " + typ + "/" + id, Err: err}
	}
	return dsn.Wrap(op, dsn.KindInternal, err)
}
