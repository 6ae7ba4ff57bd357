package repo

import (
	"encoding/json"
	"net/http"

	"dsn"
	"dsn/fhir"
)

// responseBundle builds a batch-response or transaction-response Bundle
// (bundle.html#transaction-response): one entry per request entry, same order.
// english (InEnglish on the request's context): an entry's error outcome
// says the error's English (dsn.Error.English) where it has one.
func responseBundle(typ, base string, entries []*entry, o BundleOptions, english bool) fhir.Object {
	b := newBundle(typ, -1)
	list := make([]any, 0, len(entries))
	for _, e := range entries {
		list = append(list, entryResponse(base, e, o, english))
	}
	b["entry"] = list
	return b
}

func entryResponse(base string, e *entry, o BundleOptions, english bool) map[string]any {
	if e.err != nil {
		return map[string]any{"response": map[string]any{
			"status":  StatusText(Status(dsn.KindOf(e.err))),
			"outcome": OperationOutcomeIn(e.err, english),
		}}
	}
	out := map[string]any{}
	resp := map[string]any{}
	r := e.out.Resource
	status := http.StatusOK
	switch e.method {
	case "GET", "HEAD":
		if e.method == "GET" && e.get != nil {
			out["resource"] = e.get
		}
	case "DELETE":
		status = http.StatusNoContent
	default:
		if e.out.Created {
			status = http.StatusCreated
		}
		if o.Resources && r.Body != nil {
			out["resource"] = json.RawMessage(r.Body)
		}
		if o.Hints != nil && r.Body != nil && !r.Deleted {
			if hints := o.Hints(r); len(hints) > 0 {
				resp["outcome"] = hintOutcome(hints, english)
			}
		}
	}
	if r.ID != "" {
		out["fullUrl"] = base + "/" + r.Type + "/" + r.ID
		resp["etag"] = ETag(r.VersionID)
		resp["lastModified"] = dsn.FormatInstant(r.LastUpdated)
		if e.method != "GET" && e.method != "HEAD" && !e.out.Noop {
			resp["location"] = r.Type + "/" + r.ID + "/_history/" + itoa(r.VersionID)
		}
	}
	resp["status"] = StatusText(status)
	out["response"] = resp
	return out
}

// hintOutcome is the OperationOutcome of a successful entry's warnings, in
// English when english (each hint's English where it has one).
func hintOutcome(hints []dsn.Issue, english bool) fhir.Object {
	issues := make([]any, 0, len(hints))
	for _, h := range hints {
		if h.Severity == "" {
			h.Severity = "warning"
		}
		h.Diagnostics = h.In(english)
		issues = append(issues, issueObject(h, dsn.KindInvalid))
	}
	return fhir.Object{"resourceType": "OperationOutcome", "issue": issues}
}
