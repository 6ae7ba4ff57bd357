package fhirapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/repo"
)

// everything: GET [base]/Patient/[id]/$everything?params, or POST with a
// Parameters body (operation-patient-everything.html; operations.html#executing:
// the parameters of a POST are in a Parameters resource). The parameters of
// the URL and of the body are merged; the paging links are GET URLs.
func (a *API) everything(w http.ResponseWriter, r *http.Request) error {
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		body, err := a.readBody(w, r)
		if err != nil && !(dsn.KindOf(err) == dsn.KindInvalid && len(body) == 0) {
			return err
		}
		if len(body) > 0 {
			if err := everythingParameters(body, params); err != nil {
				return err
			}
		}
	}
	id := r.PathValue("id")
	ctx, l := r.Context(), language.Of(r)
	if l == language.English { // the warnings of the outcome entry (repo/messages.go)
		ctx = repo.InEnglish(ctx)
	}
	language.Header(w, l)
	var b fhir.Object
	var err error
	if golden, members := a.goldenMembers(r, id); golden {
		b, err = a.repo.EverythingOf(ctx, a.base(r), id, members, params)
	} else {
		b, err = a.repo.Everything(ctx, a.base(r), id, params)
	}
	if err != nil {
		return err
	}
	a.send(w, r, http.StatusOK, b)
	return nil
}

// everythingParameters adds _since (valueInstant), _type (valueCode or
// valueString) and _count (valueInteger) of a Parameters resource to params;
// other parameters are passed through when they hold a primitive value.
func everythingParameters(body []byte, params url.Values) error {
	obj, err := fhir.Decode(body)
	if err != nil {
		return dsn.Wrap("fhirapi", dsn.KindInvalid, err)
	}
	if fhir.ResourceType(obj) != "Parameters" {
		return invalidInput("", "everything.parameters")
	}
	list, _ := obj["parameter"].([]any)
	for _, p := range list {
		m, _ := p.(map[string]any)
		name, _ := m["name"].(string)
		for k, v := range m {
			if len(k) <= 5 || k[:5] != "value" {
				continue
			}
			switch x := v.(type) {
			case string:
				params.Add(name, x)
			case json.Number:
				params.Add(name, x.String())
			case bool:
				params.Add(name, strconv.FormatBool(x))
			default:
				return invalidInput("Parameters.parameter", "everything.simple", name)
			}
		}
	}
	return nil
}

// goldenMembers tells whether Patient id is a golden record of the
// provincial record and lists its registrations: $everything on a golden
// record gathers the compartments of all of them (the whole record of the
// person, every establishment); on a registration it stays that
// registration's compartment.
func (a *API) goldenMembers(r *http.Request, id string) (bool, []string) {
	if a.records == nil {
		return false, nil
	}
	golden, members, err := a.records.Members(r.Context(), id)
	return err == nil && golden, members
}
