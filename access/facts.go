package access

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"dsn"
	"dsn/search"
)

// Policy is the Decider of a server: it gathers the facts Evaluate needs —
// the caller's care relationships (their "panel" of patients, rebuilt from
// the store at most every PanelTTL and after each of their writes), their
// break-the-glass grants, and every person's restrictions (kept in memory,
// reloaded every RestrictionsTTL and updated on each committed Consent).
type Policy struct {
	auth  *Service
	store dsn.Store // the unguarded store
	clock dsn.Clock
	log   *slog.Logger

	mu     sync.Mutex
	panels map[string]*panel

	rmu       sync.RWMutex
	restr     map[string][]Restriction // by patient
	restrAt   time.Time
	reloading bool
}

// PanelTTL bounds how stale a caller's care relationships may be; their own
// writes (a new encounter) refresh them at once.
const PanelTTL = 30 * time.Second

// RestrictionsTTL bounds how long a Consent written by another process takes
// to apply here (this process applies its own at commit).
const RestrictionsTTL = 30 * time.Second

// maxPanel bounds a panel (a family physician's patients, a busy ward).
const maxPanel = 50000

type panel struct {
	built    time.Time
	patients map[string]string // patient -> relationship
	grants   []Grant
}

var _ Decider = (*Policy)(nil)

// NewPolicy makes the policy over the unguarded store st.
func NewPolicy(auth *Service, st dsn.Store, log *slog.Logger) *Policy {
	if log == nil {
		log = slog.Default()
	}
	return &Policy{auth: auth, store: st, clock: auth.clock, log: log, panels: map[string]*panel{}}
}

// Decide gathers the facts and evaluates (contract: Decider).
func (pol *Policy) Decide(ctx context.Context, p *Principal, perm Perm, r dsn.Resource) Decision {
	b := pol.batch(ctx, p) // a value: one decision allocates no batch
	return b.decide(perm, r)
}

// DecideAll decides on a page of resources (contract: BatchDecider): the
// facts of the caller (clock, panel, grants) are gathered once and those of
// each patient once, however many of their resources the page holds.
func (pol *Policy) DecideAll(ctx context.Context, p *Principal, perm Perm, rs []dsn.Resource, out []Decision) []Decision {
	b := pol.batch(ctx, p)
	out = slices.Grow(out, len(rs))
	for _, r := range rs {
		out = append(out, b.decide(perm, r))
	}
	return out
}

// factBatch holds the facts of one caller for one request's decisions.
type factBatch struct {
	pol      *Policy
	ctx      context.Context
	p        *Principal
	now      time.Time
	clinical bool
	pn       *panel
	// the last patient's restrictions: a page's resources come grouped by
	// patient (most pages have one), so one look-up per run of a patient
	lastPatient string
	lastRestr   []Restriction
	looked      bool
}

func (pol *Policy) batch(ctx context.Context, p *Principal) factBatch {
	b := factBatch{pol: pol, ctx: ctx, p: p, now: pol.clock.Now()}
	if p.Role != RoleCitizen {
		role, _ := p.Role.Info()
		b.clinical = role.Clinical && p.Role != RoleResearcher
	}
	return b
}

func (b *factBatch) decide(perm Perm, r dsn.Resource) Decision {
	p := b.p
	info := ResourceInfo{Type: r.Type, ID: r.ID, Patient: r.PatientKey, Confidential: confidential(r.Body)}
	if perm&(PermCreate|PermUpdate) != 0 && (r.Type == "Encounter" || r.Type == "CareTeam" || r.Type == "EpisodeOfCare") {
		info.StartsCare = names(r.Body, p)
	}
	f := Facts{Now: b.now}
	if info.Patient != "" && p.Role != RoleCitizen {
		f.Restrictions = b.restrictions(info.Patient)
		if b.clinical {
			if b.pn == nil {
				b.pn = b.pol.panel(b.ctx, p, b.now)
			}
			f.Relationship = b.pn.patients[r.PatientKey]
			for i := range b.pn.grants {
				if g := &b.pn.grants[i]; g.Patient == r.PatientKey && g.Active(f.Now) {
					f.Grant = g
				}
			}
		}
	}
	return Evaluate(p, perm, info, f)
}

