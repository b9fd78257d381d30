package core

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/call"
)

// Scope is the record scope of an (account, region): every Config object lives in exactly one.
func Scope(account, region string) string { return account + "/" + region }

// Where returns the caller's account and the region of the request's signature: the
// (account, region) a Config call acts in.
func Where(ctx context.Context) (account, region string, err error) {
	info, err := call.Caller(ctx)
	if err != nil {
		return "", "", err
	}
	return info.Principal.Account, info.Region, nil
}
