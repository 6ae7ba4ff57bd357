package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser harness: the HTML pages are driven by a real headless Chromium
// through the DevTools protocol (chromedp, decision 0015), as a user would:
// typing, clicking, following redirects under the pages' CSP. The HTTP-form
// tests (authcode_test.go, launch_test.go, consent_test.go) cover the cases;
// these check that a browser really goes through them.

// chromiumNames are the executable names of Chromium and Chrome on Debian,
// Ubuntu and Google's packages; DSN_CHROMIUM names another one.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// chromiumPath finds the browser. Locally a missing browser skips the test
// with a message; under CI=true it fails it (.ci/run installs chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DSN_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or DSN_CHROMIUM): required under CI=true")
	}
	t.Skip("no Chromium found (apt-get install chromium, or DSN_CHROMIUM=path): browser tests skipped")
	return ""
}

// newBrowser starts a headless Chromium for the test and stops it at its
// end. One browser serves a test's cases: each gets its own tab in its own
// browser context (newTab), which shares no cookies with the others.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("lang", "fr-CA"),
		chromedp.Flag("accept-lang", "fr-CA,fr"), // the pages answer in the Accept-Language (French on a tie)
	)
	if os.Geteuid() == 0 { // Chromium refuses to run its sandbox as root (CI containers)
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser (no timeout: it would stop it)
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// newTab opens a tab of the browser in a fresh browser context (no cookies
// of another case), closed at the end of the test. Its timeout bounds a hung
// page (a redirect that never comes); it is not an assertion on speed.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, cancelTime := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab() })
	return ctx
}

// act runs browser actions, failing the test with what was being done.
func act(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}
