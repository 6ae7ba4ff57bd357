package access

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"dsn"
)

// Disclosures collects, for one request, every resource that left the store
// through the guard (read, returned by a search, written) and every refusal:
// the journal's entry for the request is made from it (LRSSS s. 103: which
// information, who, when). Safe for concurrent use (batch entries run in
// parallel).
type Disclosures struct {
	mu    sync.Mutex
	items []Disclosure
	seen  map[seenKey]bool // past seenScan items; below, items are scanned
	event Event
	// one holds the first disclosure: most requests (a read, a write)
	// disclose one resource, and its items slice was an allocation of its
	// own per request (session 10, round 2)
	one [1]Disclosure
}

// seenScan is how many disclosures are checked for a repeat by a scan of
// items before a map is built: most requests disclose one resource, a search
// page twenty, and a map (built per request) cost more than the scan.
const seenScan = 32

// Event is a request that is itself an act on a record (a break-the-glass):
// its journal entry names the act, the patient and the stated reason.
type Event struct{ Action, Patient, Reason string }

// SetEvent marks the request as an act on patient's record.
func (d *Disclosures) SetEvent(action, patient, reason string) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.event = Event{action, patient, reason}
	d.mu.Unlock()
}

// Event returns the act set by SetEvent (zero if none).
func (d *Disclosures) Event() Event {
	if d == nil {
		return Event{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.event
}

// seenKey is one disclosure already noted (a struct: no key to build).
type seenKey struct{ action, ref string }

// Disclosure is one resource version shown, written or refused.
type Disclosure struct {
	Ref     string // Type/id/_history/version ("Type/id" for a refusal)
	Type    string
	Patient string // the patient key of the resource
	Action  string // "read", "write" or "denied"
	Basis   string // why it was allowed (policy basis) or refused
}

type disclosuresKey struct{}

// WithDisclosures returns ctx carrying a new, empty collector.
func WithDisclosures(ctx context.Context) (context.Context, *Disclosures) {
	d := &Disclosures{}
	return context.WithValue(ctx, disclosuresKey{}, d), d
}

// DisclosuresFrom returns the collector of ctx, or nil.
func DisclosuresFrom(ctx context.Context) *Disclosures {
	d, _ := ctx.Value(disclosuresKey{}).(*Disclosures)
	return d
}

// add records r once per action.
func (d *Disclosures) add(r dsn.Resource, action, basis string) {
	if d == nil {
		return
	}
	var ref string
	if r.VersionID > 0 && action != "denied" {
		ref = r.Type + "/" + r.ID + "/_history/" + strconv.FormatInt(r.VersionID, 10) // one allocation
	} else {
		ref = r.Type + "/" + r.ID
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	k := seenKey{action, ref}
	switch {
	case d.seen != nil:
		if d.seen[k] {
			return
		}
		d.seen[k] = true
	default:
		for i := range d.items {
			if d.items[i].Ref == ref && d.items[i].Action == action {
				return
			}
		}
		if len(d.items) == seenScan {
			d.seen = make(map[seenKey]bool, 4*seenScan)
			for _, x := range d.items {
				d.seen[seenKey{x.Action, x.Ref}] = true
			}
			d.seen[k] = true
		}
	}
	if d.items == nil {
		d.items = d.one[:0]
	}
	d.items = append(d.items, Disclosure{Ref: ref, Type: r.Type, Patient: r.PatientKey, Action: action, Basis: basis})
}

// reserve makes room for n more disclosures (a search page's): one
// allocation instead of doublings.
func (d *Disclosures) reserve(n int) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.items = slices.Grow(d.items, n)
	d.mu.Unlock()
}

// Items returns what was collected, in order: the collector's own slice,
// capped at its length, not a copy (a search page's twenty disclosures were
// copied once more for the journal, session 10). Callers read it and do not
// change it; a later add only appends past its end, never into it.
func (d *Disclosures) Items() []Disclosure {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.items[:len(d.items):len(d.items)]
}
