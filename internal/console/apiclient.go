package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/orgconfig/orgconfig/internal/sigv4"
)

// apiEndpoint is the base URL of the console's API calls. They never leave the process: the
// transport hands them to the API handler, which verifies their signature and authorizes them
// exactly as it does a call from the network.
const apiEndpoint = "http://orgconfig.console.internal"

// transport runs an SDK request through the API handler in-process.
type transport struct {
	api   http.Handler
	creds aws.Credentials
	// now, when set, re-signs every request at that time (the server's injected clock), keeping
	// the service and region of the SDK's signature.
	now func() time.Time
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	in, body, err := sigv4.CloneWithBody(req)
	if err != nil {
		return nil, err
	}
	in.RemoteAddr = "127.0.0.1:0"
	in.RequestURI = in.URL.RequestURI()
	if t.now != nil {
		if err := sigv4.Resign(in, body, t.creds, t.now()); err != nil {
			return nil, err
		}
	}
	buf := &responseBuffer{header: http.Header{}, status: http.StatusOK}
	t.api.ServeHTTP(buf, in)
	return &http.Response{
		Status: http.StatusText(buf.status), StatusCode: buf.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: buf.header, Body: io.NopCloser(bytes.NewReader(buf.body.Bytes())),
		ContentLength: int64(buf.body.Len()), Request: req,
	}, nil
}

// responseBuffer is the smallest http.ResponseWriter that keeps what the handler wrote: the
// response the console's SDK clients read back.
type responseBuffer struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *responseBuffer) Header() http.Header { return r.header }
func (r *responseBuffer) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
}
func (r *responseBuffer) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.body.Write(b)
}

// clients are the SDK clients of one console request, signed with the session's credentials.
type clients struct {
	cfg aws.Config
}

func (c *Console) clientsFor(sess *session) *clients {
	creds := aws.Credentials{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: sess.SessionToken}
	tr := &transport{api: c.api, creds: creds, now: c.resignAt}
	return &clients{cfg: aws.Config{
		Region:           sess.Region,
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint:     aws.String(apiEndpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: tr},
	}}
}

func (c *clients) config() *configservice.Client { return configservice.NewFromConfig(c.cfg) }

func (c *clients) organizations() *organizations.Client {
	cfg := c.cfg.Copy()
	cfg.Region = "us-east-1" // Organizations is a global service signed in us-east-1
	return organizations.NewFromConfig(cfg)
}

func (c *clients) iam() *iam.Client {
	cfg := c.cfg.Copy()
	cfg.Region = "us-east-1"
	return iam.NewFromConfig(cfg)
}

func (c *clients) sts() *sts.Client { return sts.NewFromConfig(c.cfg) }

// apiError is an AWS error answered to one of the console's calls.
type apiError struct {
	Code    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// asAPIError extracts the AWS error code and message of an SDK error, or nil when err is not an
// answer from the API (a bug or a transport failure).
func asAPIError(err error) *apiError {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	out := &apiError{Code: ae.ErrorCode(), Message: ae.ErrorMessage(), Status: http.StatusBadRequest}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 {
		out.Status = re.HTTPStatusCode()
	}
	if strings.Contains(out.Code, "AccessDenied") {
		out.Status = http.StatusForbidden
	}
	return out
}

// callerIdentity checks credentials by calling sts:GetCallerIdentity with them.
func (c *Console) callerIdentity(ctx context.Context, sess *session) (account, arn string, err error) {
	out, err := c.clientsFor(sess).sts().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.Account), aws.ToString(out.Arn), nil
}
