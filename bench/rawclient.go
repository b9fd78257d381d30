package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Client modes (-client).
const (
	clientRaw     = "raw"
	clientNetHTTP = "nethttp"
)

// The raw client: one persistent TCP connection per worker, each pre-signed request serialized
// once (before the timed loop) into the exact HTTP/1.1 bytes, and a minimal response reader
// (status line, headers up to the blank line, Content-Length or chunked body, discarded). It
// skips what net/http's client does per request: building and cloning the *http.Request,
// writing the headers one by one, the connection pool and its goroutines (a reader and a writer
// per connection), the header map of the response, the body's io.ReadCloser machinery.

// rawRequest is one signed request serialized as HTTP/1.1 bytes.
type rawRequest []byte

// serialize writes s as an HTTP/1.1 request: request line, Host, the signed headers (sorted),
// Content-Length, Connection: keep-alive, the blank line and the body.
func serialize(method string, s *signedRequest) rawRequest {
	var b bytes.Buffer
	path := s.url.RequestURI()
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, s.url.Host)
	keys := make([]string, 0, len(s.header))
	for k := range s.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch http.CanonicalHeaderKey(k) {
		case "Host", "Content-Length", "Connection", "Transfer-Encoding":
			continue // written by the client itself, as net/http does
		}
		for _, v := range s.header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: keep-alive\r\n\r\n", len(s.body))
	b.Write(s.body)
	return rawRequest(b.Bytes())
}

// rawConn is one worker's connection. It is reconnected when the server closes it (an answer
// with Connection: close, an HTTP/1.0 answer without keep-alive, a body delimited by the end of
// the connection) or on an error.
type rawConn struct {
	addr     string
	deadline time.Time
	conn     net.Conn
	br       *bufio.Reader
	used     bool // at least one answer was read on conn
	dials    int  // connections opened
	mu       sync.Mutex
	closed   bool
}

func (c *rawConn) dial(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(c.deadline)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		conn.Close()
		return net.ErrClosed
	}
	c.conn = conn
	c.dials++
	c.mu.Unlock()
	if c.br == nil {
		c.br = bufio.NewReaderSize(conn, 64<<10)
	} else {
		c.br.Reset(conn)
	}
	c.used = false
	return nil
}

func (c *rawConn) drop() {
	c.mu.Lock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	c.mu.Unlock()
}

// Close closes the connection for good (also from another goroutine, on interrupt).
func (c *rawConn) Close() {
	c.mu.Lock()
	c.closed = true
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	c.mu.Unlock()
}

// rawAnswer is what the reader kept of an answer (the header and the body only when asked).
type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

// do sends req and reads the answer. A request on a reused connection that gets no byte of an
// answer (the server closed an idle connection) is sent once more on a new connection, as
// net/http's transport does.
func (c *rawConn) do(ctx context.Context, req rawRequest, keep bool) (rawAnswer, error) {
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			if err := c.dial(ctx); err != nil {
				return rawAnswer{}, err
			}
		}
		reused := c.used
		a, closeAfter, started, err := c.roundTrip(req, keep)
		if err != nil {
			c.drop()
			if reused && !started && attempt == 0 && ctx.Err() == nil {
				continue
			}
			return a, err
		}
		c.used = true
		if closeAfter {
			c.drop()
		}
		return a, nil
	}
}

var errChunkLine = errors.New("raw client: malformed chunk size line")

// roundTrip writes req and reads one answer. closeAfter reports that the server ends the
// connection after it; started that at least one byte of the answer arrived.
func (c *rawConn) roundTrip(req rawRequest, keep bool) (a rawAnswer, closeAfter, started bool, err error) {
	if _, err = c.conn.Write(req); err != nil {
		return a, false, false, err
	}
	br := c.br
	for {
		line, err := readLine(br)
		if err != nil {
			return a, false, len(line) > 0, err
		}
		started = true
		// "HTTP/1.1 200 OK"
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return a, false, true, fmt.Errorf("raw client: malformed status line %q", line)
		}
		http10 := line[7] == '0'
		status, perr := strconv.Atoi(string(line[9:12]))
		if perr != nil {
			return a, false, true, fmt.Errorf("raw client: malformed status line %q", line)
		}
		if keep {
			a.header = http.Header{}
		}
		contentLength := int64(-1)
		chunked, connClose, keepAlive := false, false, false
		for {
			h, err := readLine(br)
			if err != nil {
				return a, false, true, err
			}
			if len(h) == 0 {
				break
			}
			colon := bytes.IndexByte(h, ':')
			if colon <= 0 {
				return a, false, true, fmt.Errorf("raw client: malformed header line %q", h)
			}
			name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
			switch {
			case asciiEqualFold(name, "Content-Length"):
				n, perr := strconv.ParseInt(string(value), 10, 64)
				if perr != nil || n < 0 {
					return a, false, true, fmt.Errorf("raw client: bad Content-Length %q", value)
				}
				contentLength = n
			case asciiEqualFold(name, "Transfer-Encoding"):
				if !asciiEqualFold(value, "chunked") {
					return a, false, true, fmt.Errorf("raw client: unsupported Transfer-Encoding %q", value)
				}
				chunked = true
			case asciiEqualFold(name, "Connection"):
				if asciiEqualFold(value, "close") {
					connClose = true
				} else if asciiEqualFold(value, "keep-alive") {
					keepAlive = true
				}
			}
			if keep {
				a.header.Add(string(name), string(value))
			}
		}
		if status >= 100 && status < 200 {
			continue // 100 Continue and the like: the answer follows
		}
		a.status = status
		closeAfter = connClose || (http10 && !keepAlive)
		var sink io.Writer = io.Discard
		var buf *bytes.Buffer
		if keep {
			buf = &bytes.Buffer{}
			sink = buf
		}
		switch {
		case status == http.StatusNoContent || status == http.StatusNotModified:
		case chunked:
			if err := readChunked(br, sink); err != nil {
				return a, false, true, err
			}
		case contentLength >= 0:
			if keep {
				if _, err := io.CopyN(sink, br, contentLength); err != nil {
					return a, false, true, err
				}
			} else if _, err := br.Discard(int(contentLength)); err != nil {
				return a, false, true, err
			}
		default: // delimited by the end of the connection
			if _, err := io.Copy(sink, br); err != nil {
				return a, false, true, err
			}
			closeAfter = true
		}
		if buf != nil {
			a.body = buf.Bytes()
		}
		return a, closeAfter, true, nil
	}
}

// readLine returns one line without its CRLF (or LF). The slice is valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return line, errors.New("raw client: header line too long")
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return line, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// readChunked copies a chunked body to w, and skips the trailers.
func readChunked(br *bufio.Reader, w io.Writer) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || n < 0 {
			return errChunkLine
		}
		if n == 0 {
			for { // trailers up to the blank line
				t, err := readLine(br)
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		if _, err := io.CopyN(w, br, n); err != nil {
			return err
		}
		if crlf, err := readLine(br); err != nil {
			return err
		} else if len(crlf) != 0 {
			return errChunkLine
		}
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
