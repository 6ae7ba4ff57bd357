package access

import (
	"context"
	"sync"

	"dsn"
)

// Decision is the policy's answer for one resource.
type Decision struct {
	Allow bool
	// Hide answers a refused read with 404 rather than 403, where the very
	// existence of the information is secret (youth protection).
	Hide   bool
	Basis  string // why: "care-relationship", "break-the-glass", "own-record", ... or why not
	Reason Text   // the sentence for a refusal (messages.go)
}

// Decider decides whether p may do perm on r (policy.go).
type Decider interface {
	Decide(ctx context.Context, p *Principal, perm Perm, r dsn.Resource) Decision
}

// BatchDecider is a Decider that decides a page of resources at once,
// gathering the facts shared by the page once (Policy.DecideAll).
type BatchDecider interface {
	// DecideAll appends the decision of each of rs to out, in order.
	DecideAll(ctx context.Context, p *Principal, perm Perm, rs []dsn.Resource, out []Decision) []Decision
}

// decisionBufs keeps the guard's decision slices from one page to the next:
// a 20-hit page's decisions were 1.3 KB allocated per search (session 10).
var decisionBufs = sync.Pool{New: func() any { return new([]Decision) }}

// Guard is the one place where every resource leaving the store meets the
// policy: it wraps the dsn.Store that the repository (every FHIR
// interaction: read, vread, search and its _include/_revinclude, history,
// compartments, $everything, batches) reads and writes through. A refused
// read is an error (403, or 404 when hidden); a search or history page
// silently loses what the caller may not see; a refused write fails its
// transaction. Each allowed or refused resource is noted in the request's
// Disclosures for the journal.
type Guard struct {
	store  dsn.Store
	policy Decider
}

var _ dsn.Store = (*Guard)(nil)

// NewGuard wraps st. A nil policy allows everything (and still records).
func NewGuard(st dsn.Store, policy Decider) *Guard { return &Guard{store: st, policy: policy} }

func (g *Guard) decide(ctx context.Context, perm Perm, r dsn.Resource) Decision {
	if g.policy == nil {
		return Decision{Allow: true, Basis: "no-policy"}
	}
	p := PrincipalFrom(ctx)
	if p == nil {
		return Decision{Basis: "anonymous", Reason: say("deny.anonymous")}
	}
	return g.policy.Decide(ctx, p, perm, r)
}

// check decides on a resource read by id; a tombstone (KindGone) is checked
// like the resource, so a deletion reveals nothing to those who may not see it.
func (g *Guard) check(ctx context.Context, op string, r dsn.Resource, err error) (dsn.Resource, error) {
	if err != nil && dsn.KindOf(err) != dsn.KindGone {
		return r, err
	}
	d := g.decide(ctx, PermRead, r)
	if !d.Allow {
		DisclosuresFrom(ctx).add(r, "denied", d.Basis)
		return dsn.Resource{}, refusal(op, r, d)
	}
	if err == nil {
		DisclosuresFrom(ctx).add(r, "read", d.Basis)
	}
	return r, err
}

func refusal(op string, r dsn.Resource, d Decision) error {
	if d.Hide {
		return errorf(op, dsn.KindNotFound, "deny.hidden", r.Type, r.ID)
	}
	why := d.Reason
	if why.ID == "" {
		why = say("deny.default")
	}
	return errorf(op, dsn.KindForbidden, "deny.resource", r.Type, r.ID, why)
}

// Read is dsn.Store.Read through the policy.
func (g *Guard) Read(ctx context.Context, typ, id string) (dsn.Resource, error) {
	r, err := g.store.Read(ctx, typ, id)
	return g.check(ctx, "access.Read", r, err)
}

// VRead is dsn.Store.VRead through the policy.
func (g *Guard) VRead(ctx context.Context, typ, id string, version int64) (dsn.Resource, error) {
	r, err := g.store.VRead(ctx, typ, id, version)
	return g.check(ctx, "access.VRead", r, err)
}

// filter keeps the resources the caller may see, noting them.
func (g *Guard) filter(ctx context.Context, perm Perm, rs []dsn.Resource) (kept []dsn.Resource, dropped bool) {
	ds := DisclosuresFrom(ctx)
	var ds2 []Decision
	if bd, ok := g.policy.(BatchDecider); ok && len(rs) > 1 {
		if p := PrincipalFrom(ctx); p != nil {
			buf := decisionBufs.Get().(*[]Decision)
			ds2 = bd.DecideAll(ctx, p, perm, rs, (*buf)[:0])
			defer func() {
				clear(ds2) // no Reason's arguments kept
				if cap(ds2) <= 1024 {
					*buf = ds2[:0]
					decisionBufs.Put(buf)
				}
			}()
		}
	}
	ds.reserve(len(rs))
	kept = rs[:0]
	for i, r := range rs {
		var d Decision
		if ds2 != nil {
			d = ds2[i]
		} else {
			d = g.decide(ctx, perm, r)
		}
		if !d.Allow {
			dropped = true
			continue
		}
		if !r.Deleted {
			ds.add(r, "read", d.Basis)
		}
		kept = append(kept, r)
	}
	return kept, dropped
}

