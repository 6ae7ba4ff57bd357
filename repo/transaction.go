package repo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dsn"
	"dsn/fhir"
)

// Bundle processes a batch or transaction Bundle (http.html#transaction) and
// returns the batch-response or transaction-response Bundle, entries in the
// order of the request. A transaction is all or nothing: it runs as ONE
// Store.Write, and any failing entry fails it with that entry's error. A batch
// runs each entry alone and reports each outcome in its entry. withResources
// puts the written resources in the response (Prefer: return=representation).
func (s *Service) Bundle(ctx context.Context, base string, body []byte, withResources bool) (fhir.Object, error) {
	return s.BundleWith(ctx, base, body, BundleOptions{Resources: withResources})
}

// BundleOptions says how Bundle answers.
type BundleOptions struct {
	// Resources puts the written resources in the response (Prefer:
	// return=representation).
	Resources bool
	// Hints, if set, gives the warnings about one successful write
	// (http.html#return: "hints and warnings about the operation"), e.g. a
	// NAM that disagrees with the Patient's demographics. Non-empty, they
	// go in that entry's response.outcome as an OperationOutcome
	// (Bundle.entry.response.outcome, bundle.html); the write stands.
	Hints func(dsn.Resource) []dsn.Issue
}

// BundleWith is Bundle with its options.
func (s *Service) BundleWith(ctx context.Context, base string, body []byte, o BundleOptions) (fhir.Object, error) {
	const op = "repo.Bundle"
	btype, entries, err := s.parseBundle(op, body)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		e.english = inEnglish(ctx)
	}
	if btype == "batch" {
		s.batch(ctx, base, entries)
		return responseBundle("batch-response", base, entries, o, inEnglish(ctx)), nil
	}
	for _, e := range entries {
		if e.parseErr != nil {
			return nil, e.parseErr
		}
		// The Tx reads current versions only: vread and history could only be
		// answered after the commit, where a failure could no longer undo it.
		if e.version > 0 || e.history {
			return nil, entryErr(e.i, "transaction.vread")
		}
	}
	if err := s.transaction(ctx, base, body, entries); err != nil {
		return nil, err
	}
	return responseBundle("transaction-response", base, entries, o, inEnglish(ctx)), nil
}

// transaction runs every entry in one Store.Write, in the order of
// http.html#trules, after resolving ids and references.
//
// The store runs every Write fn on its single writer, so what needs no read
// of the store is done before: when no entry is conditional (no
// ifNoneExist, conditional update, delete or patch, nor conditional
// reference), ids and references are resolved and every POST and PUT body
// validated and indexed here, on the request's goroutine, and the fn only
// sets versions and writes (preplan). Otherwise all of it runs in the fn, where
// the searches see the transaction's own writes.
func (s *Service) transaction(ctx context.Context, base string, body []byte, entries []*entry) error {
	order := make([]*entry, len(entries))
	copy(order, entries)
	sort.SliceStable(order, func(a, b int) bool { return order[a].rank() < order[b].rank() })
	planned, err := s.preplan(body, entries, order)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(stx dsn.Tx) error {
		tx := newDeferredTx(stx, len(order)) // the writes go to the store together (deferredtx.go)
		if !planned {
			for _, e := range order {
				e.reset()
			}
			if err := s.resolveAll(tx, order); err != nil {
				return err
			}
		}
		for _, e := range order {
			if err := s.exec(tx, base, e); err != nil {
				return entryFailure(e, err)
			}
		}
		return tx.flush()
	})
}

