package repo

import (
	"context"
	"fmt"

	"dsn"
	"dsn/fhir"
)

// Validation modes of $validate (R4 valueset-resource-validation-mode):
// ModeGeneral (no mode given) checks the content only.
const (
	ModeGeneral = ""
	ModeCreate  = "create"
	ModeUpdate  = "update"
	ModeDelete  = "delete"
	ModeProfile = "profile"
)

// Validation is what Validate found: the issues (none: the interaction
// would be accepted) and the current version of the target when the mode
// reads it (update, delete, profile), zero if there is none.
type Validation struct {
	Issues  []dsn.Issue
	Current dsn.Resource
	Exists  bool
}

// Validate checks obj (nil for delete and profile) as the interaction named
// by mode would check it, without writing anything (operation
// resource-operations.html#validate). id is the target's id (from the URL;
// for update the body's id when the URL has none). Problems of the resource
// are Validation.Issues; an error means the validation itself could not be
// done: unknown type (404), an unknown mode, an id or a resource missing
// where the mode needs one (400), the target missing for profile (404/410),
// the store or the access policy refusing the read.
func (s *Service) Validate(ctx context.Context, typ, id, mode string, obj fhir.Object) (Validation, error) {
	const op = "repo.Validate"
	var v Validation
	if err := s.checkType(op, typ); err != nil {
		return v, err
	}
	switch mode {
	case ModeGeneral, ModeCreate, ModeUpdate:
		if obj == nil {
			return v, invalidIn(op, "Parameters.parameter", "validate.resource", modeName(mode))
		}
	case ModeDelete, ModeProfile:
		if id == "" {
			return v, invalidIn(op, "", "validate.existing", mode)
		}
	default:
		return v, invalidIn(op, "Parameters.parameter", "validate.mode", mode)
	}
	if id != "" {
		if err := checkID(op, id); err != nil {
			return v, err
		}
	}
	switch mode {
	case ModeUpdate:
		bid := fhir.ID(obj)
		if id == "" {
			id = bid
		}
		if id == "" {
			v.Issues = append(v.Issues, issue("required", "id", "une mise à jour (PUT [type]/[id]) exige l'id de la ressource"))
		} else if bid != id { // http.html#update: the body's id SHALL be the URL's
			v.Issues = append(v.Issues, issue("invalid", "id", "l'id de la ressource ("+quote(bid)+") doit être celui de l'URL ("+quote(id)+")"))
		}
	case ModeGeneral:
		if bid := fhir.ID(obj); id != "" && bid != "" && bid != id {
			v.Issues = append(v.Issues, issue("invalid", "id", "l'id de la ressource ("+quote(bid)+") n'est pas celui de l'URL ("+quote(id)+")"))
		}
	}
	if mode != ModeCreate && mode != ModeGeneral && id != "" {
		cur, err := s.store.Read(ctx, typ, id)
		switch k := dsn.KindOf(err); {
		case err == nil:
			v.Current, v.Exists = cur, true
		case mode == ModeProfile || k != dsn.KindNotFound && k != dsn.KindGone:
			return v, readErr(op, typ, id, err)
		}
	}
	switch mode {
	case ModeDelete:
		if !v.Exists { // http.html#delete: deleting what is not there changes nothing
			t := messages["validate.nothing"].Format(typ, id)
			v.Issues = append(v.Issues, dsn.Issue{Severity: "information", Code: "not-found", Diagnostics: t.FR, English: t.EN})
		}
		return v, nil
	case ModeProfile:
		var err error
		if obj, err = fhir.Decode(v.Current.Body); err != nil {
			return v, dsn.Wrap(op, dsn.KindInternal, err)
		}
	}
	v.Issues = append(v.Issues, s.contentIssues(typ, mode, obj)...)
	return v, nil
}

// contentIssues validates obj as typ against the R4 definitions, as
// prepare does before a write.
func (s *Service) contentIssues(typ, mode string, obj fhir.Object) []dsn.Issue {
	if rt := fhir.ResourceType(obj); rt != typ {
		return []dsn.Issue{issue("invalid", "resourceType", "le type de la ressource ("+quote(rt)+") ne correspond pas à l'URL ("+quote(typ)+")")}
	}
	obj = clone(obj)
	if mode == ModeCreate {
		delete(obj, "id") // http.html#create: a client id is ignored
	}
	if err := s.validate(obj); err != nil {
		issues := dsn.IssuesOf(err)
		if len(issues) == 0 {
			return []dsn.Issue{issue("invalid", "", dsn.Message(err))}
		}
		for i := range issues {
			if issues[i].Severity == "" {
				issues[i].Severity = "error"
			}
			if issues[i].Code == "" {
				issues[i].Code = "invalid"
			}
		}
		return issues
	}
	if _, _, err := s.extract(obj); err != nil {
		is := issue("processing", "", fmt.Sprintf(messages["validate.index"].FR, dsn.Message(err)))
		is.English = fmt.Sprintf(messages["validate.index"].EN, dsn.EnglishMessage(err))
		return []dsn.Issue{is}
	}
	return nil
}

func issue(code, expr, msg string) dsn.Issue {
	return dsn.Issue{Severity: "error", Code: code, Diagnostics: msg, Expression: expr}
}

func quote(s string) string { return "« " + s + " »" }

func modeName(mode string) string {
	if mode == "" {
		return "général"
	}
	return mode
}
