package sigv4

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// pieces are the building blocks of random path segments, query names and values: unreserved
// characters, sub-delimiters, characters that need escaping, and multi-byte UTF-8.
var pieces = []string{"a", "b", "Z", "0", "9", "-", "_", ".", "~", " ", "  ", "é", "日本", "!", "$", "&", "'", "(", ")",
	"*", "+", ",", ";", "=", ":", "@", "%", "/", "?", "#", "[", "]", "%41", "\"", "<"}

func randString(rng *rand.Rand, min, max int) string {
	n := min + rng.IntN(max-min+1)
	var b strings.Builder
	for range n {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// randHeaderValue returns printable ASCII with runs of spaces, leading and trailing spaces and
// the odd tab: everything a header value may hold that clients send.
func randHeaderValue(rng *rand.Rand) string {
	const chars = "abcXYZ019-_.:;,/=+ \t\"'()"
	n := rng.IntN(12)
	var b strings.Builder
	if rng.IntN(4) == 0 {
		b.WriteString("  ")
	}
	for range n {
		c := chars[rng.IntN(len(chars))]
		if c == ' ' && rng.IntN(2) == 0 {
			b.WriteString("   ")
		}
		b.WriteByte(c)
	}
	return b.String()
}

// genRequest is a random API request before signing.
type genRequest struct {
	method  string
	segs    []string
	query   url.Values
	header  http.Header
	body    []byte
	creds   aws.Credentials
	service string
	region  string
	at      time.Time
	expires int // presigned X-Amz-Expires seconds; 0 for none
}

func randomRequest(rng *rand.Rand, presigned bool) genRequest {
	g := genRequest{method: http.MethodGet, query: url.Values{}, header: http.Header{}}
	if rng.IntN(2) == 0 {
		g.method = http.MethodPost
	}
	for range rng.IntN(4) {
		switch rng.IntN(12) {
		case 0:
			g.segs = append(g.segs, "")
		case 1:
			g.segs = append(g.segs, ".")
		case 2:
			g.segs = append(g.segs, "..")
		default:
			g.segs = append(g.segs, randString(rng, 1, 5))
		}
	}
	for range rng.IntN(5) {
		k := randString(rng, 1, 4)
		for range 1 + rng.IntN(2) {
			g.query.Add(k, randString(rng, 0, 5))
		}
	}
	if rng.IntN(2) == 0 {
		g.header.Set("Content-Type", []string{"application/x-www-form-urlencoded; charset=utf-8", "application/x-amz-json-1.1", "text/plain"}[rng.IntN(3)])
	}
	for i := range rng.IntN(4) {
		name := "X-Custom-" + strconv.Itoa(i)
		for range 1 + rng.IntN(2) {
			g.header.Add(name, randHeaderValue(rng))
		}
	}
	amz := []string{"X-Amz-Target", "X-Amz-Meta-Color", "X-Amz-Acl", "X-Amz-Foo-Bar"}
	for range rng.IntN(3) {
		g.header.Set(amz[rng.IntN(len(amz))], randHeaderValue(rng)+"v")
	}
	if g.method == http.MethodPost {
		g.body = make([]byte, rng.IntN(300))
		for i := range g.body {
			g.body[i] = byte(rng.Uint32())
		}
	}
	g.creds = longTermCreds()
	if rng.IntN(2) == 0 {
		g.creds = tempCreds()
	}
	g.service = []string{"sts", "iam", "config", "organizations"}[rng.IntN(4)]
	g.region = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}[rng.IntN(3)]
	g.at = testNow.Add(-time.Duration(rng.IntN(240)) * time.Second)
	if presigned && rng.IntN(2) == 0 {
		g.expires = 300 + rng.IntN(3600) // at is at most 240s before testNow
	}
	return g
}

// build returns the client request for base (scheme://host).
func (g genRequest) build(t testing.TB, base string) *http.Request {
	t.Helper()
	bu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: bu.Scheme, Host: bu.Host, Path: "/", RawQuery: g.query.Encode()}
	if len(g.segs) > 0 {
		esc := make([]string, len(g.segs))
		for i, s := range g.segs {
			esc[i] = url.PathEscape(s)
		}
		u.Path = "/" + strings.Join(g.segs, "/")
		u.RawPath = "/" + strings.Join(esc, "/")
	}
	if g.expires > 0 {
		q := u.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(g.expires))
		u.RawQuery = q.Encode()
	}
	var body *bytes.Reader
	if g.body != nil {
		body = bytes.NewReader(g.body)
	}
	var req *http.Request
	if body != nil {
		req, err = http.NewRequest(g.method, base, body)
	} else {
		req, err = http.NewRequest(g.method, base, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	req.URL = u
	req.Host = u.Host
	for k, v := range g.header {
		req.Header[k] = append([]string(nil), v...)
	}
	return req
}

// authParams are the presigned query parameters with a meaning of their own.
var authParams = map[string]bool{paramAlgorithm: true, paramCredential: true, paramDate: true, paramExpires: true,
	paramSignedHeaders: true, paramSignature: true, paramSecurityToken: true}

// mutation changes one signed element of a captured request; ok is false when the request has
// nothing the mutation applies to.
type mutation struct {
	name  string
	apply func(rng *rand.Rand, c *captured, r *http.Request, res *Result) bool
}

func setRequestURI(r *http.Request, uri string) {
	r.RequestURI = uri
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		panic(err)
	}
	r.URL = u
}