// preplan resolves the entries and prepares their bodies without the store
// (see transaction). It reports false, leaving the work to the Write fn, if
// anything needs a read of the store or fails: the fn then does it all again
// and fails the same way, with the same error. What it prepares is kept
// across runs of the fn: writing sets meta.versionId and meta.lastUpdated
// again each time and changes nothing else.
//
// It works on the resources as sent, not on copies (copying every resource
// of the Bundle was work thrown away whenever the plan held, which is nearly
// always). If it fails after changing them (a reference rewritten, an id
// set), the resources as sent are decoded again from body, entries being
// the Bundle's in its order, for the fn, whose runs start from copies of them.
func (s *Service) preplan(body []byte, entries, order []*entry) (bool, error) {
	for _, e := range order {
		e.start(e.orig)
	}
	ids, err := s.resolveIDs(noStore{}, order)
	if err != nil {
		return false, nil // nothing changed yet: resolving only sets entry fields
	}
	if err := s.rewriteAll(noStore{}, order, ids); err == nil && s.prepareEntries(order) {
		return true, nil
	}
	_, fresh, err := s.parseBundle("repo.Bundle", body)
	if err != nil || len(fresh) != len(entries) { // body parsed before: cannot happen
		return false, dsn.Wrap("repo.Bundle", dsn.KindInternal, fmt.Errorf("the Bundle does not parse again: %v", err))
	}
	for i, e := range entries {
		e.orig = fresh[i].orig
	}
	return false, nil
}

// prepareEntries validates and indexes the POST and PUT bodies of a preplan.
func (s *Service) prepareEntries(order []*entry) bool {
	for _, e := range order {
		var err error
		switch {
		case e.method == "POST" && e.matched == nil:
			delete(e.resource, "id")
			e.prep, err = s.prepare("repo.Create", e.typ, e.id, e.resource)
		case e.method == "PUT":
			e.prep, err = s.prepare("repo.Update", e.typ, e.id, e.resource)
		}
		if err != nil {
			return false
		}
	}
	return true
}

// noStore is the Tx of preplan: any read means the plan needs the store.
type noStore struct{}

var errNeedsStore = dsn.Errorf("repo.Bundle", dsn.KindInternal, "lecture du dépôt nécessaire")

func (noStore) Read(string, string) (dsn.Resource, error) { return dsn.Resource{}, errNeedsStore }
func (noStore) Search(dsn.SearchQuery) (dsn.SearchResult, error) {
	return dsn.SearchResult{}, errNeedsStore
}
func (noStore) Put(dsn.Write) error      { return errNeedsStore }
func (noStore) AddJob(dsn.Job) error     { return errNeedsStore }
func (noStore) DeleteJobs([]int64) error { return errNeedsStore }

// reset starts a run of the Write fn on a copy of the resource as sent.
func (e *entry) reset() {
	var res fhir.Object
	if e.orig != nil {
		res = clone(e.orig)
	}
	e.start(res)
}

// start clears what processing set and makes res the entry's resource.
func (e *entry) start(res fhir.Object) {
	e.id, e.resource, e.matched, e.prep, e.out, e.get, e.err = e.urlID, res, nil, nil, Outcome{}, nil, nil
}

// resolveAll gives every write its target id, maps fullUrls to them, refuses
// two entries on one resource and rewrites the references (http.html#trules).
func (s *Service) resolveAll(tx dsn.Tx, order []*entry) error {
	ids, err := s.resolveIDs(tx, order)
	if err != nil {
		return err
	}
	return s.rewriteAll(tx, order, ids)
}

// resolveIDs is resolveAll's first half: the targets and the map of fullUrls
// to them. It changes no resource.
func (s *Service) resolveIDs(tx dsn.Tx, order []*entry) (map[string]string, error) {
	ids := map[string]string{} // fullUrl → Type/id
	seen := map[string]int{}   // Type/id → entry index
	for _, e := range order {
		if err := s.resolve(tx, e); err != nil {
			return nil, entryFailure(e, err)
		}
		if e.method == "GET" || e.method == "HEAD" || e.id == "" {
			continue
		}
		target := e.typ + "/" + e.id
		if j, dup := seen[target]; dup {
			return nil, entryFailure(e, entryErr(e.i, "transaction.same", j, e.i, target))
		}
		seen[target] = e.i
		if e.fullURL != "" && (e.method == "POST" || e.method == "PUT") {
			ids[e.fullURL] = target
			if old := relativeOf(e.fullURL, e.typ); old != "" && e.method == "POST" {
				// bundle.html#references: "Patient/abc" inside the Bundle means the
				// entry whose fullUrl is [base]/Patient/abc, which got a new id.
				ids[old] = target
			}
		}
	}
	return ids, nil
}

