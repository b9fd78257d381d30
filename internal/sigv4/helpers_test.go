package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Test credentials. The secrets are random-looking test values, not real keys.
const (
	testAKID    = "AKIAORGCONFIGTEST001"
	testSecret  = "s3cr3t/OrgConfig+Test/Key0000000000000000"
	tempAKID    = "ASIAORGCONFIGTEST001"
	tempSecret  = "t3mp/OrgConfig+Test/Key11111111111111111"
	tempToken   = "FwoGZXIvYXdzEOrgConfigSessionToken//+=="
	testRegion  = "us-east-1"
	testService = "sts"
)

// testNow is the fixed server clock of most tests.
var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// memKeys is an in-memory KeyStore.
type memKeys struct {
	mu    sync.RWMutex
	m     map[string]Secret
	err   error // returned for every lookup when set
	calls atomic.Int64
}

func newMemKeys(secrets ...Secret) *memKeys {
	k := &memKeys{m: map[string]Secret{}}
	for _, s := range secrets {
		k.m[s.AccessKeyID] = s
	}
	return k
}

func (k *memKeys) LookupKey(_ context.Context, akid string) (Secret, error) {
	k.calls.Add(1)
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.err != nil {
		return Secret{}, k.err
	}
	s, ok := k.m[akid]
	if !ok {
		return Secret{}, errors.Join(errors.New("access key "+akid+" not found"), ErrUnknownKey)
	}
	return s, nil
}

func (k *memKeys) set(s Secret) {
	k.mu.Lock()
	k.m[s.AccessKeyID] = s
	k.mu.Unlock()
}

func defaultKeys() *memKeys {
	return newMemKeys(
		Secret{AccessKeyID: testAKID, SecretAccessKey: testSecret},
		Secret{AccessKeyID: tempAKID, SecretAccessKey: tempSecret, SessionToken: tempToken, Expiration: testNow.Add(time.Hour)},
	)
}

func longTermCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
}

func tempCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: tempAKID, SecretAccessKey: tempSecret, SessionToken: tempToken}
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newVerifier(keys KeyStore) *Verifier {
	return &Verifier{Keys: keys, Now: fixedClock(testNow)}
}

func payloadHash(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// sdkSign signs req in place with aws-sdk-go-v2's signer (header form). A fresh signer is used
// each time: the SDK caches derived keys by access key and day only, which would hide a rotated
// secret.
func sdkSign(t testing.TB, req *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(body), service, region, at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// sdkPresign presigns req with aws-sdk-go-v2's signer and returns a request for the presigned URL
// carrying the headers the signer says must be sent.
func sdkPresign(t testing.TB, req *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) *http.Request {
	t.Helper()
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(body), service, region, at)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	out, err := http.NewRequest(req.Method, u, rd)
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", u, err)
	}
	out.Host = req.Host
	for k, v := range hdr {
		out.Header[k] = append([]string(nil), v...)
	}
	out.ContentLength = req.ContentLength
	return out
}

// captured is what an httptest.Server handler saw of a request.
type captured struct {
	method, host, requestURI string
	header                   http.Header
	contentLength            int64
	transferEncoding         []string
	body                     []byte
}

