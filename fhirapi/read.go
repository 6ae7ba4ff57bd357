package fhirapi

import (
	"net/http"
	"strconv"
	"time"

	"dsn"
	"dsn/repo"
)

// read: GET [base]/[type]/[id] (http.html#read). 410 for a deleted resource;
// 304 when If-None-Match names the current version or If-Modified-Since is
// not older than it (http.html#cread).
func (a *API) read(w http.ResponseWriter, r *http.Request) error {
	res, err := a.repo.Read(r.Context(), r.PathValue("type"), r.PathValue("id"))
	if err != nil {
		if dsn.KindOf(err) == dsn.KindGone {
			w.Header().Set("ETag", repo.ETag(res.VersionID))
		}
		return err
	}
	if notModified(r, res) {
		versionHeaders(w, res)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	versionHeaders(w, res)
	a.send(w, r, http.StatusOK, res.Body)
	return nil
}

// vread: GET [base]/[type]/[id]/_history/[vid] (http.html#vread).
func (a *API) vread(w http.ResponseWriter, r *http.Request) error {
	v, err := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err != nil {
		return notFoundf("read.version", r.PathValue("vid"))
	}
	res, err := a.repo.VRead(r.Context(), r.PathValue("type"), r.PathValue("id"), v)
	if err != nil {
		return err
	}
	versionHeaders(w, res)
	a.send(w, r, http.StatusOK, res.Body)
	return nil
}

func notModified(r *http.Request, res dsn.Resource) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		v, err := repo.ParseETag(inm)
		return err == nil && v == res.VersionID
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !res.LastUpdated.Truncate(time.Second).After(t)
	}
	return false
}
