package core

import (
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// APITime is t as the API renders it; the zero time is absent.
func APITime(t time.Time) awsproto.Time {
	if t.IsZero() {
		return awsproto.Time{}
	}
	return awsproto.NewTime(t)
}