func (b *factBatch) restrictions(patient string) []Restriction {
	if !b.looked || patient != b.lastPatient {
		b.lastPatient, b.lastRestr, b.looked = patient, b.pol.restrictions(b.ctx, patient), true
	}
	return b.lastRestr
}

// Forget drops p's panel: called after p wrote (a new encounter, a grant).
func (pol *Policy) Forget(p *Principal) {
	var buf [128]byte
	pol.mu.Lock()
	delete(pol.panels, string(panelKey(buf[:0], p)))
	pol.mu.Unlock()
}

// panelKey appends the key of p's panel to buf: who, and what their
// relationships are computed from.
func panelKey(buf []byte, p *Principal) []byte {
	buf = append(append(append(buf, p.Subject...), '|'), p.Practitioner...)
	buf = append(buf, '|')
	for i, l := range p.Locations {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, l...)
	}
	return buf
}

func (pol *Policy) panel(ctx context.Context, p *Principal, now time.Time) *panel {
	var buf [128]byte
	kb := panelKey(buf[:0], p)
	pol.mu.Lock()
	pn := pol.panels[string(kb)] // no allocation for the look-up
	pol.mu.Unlock()
	if pn != nil && now.Sub(pn.built) < PanelTTL {
		return pn
	}
	key := string(kb)
	pn = &panel{built: now, patients: map[string]string{}}
	pol.relationships(ctx, p, now, pn.patients)
	if gs, err := pol.auth.Grants(ctx, p.Subject); err == nil {
		pn.grants = gs
	} else {
		pol.log.Error("access: grants", "err", err)
	}
	pol.mu.Lock()
	if len(pol.panels) > 10000 { // bound the cache: drop everything stale
		for k, v := range pol.panels {
			if now.Sub(v.built) >= PanelTTL {
				delete(pol.panels, k)
			}
		}
	}
	pol.panels[key] = pn
	pol.mu.Unlock()
	return pn
}

// relationships fills out with the patients p has a care relationship with.
func (pol *Policy) relationships(ctx context.Context, p *Principal, now time.Time, out map[string]string) {
	since := now.Add(-30 * 24 * time.Hour).Format("2006-01-02")
	type q struct {
		typ, basis string
		params     url.Values
	}
	var qs []q
	if pr := p.Practitioner; pr != "" {
		ref := "Practitioner/" + pr
		qs = append(qs,
			q{"Encounter", "encounter", url.Values{"participant": {ref}, "status": {"planned,arrived,triaged,in-progress,onleave"}}},
			q{"CareTeam", "care-team", url.Values{"participant": {ref}, "status": {"active"}}},
			q{"EpisodeOfCare", "care-team", url.Values{"care-manager": {ref}, "status": {"active"}}},
			q{"Patient", "family-physician", url.Values{"general-practitioner": {ref}}},
			q{"ServiceRequest", "order", url.Values{"requester": {ref}, "authored": {"ge" + since}}},
			q{"MedicationRequest", "order", url.Values{"requester": {ref}, "authoredon": {"ge" + since}}})
	}
	if len(p.Locations) > 0 {
		locs := make([]string, len(p.Locations))
		for i, l := range p.Locations {
			locs[i] = "Location/" + l
		}
		qs = append(qs, q{"Encounter", "unit", url.Values{"location": {strings.Join(locs, ",")}, "status": {"arrived,triaged,in-progress"}}})
	}
	for _, x := range qs {
		sq, _, err := search.Parse(x.typ, x.params, true)
		if err != nil {
			pol.log.Error("access: relationship query", "type", x.typ, "err", err)
			continue
		}
		sq.Count = 1000
		for len(out) < maxPanel {
			res, err := pol.store.Search(ctx, sq)
			if err != nil {
				pol.log.Error("access: relationship search", "type", x.typ, "err", err)
				break
			}
			for _, m := range res.Matches {
				if m.PatientKey != "" {
					if _, ok := out[m.PatientKey]; !ok {
						out[m.PatientKey] = x.basis
					}
				}
			}
			if res.Next == "" {
				break
			}
			sq.Cursor = res.Next
		}
	}
}

