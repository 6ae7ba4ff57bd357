package fhirapi

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dsn"
	"dsn/access"
	"dsn/audit"
	"dsn/fhir"
)

// The access journal seen as FHIR AuditEvent (read-only): the citizen's
// "who consulted my record" (LRSSS s. 18 through the s. 103 log), the
// privacy officer's review, and each staff member's own trail.
//
//	GET [base]/AuditEvent?patient=ID&agent=user:ID&action=break-glass&date=geYYYY-MM-DD&_count=N
//	GET [base]/AuditEvent/[seq]
//
// Citizens see their own record's entries only; privacy officers and
// back-end systems every entry; other staff their own entries.

// auditScope narrows q to what p may see, or refuses.
func auditScope(p *access.Principal, q *dsn.AuditQuery) error {
	switch {
	case p == nil:
		return errorf("fhirapi.AuditEvent", dsn.KindUnauthorized, "audit.auth")
	case p.Role == access.RoleCitizen:
		if q.Patient != "" && q.Patient != p.Patient {
			return errorf("fhirapi.AuditEvent", dsn.KindForbidden, "audit.own")
		}
		q.Patient = p.Patient
	case p.Role == access.RolePrivacyOfficer || p.Role == access.RoleSystem:
	default:
		if q.Agent != "" && q.Agent != p.Agent() {
			return errorf("fhirapi.AuditEvent", dsn.KindForbidden, "audit.others")
		}
		q.Agent = p.Agent()
	}
	return nil
}

func (a *API) auditSearch(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf("fhirapi.AuditEvent", dsn.KindInvalid, "audit.form")
	}
	q, err := auditQuery(r.Form)
	if err != nil {
		return err
	}
	if err := auditScope(access.PrincipalFrom(r.Context()), &q); err != nil {
		return err
	}
	entries, err := a.trail.SearchAudit(r.Context(), q)
	if err != nil {
		return err
	}
	base := a.base(r)
	list := make([]any, 0, len(entries))
	for _, e := range entries {
		ev, err := audit.AuditEvent(e)
		if err != nil {
			return dsn.Wrap("fhirapi.AuditEvent", dsn.KindInternal, err)
		}
		list = append(list, map[string]any{"fullUrl": base + "/AuditEvent/" + ev["id"].(string), "resource": ev,
			"search": map[string]any{"mode": "match"}})
	}
	self := base + "/AuditEvent"
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	links := []any{map[string]any{"relation": "self", "url": self}}
	if len(entries) == q.Count {
		next := r.URL.Query()
		next.Set("_cursor", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		links = append(links, map[string]any{"relation": "next", "url": base + "/AuditEvent?" + next.Encode()})
	}
	a.send(w, r, http.StatusOK, fhir.Object{"resourceType": "Bundle", "type": "searchset", "link": links, "entry": list})
	return nil
}

// auditQuery reads the supported search parameters.
func auditQuery(params url.Values) (dsn.AuditQuery, error) {
	q := dsn.AuditQuery{Count: 50}
	for k, vs := range params {
		v := vs[0]
		switch k {
		case "patient", "entity":
			q.Patient = strings.TrimPrefix(v, "Patient/")
		case "agent", "altid":
			q.Agent = v
		case "action", "subtype":
			q.Action = v // break-glass, denied, read, search, write, token
		case "date":
			d, err := time.Parse("2006-01-02", strings.TrimPrefix(v, "ge"))
			if err != nil || !strings.HasPrefix(v, "ge") {
				return q, errorf("fhirapi.AuditEvent", dsn.KindInvalid, "audit.date")
			}
			q.Since = d
		case "_count":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return q, errorf("fhirapi.AuditEvent", dsn.KindInvalid, "audit.count")
			}
			q.Count = min(n, 1000)
		case "_cursor":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return q, errorf("fhirapi.AuditEvent", dsn.KindInvalid, "audit.cursor")
			}
			q.Before = n
		case "_format", "_pretty":
		default:
			return q, errorf("fhirapi.AuditEvent", dsn.KindInvalid, "audit.param", k)
		}
	}
	return q, nil
}

var errFound = errors.New("found")

// readOrAudit reads AuditEvent from the journal (a literal AuditEvent/{id}
// pattern would clash with {type}/_history in the router), the rest from the store.
func (a *API) readOrAudit(w http.ResponseWriter, r *http.Request) error {
	if a.trail != nil && r.PathValue("type") == "AuditEvent" {
		return a.auditRead(w, r)
	}
	return a.read(w, r)
}

func (a *API) auditRead(w http.ResponseWriter, r *http.Request) error {
	seq, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || seq < 1 {
		return errorf("fhirapi.AuditEvent", dsn.KindNotFound, "audit.not-found", r.PathValue("id"))
	}
	var found *dsn.AuditEntry
	err = a.trail.ScanAudit(r.Context(), seq, func(e dsn.AuditEntry) error {
		if e.Seq == seq {
			found = &e
		}
		return errFound
	})
	if err != nil && err != errFound {
		return err
	}
	p := access.PrincipalFrom(r.Context())
	if found != nil && p != nil && p.Role == access.RoleCitizen && found.Patient != p.Patient && audit.Names(*found, p.Patient) {
		found.Patient = p.Patient // an entry naming several records: the citizen's part only (audit.AuditEvent)
	}
	if found != nil {
		q := dsn.AuditQuery{Patient: found.Patient, Agent: found.Agent}
		if auditScope(p, &q) != nil || q.Patient != found.Patient || q.Agent != found.Agent {
			found = nil // not theirs: as if absent
		}
	}
	if found == nil {
		return errorf("fhirapi.AuditEvent", dsn.KindNotFound, "audit.not-found", strconv.FormatInt(seq, 10))
	}
	ev, err := audit.AuditEvent(*found)
	if err != nil {
		return dsn.Wrap("fhirapi.AuditEvent", dsn.KindInternal, err)
	}
	a.send(w, r, http.StatusOK, fhir.Object(ev))
	return nil
}

// auditWrite refuses every change: the journal is append-only.
func (a *API) auditWrite(http.ResponseWriter, *http.Request) error {
	return errorf("fhirapi.AuditEvent", dsn.KindNotAllowed, "audit.append-only")
}
