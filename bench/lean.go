package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// leanConn is one worker's keep-alive HTTP/1.1 connection for the measured
// requests. The load generator shares the server's two cores, so every
// microsecond it spends is taken from the server: net/http's client costs
// ~50 µs of CPU per request here (header maps, canonicalisation, a goroutine
// per connection, body wrappers), this one writes a request from a reusable
// buffer and reads just the status line, the framing headers and the body
// (RFC 9112 §6: Content-Length or chunked). It speaks plain HTTP only; an
// https URL keeps net/http (newLean returns nil).
type leanConn struct {
	addr  string // host:port
	host  string // Host header
	path  string // base path, e.g. /fhir
	token string
	nc    net.Conn
	stop  func() bool // unregisters nc's interruption
	br    *bufio.Reader
	req   []byte // request being built, reused
	line  []byte // scratch for header lines
}

func newLean(base, token string) *leanConn {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &leanConn{addr: addr, host: u.Host, path: u.EscapedPath(), token: token}
}

func (c *leanConn) close() {
	if c.nc != nil {
		c.stop()
		c.nc.Close()
		c.nc = nil
	}
}

// do sends one request and reads the answer, discarding the body. A
// connection that failed or that the server closes is redialled on the next
// request; a request that fails on a reused connection before any byte of
// the answer arrived is retried once on a fresh one (the server may have
// closed an idle connection, RFC 9112 §9.3.1).
func (c *leanConn) do(ctx context.Context, method, path string, body []byte) (response, error) {
	reused := c.nc != nil
	r, err := c.exchange(ctx, method, path, body)
	if err != nil && reused && errors.Is(err, errNoAnswer) && ctx.Err() == nil {
		r, err = c.exchange(ctx, method, path, body)
	}
	return r, err
}

var errNoAnswer = errors.New("connection closed before the answer")

func (c *leanConn) exchange(ctx context.Context, method, path string, body []byte) (response, error) {
	if c.nc == nil {
		d := net.Dialer{Timeout: 5 * time.Second}
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return response{}, err
		}
		// an interrupted run ends the request in flight at once
		stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
		c.nc, c.stop = nc, stop
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 32<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	if ctx.Err() != nil {
		return response{}, ctx.Err()
	}
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	b := c.req[:0]
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, c.path...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, c.host...)
	b = append(b, "\r\nAccept: application/fhir+json\r\n"...)
	if c.token != "" {
		b = append(b, "Authorization: Bearer "...)
		b = append(b, c.token...)
		b = append(b, "\r\n"...)
	}
	if body != nil {
		b = append(b, "Content-Type: application/fhir+json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, body...)
	c.req = b
	if _, err := c.nc.Write(b); err != nil {
		c.close()
		return response{}, fmt.Errorf("%w: %v", errNoAnswer, err)
	}
	r, keep, err := c.readResponse(method)
	if err != nil || !keep {
		c.close()
	}
	return r, err
}

// readResponse reads one answer; keep says whether the connection can carry
// the next request.
func (c *leanConn) readResponse(method string) (r response, keep bool, err error) {
	line, err := c.readLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w: %v", errNoAnswer, err)
		}
		return r, false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return r, false, fmt.Errorf("bad status line %q", line)
	}
	if r.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return r, false, fmt.Errorf("bad status line %q", line)
	}
	keep = line[7] == '1' // HTTP/1.0 closes by default
	length, chunked := int64(-1), false
	for {
		if line, err = c.readLine(); err != nil {
			return r, false, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqual(name, "content-length"):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return r, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case asciiEqual(name, "transfer-encoding"):
			chunked = asciiEqual(value, "chunked")
		case asciiEqual(name, "connection"):
			if asciiEqual(value, "close") {
				keep = false
			}
		case asciiEqual(name, "location"):
			r.location = string(value)
		}
	}
	switch {
	case method == "HEAD" || r.status == 204 || r.status == 304 || r.status/100 == 1:
	case chunked:
		err = c.discardChunked()
	case length >= 0:
		_, err = c.br.Discard(int(length))
	default: // the body ends when the server closes (RFC 9112 §6.3)
		_, err = io.Copy(io.Discard, c.br)
		keep = false
	}
	return r, keep && err == nil, err
}

func (c *leanConn) discardChunked() error {
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 { // trailers, then an empty line
			for {
				if line, err = c.readLine(); err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if _, err := c.br.Discard(int(n)); err != nil {
			return err
		}
		if line, err = c.readLine(); err != nil || len(line) != 0 {
			return fmt.Errorf("chunk not followed by CRLF")
		}
	}
}

// readLine returns one line without its CRLF; the slice is valid until the
// next read.
func (c *leanConn) readLine() ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) { // an over-long header: gather it
		c.line = append(c.line[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = c.br.ReadSlice('\n')
			c.line = append(c.line, line...)
		}
		line = c.line
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func asciiEqual(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range len(b) {
		ch := b[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != lower[i] {
			return false
		}
	}
	return true
}
