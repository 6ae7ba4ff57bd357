package repo

import (
	"context"
	"net/http"
	"strconv"

	"dsn"
	"dsn/fhir"
)

// Status is the one mapping of an error Kind to an HTTP status
// (http.html#3.1.0.4); fhirapi uses it for responses, repo for Bundle entries.
func Status(k dsn.Kind) int {
	switch k {
	case dsn.KindInvalid:
		return http.StatusBadRequest
	case dsn.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case dsn.KindNotFound:
		return http.StatusNotFound
	case dsn.KindGone:
		return http.StatusGone
	case dsn.KindConflict:
		return http.StatusConflict
	case dsn.KindPrecondition:
		return http.StatusPreconditionFailed
	case dsn.KindForbidden:
		return http.StatusForbidden
	case dsn.KindUnauthorized:
		return http.StatusUnauthorized
	case dsn.KindNotAllowed:
		return http.StatusMethodNotAllowed
	case dsn.KindUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case dsn.KindNotAcceptable:
		return http.StatusNotAcceptable
	case dsn.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case dsn.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// StatusText is the status line FHIR puts in Bundle entry responses ("404 Not Found").
func StatusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// issueCode is the OperationOutcome IssueType for a Kind (valueset-issue-type).
func issueCode(k dsn.Kind) string {
	switch k {
	case dsn.KindInvalid, dsn.KindUnprocessable:
		return "invalid"
	case dsn.KindNotFound:
		return "not-found"
	case dsn.KindGone:
		return "deleted"
	case dsn.KindConflict, dsn.KindPrecondition:
		return "conflict"
	case dsn.KindForbidden:
		return "forbidden"
	case dsn.KindUnauthorized:
		return "login"
	case dsn.KindNotAllowed, dsn.KindUnsupportedMedia, dsn.KindNotAcceptable:
		return "not-supported"
	case dsn.KindTooLarge:
		return "too-costly"
	case dsn.KindUnavailable:
		return "transient"
	}
	return "exception"
}

// OperationOutcome renders err as an OperationOutcome (operationoutcome.html):
// one issue per dsn.Issue (with its expression), or one issue from the Kind and
// the user message. Internal causes are never shown.
func OperationOutcome(err error) fhir.Object { return OperationOutcomeIn(err, false) }

// OperationOutcomeIn is OperationOutcome in English when english (the
// edge's choice of language): the error's message is dsn.EnglishMessage and
// each issue says its English where it has one (dsn.Issue.English), else
// its French.
func OperationOutcomeIn(err error, english bool) fhir.Object {
	k := dsn.KindOf(err)
	msg := dsn.Message(err)
	if english {
		msg = dsn.EnglishMessage(err)
	}
	var issues []any
	for _, is := range dsn.IssuesOf(err) {
		is.Diagnostics = is.In(english)
		issues = append(issues, issueObject(is, k))
	}
	if len(issues) == 0 {
		issues = append(issues, issueObject(dsn.Issue{Diagnostics: msg}, k))
	} else if first := issues[0].(map[string]any); first["diagnostics"] != msg && msg != "" {
		issues = append([]any{issueObject(dsn.Issue{Diagnostics: msg}, k)}, issues...)
	}
	return fhir.Object{"resourceType": "OperationOutcome", "issue": issues}
}

// englishKey marks a request whose client asked for English.
type englishKey struct{}

// InEnglish is ctx asking that the issues an answer carries (a search's
// warnings in its Bundle's outcome entry, a batch or transaction entry's
// error outcome) speak English where they have it (dsn.Issue.English,
// dsn.Error.English). The edge chooses the language (fhirapi:
// Accept-Language); errors are chosen there too (OperationOutcomeIn).
func InEnglish(ctx context.Context) context.Context {
	return context.WithValue(ctx, englishKey{}, true)
}

func inEnglish(ctx context.Context) bool {
	v, _ := ctx.Value(englishKey{}).(bool)
	return v
}

// Information renders a success message as an OperationOutcome (Prefer:
// return=OperationOutcome, http.html#ops).
func Information(msg string) fhir.Object {
	return fhir.Object{"resourceType": "OperationOutcome", "issue": []any{
		map[string]any{"severity": "information", "code": "informational", "diagnostics": msg}}}
}

func issueObject(is dsn.Issue, k dsn.Kind) map[string]any {
	o := map[string]any{"severity": is.Severity, "code": is.Code}
	if is.Severity == "" {
		o["severity"] = "error"
	}
	if is.Code == "" {
		o["code"] = issueCode(k)
	}
	if is.Diagnostics != "" {
		o["diagnostics"] = is.Diagnostics
	}
	if is.Expression != "" {
		o["expression"] = []any{is.Expression}
	}
	return o
}
