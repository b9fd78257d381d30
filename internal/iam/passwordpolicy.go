package iam

import (
	"context"
	"errors"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/store"
)

// passwordPolicyID is the id of the account password policy record (one per account).
const passwordPolicyID = "default"

func noPasswordPolicy(account string) error {
	return iamapi.ErrNoSuchEntity("The Password Policy with domain name %s cannot be found.", account)
}

// GetAccountPasswordPolicy returns the caller account's password policy.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context) (*iamapi.GetAccountPasswordPolicyResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var pp *iamapi.PasswordPolicy
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		pp, err = getJSON[iamapi.PasswordPolicy](tx, KindPasswordPolicy, account, passwordPolicyID)
		if errors.Is(err, store.ErrNotFound) {
			return noPasswordPolicy(account)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetAccountPasswordPolicyResponse{PasswordPolicy: pp}, nil
}

// UpdateAccountPasswordPolicy replaces the password policy. As in AWS, parameters left out
// take their defaults (they do not keep their previous values): minimum length 6, every
// requirement off, no expiry, no reuse prevention.
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, in *iamapi.UpdateAccountPasswordPolicyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	b := func(p *bool) *bool { return ptr(p != nil && *p) }
	pp := &iamapi.PasswordPolicy{
		MinimumPasswordLength:      ptr(int32(6)),
		RequireSymbols:             b(in.RequireSymbols),
		RequireNumbers:             b(in.RequireNumbers),
		RequireUppercaseCharacters: b(in.RequireUppercaseCharacters),
		RequireLowercaseCharacters: b(in.RequireLowercaseCharacters),
		AllowUsersToChangePassword: b(in.AllowUsersToChangePassword),
		ExpirePasswords:            ptr(in.MaxPasswordAge != nil && *in.MaxPasswordAge > 0),
		HardExpiry:                 b(in.HardExpiry),
	}
	if in.MinimumPasswordLength != nil {
		pp.MinimumPasswordLength = in.MinimumPasswordLength
	}
	if in.MaxPasswordAge != nil && *in.MaxPasswordAge > 0 {
		pp.MaxPasswordAge = in.MaxPasswordAge
	}
	if in.PasswordReusePrevention != nil && *in.PasswordReusePrevention > 0 {
		pp.PasswordReusePrevention = in.PasswordReusePrevention
	}
	return s.store.Write(ctx, func(tx store.Tx) error {
		return putJSON(tx, KindPasswordPolicy, account, passwordPolicyID, pp)
	})
}

// DeleteAccountPasswordPolicy removes the password policy; NoSuchEntity when there is none.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	return s.store.Write(ctx, func(tx store.Tx) error {
		ok, err := tx.Delete(KindPasswordPolicy, account, passwordPolicyID)
		if err != nil {
			return err
		}
		if !ok {
			return noPasswordPolicy(account)
		}
		return nil
	})
}

// PasswordPolicyTx returns the password policy of account, or nil when it has none (AWS Config's
// IAM_PASSWORD_POLICY rule reads it).
func PasswordPolicyTx(tx store.Tx, account string) (*iamapi.PasswordPolicy, error) {
	pp, err := getJSON[iamapi.PasswordPolicy](tx, KindPasswordPolicy, account, passwordPolicyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return pp, err
}
