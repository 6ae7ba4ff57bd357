package authapi

import (
	"net/http"
	"net/url"
	"regexp"
)

// securePage sets the headers of DSN's HTML pages: no caching, no framing,
// no script, and forms that post only to us — and may be redirected on to
// the app's registered redirect URI. CSP Level 3's form-action is checked
// on every redirect of a form submission too (the navigation directives), so with 'self' alone a real
// browser stops at the last step (Chromium refuses to follow the 302 to the
// app: TestBrowserAuthorizationCode); the HTTP-form tests could not see it.
func securePage(w http.ResponseWriter, redirectURI string) {
	formAction := "'self'"
	if src := redirectSource(redirectURI); src != "" {
		formAction += " " + src
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action "+formAction+"; frame-ancestors 'none'")
}

// cspSource is what may go into the policy: a scheme with a host (and port),
// or a bare scheme; nothing that could end the directive (space, ;, ,).
var cspSource = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:(//[A-Za-z0-9.\-]+(:[0-9]+)?|//\[[0-9A-Fa-f:.]+\](:[0-9]+)?)?$`)

// redirectSource is the CSP source of a registered redirect URI: its origin
// for http(s) (CSP Level 3 ignores a source's path after a redirect
// anyway, "does url match expression … with redirect count"), its scheme for an app's private-use scheme (RFC 8252 §7.1);
// "" if it cannot be written safely (the form then posts to us only).
func redirectSource(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme == "" {
		return ""
	}
	src := u.Scheme + ":"
	if u.Host != "" {
		src += "//" + u.Host
	}
	if !cspSource.MatchString(src) {
		return ""
	}
	return src
}
