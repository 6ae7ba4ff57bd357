package fhirapi

import (
	"mime"
	"net/http"

	"dsn"
)

// patch: PATCH [base]/[type]/[id] with a JSON Patch (http.html#patch,
// RFC 6902). FHIRPath Patch and XML Patch are not supported (415).
func (a *API) patch(w http.ResponseWriter, r *http.Request) error {
	v, doc, err := a.patchInput(w, r)
	if err != nil {
		return err
	}
	out, err := a.repo.Patch(r.Context(), r.PathValue("type"), r.PathValue("id"), doc, v)
	if err != nil {
		return err
	}
	a.sendWrite(w, r, http.StatusOK, out.Resource, "write.patched")
	return nil
}

// conditionalPatch: PATCH [base]/[type]?criteria.
func (a *API) conditionalPatch(w http.ResponseWriter, r *http.Request) error {
	_, doc, err := a.patchInput(w, r)
	if err != nil {
		return err
	}
	out, err := a.repo.ConditionalPatch(r.Context(), r.PathValue("type"), criteria(r), doc)
	if err != nil {
		return err
	}
	a.sendWrite(w, r, http.StatusOK, out.Resource, "write.patched")
	return nil
}

func (a *API) patchInput(w http.ResponseWriter, r *http.Request) (int64, []byte, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json-patch+json" {
		return 0, nil, errorf("fhirapi", dsn.KindUnsupportedMedia, "patch.media", mt)
	}
	v, err := ifMatch(r)
	if err != nil {
		return 0, nil, err
	}
	doc, err := a.readBody(w, r)
	return v, doc, err
}
