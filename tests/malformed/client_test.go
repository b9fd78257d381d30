package malformed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// loopbackClient is an HTTP client that dials 127.0.0.1 only, through no proxy: the suite
// sends its traffic to the in-process server and nowhere else.
func loopbackClient() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, err := net.SplitHostPort(addr)
				if err != nil || host != "127.0.0.1" {
					return nil, fmt.Errorf("refusing to dial %s: the suite talks to 127.0.0.1 only", addr)
				}
				return dialer.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 16,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// oversize is a request body too large to hold: prefix, then 'a's, then suffix, size bytes in
// all, made as it is read.
type oversize struct {
	prefix, suffix string
	size, off      int64
}

func newOversize(prefix, suffix string, size int64) *oversize {
	return &oversize{prefix: prefix, suffix: suffix, size: size}
}

func (o *oversize) Read(p []byte) (int, error) {
	if o.off >= o.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && o.off < o.size {
		switch {
		case o.off < int64(len(o.prefix)):
			p[n] = o.prefix[o.off]
		case o.off >= o.size-int64(len(o.suffix)):
			p[n] = o.suffix[o.off-(o.size-int64(len(o.suffix)))]
		default:
			p[n] = 'a'
		}
		n++
		o.off++
	}
	return n, nil
}

// hiddenLength hides a reader's length from net/http, which then sends the body chunked.
type hiddenLength struct{ io.Reader }

// answer is what the server sent back.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// sender sends the requests of one service to one server.
type sender struct {
	svc      *awsproto.Service
	endpoint string
	client   *http.Client
}

// build makes the HTTP request of r, signed as r.sign says.
func (s *sender) build(ctx context.Context, r request) (*http.Request, error) {
	var body io.Reader = bytes.NewReader(r.body)
	hash := sha256.Sum256(r.body)
	payloadHash := hex.EncodeToString(hash[:])
	if r.bodyFn != nil {
		h := sha256.New()
		if _, err := io.Copy(h, r.bodyFn()); err != nil {
			return nil, err
		}
		payloadHash = hex.EncodeToString(h.Sum(nil))
		body = r.bodyFn()
		if r.chunked {
			body = hiddenLength{body}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint+"/", body)
	if err != nil {
		return nil, err
	}
	if o, ok := body.(*oversize); ok {
		req.ContentLength = o.size
	}
	if s.svc.Protocol == awsproto.Query {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	} else {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", s.svc.TargetPrefix+"."+r.op)
	}
	sg := r.sign
	at := time.Now().UTC().Add(sg.skew)
	if sg.unsigned {
		req.Header.Set("X-Amz-Date", at.Format("20060102T150405Z"))
		return req, nil
	}
	if sg.payloadHash != "" {
		payloadHash = sg.payloadHash
		req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	service, region := s.svc.Name, "us-east-1"
	if sg.service != "" {
		service = sg.service
	}
	if sg.region != "" {
		region = sg.region
	}
	if err := v4.NewSigner().SignHTTP(ctx, sg.credentials(), req, payloadHash, service, region, at); err != nil {
		return nil, err
	}
	if sg.after != nil {
		sg.after(req.Header)
	}
	return req, nil
}

// send sends r and returns the answer.
func (s *sender) send(ctx context.Context, r request) (answer, error) {
	req, err := s.build(ctx, r)
	if err != nil {
		return answer{}, fmt.Errorf("building the request: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, fmt.Errorf("reading the answer: %w", err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// healthy reports an error unless GET /healthz answers 200.
func (s *sender) healthy(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: %d %s", resp.StatusCode, b)
	}
	return nil
}

// wireError is an error answer decoded from either protocol's shape.
type wireError struct{ code, message string }

// decodeError checks that body is an error in the protocol's shape and returns it. JSON: an
// object with a string "__type" and a string "message" or "Message". Query: an ErrorResponse
// with Error/Code and RequestId.
func decodeError(p awsproto.Protocol, body []byte) (wireError, error) {
	if p == awsproto.Query {
		var x struct {
			XMLName xml.Name
			Error   struct {
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			} `xml:"Error"`
			RequestID string `xml:"RequestId"`
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			return wireError{}, fmt.Errorf("not XML: %v", err)
		}
		if x.XMLName.Local != "ErrorResponse" {
			return wireError{}, fmt.Errorf("root element %s, want ErrorResponse", x.XMLName.Local)
		}
		if x.Error.Code == "" || x.RequestID == "" {
			return wireError{}, errors.New("an ErrorResponse without Error/Code or RequestId")
		}
		return wireError{x.Error.Code, x.Error.Message}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return wireError{}, fmt.Errorf("not a JSON object: %v", err)
	}
	code, _ := m["__type"].(string)
	if code == "" {
		return wireError{}, errors.New(`a JSON error without "__type"`)
	}
	msg, ok := m["message"].(string)
	if !ok {
		msg, ok = m["Message"].(string)
	}
	if !ok {
		return wireError{}, errors.New(`a JSON error without "message" or "Message"`)
	}
	return wireError{code, msg}, nil
}

// check returns what is wrong with the answer a to r, or "" when it is what r expects.
func check(p awsproto.Protocol, r request, a answer) string {
	if a.status < 400 || a.status > 499 {
		return "status " + strconv.Itoa(a.status) + ", want a client error (4xx)"
	}
	e, err := decodeError(p, a.body)
	if err != nil {
		return "status " + strconv.Itoa(a.status) + ", but the body is not the protocol's error shape: " + err.Error()
	}
	w := r.want
	if w.status != 0 && a.status != w.status {
		return fmt.Sprintf("status %d %s, want %d", a.status, e.code, w.status)
	}
	if w.codes != nil && !slices.Contains(w.codes, e.code) {
		return fmt.Sprintf("error %s, want one of %s", e.code, strings.Join(w.codes, ", "))
	}
	if w.name != "" && !strings.Contains(strings.ToLower(e.message), strings.ToLower(w.name)) {
		return fmt.Sprintf("error %s does not name the member %s", e.code, w.name)
	}
	return ""
}

// describe renders r for a failure message: what it is, the operation, and a prefix of the body.
func (s *sender) describe(r request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", s.svc.Name, r.op, r.what)
	if s.svc.Protocol == awsproto.JSON {
		fmt.Fprintf(&b, "\n      X-Amz-Target: %s.%s", s.svc.TargetPrefix, r.op)
	}
	if r.bodyFn != nil {
		fmt.Fprintf(&b, "\n      body: %d bytes", r.bodyFn().size)
	} else {
		fmt.Fprintf(&b, "\n      body: %s", clip(r.body, 300))
	}
	return b.String()
}

// clip quotes at most n bytes of b.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:n])) + fmt.Sprintf("… (%d bytes)", len(b))
}
