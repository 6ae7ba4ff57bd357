package fhirapi

import (
	"net/http"
	"net/url"

	"dsn/repo"
)

// delete: DELETE [base]/[type]/[id] (http.html#delete). Deleting a resource
// that is absent or already deleted also succeeds. 204 without a body, or 200
// with an OperationOutcome when Prefer: return=OperationOutcome.
func (a *API) delete(w http.ResponseWriter, r *http.Request) error {
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	out, err := a.repo.Delete(r.Context(), r.PathValue("type"), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	a.answerDelete(w, r, out)
	return nil
}

// conditionalDelete: DELETE [base]/[type]?criteria (http.html#cdelete); one
// match at most (several → 412).
func (a *API) conditionalDelete(w http.ResponseWriter, r *http.Request) error {
	out, err := a.repo.ConditionalDelete(r.Context(), r.PathValue("type"), criteria(r))
	if err != nil {
		return err
	}
	a.answerDelete(w, r, out)
	return nil
}

func (a *API) answerDelete(w http.ResponseWriter, r *http.Request, out repo.Outcome) {
	if !out.Noop {
		w.Header().Set("ETag", repo.ETag(out.Resource.VersionID))
	}
	if parsePrefer(r).ret == "OperationOutcome" {
		if out.Noop {
			a.inform(w, r, http.StatusOK, "delete.nothing")
			return
		}
		a.inform(w, r, http.StatusOK, "delete.done")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// answerUpdate answers an update: 201 with Location if it created the resource.
func (a *API) answerUpdate(w http.ResponseWriter, r *http.Request, created bool, out repo.Outcome) {
	if created {
		w.Header().Set("Location", a.location(r, out.Resource))
		a.sendWrite(w, r, http.StatusCreated, out.Resource, "write.created")
		return
	}
	a.sendWrite(w, r, http.StatusOK, out.Resource, "write.updated")
}

// criteria are the search parameters of a conditional interaction, without the
// HTTP-level ones.
func criteria(r *http.Request) url.Values {
	q := r.URL.Query()
	q.Del("_format")
	q.Del("_pretty")
	return q
}
