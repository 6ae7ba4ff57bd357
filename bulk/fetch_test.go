package bulk

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dsn"
	"dsn/internal/language/langtest"
)

// $import fetches only from the loopback interface, and follows no
// redirect elsewhere (the dial itself checks the address).
func TestFetchLoopbackOnly(t *testing.T) {
	for _, u := range []string{"http://example.org/a.ndjson", "http://10.0.0.1/a", "ftp://127.0.0.1/a", "file:///etc/passwd", "http://169.254.169.254/latest"} {
		if err := CheckInputURL(u); dsn.KindOf(err) != dsn.KindInvalid {
			t.Errorf("%s accepted (%v)", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080/a.ndjson", "http://localhost/a", "https://[::1]:9/x"} {
		if err := CheckInputURL(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, "http://192.0.2.1/secret", http.StatusFound)
			return
		}
		io.WriteString(w, "{}\n")
	}))
	defer src.Close()
	body, err := FetchLoopback(context.Background(), src.URL+"/ok")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if string(b) != "{}\n" {
		t.Fatalf("fetched %q", b)
	}
	if _, err := FetchLoopback(context.Background(), src.URL+"/away"); err == nil {
		t.Fatal("a redirect off the loopback interface was followed")
	}
}

// A failed fetch says its cause in the job's language too: the refused
// redirect and a closed port, in French (Msg) and in English.
func TestFetchCauseBothLanguages(t *testing.T) {
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1/secret", http.StatusFound)
	}))
	_, err := FetchLoopback(context.Background(), src.URL+"/away")
	src.Close()
	wantBoth(t, err, "adresse 192.0.2.1:80 hors de la boucle locale", "address 192.0.2.1:80 is outside the loopback interface")
	_, err = FetchLoopback(context.Background(), src.URL+"/closed") // the server is gone: nothing listens
	wantBoth(t, err, "impossible : connexion refusée", "cannot read "+src.URL+"/closed: connection refused")
}

func wantBoth(t *testing.T, err error, fr, en string) {
	t.Helper()
	if dsn.KindOf(err) != dsn.KindInvalid {
		t.Fatalf("error %v, want KindInvalid", err)
	}
	if m := dsn.Message(err); !strings.Contains(m, fr) || strings.Contains(m, "outside") {
		t.Errorf("French: %q, want %q", m, fr)
	}
	if m := dsn.EnglishMessage(err); !strings.Contains(m, en) || strings.Contains(m, "boucle") {
		t.Errorf("English: %q, want %q", m, en)
	}
}

// The causes' catalogue has both languages with the same arguments.
func TestFetchCausesBothLanguages(t *testing.T) { langtest.Both(t, fetchCauses) }
