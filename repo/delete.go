package repo

import (
	"context"
	"net/url"

	"dsn"
)

// Delete records a deletion of typ/id as a new tombstone version
// (http.html#delete). Deleting an absent or already deleted resource succeeds
// without writing anything (Outcome.Noop). ifMatch > 0 requires that version.
func (s *Service) Delete(ctx context.Context, typ, id string, ifMatch int64) (Outcome, error) {
	const op = "repo.Delete"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	if err := checkID(op, id); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	err := s.writeRetrying(ctx, ifMatch, func(tx dsn.Tx) error {
		var err error
		out, err = s.deleteTx(tx, typ, id, ifMatch)
		return err
	})
	return out, err
}

// ConditionalDelete deletes the one resource matching crit (http.html#cdelete):
// none → Noop, one → delete it, more → 412 (we do not delete several at once).
func (s *Service) ConditionalDelete(ctx context.Context, typ string, crit url.Values) (Outcome, error) {
	const op = "repo.ConditionalDelete"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	err := s.writeRetrying(ctx, 0, func(tx dsn.Tx) error {
		found, err := s.matchOne(tx, op, typ, crit)
		if err != nil || found == nil {
			out = Outcome{Noop: true}
			return err
		}
		out, err = s.deleteTx(tx, typ, found.ID, 0)
		return err
	})
	return out, err
}

// deleteTx writes the tombstone of typ/id inside tx.
func (s *Service) deleteTx(tx dsn.Tx, typ, id string, ifMatch int64) (Outcome, error) {
	const op = "repo.Delete"
	cur, deleted, err := current(tx, typ, id)
	if err != nil {
		return Outcome{}, err
	}
	exists := cur.VersionID > 0 && !deleted
	if err := checkVersion(op, ifMatch, cur, exists); err != nil {
		return Outcome{}, err
	}
	if !exists {
		return Outcome{Resource: cur, Noop: true}, nil
	}
	w := dsn.Write{Resource: dsn.Resource{Type: typ, ID: id, VersionID: cur.VersionID + 1,
		LastUpdated: s.now(cur), Deleted: true, Method: "DELETE", PatientKey: cur.PatientKey}, PatientKey: cur.PatientKey}
	if err := tx.Put(w); err != nil {
		return Outcome{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	return Outcome{Resource: w.Resource}, nil
}
