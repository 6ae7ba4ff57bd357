package bulk

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"dsn"
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
