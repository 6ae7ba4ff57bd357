package repo

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/url"
	"time"

	"dsn"
	"dsn/fhir"
)

// Update stores body as the new current version of typ/id (http.html#update).
// An id that does not exist yet is created with the client's id (update as
// create, Outcome.Created). ifMatch > 0 requires that version to be current (412).
func (s *Service) Update(ctx context.Context, typ, id string, body []byte, ifMatch int64) (Outcome, error) {
	const op = "repo.Update"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	if err := checkID(op, id); err != nil {
		return Outcome{}, err
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return Outcome{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	// http.html#update: the id in the body SHALL match the URL, else 400.
	if bid := fhir.ID(obj); bid != id {
		return Outcome{}, invalidIn(op, "id", "id.url", bid, id)
	}
	p, err := s.prepare(op, typ, id, obj)
	if err != nil {
		return Outcome{}, err
	}
	p.sized(body)
	var out Outcome
	err = s.writeRetrying(ctx, ifMatch, func(tx dsn.Tx) error {
		var err error
		out, err = s.updateTx(tx, p, ifMatch)
		return err
	})
	return out, err
}

// ConditionalUpdate updates the one resource matching crit (http.html#cond-update):
// none → create (with the body's id if it has one), one → update it, more → 412.
func (s *Service) ConditionalUpdate(ctx context.Context, typ string, crit url.Values, body []byte, ifMatch int64) (Outcome, error) {
	const op = "repo.ConditionalUpdate"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return Outcome{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	var out Outcome
	err = s.writeRetrying(ctx, ifMatch, func(tx dsn.Tx) error {
		id, err := s.resolveConditional(tx, op, typ, crit, fhir.ID(obj))
		if err != nil {
			return err
		}
		p, err := s.prepare(op, typ, id, clone(obj))
		if err != nil {
			return err
		}
		out, err = s.updateTx(tx, p, ifMatch)
		return err
	})
	return out, err
}

// resolveConditional picks the id a conditional update writes to: the single
// match, else the body's id if it is free, else a new id (http.html#cond-update).
func (s *Service) resolveConditional(tx reader, op, typ string, crit url.Values, bodyID string) (string, error) {
	found, err := s.matchOne(tx, op, typ, crit)
	if err != nil {
		return "", err
	}
	if found != nil {
		if bodyID != "" && bodyID != found.ID {
			return "", invalidIn(op, "id", "cond.id", bodyID, found.ID)
		}
		return found.ID, nil
	}
	if bodyID == "" {
		return s.ids.NewID(), nil
	}
	if err := checkID(op, bodyID); err != nil {
		return "", err
	}
	// http.html#cond-update: no match but the body's id exists → 409.
	cur, deleted, err := current(tx, typ, bodyID)
	if err != nil {
		return "", err
	}
	if cur.VersionID > 0 && !deleted {
		return "", fail(op, dsn.KindConflict, "cond.exists", typ, bodyID)
	}
	return bodyID, nil
}

// updateTx writes p as the next version of its type/id inside tx.
func (s *Service) updateTx(tx dsn.Tx, p *prepared, ifMatch int64) (Outcome, error) {
	const op = "repo.Update"
	cur, deleted, err := current(tx, p.typ, p.id)
	if err != nil {
		return Outcome{}, err
	}
	exists := cur.VersionID > 0 && !deleted
	if err := checkVersion(op, ifMatch, cur, exists); err != nil {
		return Outcome{}, err
	}
	res, err := s.commit(tx, op, p, cur, "PUT")
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Resource: res, Created: !exists}, nil
}

// raceAttempts bounds how often a write without If-Match is run again after
// losing a race with another writer of the same resource.
const raceAttempts = 16

// writeRetrying is store.Write with retryRace around it.
func (s *Service) writeRetrying(ctx context.Context, ifMatch int64, fn func(dsn.Tx) error) error {
	return retryRace(ctx, ifMatch, func() error { return s.store.Write(ctx, fn) })
}

// retryRace runs write and, when no version was asked for (ifMatch 0) and
// another writer committed a version of the same resource in between
// (dsn.ErrVersionRace: the store's version check, possible with PostgreSQL's
// several writers, e.g. the MPI's linker writing a registration; or a patch
// whose base changed), runs it again: a PUT, PATCH or DELETE without If-Match
// applies to whatever version is current (http.html#update; http.html#concurrency
// asks for a 409/412 only when the client named a version). Each retry first
// waits a random 0–attempt ms, so that writers racing on one resource spread
// out instead of colliding again.
func retryRace(ctx context.Context, ifMatch int64, write func() error) error {
	for attempt := 1; ; attempt++ {
		err := write()
		if ifMatch != 0 || attempt == raceAttempts || !errors.Is(err, dsn.ErrVersionRace) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond)))):
		}
	}
}
