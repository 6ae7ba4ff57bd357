package fhirapi

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"dsn/access"
	"dsn/audit"
)

// Journal is the CommitAuditor of a server with access control: each FHIR
// request leaves, before its answer, one journal entry per patient whose
// record it touched (read, search hit, include, write, refusal), or one entry
// if it touched none (LRSSS s. 103).
type Journal struct {
	Log    *audit.Log
	Logger *slog.Logger // also receives the slog line of SlogAuditor
}

var _ CommitAuditor = Journal{}

// Audit is Commit for callers that do not wait.
func (j Journal) Audit(ctx context.Context, rec Record) {
	if err := j.Commit(ctx, rec); err != nil && j.Logger != nil {
		j.Logger.Error("journal", "err", err)
	}
}

// Commit writes the entries of rec durably.
func (j Journal) Commit(ctx context.Context, rec Record) error {
	// most requests leave one entry: it is built on the stack (Record keeps
	// none of them), not in a ~400-byte slice of its own
	var one [1]audit.Entry
	return j.Log.Record(ctx, appendEntries(ctx, one[:0], rec)...)
}

// Entries turns one request into its journal entries: the base (who, what,
// how it ended) repeated for each patient of the request's disclosures.
func Entries(ctx context.Context, rec Record) []audit.Entry {
	return appendEntries(ctx, nil, rec)
}

// appendEntries is Entries appended to out (empty).
func appendEntries(ctx context.Context, out []audit.Entry, rec Record) []audit.Entry {
	req := rec.Request
	base := audit.Entry{Time: rec.Time, Agent: "anonymous", Remote: req.RemoteAddr, Interaction: req.Interaction,
		Method: req.Method, Path: req.Path, Query: req.Query, Status: rec.Status, Outcome: rec.Outcome}
	if p := access.PrincipalFrom(ctx); p != nil {
		base.Agent, base.Name, base.Role, base.Establishment = p.Agent(), p.Name, string(p.Role), p.Establishment
		base.Practitioner, base.Client, base.TokenID = p.Practitioner, p.ClientID, p.TokenID
		base.Purpose = purpose(p)
	}
	ds := access.DisclosuresFrom(ctx)
	if ev := ds.Event(); ev.Action != "" {
		e := base
		e.Action, e.Patient, e.Reason, e.Basis, e.Purpose = ev.Action, ev.Patient, ev.Reason, access.BasisBreakGlass, "ETREAT"
		if rec.Status >= 400 {
			e.Action = "denied"
		}
		return append(out, e)
	}
	items := ds.Items()
	// one entry per patient, in the order met; most requests touch one
	// patient, so the index by patient is built only past a few
	var byPatient map[string]int
	find := func(patient string) int {
		if byPatient != nil {
			if i, ok := byPatient[patient]; ok {
				return i
			}
		} else {
			for i := range out {
				if out[i].Patient == patient {
					return i
				}
			}
		}
		c := base
		c.Patient = patient
		out = append(out, c)
		if byPatient == nil && len(out) > 8 {
			byPatient = make(map[string]int, 2*len(out))
			for i := range out {
				byPatient[out[i].Patient] = i
			}
		} else if byPatient != nil {
			byPatient[patient] = len(out) - 1
		}
		return len(out) - 1
	}
	// the entries first, counting each one's resources: their lists then
	// share one array sized once, not each grown by doublings (a 20-hit page
	// of one patient grew its list five times, session 10)
	var cbuf [16]int
	counts, shown := cbuf[:0], 0
	for _, d := range items {
		i := find(d.Patient)
		for len(counts) <= i {
			counts = append(counts, 0)
		}
		if d.Action != "denied" {
			counts[i]++
			shown++
		}
	}
	if shown > 0 {
		refs, at := make([]string, shown), 0
		for i, n := range counts {
			out[i].Resources = refs[at : at : at+n]
			at += n
		}
	}
	for _, d := range items {
		e := &out[find(d.Patient)]
		switch d.Action {
		case "denied":
			e.Denied = append(e.Denied, d.Ref)
		default:
			e.Resources = append(e.Resources, d.Ref)
			if d.Action == "write" {
				e.Action = "write"
			}
		}
		if d.Basis == access.BasisBreakGlass {
			e.Basis, e.Purpose = d.Basis, "ETREAT"
		} else if e.Basis == "" && d.Action != "denied" {
			e.Basis = d.Basis
		}
	}
	if len(out) == 0 {
		e := base
		e.Patient = requestPatient(req)
		out = append(out, e)
	}
	for i := range out {
		e := &out[i]
		switch {
		case e.Action == "write":
		case len(e.Resources) == 0 && (len(e.Denied) > 0 || rec.Status == 401 || rec.Status == 403):
			e.Action = "denied"
		case strings.HasPrefix(req.Interaction, "search") || strings.HasPrefix(req.Interaction, "history") || req.Interaction == "operation":
			e.Action = "search"
		default:
			e.Action = "read"
		}
	}
	return out
}

// purpose is the v3 PurposeOfUse of a principal's access.
func purpose(p *access.Principal) string {
	switch p.Role {
	case access.RoleCitizen:
		return "PATRQT"
	case access.RoleResearcher:
		return "HRESCH"
	case access.RoleSystem:
		if p.Purpose != "" {
			return p.Purpose // the client's registered purpose (research: HRESCH)
		}
		return "HOPERAT"
	case access.RoleArchivist, access.RoleAdmin, access.RolePrivacyOfficer:
		return "HOPERAT"
	}
	return "TREAT"
}

// requestPatient names the patient a request aimed at when nothing was
// disclosed (a refused or empty request): Patient/{id}, or a patient or
// subject parameter naming a Patient.
func requestPatient(req Request) string {
	if req.Type == "Patient" && req.ID != "" {
		return req.ID
	}
	q, _ := url.ParseQuery(req.Query)
	for _, k := range []string{"patient", "subject", "subject:Patient"} {
		if v := q.Get(k); v != "" {
			return strings.TrimPrefix(v, "Patient/")
		}
	}
	return ""
}
