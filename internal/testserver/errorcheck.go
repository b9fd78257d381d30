package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// Models are the API models by the service name the server logs.
var Models = map[string]*awsproto.Service{
	configapi.Service.Name:        configapi.Service,
	organizationsapi.Service.Name: organizationsapi.Service,
	iamapi.Service.Name:           iamapi.Service,
	stsapi.Service.Name:           stsapi.Service,
}

// ErrorPair is one error an operation answered.
type ErrorPair struct{ Service, Operation, Code string }

// Allowed reports whether the operation's model lists the error (or it is a common one).
func (p ErrorPair) Allowed() bool {
	m := Models[p.Service]
	if m == nil {
		// A request no service claimed (no target, unknown prefix) gets a protocol error.
		return awsproto.CommonError(p.Code)
	}
	return m.ErrorAllowed(p.Operation, p.Code)
}

func (p ErrorPair) String() string { return p.Service + " " + p.Operation + " " + p.Code }

// ErrorRecorder is a slog.Handler that records the error of every request line the server
// logs, and passes every record on to next (when not nil).
type ErrorRecorder struct {
	next  slog.Handler
	mu    *sync.Mutex
	pairs map[ErrorPair]int
}

// NewErrorRecorder returns a recorder that forwards to next (nil: nowhere).
func NewErrorRecorder(next slog.Handler) *ErrorRecorder {
	return &ErrorRecorder{next: next, mu: &sync.Mutex{}, pairs: map[ErrorPair]int{}}
}

// Enabled implements slog.Handler: request lines are always wanted.
func (r *ErrorRecorder) Enabled(context.Context, slog.Level) bool { return true }

// WithAttrs implements slog.Handler.
func (r *ErrorRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	cp := *r
	if r.next != nil {
		cp.next = r.next.WithAttrs(as)
	}
	return &cp
}

// WithGroup implements slog.Handler.
func (r *ErrorRecorder) WithGroup(name string) slog.Handler {
	cp := *r
	if r.next != nil {
		cp.next = r.next.WithGroup(name)
	}
	return &cp
}

// Handle implements slog.Handler.
func (r *ErrorRecorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Message == "request" {
		var p ErrorPair
		rec.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "service":
				p.Service = a.Value.String()
			case "operation":
				p.Operation = a.Value.String()
			case "error_code":
				p.Code = a.Value.String()
			}
			return true
		})
		if p.Code != "" {
			r.mu.Lock()
			r.pairs[p]++
			r.mu.Unlock()
		}
	}
	if r.next != nil && r.next.Enabled(ctx, rec.Level) {
		return r.next.Handle(ctx, rec)
	}
	return nil
}

// Pairs returns the errors recorded so far with their counts.
func (r *ErrorRecorder) Pairs() map[ErrorPair]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[ErrorPair]int, len(r.pairs))
	for p, n := range r.pairs {
		out[p] = n
	}
	return out
}

// Disallowed lists the recorded errors that their operation's model does not list, sorted.
func (r *ErrorRecorder) Disallowed() []string {
	var bad []string
	for p, n := range r.Pairs() {
		if !p.Allowed() {
			bad = append(bad, fmt.Sprintf("%s answered %s (×%d)", p.Service+" "+p.Operation, p.Code, n))
		}
	}
	sort.Strings(bad)
	return bad
}

// checkErrors fails t when the server answered an error outside the models.
func checkErrors(t testing.TB, r *ErrorRecorder) {
	if bad := r.Disallowed(); len(bad) > 0 {
		t.Errorf("the server answered errors that the operations' models do not list (SDKs cannot type them):\n  %s", strings.Join(bad, "\n  "))
	}
}
