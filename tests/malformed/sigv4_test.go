package malformed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// signing says how a request is signed. The zero value signs it correctly: the bootstrap
// root's keys, the model's signing name, us-east-1, now, over the exact body.
type signing struct {
	unsigned        bool
	accessKeyID     string
	secretAccessKey string
	service         string
	region          string
	skew            time.Duration // added to the signing time
	// payloadHash, when set, is signed and sent as X-Amz-Content-Sha256 instead of the body's.
	payloadHash string
	// after edits the headers once the request is signed.
	after func(h http.Header)
}

func (s signing) credentials() aws.Credentials {
	c := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
	if s.accessKeyID != "" {
		c = aws.Credentials{AccessKeyID: s.accessKeyID, SecretAccessKey: s.secretAccessKey}
	}
	return c
}

// authCodes are the wire codes of the authentication failures, by protocol.
type authCodes struct{ missing, incomplete, mismatch, unknown string }

func codesFor(p awsproto.Protocol) authCodes {
	if p == awsproto.Query {
		return authCodes{"MissingAuthenticationToken", "IncompleteSignature", "SignatureDoesNotMatch", "InvalidClientTokenId"}
	}
	return authCodes{"MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException", "UnrecognizedClientException"}
}

// otherService is a signing name the request is not for.
func otherService(name string) string {
	if name == "iam" {
		return "sts"
	}
	if name == "config" {
		return "organizations"
	}
	if name == "organizations" {
		return "config"
	}
	return "iam"
}

// signatures builds the requests of op that carry the valid baseline body with a broken
// signature. Each must fail authentication, before validation or any handler runs.
func (p *planner) signatures(op string, body []byte) []request {
	c := codesFor(p.svc.Protocol)
	want := func(status int, code string) expectation {
		return expectation{status: status, codes: []string{code}}
	}
	setAuth := func(v string) func(http.Header) {
		return func(h http.Header) { h.Set("Authorization", v) }
	}
	now := time.Now().UTC()
	scope := testserver.AccessKey + "/" + now.Format("20060102") + "/us-east-1/" + p.svc.Name + "/aws4_request"
	other := sha256.Sum256([]byte("another body"))
	type sv struct {
		what string
		sign signing
		want expectation
	}
	variants := []sv{
		{"no Authorization header", signing{unsigned: true}, want(403, c.missing)},
		{"an Authorization header with only the algorithm", signing{after: setAuth("AWS4-HMAC-SHA256")}, want(400, c.incomplete)},
		{"an Authorization component without '='", signing{after: setAuth("AWS4-HMAC-SHA256 Credential")}, want(400, c.incomplete)},
		{"an Authorization header of another scheme", signing{after: setAuth("Basic dXNlcjpwYXNzd29yZA==")}, want(400, c.incomplete)},
		{"a credential scope of three parts", signing{after: setAuth("AWS4-HMAC-SHA256 Credential=" + testserver.AccessKey +
			"/20200101/us-east-1, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64))}, want(400, c.incomplete)},
		{"a repeated Signature component", signing{after: setAuth("AWS4-HMAC-SHA256 Credential=" + scope +
			", SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64) + ", Signature=" + strings.Repeat("1", 64))}, want(400, c.incomplete)},
		{"a wrong signature", signing{after: func(h http.Header) {
			a := h.Get("Authorization")
			flip := "0"
			if strings.HasSuffix(a, "0") {
				flip = "1"
			}
			h.Set("Authorization", a[:len(a)-1]+flip)
		}}, want(403, c.mismatch)},
		{"the right signature of a wrong secret", signing{accessKeyID: testserver.AccessKey, secretAccessKey: strings.Repeat("x", 40)}, want(403, c.mismatch)},
		{"an unknown access key", signing{accessKeyID: "AKIANOBODYHASTHISKEY", secretAccessKey: strings.Repeat("y", 40)}, want(403, c.unknown)},
		{"a date 20 minutes old", signing{skew: -20 * time.Minute}, want(403, c.mismatch)},
		{"a date 20 minutes ahead", signing{skew: 20 * time.Minute}, want(403, c.mismatch)},
		{"a credential scope for another service", signing{service: otherService(p.svc.Name)}, want(403, c.mismatch)},
		{"a duplicated Authorization header", signing{after: func(h http.Header) { h.Add("Authorization", h.Get("Authorization")) }}, want(400, c.incomplete)},
		{"an X-Amz-Content-Sha256 of another body", signing{payloadHash: hex.EncodeToString(other[:])}, want(403, c.mismatch)},
	}
	// Only AWS Config checks the region of the scope: the other three are global services, for
	// which orgconfig takes a signature of any region (docs/ARCHITECTURE.md, step 3 of a
	// request), so a foreign region is no malformation there.
	if p.svc.Name == "config" {
		variants = append(variants, sv{"a credential scope for an unknown region", signing{region: "xx-nowhere-9"}, want(403, c.mismatch)})
	}
	out := make([]request, 0, len(variants))
	for _, v := range variants {
		out = append(out, request{op: op, kind: kindSig, what: v.what, body: body, sign: v.sign, want: v.want})
	}
	return out
}
