package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
)

// The adapters below turn a typed service method into a Handler. The generated API packages
// bind every operation with one of them, according to whether the model gives the operation an
// input and an output shape.

// Handle adapts a method with an input and an output. A nil output with a nil error becomes an
// empty output, so the client always gets the operation's shape.
func Handle[I, O any](call func(context.Context, *I) (*O, error)) Handler {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(I)
		if err := DecodeInput(body, in); err != nil {
			return nil, err
		}
		out, err := call(ctx, in)
		if !isNilError(err) {
			return nil, err
		}
		if out == nil {
			out = new(O)
		}
		return out, nil
	}
}

// HandleNoInput adapts a method of an operation without an input shape; the body is ignored.
func HandleNoInput[O any](call func(context.Context) (*O, error)) Handler {
	return func(ctx context.Context, _ []byte) (any, error) {
		out, err := call(ctx)
		if !isNilError(err) {
			return nil, err
		}
		if out == nil {
			out = new(O)
		}
		return out, nil
	}
}

// HandleNoOutput adapts a method of an operation without an output shape (rendered as {} or
// an empty Query result).
func HandleNoOutput[I any](call func(context.Context, *I) error) Handler {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(I)
		if err := DecodeInput(body, in); err != nil {
			return nil, err
		}
		if err := call(ctx, in); !isNilError(err) {
			return nil, err
		}
		return nil, nil
	}
}

// HandleNoInputNoOutput adapts a method of an operation with neither shape.
func HandleNoInputNoOutput(call func(context.Context) error) Handler {
	return func(ctx context.Context, _ []byte) (any, error) {
		if err := call(ctx); !isNilError(err) {
			return nil, err
		}
		return nil, nil
	}
}

// DecodeInput unmarshals a JSON request body into in; an empty body is an empty input. Errors
// are SerializationExceptions whose messages name JSON members and kinds, never Go types.
func DecodeInput(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	err := json.Unmarshal(body, in)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var kind *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return ErrSerialization("Invalid JSON in request body")
	case errors.As(err, &kind) && kind.Field == "":
		return ErrSerialization("Cannot deserialize value: the request body must be a JSON object")
	case errors.As(err, &kind):
		return ErrSerialization("Cannot deserialize value of member %s: unexpected JSON %s", kind.Field, kind.Value)
	}
	return ErrSerialization("Cannot deserialize value: %s", err.Error())
}

// isNilError reports whether err is nil or a nil *Error stored in the error interface (a
// method that returns a typed nil still succeeded).
func isNilError(err error) bool {
	e, ok := err.(*Error)
	return err == nil || ok && e == nil
}
