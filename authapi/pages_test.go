package authapi

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRedirectSource: the consent, picker and sign-in pages let their forms
// be redirected to the app's origin (a real browser enforces form-action on
// redirects), and nothing that could break out of the directive.
func TestRedirectSource(t *testing.T) {
	for _, c := range []struct{ uri, want string }{
		{"https://app.example/retour?x=1", "https://app.example"},
		{"http://127.0.0.1:8765/retour", "http://127.0.0.1:8765"},
		{"http://[::1]:8765/cb", "http://[::1]:8765"},
		{"ca.qc.app:/callback", "ca.qc.app:"},
		{"https://a.example;script-src *", ""},
		{"https://a.example, b", ""},
		{"/relative", ""},
		{"", ""},
	} {
		if got := redirectSource(c.uri); got != c.want {
			t.Errorf("redirectSource(%q) = %q, want %q", c.uri, got, c.want)
		}
	}
	w := httptest.NewRecorder()
	securePage(w, "https://app.example/retour")
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://app.example;") ||
		!strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("CSP %q", csp)
	}
}