// restrictions returns the patient's restrictions, reloading the index when stale.
func (pol *Policy) restrictions(ctx context.Context, patient string) []Restriction {
	pol.rmu.RLock()
	stale := pol.restr == nil || pol.clock.Now().Sub(pol.restrAt) >= RestrictionsTTL
	first := pol.restr == nil
	list := pol.restr[patient]
	pol.rmu.RUnlock()
	if stale {
		if first {
			pol.reload(ctx) // nothing to serve from yet: wait for it
			pol.rmu.RLock()
			list = pol.restr[patient]
			pol.rmu.RUnlock()
		} else {
			pol.rmu.Lock()
			start := !pol.reloading
			pol.reloading = true
			pol.rmu.Unlock()
			if start {
				go pol.reload(context.WithoutCancel(ctx))
			}
		}
	}
	return list
}

// reload reads every active Consent with deny provisions.
func (pol *Policy) reload(ctx context.Context) {
	idx := map[string][]Restriction{}
	sq, _, err := search.Parse("Consent", url.Values{"status": {"active"}}, true)
	if err == nil {
		sq.Count = 1000
		for {
			res, err2 := pol.store.Search(ctx, sq)
			if err2 != nil {
				err = err2
				break
			}
			for _, m := range res.Matches {
				for _, x := range RestrictionsOf(m.Body) {
					idx[x.Patient] = append(idx[x.Patient], x)
				}
			}
			if res.Next == "" {
				break
			}
			sq.Cursor = res.Next
		}
	}
	pol.rmu.Lock()
	defer pol.rmu.Unlock()
	pol.reloading = false
	if err != nil {
		pol.log.Error("access: loading restrictions", "err", err)
		if pol.restr == nil {
			pol.restr = map[string][]Restriction{}
		}
		return
	}
	pol.restr, pol.restrAt = idx, pol.clock.Now()
}

// Observe applies committed Consents at once (repo.WithOnCommit).
func (pol *Policy) Observe(written []dsn.Resource) {
	pol.rmu.Lock()
	defer pol.rmu.Unlock()
	if pol.restr == nil {
		return // loaded on first use
	}
	for _, r := range written {
		if r.Type != "Consent" {
			continue
		}
		for p, list := range pol.restr {
			kept := list[:0]
			for _, x := range list {
				if x.Consent != r.ID {
					kept = append(kept, x)
				}
			}
			pol.restr[p] = kept
		}
		if !r.Deleted {
			for _, x := range RestrictionsOf(r.Body) {
				pol.restr[x.Patient] = append(pol.restr[x.Patient], x)
			}
		}
	}
}

var securityKey = []byte(`"security"`)

// containsSecurity is bytes.Contains(body, securityKey), found from the key's
// 'y': bytes.Contains starts from '"', the most frequent byte of JSON, and ran
// at ~0.5–0.8 GB/s (1–1.7 µs per Observation, on every resource every search
// returns); 'y' is rare, and IndexByte skips to it at memory speed
// (docs/benchmarks.md, session 7; TestContainsSecurity).
func containsSecurity(body []byte) bool {
	const tail = len(`"security"`) - 2 // the key's 'y' is at this offset
	for i := tail; i < len(body); {
		j := bytes.IndexByte(body[i:], 'y')
		if j < 0 {
			return false
		}
		i += j
		if i+2 <= len(body) && bytes.Equal(body[i-tail:i+2], securityKey) {
			return true
		}
		i++
	}
	return false
}

// confidential tells a restricted label (v3-Confidentiality R or V) in meta.security.
func confidential(body []byte) bool {
	if !containsSecurity(body) {
		return false
	}
	var doc struct {
		Meta struct {
			Security []struct{ System, Code string } `json:"security"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	for _, s := range doc.Meta.Security {
		if s.System == "http://terminology.hl7.org/CodeSystem/v3-Confidentiality" && (s.Code == "R" || s.Code == "V") {
			return true
		}
	}
	return false
}

// names tells whether body references p's Practitioner or one of p's units.
func names(body []byte, p *Principal) bool {
	if p.Practitioner != "" && bytes.Contains(body, []byte(`"Practitioner/`+p.Practitioner+`"`)) {
		return true
	}
	for _, l := range p.Locations {
		if bytes.Contains(body, []byte(`"Location/`+l+`"`)) {
			return true
		}
	}
	return false
}
