package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
