package call

import (
	"context"
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/identity"
)

// Info describes the call being served.
type Info struct {
	RequestID string
	Service   string
	Operation string
	// Region is the region of the signature's credential scope ("us-east-1" when unsigned).
	Region    string
	Principal *identity.Principal
	// Time is when the request was received, from the server's clock.
	Time time.Time
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the call's info. Outside a request (background jobs, tests) it returns nil.
func From(ctx context.Context) *Info {
	i, _ := ctx.Value(key{}).(*Info)
	return i
}

// Caller returns the call's info, or AWS's MissingAuthenticationToken error when ctx carries no
// authenticated principal (outside a request): handlers then fail rather than act on an
// arbitrary account.
func Caller(ctx context.Context) (*Info, error) {
	i := From(ctx)
	if i == nil || i.Principal == nil {
		return nil, awsproto.ErrMissingAuthenticationToken("Missing Authentication Token")
	}
	return i, nil
}
