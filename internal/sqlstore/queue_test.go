package sqlstore

import (
	"strings"
	"testing"

	"dsn"
)

// A panic in a write is an internal error: its value goes to the log (the
// error's chain), never to the client, who reads « erreur interne » or
// "internal error".
func TestCallPanicIsInternal(t *testing.T) {
	err := Call("op", func(dsn.Tx) error { panic("secret detail") }, nil)
	if dsn.KindOf(err) != dsn.KindInternal || !strings.Contains(err.Error(), "secret detail") {
		t.Fatalf("the panic is not an internal error with its cause: %v", err)
	}
	if dsn.Message(err) != "erreur interne" || dsn.EnglishMessage(err) != "internal error" {
		t.Errorf("the client reads %q / %q", dsn.Message(err), dsn.EnglishMessage(err))
	}
}
