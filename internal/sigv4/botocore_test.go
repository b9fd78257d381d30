package sigv4

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// botocoreSigner signs requests with botocore's own SigV4Auth (header form, X-Amz-Date or Date)
// and SigV4QueryAuth (presigned), its clock pinned to the given time. It reads a JSON list of
// requests on stdin and writes the signed URLs and headers on stdout.
const botocoreSigner = `
import base64, datetime, json, sys
import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

specs = json.load(sys.stdin)
out = []
for s in specs:
    at = datetime.datetime.fromtimestamp(s["at"], datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda at=at: at
    creds = Credentials(s["akid"], s["secret"], s["token"] or None)
    req = AWSRequest(method=s["method"], url=s["url"], data=base64.b64decode(s["body"] or ""), headers=dict(s["headers"] or []))
    if s["presign"]:
        SigV4QueryAuth(creds, s["service"], s["region"], expires=s["expires"]).add_auth(req)
    else:
        SigV4Auth(creds, s["service"], s["region"]).add_auth(req)
    out.append({"url": req.url, "headers": [[k, v] for k, v in req.headers.items()]})
json.dump(out, sys.stdout)
`

type botoSpec struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Body    []byte      `json:"body"`
	AKID    string      `json:"akid"`
	Secret  string      `json:"secret"`
	Token   string      `json:"token"`
	Service string      `json:"service"`
	Region  string      `json:"region"`
	Presign bool        `json:"presign"`
	Expires int         `json:"expires"`
	At      int64       `json:"at"`
}

type botoSigned struct {
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
}

// rfc3986 encodes a query component as botocore and SigV4 do.
func rfc3986(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// TestBotocoreOracle signs random requests with botocore itself, the signer of boto3 and the aws
// CLI, and verifies them: an oracle for botocore's canonical forms (path normalization, header
// folding, query handling, the Date header) independent of this package and of the Go SDK. It
// is skipped when python3 with botocore is not installed.
func TestBotocoreOracle(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	if err := exec.Command("python3", "-c", "import botocore.auth").Run(); err != nil {
		t.Skip("botocore not installed")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0xb070))

	var specs []botoSpec
	for i := range 200 {
		presign := i%3 == 2
		g := randomRequest(rng, presign)
		s := botoSpec{Method: g.method, Service: g.service, Region: g.region, AKID: g.creds.AccessKeyID,
			Secret: g.creds.SecretAccessKey, Token: g.creds.SessionToken, Presign: presign, Expires: 900, At: g.at.Unix()}
		esc := make([]string, len(g.segs))
		for j, seg := range g.segs {
			esc[j] = url.PathEscape(seg)
		}
		var pairs []string
		keys := make([]string, 0, len(g.query))
		for k := range g.query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals := g.query[k]
			if presign {
				vals = vals[:1] // botocore's presigner keeps one value per name
			}
			for _, v := range vals {
				pairs = append(pairs, rfc3986(k)+"="+rfc3986(v))
			}
		}
		s.URL = "https://orgconfig.example.test/" + strings.Join(esc, "/")
		if len(pairs) > 0 {
			s.URL += "?" + strings.Join(pairs, "&")
		}
		for k, vs := range g.header {
			if presign && strings.HasPrefix(strings.ToLower(k), "x-amz-") {
				continue // a presigned URL's user could not send them
			}
			s.Headers = append(s.Headers, [2]string{k, vs[0]})
		}
		if !presign && rng.IntN(4) == 0 {
			s.Headers = append(s.Headers, [2]string{"Date", "placeholder"}) // botocore then signs with Date
		}
		if !presign {
			s.Body = g.body
		} else {
			s.Method = http.MethodGet
		}
		specs = append(specs, s)
	}
	in, _ := json.Marshal(specs)
	cmd := exec.Command("python3", "-c", botocoreSigner)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore signer: %v\n%s", err, stderr.String())
	}
	var signed []botoSigned
	if err := json.Unmarshal(outb, &signed); err != nil || len(signed) != len(specs) {
		t.Fatalf("botocore output: %v (%d results for %d specs)", err, len(signed), len(specs))
	}

	keys := defaultKeys()
	dated := 0
	for i, s := range signed {
		spec := specs[i]
		u, err := url.Parse(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		uri := u.EscapedPath()
		if i := strings.Index(s.URL, u.Host); i >= 0 {
			uri = s.URL[i+len(u.Host):] // exactly what goes on the wire
		}
		if uri == "" || uri[0] == '?' {
			uri = "/" + uri
		}
		pu, err := url.ParseRequestURI(uri)
		if err != nil {
			t.Fatalf("request %d: %q: %v", i, uri, err)
		}
		r := &http.Request{Method: spec.Method, Host: u.Host, RequestURI: uri, URL: pu, Header: http.Header{},
			ContentLength: int64(len(spec.Body))}
		for _, h := range s.Headers {
			r.Header.Add(h[0], h[1])
			if strings.EqualFold(h[0], "Date") {
				dated++
			}
		}
		r.Header.Set("Content-Length", strconv.Itoa(len(spec.Body))) // added by urllib3, not signed
		v := &Verifier{Keys: keys, Now: fixedClock(time.Unix(spec.At, 0).Add(30 * time.Second))}
		res, err := v.Verify(context.Background(), r, spec.Body)
		if err != nil {
			t.Fatalf("request %d (presign %v) %s %s headers %q: %v", i, spec.Presign, r.Method, uri, r.Header, err)
		}
		if res.AccessKeyID != spec.AKID || res.Service != spec.Service || res.Region != spec.Region || res.Presigned != spec.Presign {
			t.Fatalf("request %d: result %+v", i, res)
		}
		// And a changed body or path is refused.
		if len(spec.Body) > 0 {
			b := append([]byte(nil), spec.Body...)
			b[0] ^= 0x80
			if _, err := v.Verify(context.Background(), r, b); kindOf(err) != KindMismatch {
				t.Fatalf("request %d: changed body: %v", i, err)
			}
		}
		if p, q, hasQ := strings.Cut(uri, "?"); hasQ {
			r.RequestURI = p + "/zz?" + q
		} else {
			r.RequestURI = p + "/zz"
		}
		if _, err := v.Verify(context.Background(), r, spec.Body); kindOf(err) != KindMismatch {
			t.Fatalf("request %d: changed path %q → %q: %v", i, uri, r.RequestURI, err)
		}
	}
	if dated == 0 {
		t.Error("no request was signed with the Date header")
	}
	t.Logf("%d botocore-signed requests verified (%d with the Date header)", len(signed), dated)
}
