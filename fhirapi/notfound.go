package fhirapi

import (
	"net/http"
	"strings"

	"dsn"
)

// notFound answers paths no interaction serves: 405 (with Allow) when the path
// exists for other methods, 404 otherwise — both as OperationOutcome.
func (a *API) notFound(m *http.ServeMux) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var allow []string
		for _, meth := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if meth == r.Method {
				continue
			}
			r2 := r.Clone(r.Context())
			r2.Method = meth
			if _, pat := m.Handler(r2); pat != "" && pat != a.prefix+"/" && pat != a.prefix {
				allow = append(allow, meth)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return errorf("fhirapi", dsn.KindNotAllowed, "route.method", r.Method, r.URL.Path, strings.Join(allow, ", "))
		}
		return notFoundf("route.none", r.Method, r.URL.Path)
	}
}

func notFoundf(id string, args ...any) error {
	return errorf("fhirapi", dsn.KindNotFound, id, args...)
}
