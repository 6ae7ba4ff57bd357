package repo

import (
	"context"
	"encoding/json"

	"dsn"
)

// exec runs one resolved entry inside tx.
func (s *Service) exec(tx dsn.Tx, base string, e *entry) error {
	var err error
	switch e.method {
	case "POST":
		if e.matched != nil {
			e.out = Outcome{Resource: *e.matched, Noop: true}
			return nil
		}
		p := e.prep
		if p == nil {
			delete(e.resource, "id")
			p, err = s.prepare("repo.Create", e.typ, e.id, e.resource)
		}
		if err == nil {
			e.out, err = s.createTx(tx, p, nil)
		}
	case "PUT":
		p := e.prep
		if p == nil {
			p, err = s.prepare("repo.Update", e.typ, e.id, e.resource)
		}
		if err == nil {
			e.out, err = s.updateTx(tx, p, e.ifMatch)
		}
	case "PATCH":
		e.out, err = s.patchTx(tx, e.typ, e.id, e.patch, e.ifMatch)
	case "DELETE":
		if e.id == "" {
			e.out = Outcome{Noop: true}
			return nil
		}
		e.out, err = s.deleteTx(tx, e.typ, e.id, e.ifMatch)
	default:
		err = s.execGet(tx, base, e)
	}
	return err
}

// execGet answers a read or a search entry from r (a Tx in a transaction, so
// that it sees the transaction's writes).
func (s *Service) execGet(r reader, base string, e *entry) error {
	const op = "repo.Bundle"
	if e.id != "" {
		res, err := r.Read(e.typ, e.id)
		if err != nil {
			return readErr(op, e.typ, e.id, err)
		}
		e.out.Resource, e.get = res, json.RawMessage(res.Body)
		return nil
	}
	q, issues, err := s.parse(e.typ, e.query, false)
	if err != nil {
		return dsn.Wrap(op, dsn.KindInvalid, err)
	}
	q.Type = e.typ
	b, err := s.answer(r, op, base, base+"/"+e.typ, q, e.query, issues, e.english)
	if err != nil {
		return err
	}
	e.get = b
	return nil
}

// execStoreGet answers vread and history entries from the committed store.
func (s *Service) execStoreGet(ctx context.Context, base string, e *entry) error {
	if e.version > 0 {
		res, err := s.VRead(ctx, e.typ, e.id, e.version)
		if err != nil {
			return err
		}
		e.out.Resource, e.get = res, json.RawMessage(res.Body)
		return nil
	}
	b, err := s.History(ctx, base, e.typ, e.id, e.query)
	e.get = b
	return err
}