// rewriteAll is resolveAll's second half: the references inside the
// resources, rewritten in place.
func (s *Service) rewriteAll(tx dsn.Tx, order []*entry, ids map[string]string) error {
	for _, e := range order {
		if e.resource == nil {
			continue
		}
		if err := s.rewriteRefs(tx, e.resource, ids); err != nil {
			return entryFailure(e, err)
		}
	}
	return nil
}

// resolve finds the id an entry writes to: a new id for a create (or the
// matching resource of a conditional create), the match of a conditional
// update, delete or patch.
func (s *Service) resolve(tx dsn.Tx, e *entry) error {
	const op = "repo.Bundle"
	switch e.method {
	case "POST":
		if e.ifNone != nil {
			found, err := s.matchOne(tx, op, e.typ, e.ifNone)
			if err != nil {
				return err
			}
			if found != nil {
				e.matched, e.id = found, found.ID
				return nil
			}
		}
		e.id = s.ids.NewID()
	case "PUT":
		bodyID := fhir.ID(e.resource)
		if e.id == "" {
			id, err := s.resolveConditional(tx, op, e.typ, e.query, bodyID)
			if err != nil {
				return err
			}
			e.id = id
		} else if bodyID != "" && bodyID != e.id {
			return invalidIn(op, "id", "id.url", bodyID, e.id)
		}
	case "DELETE", "PATCH":
		if e.id != "" {
			return nil
		}
		found, err := s.matchOne(tx, op, e.typ, e.query)
		if err != nil {
			return err
		}
		if found != nil {
			e.id = found.ID
		} else if e.method == "PATCH" {
			return fail(op, dsn.KindNotFound, "cond.none", e.typ)
		}
	}
	return nil
}

// entryFailure names the failing entry in the error, and points the issue
// expressions into the Bundle (Bundle.entry[i].resource…).
func entryFailure(e *entry, err error) error {
	k := dsn.KindOf(err)
	t := messages["entry.failed"].Format(e.i, e.method, e.url, dsn.Message(err))
	t.EN = messages["entry.failed"].Format(e.i, e.method, e.url, dsn.EnglishMessage(err)).EN
	var issues []dsn.Issue
	for _, is := range dsn.IssuesOf(err) {
		is.Expression = entryExpression(e, is.Expression)
		issues = append(issues, is)
	}
	return &dsn.Error{Op: "repo.Bundle", Kind: k, Msg: t.FR, English: t.EN, Issues: issues, Err: err}
}

func entryExpression(e *entry, expr string) string {
	prefix := fmt.Sprintf("Bundle.entry[%d]", e.i)
	switch {
	case strings.HasPrefix(expr, "Bundle.entry["):
		return expr
	case expr == "":
		return prefix
	case e.typ != "" && (expr == e.typ || strings.HasPrefix(expr, e.typ+".")):
		return prefix + ".resource" + strings.TrimPrefix(expr, e.typ)
	}
	return prefix + ".resource." + expr
}

// relativeOf returns "Type/id" when fullURL is an absolute RESTful URL
// ([base]/Type/id) of type typ, "" otherwise.
func relativeOf(fullURL, typ string) string {
	if !strings.HasPrefix(fullURL, "http://") && !strings.HasPrefix(fullURL, "https://") {
		return ""
	}
	segs := strings.Split(strings.TrimRight(fullURL, "/"), "/")
	if len(segs) < 2 || segs[len(segs)-2] != typ {
		return ""
	}
	return typ + "/" + segs[len(segs)-1]
}