// History is dsn.Store.History through the policy: a page keeps the versions
// the caller may see; its total is then unknown (omitted) so that it does
// not count the others.
func (g *Guard) History(ctx context.Context, q dsn.HistoryQuery) (dsn.HistoryPage, error) {
	page, err := g.store.History(ctx, q)
	if err != nil {
		return page, err
	}
	var dropped bool
	page.Entries, dropped = g.filter(ctx, PermRead, page.Entries)
	if dropped {
		page.Total = len(page.Entries)
	}
	return page, nil
}

// Search is dsn.Store.Search through the policy (search.html: what the
// caller may not see is silently left out; the total then counts only the
// page's visible matches when it is the last page, else is omitted).
func (g *Guard) Search(ctx context.Context, q dsn.SearchQuery) (dsn.SearchResult, error) {
	res, err := g.store.Search(ctx, q)
	if err != nil {
		return res, err
	}
	var dropped bool
	res.Matches, dropped = g.filter(ctx, PermSearch, res.Matches)
	if dropped && res.Total >= 0 {
		res.Total = -1
		if res.Next == "" && q.Cursor == "" {
			res.Total = len(res.Matches)
		}
	}
	return res, nil
}

// Write is dsn.Store.Write with every Put and every read inside checked.
func (g *Guard) Write(ctx context.Context, fn func(dsn.Tx) error) error {
	var written []dsn.Resource
	err := g.store.Write(ctx, func(tx dsn.Tx) error {
		written = written[:0] // fn may run more than once
		return fn(&guardTx{Tx: tx, g: g, ctx: ctx, written: &written})
	})
	if err == nil {
		ds := DisclosuresFrom(ctx)
		for _, r := range written {
			ds.add(r, "write", "")
		}
		if f, ok := g.policy.(interface{ Forget(*Principal) }); ok && len(written) > 0 {
			if p := PrincipalFrom(ctx); p != nil {
				f.Forget(p) // a new encounter or care team counts at once
			}
		}
	}
	return err
}

// Close closes the wrapped store.
func (g *Guard) Close() error { return g.store.Close() }

type guardTx struct {
	dsn.Tx
	g       *Guard
	ctx     context.Context
	written *[]dsn.Resource
}

// Read inside a write: the caller must be allowed to see what it changes.
func (t *guardTx) Read(typ, id string) (dsn.Resource, error) {
	r, err := t.Tx.Read(typ, id)
	if err != nil && dsn.KindOf(err) != dsn.KindGone {
		return r, err
	}
	if d := t.g.decide(t.ctx, PermRead, r); !d.Allow {
		DisclosuresFrom(t.ctx).add(r, "denied", d.Basis)
		return dsn.Resource{}, refusal("access.Tx.Read", r, d)
	}
	return r, err
}

// Search inside a write (conditional operations) sees only what the caller may.
func (t *guardTx) Search(q dsn.SearchQuery) (dsn.SearchResult, error) {
	res, err := t.Tx.Search(q)
	if err != nil {
		return res, err
	}
	kept := res.Matches[:0]
	for _, r := range res.Matches {
		if t.g.decide(t.ctx, PermSearch, r).Allow {
			kept = append(kept, r)
		}
	}
	res.Matches = kept
	return res, nil
}

// Put checks the new version (create, update or delete of its patient's record).
func (t *guardTx) Put(w dsn.Write) error {
	r, err := t.check(w)
	if err != nil {
		return err
	}
	if err := t.Tx.Put(w); err != nil {
		return err
	}
	r.Body = nil
	*t.written = append(*t.written, r)
	return nil
}

// check decides whether the caller may write w (create, update or delete
// of its patient's record).
func (t *guardTx) check(w dsn.Write) (dsn.Resource, error) {
	r := w.Resource
	r.PatientKey = w.PatientKey // what the store keeps
	perm := PermUpdate
	switch {
	case w.Deleted:
		perm = PermDelete
	case w.VersionID == 1:
		perm = PermCreate
	}
	if d := t.g.decide(t.ctx, perm, r); !d.Allow {
		DisclosuresFrom(t.ctx).add(r, "denied", d.Basis)
		return r, refusal("access.Tx.Put", r, d)
	}
	return r, nil
}

var _ dsn.BulkTx = (*guardTx)(nil)

// PutAll checks every version as Put does, then stores them with the
// store's PutAll when it has one (a transaction Bundle's writes, the bulk
// import), else one Put each. A refusal stops before anything is stored.
func (t *guardTx) PutAll(ws []dsn.Write) error {
	b, ok := t.Tx.(dsn.BulkTx)
	if !ok {
		for _, w := range ws {
			if err := t.Put(w); err != nil {
				return err
			}
		}
		return nil
	}
	rs := make([]dsn.Resource, len(ws))
	for i, w := range ws {
		r, err := t.check(w)
		if err != nil {
			return err
		}
		r.Body = nil
		rs[i] = r
	}
	if err := b.PutAll(ws); err != nil {
		return err
	}
	*t.written = append(*t.written, rs...)
	return nil
}

// Bases of a decision, as journaled.
const (
	BasisBreakGlass = "break-the-glass"
	BasisRelation   = "care-relationship"
	BasisOwnRecord  = "own-record"
	BasisDirectory  = "directory"
	BasisSystem     = "system"
	BasisFunction   = "function"
)

// Jobs passes through: the job queue holds work keys, not records, and only
// workers read it.
func (g *Guard) Jobs(ctx context.Context, kind string, after int64, limit int) ([]dsn.Job, error) {
	return g.store.Jobs(ctx, kind, after, limit)
}