func splitURI(uri string) (path, query string) {
	path, query, _ = strings.Cut(uri, "?")
	return path, query
}

var mutations = []mutation{
	{"method", func(_ *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		if r.Method == http.MethodGet {
			r.Method = http.MethodPost
		} else {
			r.Method = http.MethodGet
		}
		return true
	}},
	{"path", func(_ *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		p, q := splitURI(r.RequestURI)
		uri := p + "x"
		if q != "" {
			uri += "?" + q
		}
		setRequestURI(r, uri)
		return true
	}},
	{"path byte", func(rng *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		p, q := splitURI(r.RequestURI)
		var idx []int
		for i := 0; i < len(p); i++ {
			if p[i] >= 'a' && p[i] <= 'z' || p[i] >= 'A' && p[i] <= 'Z' {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return false
		}
		i := idx[rng.IntN(len(idx))]
		b := []byte(p)
		b[i] ^= 0x20 // flip case
		uri := string(b)
		if q != "" {
			uri += "?" + q
		}
		setRequestURI(r, uri)
		return true
	}},
	{"query value", func(rng *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		p, q := splitURI(r.RequestURI)
		parts := strings.Split(q, "&")
		var idx []int
		for i, part := range parts {
			k, _, _ := strings.Cut(part, "=")
			if part != "" && !authParams[queryUnescape(k)] {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			return false
		}
		i := idx[rng.IntN(len(idx))]
		if strings.Contains(parts[i], "=") {
			parts[i] += "x"
		} else {
			parts[i] += "=x"
		}
		setRequestURI(r, p+"?"+strings.Join(parts, "&"))
		return true
	}},
	{"query added", func(_ *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		p, q := splitURI(r.RequestURI)
		if q != "" {
			q += "&"
		}
		setRequestURI(r, p+"?"+q+"Injected=1")
		return true
	}},
	{"signed header value", func(rng *rand.Rand, _ *captured, r *http.Request, res *Result) bool {
		var names []string
		for _, h := range res.SignedHeaders {
			switch h {
			case "host", "content-length", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256":
			default:
				names = append(names, h)
			}
		}
		if len(names) == 0 {
			return false
		}
		name := http.CanonicalHeaderKey(names[rng.IntN(len(names))])
		vals := r.Header[name]
		if len(vals) == 0 {
			return false
		}
		vals[0] += "x"
		return true
	}},
	{"host", func(_ *rand.Rand, _ *captured, r *http.Request, _ *Result) bool {
		r.Host = "evil.example.test"
		return true
	}},
	{"content-length", func(_ *rand.Rand, _ *captured, r *http.Request, res *Result) bool {
		for _, h := range res.SignedHeaders {
			if h == "content-length" {
				n, _ := strconv.Atoi(r.Header.Get("Content-Length"))
				r.Header.Set("Content-Length", strconv.Itoa(n+1))
				return true
			}
		}
		return false
	}},
	{"body", func(rng *rand.Rand, c *captured, _ *http.Request, _ *Result) bool {
		if len(c.body) == 0 {
			c.body = []byte("x")
		} else {
			c.body[rng.IntN(len(c.body))] ^= 1 << rng.IntN(8)
		}
		return true
	}},
	{"signature", func(rng *rand.Rand, _ *captured, r *http.Request, res *Result) bool {
		flip := func(sig string) string {
			b := []byte(sig)
			i := rng.IntN(len(b))
			if b[i] == '0' {
				b[i] = '1'
			} else {
				b[i] = '0'
			}
			return string(b)
		}
		if !res.Presigned {
			a, err := ParseAuthorization(r.Header.Get("Authorization"))
			if err != nil {
				panic(err)
			}
			a.Signature = flip(a.Signature)
			r.Header.Set("Authorization", a.String())
			return true
		}
		p, q := splitURI(r.RequestURI)
		parts := strings.Split(q, "&")
		for i, part := range parts {
			if k, v, _ := strings.Cut(part, "="); k == paramSignature {
				parts[i] = k + "=" + flip(v)
			}
		}
		setRequestURI(r, p+"?"+strings.Join(parts, "&"))
		return true
	}},
	{"date", func(_ *rand.Rand, _ *captured, r *http.Request, res *Result) bool {
		later := res.Time.Add(time.Second).UTC().Format(amzDateLayout)
		if !res.Presigned {
			r.Header.Set("X-Amz-Date", later)
			return true
		}
		p, q := splitURI(r.RequestURI)
		parts := strings.Split(q, "&")
		for i, part := range parts {
			if k, _, _ := strings.Cut(part, "="); k == paramDate {
				parts[i] = k + "=" + later
			}
		}
		setRequestURI(r, p+"?"+strings.Join(parts, "&"))
		return true
	}},
}

// TestPropertySDKSigned signs random requests with aws-sdk-go-v2 (header form and presigned),
// sends them through a real HTTP server, and checks that they verify, and that changing any
// signed element afterwards makes verification fail with KindMismatch.
func TestPropertySDKSigned(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x5157))
	v := newVerifier(defaultKeys())
	cs := newCaptureServer(t, v)
	n := 300
	if testing.Short() {
		n = 60
	}
	applied := map[string]int{}
	for i := range n {
		presigned := i%2 == 1
		g := randomRequest(rng, presigned)
		req := g.build(t, cs.URL)
		if presigned {
			req = sdkPresign(t, req, g.body, g.creds, g.service, g.region, g.at)
		} else {
			sdkSign(t, req, g.body, g.creds, g.service, g.region, g.at)
		}
		c, res, err := cs.do(t, req)
		if err != nil {
			t.Fatalf("request %d (presigned %v) %s %s headers %q: %v", i, presigned, c.method, c.requestURI, c.header, err)
		}
		if res.AccessKeyID != g.creds.AccessKeyID || res.Service != g.service || res.Region != g.region ||
			res.Presigned != presigned || !res.Time.Equal(g.at.Truncate(time.Second)) {
			t.Fatalf("request %d: result %+v", i, res)
		}
		// The rebuilt server-side request verifies too.
		if _, err := v.Verify(context.Background(), c.request(), c.body); err != nil {
			t.Fatalf("request %d rebuilt: %v", i, err)
		}
		for _, m := range mutations {
			mc := *c
			mc.body = append([]byte(nil), c.body...)
			r := mc.request()
			if !m.apply(rng, &mc, r, res) {
				continue
			}
			applied[m.name]++
			_, err := v.Verify(context.Background(), r, mc.body)
			if kindOf(err) != KindMismatch {
				t.Fatalf("request %d (presigned %v) %s %s: mutation %q: got %v, want Mismatch\nmutated: %s %s host %s headers %q",
					i, presigned, c.method, c.requestURI, m.name, err, r.Method, r.RequestURI, r.Host, r.Header)
			}
		}
	}
	t.Logf("mutations applied: %v", applied)
	for _, m := range mutations {
		if applied[m.name] == 0 {
			t.Errorf("mutation %q never applied", m.name)
		}
	}
}

