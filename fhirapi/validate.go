package fhirapi

import (
	"net/http"
	"strings"
	"time"

	"dsn"
	"dsn/fhir"
	"dsn/internal/language"
	"dsn/mpi"
	"dsn/repo"
)

// validateOpURL is the operation's definition (resource-operations.html#validate).
const validateOpURL = "http://hl7.org/fhir/OperationDefinition/Resource-validate"

// validateInput is the decoded input of $validate.
type validateInput struct {
	resource fhir.Object // nil for delete and profile
	mode     string
	profile  string
}

// validate: POST [base]/[type]/$validate and POST [base]/[type]/[id]/$validate
// (FHIR R4 resource-operations.html#validate). Input: a Parameters with
// resource, mode (create | update | delete | profile) and profile, or the
// resource itself as the body; mode and profile may be in the URL too.
// Output: an OperationOutcome, 200 whether or not the resource is valid
// ("information" when there is nothing to say); a 4xx only when the
// validation could not be done. Nothing is ever written.
func (a *API) validate(w http.ResponseWriter, r *http.Request) error {
	typ, id := r.PathValue("type"), r.PathValue("id")
	in, err := a.readValidateInput(w, r, typ)
	if err != nil {
		return err
	}
	// Only the base definitions are known: validating against another
	// profile cannot be done (operation failure, not a validation issue).
	if in.profile != "" && in.profile != "http://hl7.org/fhir/StructureDefinition/"+typ {
		return errorf("fhirapi.Validate", dsn.KindUnprocessable, "validate.profile", in.profile, typ)
	}
	v, err := a.repo.Validate(r.Context(), typ, id, in.mode, in.resource)
	if err != nil {
		return err
	}
	issues := v.Issues
	if typ == "Patient" {
		issues = append(issues, a.patientIssues(in, v)...)
	}
	l := language.Of(r)
	language.Header(w, l)
	a.send(w, r, http.StatusOK, validationOutcome(issues, l))
	return nil
}

// patientIssues adds what a Patient write would meet beyond its structure:
// golden records are the MPI's (mpi/provincial refuses a client's create,
// update or delete of one, 422) and the NAM consistency warnings
// (namHints: the write would succeed with them).
func (a *API) patientIssues(in validateInput, v repo.Validation) []dsn.Issue {
	var out []dsn.Issue
	if a.records != nil {
		golden := in.mode != repo.ModeProfile && in.resource != nil && mpi.IsGolden(in.resource)
		if v.Exists && in.mode != repo.ModeProfile {
			if cur, err := fhir.Decode(v.Current.Body); err == nil && mpi.IsGolden(cur) {
				golden = true
			}
		}
		if golden {
			out = append(out, dsn.Issue{Severity: "error", Code: "business-rule", Expression: "Patient.meta.tag",
				Diagnostics: messages["validate.golden"].FR, English: messages["validate.golden"].EN})
		}
	}
	p := in.resource
	if in.mode == repo.ModeProfile {
		p, _ = fhir.Decode(v.Current.Body)
	}
	if p != nil && in.mode != repo.ModeDelete && fhir.ResourceType(p) == "Patient" {
		out = append(out, namHints(dsn.Resource{Type: "Patient", Body: fhir.Encode(p), LastUpdated: time.Now()})...)
	}
	return out
}

// validationOutcome is the answer: the issues, or one information issue
// saying none was found (an OperationOutcome needs at least one issue), in
// l: each issue's English where it has one (dsn.Issue.English).
func validationOutcome(issues []dsn.Issue, l language.Tag) fhir.Object {
	if len(issues) == 0 {
		return information(messages["validate.ok"].In(l))
	}
	list := make([]any, 0, len(issues))
	for _, is := range issues {
		o := map[string]any{"severity": is.Severity, "code": is.Code, "diagnostics": is.In(l == language.English)}
		if is.Expression != "" {
			o["expression"] = []any{is.Expression}
		}
		list = append(list, o)
	}
	return fhir.Object{"resourceType": "OperationOutcome", "issue": list}
}

// readValidateInput reads the body: a Parameters holding the operation's
// parameters, or the resource to validate itself (a Parameters is taken as
// the operation's input unless [type] is Parameters and it names none of
// them). An empty body is allowed (mode delete or profile, in the URL).
func (a *API) readValidateInput(w http.ResponseWriter, r *http.Request, typ string) (validateInput, error) {
	const op = "fhirapi.Validate"
	q := r.URL.Query()
	in := validateInput{mode: q.Get("mode"), profile: q.Get("profile")}
	body, err := a.readBody(w, r)
	if err != nil && !(dsn.KindOf(err) == dsn.KindInvalid && len(body) == 0 && r.ContentLength <= 0) {
		return in, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return in, nil
	}
	obj, err := fhir.Decode(body)
	if err != nil {
		return in, dsn.Wrap(op, dsn.KindInvalid, err)
	}
	if fhir.ResourceType(obj) != "Parameters" || typ == "Parameters" && !hasValidateParams(obj) {
		in.resource = obj
		return in, nil
	}
	list, _ := obj["parameter"].([]any)
	for _, x := range list {
		prm, _ := x.(map[string]any)
		switch prm["name"] {
		case "resource":
			res, ok := prm["resource"].(map[string]any)
			if !ok {
				return in, opInvalid(op, "Parameters.parameter.resource", "op.resource")
			}
			in.resource = res
		case "mode":
			s, ok := prm["valueCode"].(string)
			if !ok {
				return in, opInvalid(op, "Parameters.parameter.valueCode", "validate.mode")
			}
			in.mode = s
		case "profile":
			s, ok := prm["valueUri"].(string)
			if !ok {
				s, ok = prm["valueCanonical"].(string)
			}
			if !ok {
				return in, opInvalid(op, "Parameters.parameter.valueUri", "validate.profile-uri")
			}
			in.profile = s
		}
	}
	return in, nil
}

// hasValidateParams: obj (a Parameters) names a parameter of $validate.
func hasValidateParams(obj fhir.Object) bool {
	list, _ := obj["parameter"].([]any)
	for _, x := range list {
		prm, _ := x.(map[string]any)
		switch prm["name"] {
		case "resource", "mode", "profile":
			return true
		}
	}
	return false
}
