// Package sdkhttp is the HTTP client for the project's own aws-sdk-go-v2 callers: the test
// harness, the benchmarks, the durability suite and `orgconfig query --endpoint`.
//
// It exists for one race in the SDK's HTTP layer. smithy-go wraps each request body in a
// reader whose WriteTo answers io.EOF once the body is closed, and it closes the body as soon
// as the transport hands back the response. net/http's transport may still be inside the
// request write at that moment (after the Content-Length bytes it drains the rest of the body
// with io.Copy, which calls WriteTo), takes the io.EOF for a body read error and closes the
// connection under the response that is being read: the caller sees "use of closed network
// connection" on a 200. The SDK's default retryer hides this with a retry; our callers turn
// retries off to see every first answer, so they detach the body instead: the transport gets a
// copy of its own that nobody else closes.
package sdkhttp

import (
	"net/http"
	"time"

	"github.com/orgconfig/orgconfig/internal/sigv4"
)

// Client returns an http.Client with the given timeout whose requests carry detached bodies,
// sent through base (a fresh transport without proxies when nil).
func Client(timeout time.Duration, base http.RoundTripper) *http.Client {
	return &http.Client{Timeout: timeout, Transport: DetachBody(base)}
}

// DetachBody wraps base (a fresh transport without proxies when nil) so that every request goes
// out with an in-memory copy of its body.
func DetachBody(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
	}
	return detached{base: base}
}

type detached struct{ base http.RoundTripper }

func (d detached) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return d.base.RoundTrip(req)
	}
	out, _, err := sigv4.CloneWithBody(req)
	if err != nil {
		return nil, err
	}
	return d.base.RoundTrip(out)
}
