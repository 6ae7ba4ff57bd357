package repo

import (
	"context"
	"fmt"
	"net/url"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language/words"
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
		return Outcome{}, patchInvalid(op, "", err)
	}
	// Optimistic: patch, validate and index outside the writer; if another
	// version was committed meanwhile, the write patches the version it reads
	// (patchOnce).
	var out Outcome
	err = retryRace(ctx, ifMatch, func() error {
		var err error
		out, err = s.patchOnce(ctx, typ, id, ops, ifMatch)
		return err
	})
	return out, err
}

func (s *Service) patchOnce(ctx context.Context, typ, id string, ops []patchOp, ifMatch int64) (Outcome, error) {
	const op = "repo.Patch"
	cur, err := s.store.Read(ctx, typ, id)
	if err != nil {
		return Outcome{}, readErr(op, typ, id, err)
	}
	if err := checkVersion(op, ifMatch, cur, true); err != nil {
		return Outcome{}, err
	}
	p, err := s.patched(cur, ops)
	if err != nil {
		return Outcome{}, err
	}
	var out Outcome
	err = s.store.Write(ctx, func(tx dsn.Tx) error {
		latest, err := tx.Read(typ, id)
		if err != nil {
			return readErr(op, typ, id, err)
		}
		q := p
		if latest.VersionID != cur.VersionID {
			// Another writer committed since the patch was applied outside.
			// The store holds latest for this transaction (no other writer of
			// typ/id commits before it: dsn.Tx.Read), so the patch applies to
			// it here; with If-Match, latest is not the version asked (412).
			if err := checkVersion(op, ifMatch, latest, true); err != nil {
				return err
			}
			if q, err = s.patched(latest, ops); err != nil {
				return err
			}
		}
		out.Resource, err = s.commit(tx, op, q, latest, "PATCH")
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
		return Outcome{}, patchInvalid(op, "", err)
	}
	var out Outcome
	err = s.store.Write(ctx, func(tx dsn.Tx) error {
		found, err := s.matchOne(tx, op, typ, crit)
		if err != nil {
			return err
		}
		if found == nil {
			return fail(op, dsn.KindNotFound, "cond.none", typ)
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
	p, err := s.patched(cur, ops)
	if err != nil {
		return Outcome{}, err
	}
	res, err := s.commit(tx, op, p, cur, "PATCH")
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Resource: res}, nil
}

// patched applies ops to the version cur and prepares the result. A failing
// "test", a changed resourceType or id, or an invalid result is unprocessable
// (422, http.html#patch).
func (s *Service) patched(cur dsn.Resource, ops []patchOp) (*prepared, error) {
	const op = "repo.Patch"
	obj, err := fhir.Decode(cur.Body)
	if err != nil {
		return nil, dsn.Wrap(op, dsn.KindInternal, err)
	}
	res, err := applyPatch(obj, ops)
	if err != nil {
		return nil, unprocessable(op, patchText(err))
	}
	pobj, ok := res.(map[string]any)
	if !ok || fhir.ResourceType(pobj) != cur.Type || fhir.ID(pobj) != cur.ID {
		return nil, unprocessable(op, messages["patch.identity"])
	}
	p, err := s.prepare(op, cur.Type, cur.ID, pobj)
	if dsn.KindOf(err) == dsn.KindInvalid {
		m := messages["patch.invalid-result"]
		return nil, &dsn.Error{Op: op, Kind: dsn.KindUnprocessable, Msg: fmt.Sprintf(m.FR, dsn.Message(err)),
			English: fmt.Sprintf(m.EN, dsn.EnglishMessage(err)), Issues: dsn.IssuesOf(err), Err: err}
	}
	return p, err
}

// unprocessable is a patch that cannot apply (422), saying t in both languages.
func unprocessable(op string, t words.Text) *dsn.Error {
	return &dsn.Error{Op: op, Kind: dsn.KindUnprocessable, Msg: t.FR, English: t.EN,
		Issues: []dsn.Issue{{Severity: "error", Code: "processing", Diagnostics: t.FR, English: t.EN}}}
}

// patchInvalid is a JSON Patch document that does not parse (400), in both
// languages, with one issue at expr.
func patchInvalid(op, expr string, err error) *dsn.Error {
	t := patchText(err)
	return &dsn.Error{Op: op, Kind: dsn.KindInvalid, Msg: t.FR, English: t.EN,
		Issues: []dsn.Issue{{Severity: "error", Code: "invalid", Diagnostics: t.FR, English: t.EN, Expression: expr}}}
}
