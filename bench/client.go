package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

const fhirJSON = "application/fhir+json"

// client sends FHIR requests to one base URL over a transport sized for the
// run: as many idle keep-alive connections as workers, so that every worker
// reuses its connection instead of opening one per request.
type client struct {
	hc    *http.Client
	base  string
	token string // Authorization: Bearer, when set
}

func newClient(base string, concurrency int) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // measure the server, not gzip on loopback
		ForceAttemptHTTP2:   false,
	}
	return &client{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: base}
}

func (c *client) close() { c.hc.CloseIdleConnections() }

// response is what seeding needs of an answer.
type response struct {
	status   int
	location string
	body     []byte
}

// do sends one request; keep says whether to keep the body (seeding) or
// discard it (measured requests, so that only the exchange is timed).
func (c *client) do(ctx context.Context, method, path string, body []byte, keep bool) (response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Accept", fhirJSON)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", fhirJSON)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	r := response{status: resp.StatusCode, location: resp.Header.Get("Location")}
	if keep {
		r.body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	} else {
		_, err = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
	}
	return r, err
}

// createdID reads the id of a created resource from its Location header
// ([base]/Type/id/_history/n, http.html#create) or from the returned body.
func createdID(r response) string {
	if loc := r.location; loc != "" {
		if i := strings.Index(loc, "/_history/"); i >= 0 {
			loc = loc[:i]
		}
		return loc[strings.LastIndexByte(loc, '/')+1:]
	}
	var res struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &res)
	return res.ID
}

// bundleLocations reads entry.response.location of a transaction-response.
func bundleLocations(body []byte) []string {
	var b struct {
		Entry []struct {
			Response struct {
				Location string `json:"location"`
			} `json:"response"`
		} `json:"entry"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	out := make([]string, len(b.Entry))
	for i, e := range b.Entry {
		out[i] = e.Response.Location
	}
	return out
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("bench: synthetic resource does not marshal: " + err.Error())
	}
	return b
}
