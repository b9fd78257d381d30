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
