// Package dsn holds the shared domain vocabulary of the Dossier santé numérique:
// the one error type, the stored-resource model and the storage contract that the
// SQLite and PostgreSQL adapters both fulfil. It imports no HTTP or SQL package.
package dsn

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an Error. Each edge (HTTP, UI, CLI) maps a Kind once: the HTTP
// mapping follows FHIR R4 http.html#3.1.0.4 (status codes for each interaction).
type Kind int

const (
	KindInternal         Kind = iota // 500: a bug or an unavailable dependency
	KindInvalid                      // 400: unparseable or structurally invalid input
	KindUnprocessable                // 422: well-formed but violates a profile or business rule
	KindNotFound                     // 404: no such resource, version or route
	KindGone                         // 410: the resource was deleted
	KindConflict                     // 409: a version conflict or a clash of identities
	KindPrecondition                 // 412: If-Match mismatch, or a conditional operation matched several
	KindForbidden                    // 403: the access policy refused
	KindUnauthorized                 // 401: no or bad credentials
	KindNotAllowed                   // 405: the interaction is not supported on that target
	KindUnsupportedMedia             // 415: a format the server does not speak
	KindNotAcceptable                // 406: cannot produce the requested format
	KindTooLarge                     // 413: the body exceeds the limit
	KindUnavailable                  // 503: shutting down or overloaded; retry later
)

var kindNames = [...]string{"internal", "invalid", "unprocessable", "not-found", "gone",
	"conflict", "precondition-failed", "forbidden", "unauthorized", "not-allowed",
	"unsupported-media-type", "not-acceptable", "too-large", "unavailable"}

// ErrVersionRace marks a store's version conflict: the version a write
// proposed no longer follows the resource's current one, because another
// writer committed in between (PostgreSQL runs several writers). A write that
// did not ask for a version (no If-Match) may simply be run again.
var ErrVersionRace = errors.New("another writer committed a version in between")

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Issue is one problem found in the input, in the vocabulary of FHIR's
// OperationOutcome.issue (severity, code from the IssueType value set, the
// human-readable diagnostics and the FHIRPath of the faulty element).
// Diagnostics is French; English is the same sentence in English where the
// package that found the problem has it (the edge shows it to a client who
// asks for English, as Error.English; "" shows Diagnostics).
type Issue struct {
	Severity    string // fatal | error | warning | information
	Code        string // IssueType: structure, required, value, invariant, not-found, ...
	Diagnostics string
	English     string
	Expression  string // FHIRPath to the element, e.g. "Patient.gender"
}

// In is the issue's diagnostics in the edge's language: its English when
// english and it has one, else its French.
func (is Issue) In(english bool) string {
	if english && is.English != "" {
		return is.English
	}
	return is.Diagnostics
}

// Error is the single error type of DSN. Op names the operation that failed
// ("sqlite.Put", "fhirapi.create"), Kind classifies it, Msg is a message a user
// may read (French: DSN speaks French first), English the same message in
// English where the package that built the error has it (each edge shows
// it to a user who asks for English; "" shows Msg), Issues details input
// problems, Err is the wrapped cause.
type Error struct {
	Op      string
	Kind    Kind
	Msg     string
	English string
	Issues  []Issue
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Msg != "" {
		b.WriteString(e.Msg)
	} else {
		b.WriteString(e.Kind.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind with a formatted user message.
func Errorf(op string, kind Kind, format string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Wrap wraps err as an Error of the given kind, keeping the cause for logs.
// If err already is an Error its kind and message are kept and only Op is added.
func Wrap(op string, kind Kind, err error) error {
	if err == nil {
		return nil
	}
	var de *Error
	if errors.As(err, &de) {
		return &Error{Op: op, Kind: de.Kind, Msg: de.Msg, English: de.English, Issues: de.Issues, Err: err}
	}
	return &Error{Op: op, Kind: kind, Err: err}
}

// KindOf returns the Kind of the first Error in err's chain, KindInternal otherwise.
func KindOf(err error) Kind {
	var de *Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return KindInternal
}

// Message returns the user-facing message of err: the first non-empty Msg in
// its chain, or a generic sentence for internal errors (causes stay in logs).
func Message(err error) string {
	if msg, ok := firstMsg(err); ok {
		return msg
	}
	return fallback(err, false)
}

// fallback is the sentence of an error without a message, in French or in
// English: a 503 asks to retry (an unavailable store or journal), any other
// is an internal error (its cause stays in the logs).
func fallback(err error, english bool) string {
	switch {
	case KindOf(err) == KindUnavailable && english:
		return "service temporarily unavailable: try again later"
	case KindOf(err) == KindUnavailable:
		return "service momentanément indisponible : réessayez plus tard"
	case english:
		return "internal error"
	}
	return "erreur interne"
}

// firstMsg is the first non-empty Msg in err's chain.
func firstMsg(err error) (string, bool) {
	for err != nil {
		var de *Error
		if !errors.As(err, &de) {
			break
		}
		if de.Msg != "" {
			return de.Msg, true
		}
		err = de.Err
	}
	return "", false
}

// EnglishMessage is Message in English: the English of the error whose Msg
// Message shows, or that Msg when it has none.
func EnglishMessage(err error) string {
	first := err
	for err != nil {
		var de *Error
		if !errors.As(err, &de) {
			break
		}
		if de.Msg != "" {
			if de.English != "" {
				return de.English
			}
			return de.Msg
		}
		err = de.Err
	}
	return fallback(first, true)
}

// IssuesOf returns the Issues carried by the first Error in err's chain that has any.
func IssuesOf(err error) []Issue {
	for err != nil {
		var de *Error
		if !errors.As(err, &de) {
			return nil
		}
		if len(de.Issues) > 0 {
			return de.Issues
		}
		err = de.Err
	}
	return nil
}
