package fhirapi

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"dsn"
)

// readBody reads the request body up to a.maxBody bytes, inflating it if it
// is gzip-encoded (the limit then applies to both sizes). Too big → 413.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var src io.Reader = http.MaxBytesReader(w, r.Body, a.maxBody)
	size := r.ContentLength // -1 when unknown (chunked)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		size = -1 // the inflated size is not announced
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, errorf("fhirapi", dsn.KindInvalid, "body.gzip", err)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, errorf("fhirapi", dsn.KindUnsupportedMedia, "body.encoding", enc)
	}
	b, err := readAll(io.LimitReader(src, a.maxBody+1), size, a.maxBody)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(len(b)) > a.maxBody:
		return nil, &dsn.Error{Op: "fhirapi", Kind: dsn.KindTooLarge, Msg: fmt.Sprintf("corps trop volumineux (limite %d octets)", a.maxBody)}
	case err != nil:
		return nil, errorf("fhirapi", dsn.KindInvalid, "body.read", err)
	case len(b) == 0:
		return nil, errorf("fhirapi", dsn.KindInvalid, "body.empty")
	}
	return b, nil
}

// readAll is io.ReadAll starting from the announced size (Content-Length)
// when there is one within the limit: io.ReadAll starts at 512 bytes and
// doubles, so a 30 KB transaction Bundle was copied through seven buffers.
// The extra byte lets the last Read report io.EOF without growing.
func readAll(src io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size > limit {
		return io.ReadAll(src)
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := src.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) { // more than announced: let ReadAll's growth take over
			rest, err := io.ReadAll(src)
			return append(b, rest...), err
		}
	}
}
