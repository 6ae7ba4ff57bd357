package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"dsn"
	"dsn/internal/language/words"
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
				return &notLoopback{address}
			}
			return nil
		}}).DialContext,
	},
}

// notLoopback is the dialler's refusal of an address off the loopback
// interface (reached by a redirect or a DNS answer).
type notLoopback struct{ address string }

func (e *notLoopback) Error() string { return fetchCauses["loopback"].Format(e.address).FR }

// fetchCauses are the causes of a failed fetch that the job's error says in
// its language (import.fetch: « lecture de URL impossible : cause »); any
// other cause is the Go error's own text, the same in both.
var fetchCauses = map[string]words.Text{
	"loopback": {FR: "adresse %s hors de la boucle locale", EN: "address %s is outside the loopback interface"},
	"refused":  {FR: "connexion refusée", EN: "connection refused"},
	"timeout":  {FR: "délai dépassé", EN: "timed out"},
	"canceled": {FR: "import annulé", EN: "import cancelled"},
}

// fetchCause is the cause of a failed fetch in both languages.
func fetchCause(err error) words.Text {
	var nl *notLoopback
	var ne net.Error
	switch {
	case errors.As(err, &nl):
		return fetchCauses["loopback"].Format(nl.address)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fetchCauses["refused"]
	case errors.Is(err, context.Canceled):
		return fetchCauses["canceled"]
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fetchCauses["timeout"]
	}
	return words.Text{FR: err.Error(), EN: err.Error()}
}

// fetchFailed is import.fetch with its cause in each language.
func fetchFailed(raw string, err error) *dsn.Error {
	cause := fetchCause(err)
	t := messages["import.fetch"]
	return &dsn.Error{Op: "bulk.Import", Kind: dsn.KindInvalid, Err: err,
		Msg: fmt.Sprintf(t.FR, raw, cause.FR), English: fmt.Sprintf(t.EN, raw, cause.EN)}
}

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
		return nil, fetchFailed(raw, err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, fail("bulk.Import", dsn.KindInvalid, "import.answer", raw, res.Status)
	}
	return res.Body, nil
}