// TestConcurrentVerify verifies many requests, for several keys, scopes and forms, from parallel
// goroutines through one Verifier with a small cache, so that the race detector sees cache hits,
// misses and evictions at once.
func TestConcurrentVerify(t *testing.T) {
	keys := defaultKeys()
	for i := range 8 {
		keys.set(Secret{AccessKeyID: fmt.Sprintf("AKIACONCURRENT%06d", i), SecretAccessKey: fmt.Sprintf("secret-%d", i)})
	}
	v := &Verifier{Keys: keys, Now: fixedClock(testNow), CacheSize: 5}
	type job struct {
		req  *http.Request
		body []byte
		ok   bool
	}
	var jobs []job
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	for i := range 48 {
		creds := aws.Credentials{AccessKeyID: fmt.Sprintf("AKIACONCURRENT%06d", i%8), SecretAccessKey: fmt.Sprintf("secret-%d", i%8)}
		ok := i%5 != 0
		if !ok {
			creds.SecretAccessKey = "wrong"
		}
		body := []byte(stsBody)
		if i%3 == 0 {
			base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
			jobs = append(jobs, job{sdkPresign(t, base, nil, creds, "sts", regions[i%3], testNow), nil, ok})
			continue
		}
		req := newSTSRequest(t, stsBody)
		sdkSign(t, req, body, creds, "sts", regions[i%3], testNow)
		jobs = append(jobs, job{req, body, ok})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for round := range 20 {
				j := jobs[(w*7+round*13)%len(jobs)]
				_, err := v.Verify(context.Background(), j.req, j.body)
				if j.ok && err != nil || !j.ok && kindOf(err) != KindMismatch {
					errs <- fmt.Errorf("worker %d round %d (ok=%v): %v", w, round, j.ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := v.cache.len(); n > 5 {
		t.Errorf("cache holds %d entries, bound 5", n)
	}
}
