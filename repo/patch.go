package repo

import (
	"context"
	"net/url"

	"dsn"
	"dsn/fhir"
)

// Patch applies an RFC 6902 JSON Patch document to the current version of
// typ/id (http.html#patch) and stores the result as a new version. The patched
// resource is validated again; if it is invalid, or a "test" fails, or the patch
// changes resourceType or id, the answer is KindUnprocessable (422).
func (s *Service) Patch(ctx context.Context, typ, id string, doc []byte, ifMatch int64) (Outcome, error) {
	const op = "repo.Patch"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	if err := checkID(op, id); err != nil {
		return Outcome{}, err
	}
	ops, err := parsePatch(doc)
	if err != nil {
		return Outcome{}, invalidf(op, "", "%v", err)
	}
	var out Outcome
	err = s.store.Write(ctx, func(tx dsn.Tx) error {
		var err error
		out, err = s.patchTx(tx, typ, id, ops, ifMatch)
		return err
	})
	return out, err
}

// ConditionalPatch patches the one resource crit selects (http.html#patch:
// conditional patch); none → 404, several → 412.
func (s *Service) ConditionalPatch(ctx context.Context, typ string, crit url.Values, doc []byte) (Outcome, error) {
	const op = "repo.ConditionalPatch"
	if err := s.checkType(op, typ); err != nil {
		return Outcome{}, err
	}
	ops, err := parsePatch(doc)
	if err != nil {
		return Outcome{}, invalidf(op, "", "%v", err)
	}
	var out Outcome
	err = s.store.Write(ctx, func(tx dsn.Tx) error {
		found, err := s.matchOne(tx, op, typ, crit)
		if err != nil {
			return err
		}
		if found == nil {
			return dsn.Errorf(op, dsn.KindNotFound, "aucune ressource %s ne correspond aux critères", typ)
		}
		out, err = s.patchTx(tx, typ, found.ID, ops, 0)
		return err
	})
	return out, err
}

// patchTx reads typ/id in tx, applies ops and writes the next version.
func (s *Service) patchTx(tx dsn.Tx, typ, id string, ops []patchOp, ifMatch int64) (Outcome, error) {
	const op = "repo.Patch"
	cur, err := tx.Read(typ, id)
	if err != nil {
		return Outcome{}, readErr(op, typ, id, err)
	}
	if err := checkVersion(op, ifMatch, cur, true); err != nil {
		return Outcome{}, err
	}
	obj, err := fhir.Decode(cur.Body)
	if err != nil {
		return Outcome{}, dsn.Wrap(op, dsn.KindInternal, err)
	}
	patched, err := applyPatch(obj, ops)
	if err != nil {
		return Outcome{}, unprocessable(op, err.Error())
	}
	pobj, ok := patched.(map[string]any)
	if !ok || fhir.ResourceType(pobj) != typ || fhir.ID(pobj) != id {
		return Outcome{}, unprocessable(op, "un patch ne peut changer ni resourceType ni id")
	}
	res, err := s.put(tx, op, typ, id, pobj, cur.VersionID, "PATCH")
	if dsn.KindOf(err) == dsn.KindInvalid {
		// http.html#patch: a patch whose result is invalid is unprocessable.
		return Outcome{}, &dsn.Error{Op: op, Kind: dsn.KindUnprocessable, Msg: "le résultat du patch est invalide: " + dsn.Message(err), Issues: dsn.IssuesOf(err), Err: err}
	}
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Resource: res}, nil
}

func unprocessable(op, msg string) *dsn.Error {
	return &dsn.Error{Op: op, Kind: dsn.KindUnprocessable, Msg: msg,
		Issues: []dsn.Issue{{Severity: "error", Code: "processing", Diagnostics: msg}}}
}
