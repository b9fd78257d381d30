package sdkhttp

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// closingBody behaves like smithy-go's request body: once closed, WriteTo answers io.EOF.
type closingBody struct {
	mu     sync.Mutex
	r      *strings.Reader
	closed bool
}

func (b *closingBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

func (b *closingBody) WriteTo(w io.Writer) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.WriteTo(w)
}

func (b *closingBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

type recorder struct{ got *http.Request }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
}

// The transport keeps a body of its own: the caller closing the original body once the response
// is back (what smithy-go does) cannot cut the write that may still be going on.
func TestDetachBodySurvivesCallerClose(t *testing.T) {
	const payload = "Action=ListRoles&Version=2010-05-08"
	rec := &recorder{}
	body := &closingBody{r: strings.NewReader(payload)}
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(payload))
	if _, err := DetachBody(rec).RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	body.Close()
	if rec.got == req {
		t.Fatal("the transport got the caller's request itself")
	}
	got, err := io.ReadAll(rec.got.Body)
	if err != nil || string(got) != payload {
		t.Fatalf("detached body = %q, %v; want %q", got, err, payload)
	}
	if rec.got.ContentLength != int64(len(payload)) {
		t.Errorf("ContentLength = %d, want %d", rec.got.ContentLength, len(payload))
	}
	if _, err := io.Copy(io.Discard, rec.got.Body); err != nil {
		t.Errorf("draining the detached body after EOF: %v", err)
	}
}

func TestDetachBodyWithoutBody(t *testing.T) {
	rec := &recorder{}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	if _, err := DetachBody(rec).RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if rec.got != req {
		t.Error("a request without a body should pass through unchanged")
	}
}
