package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// Create stores body as a new resource of type typ with a server-assigned id
// (http.html#create: a client id is ignored). ifNoneExist, when not empty, makes
// it a conditional create (http.html#ccreate): the query in the If-None-Exist
// header; 0 match → create, 1 → the existing resource (Noop), more → 412.
func (s *Service) Create(ctx context.Context, typ string, body []byte, ifNoneExist string) (Outcome, error) {
	const op = "repo.Create"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return Outcome{}, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	var crit url.Values
	if ifNoneExist != "" {
		if crit, err = parseCriteria(op, ifNoneExist); err != nil {
			return Outcome{}, err
		}
	}
	delete(obj, "id") // http.html#create: a client id is ignored
	p, err := s.prepare(op, typ, s.ids.NewID(), obj)
	if err != nil {
		return Outcome{}, err
	}
	p.sized(body)
	var out Outcome
	err = s.store.Write(ctx, func(tx dsn.Tx) error {
		var err error
		out, err = s.createTx(tx, p, crit)
		return err
	})
	return out, err
}

// createTx creates p inside tx; crit (may be nil) makes it conditional.
func (s *Service) createTx(tx dsn.Tx, p *prepared, crit url.Values) (Outcome, error) {
	const op = "repo.Create"
	if crit != nil {
		found, err := s.matchOne(tx, op, p.typ, crit)
		if err != nil {
			return Outcome{}, err
		}
		if found != nil {
			return Outcome{Resource: *found, Noop: true}, nil
		}
	}
	res, err := s.commit(tx, op, p, dsn.Resource{}, "POST")
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Resource: res, Created: true}, nil
}

// clone deep-copies a decoded JSON value, so that a Store.Write fn called
// again starts from the client's document.
func clone(obj fhir.Object) fhir.Object {
	return cloneValue(obj).(map[string]any)
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = cloneValue(x)
		}
		return a
	default:
		return v
	}
}
