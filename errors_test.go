package dsn

import (
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"
)

func TestWrapKeepsKindMessageAndIssues(t *testing.T) {
	inner := &Error{Op: "fhir.Validate", Kind: KindInvalid, Msg: "genre inconnu",
		Issues: []Issue{{Severity: "error", Code: "code-invalid", Expression: "Patient.gender"}}}
	err := fmt.Errorf("context: %w", Wrap("repo.Create", KindInternal, inner))
	if got := KindOf(err); got != KindInvalid {
		t.Fatalf("KindOf = %v, want invalid", got)
	}
	if got := Message(err); got != "genre inconnu" {
		t.Fatalf("Message = %q", got)
	}
	if is := IssuesOf(err); len(is) != 1 || is[0].Expression != "Patient.gender" {
		t.Fatalf("IssuesOf = %+v", is)
	}
	if !errors.Is(err, inner) {
		t.Fatal("the cause must stay in the chain")
	}
}

func TestPlainErrorsAreInternalAndHidden(t *testing.T) {
	err := Wrap("sqlite.Put", KindInternal, errors.New("disk I/O error at page 7"))
	if KindOf(err) != KindInternal || KindOf(errors.New("x")) != KindInternal {
		t.Fatal("plain errors must be internal")
	}
	if Message(err) != "erreur interne" || EnglishMessage(err) != "internal error" {
		t.Fatalf("internal causes must not reach users, got %q / %q", Message(err), EnglishMessage(err))
	}
	// a 503 without a message asks to retry, in both languages
	down := Wrap("postgres.Read", KindUnavailable, errors.New("connection refused"))
	if Message(down) != "service momentanément indisponible : réessayez plus tard" || EnglishMessage(down) != "service temporarily unavailable: try again later" {
		t.Fatalf("unavailable: %q / %q", Message(down), EnglishMessage(down))
	}
	if Wrap("op", KindInvalid, nil) != nil {
		t.Fatal("Wrap(nil) must be nil")
	}
}

func TestErrorString(t *testing.T) {
	e := Errorf("repo.Read", KindNotFound, "Patient/%s introuvable", "42")
	if e.Error() != "repo.Read: Patient/42 introuvable" {
		t.Fatalf("got %q", e.Error())
	}
	if (&Error{Kind: KindGone}).Error() != "gone" || Kind(99).String() != "kind(99)" {
		t.Fatal("kind names")
	}
}

func TestRandomIDsAreValidFHIRIds(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`) // datatypes.html#id
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := RandomIDs{}.NewID()
		if !idRE.MatchString(id) || !uuidRE.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestTimeOrderedIDs(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`) // datatypes.html#id
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		// 1 µs apart: ids of different instants sort in time order
		id := uuid7(time.Unix(1_780_000_000, int64(i)*1000))
		if !idRE.MatchString(id) || !uuidRE.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		if id <= prev { // 1 µs apart: 4 steps of the 12-bit fraction
			t.Fatalf("id %q sorts before the earlier %q", id, prev)
		}
		seen[id] = true
		prev = id
	}
	// the first 48 bits are the Unix milliseconds (RFC 9562 §5.7)
	if got := uuid7(time.UnixMilli(0x0123456789ab)); got[:13] != "01234567-89ab" {
		t.Fatalf("timestamp field of %q", got)
	}
	a, b := TimeOrderedIDs{}.NewID(), TimeOrderedIDs{}.NewID()
	if a == b || a[14] != '7' {
		t.Fatalf("NewID: %q, %q", a, b)
	}
}

func TestFormatInstant(t *testing.T) {
	ts := time.Date(2026, 5, 9, 3, 12, 0, 123456789, time.FixedZone("EDT", -4*3600))
	if got := FormatInstant(ts); got != "2026-05-09T07:12:00.123456Z" {
		t.Fatalf("got %s", got)
	}
	now := SystemClock{}.Now()
	if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
		t.Fatalf("SystemClock must give UTC microseconds, got %v", now)
	}
}

// The English of an error follows it through Wrap; without one, the French.
func TestEnglishMessage(t *testing.T) {
	inner := &Error{Kind: KindForbidden, Msg: "accès refusé", English: "access denied"}
	err := fmt.Errorf("context: %w", Wrap("repo.Read", KindInternal, inner))
	if got := EnglishMessage(err); got != "access denied" {
		t.Fatalf("EnglishMessage = %q", got)
	}
	if got := Message(err); got != "accès refusé" {
		t.Fatalf("Message = %q", got)
	}
	if got := EnglishMessage(Errorf("op", KindInvalid, "corps vide")); got != "corps vide" {
		t.Fatalf("without English: %q, want the French", got)
	}
	if got := EnglishMessage(errors.New("disk")); got != "internal error" {
		t.Fatalf("internal: %q", got)
	}
}
