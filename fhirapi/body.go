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
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, dsn.Errorf("fhirapi", dsn.KindInvalid, "corps gzip illisible: %v", err)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, dsn.Errorf("fhirapi", dsn.KindUnsupportedMedia, "Content-Encoding %q non pris en charge (gzip seulement)", enc)
	}
	b, err := io.ReadAll(io.LimitReader(src, a.maxBody+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(len(b)) > a.maxBody:
		return nil, &dsn.Error{Op: "fhirapi", Kind: dsn.KindTooLarge, Msg: fmt.Sprintf("corps trop volumineux (limite %d octets)", a.maxBody)}
	case err != nil:
		return nil, dsn.Errorf("fhirapi", dsn.KindInvalid, "lecture du corps impossible: %v", err)
	case len(b) == 0:
		return nil, dsn.Errorf("fhirapi", dsn.KindInvalid, "le corps de la requête est vide")
	}
	return b, nil
}
