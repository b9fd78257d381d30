package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Resign signs a request that an SDK has already signed again, at time at, keeping the service
// and region of its signature's scope. It serves callers whose clock is not the machine's: the
// server verifies signatures against its own (possibly injected) clock, so a client that runs
// beside it in-process (the web console, tests with a manual clock) signs with that clock.
// body is the request's payload; the request's Body is not read.
func Resign(req *http.Request, body []byte, creds aws.Credentials, at time.Time) error {
	_, scope, ok := strings.Cut(req.Header.Get("Authorization"), "Credential=")
	parts := strings.Split(scope, "/")
	if !ok || len(parts) < 5 {
		return errors.New("sigv4: the request to sign again carries no SigV4 signature")
	}
	region, service := parts[2], parts[3]
	req.Header.Del("Authorization")
	req.Header.Del("X-Amz-Date")
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(req.Context(), creds, req, hex.EncodeToString(sum[:]), service, region, at)
}

// ResignRequest reads req's body and returns a copy of req, with that body, signed again at at
// (see Resign); body is the payload, for callers that also need it.
func ResignRequest(req *http.Request, creds aws.Credentials, at time.Time) (*http.Request, []byte, error) {
	out, body, err := CloneWithBody(req)
	if err != nil {
		return nil, nil, err
	}
	if err := Resign(out, body, creds, at); err != nil {
		return nil, nil, err
	}
	return out, body, nil
}

// CloneWithBody reads req's body (closing it) and returns a copy of req whose body is those bytes.
func CloneWithBody(req *http.Request) (*http.Request, []byte, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, nil, err
		}
		req.Body.Close()
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	return out, body, nil
}
