package awsproto

import (
	"context"
	"net/http"
)

// Rendered is a per-request slot in which a handler may leave the JSON encoding of the value it
// returns, when it has it cached: the server then writes those bytes instead of marshaling the
// value again. The bytes must be exactly what json.Marshal renders for the value; they are
// used only if the handler returns that very value (compared by identity), so a handler that
// records bytes and then returns something else is rendered normally.
type Rendered struct {
	out  any
	body []byte
}

type renderedKey struct{}

// WithRendered returns ctx carrying slot, which the caller (the server) owns and reads back
// with Body after the handler returned.
func WithRendered(ctx context.Context, slot *Rendered) context.Context {
	return context.WithValue(ctx, renderedKey{}, slot)
}

// SetRendered records in ctx's slot (if any) that body is the JSON encoding of out, a pointer
// the handler is about to return. It does nothing when ctx carries no slot.
func SetRendered(ctx context.Context, out any, body []byte) {
	if slot, ok := ctx.Value(renderedKey{}).(*Rendered); ok {
		slot.out, slot.body = out, body
	}
}

// Body returns the recorded encoding of out, or nil if none was recorded for that value.
func (r *Rendered) Body(out any) []byte {
	if r.body == nil || r.out == nil || r.out != out {
		return nil
	}
	return r.body
}

// WriteJSONBody writes a successful JSON 1.1 response whose body is already encoded.
func WriteJSONBody(w http.ResponseWriter, requestID string, body []byte) error {
	return writeJSONBody(w, requestID, body)
}