// request rebuilds a server-side *http.Request from a capture, for re-verification after
// mutation.
func (c *captured) request() *http.Request {
	u, err := url.ParseRequestURI(c.requestURI)
	if err != nil {
		panic(err)
	}
	return &http.Request{
		Method:           c.method,
		Host:             c.host,
		RequestURI:       c.requestURI,
		URL:              u,
		Header:           c.header.Clone(),
		ContentLength:    c.contentLength,
		TransferEncoding: append([]string(nil), c.transferEncoding...),
		Proto:            "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
}

// captureServer is an httptest.Server that records every request it receives and verifies it
// with v, so that requests are seen exactly as Go's server presents them.
type captureServer struct {
	*httptest.Server
	v *Verifier

	mu      sync.Mutex
	last    *captured
	lastRes *Result
	lastErr error
}

func newCaptureServer(t testing.TB, v *Verifier) *captureServer {
	cs := &captureServer{v: v}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := &captured{method: r.Method, host: r.Host, requestURI: r.RequestURI, header: r.Header.Clone(),
			contentLength: r.ContentLength, transferEncoding: append([]string(nil), r.TransferEncoding...), body: body}
		res, verr := v.Verify(r.Context(), r, body)
		cs.mu.Lock()
		cs.last, cs.lastRes, cs.lastErr = c, res, verr
		cs.mu.Unlock()
		if verr != nil {
			var e *Error
			if errors.As(verr, &e) {
				w.Header().Set("X-Kind", e.Kind.String())
			}
			http.Error(w, verr.Error(), http.StatusForbidden)
			return
		}
		w.Header().Set("X-Access-Key", res.AccessKeyID)
	}))
	t.Cleanup(cs.Close)
	return cs
}

// do sends req and returns what the server captured and its verdict.
func (cs *captureServer) do(t testing.TB, req *http.Request) (*captured, *Result, error) {
	t.Helper()
	resp, err := cs.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.last, cs.lastRes, cs.lastErr
}

func kindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func wantKind(t testing.TB, err error, want ErrorKind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want *Error of kind %v", err, err, want)
	}
	if e.Kind != want {
		t.Fatalf("got kind %v (%q), want %v", e.Kind, e.Message, want)
	}
	return e
}

type awsCreds = aws.Credentials

// aws0 returns credentials with an empty secret.
func aws0(akid string) aws.Credentials { return aws.Credentials{AccessKeyID: akid} }

func newSDKSigner() *v4.Signer { return v4.NewSigner() }

// refSign is a small reference SigV4 signer written from the specification, independent of the
// package code, for the forms the Go SDK cannot produce (Date header; botocore's path
// normalization and white-space folding when botocore is set). signed must be sorted.
func refSign(req *http.Request, body []byte, akid, secret, service, region, amzDate string, signed []string, botocore bool) {
	for _, h := range signed {
		if h == "x-amz-date" {
			req.Header.Set("X-Amz-Date", amzDate)
		}
	}
	p := req.URL.EscapedPath()
	if botocore {
		trailing := strings.HasSuffix(p, "/")
		p = path.Clean(p)
		if trailing && p != "/" {
			p += "/"
		}
	}
	var uri strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			uri.WriteByte(c)
		} else {
			fmt.Fprintf(&uri, "%%%02X", c)
		}
	}
	enc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	var pairs []string
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			pairs = append(pairs, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(pairs)
	var hdrs strings.Builder
	for _, h := range signed {
		var vals []string
		if h == "host" {
			vals = []string{req.URL.Host}
			if req.Host != "" {
				vals = []string{req.Host}
			}
		} else {
			for _, v := range req.Header.Values(h) {
				if botocore {
					vals = append(vals, strings.Join(strings.Fields(v), " "))
				} else {
					vals = append(vals, regexp.MustCompile(` +`).ReplaceAllString(strings.TrimSpace(v), " "))
				}
			}
		}
		hdrs.WriteString(h + ":" + strings.Join(vals, ",") + "\n")
	}
	sum := sha256.Sum256(body)
	canonical := strings.Join([]string{req.Method, uri.String(), strings.Join(pairs, "&"), hdrs.String(),
		strings.Join(signed, ";"), hex.EncodeToString(sum[:])}, "\n")
	scope := amzDate[:8] + "/" + region + "/" + service + "/aws4_request"
	csum := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(csum[:])
	mac := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	k := mac(mac(mac(mac([]byte("AWS4"+secret), amzDate[:8]), region), service), "aws4_request")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+akid+"/"+scope+", SignedHeaders="+
		strings.Join(signed, ";")+", Signature="+hex.EncodeToString(mac(k, sts)))
}
