package bulk

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"dsn"
)

// loopbackClient fetches $import inputs. Its dialer refuses any address that
// is not loopback, checked on the address actually dialled, so neither a
// host name resolving elsewhere (or re-resolving: DNS rebinding) nor a
// redirect can make the server fetch from another machine (server-side
// request forgery).
var loopbackClient = &http.Client{
	Timeout: 30 * time.Minute,
	Transport: &http.Transport{
		Proxy: nil, // never through a proxy: the proxy would do the fetching
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				return errNotLoopback
			}
			return nil
		}}).DialContext,
	},
}

var errNotLoopback = errors.New("adresse hors de la boucle locale")

// CheckInputURL refuses an input URL that FetchLoopback would not fetch:
// not http(s), or a host that is not a loopback address or "localhost"
// (the dial checks the address again). Errors: KindInvalid.
func CheckInputURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail("bulk.Import", dsn.KindInvalid, "import.url", raw)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fail("bulk.Import", dsn.KindInvalid, "import.loopback", raw)
	}
	return nil
}

// FetchLoopback GETs an input URL on the loopback interface (the default
// ImporterOptions.Fetch). Errors: KindInvalid for a refused URL or an answer
// other than 200.
func FetchLoopback(ctx context.Context, raw string) (io.ReadCloser, error) {
	if err := CheckInputURL(raw); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fail("bulk.Import", dsn.KindInvalid, "import.request", raw, err)
	}
	req.Header.Set("Accept", "application/fhir+ndjson")
	res, err := loopbackClient.Do(req)
	if err != nil {
		return nil, fail("bulk.Import", dsn.KindInvalid, "import.fetch", raw, err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fail("bulk.Import", dsn.KindInvalid, "import.answer", raw, res.Status)
	}
	return res.Body, nil
}
