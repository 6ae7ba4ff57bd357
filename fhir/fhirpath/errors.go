package fhirpath

import (
	"fmt"

	"dsn"
)

// Errors are *dsn.Error: KindInvalid for an expression that does not parse or
// does not type-check, KindUnprocessable for a failure while evaluating
// (FHIRPath N1 §Singleton evaluation of collections, type errors...).

func syntaxErr(pos int, msg string) error {
	return &dsn.Error{Op: "fhirpath.Compile", Kind: dsn.KindInvalid,
		Msg: fmt.Sprintf("FHIRPath: erreur de syntaxe à la position %d: %s", pos, msg)}
}

func semanticErr(format string, args ...any) error {
	return &dsn.Error{Op: "fhirpath.Compile", Kind: dsn.KindInvalid,
		Msg: "FHIRPath: " + fmt.Sprintf(format, args...)}
}

func evalErr(format string, args ...any) error {
	return &dsn.Error{Op: "fhirpath.Evaluate", Kind: dsn.KindUnprocessable,
		Msg: "FHIRPath: " + fmt.Sprintf(format, args...)}
}

// errf is a plain error for the lexer's helpers, wrapped by syntaxErr.
func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }
