package organizations

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Billing responsibility transfers between organizations are not supported: orgconfig has no
// billing. Each of these operations answers UnsupportedAPIEndpointException, which every SDK
// reports as a plain, non-retryable client error.

func errNoTransfers() error {
	return organizationsapi.ErrUnsupportedAPIEndpoint("orgconfig does not support responsibility transfers between organizations.")
}

func (s *Service) InviteOrganizationToTransferResponsibility(context.Context, *organizationsapi.InviteOrganizationToTransferResponsibilityRequest) (*organizationsapi.InviteOrganizationToTransferResponsibilityResponse, error) {
	return nil, errNoTransfers()
}

func (s *Service) DescribeResponsibilityTransfer(context.Context, *organizationsapi.DescribeResponsibilityTransferRequest) (*organizationsapi.DescribeResponsibilityTransferResponse, error) {
	return nil, errNoTransfers()
}

func (s *Service) ListInboundResponsibilityTransfers(context.Context, *organizationsapi.ListInboundResponsibilityTransfersRequest) (*organizationsapi.ListInboundResponsibilityTransfersResponse, error) {
	return nil, errNoTransfers()
}

func (s *Service) ListOutboundResponsibilityTransfers(context.Context, *organizationsapi.ListOutboundResponsibilityTransfersRequest) (*organizationsapi.ListOutboundResponsibilityTransfersResponse, error) {
	return nil, errNoTransfers()
}

func (s *Service) TerminateResponsibilityTransfer(context.Context, *organizationsapi.TerminateResponsibilityTransferRequest) (*organizationsapi.TerminateResponsibilityTransferResponse, error) {
	return nil, errNoTransfers()
}

func (s *Service) UpdateResponsibilityTransfer(context.Context, *organizationsapi.UpdateResponsibilityTransferRequest) (*organizationsapi.UpdateResponsibilityTransferResponse, error) {
	return nil, errNoTransfers()
}

// ListAccountsWithInvalidEffectivePolicy lists the accounts whose effective policy of a type is
// invalid. orgconfig's merge (see DescribeEffectivePolicy) never produces an invalid policy, so
// the list is always empty; the type must be enabled, as in AWS.
func (s *Service) ListAccountsWithInvalidEffectivePolicy(ctx context.Context, in *organizationsapi.ListAccountsWithInvalidEffectivePolicyRequest) (*organizationsapi.ListAccountsWithInvalidEffectivePolicyResponse, error) {
	out := &organizationsapi.ListAccountsWithInvalidEffectivePolicyResponse{PolicyType: in.PolicyType, Accounts: []organizationsapi.Account{}}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := decodeToken(in.NextToken); err != nil {
			return err
		}
		if !o.typeEnabled(string(in.PolicyType)) {
			return organizationsapi.ErrEffectivePolicyNotFound("We can't find an effective policy for the specified target.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListEffectivePolicyValidationErrors lists the validation errors of an account's effective
// policy: always none (see ListAccountsWithInvalidEffectivePolicy).
func (s *Service) ListEffectivePolicyValidationErrors(ctx context.Context, in *organizationsapi.ListEffectivePolicyValidationErrorsRequest) (*organizationsapi.ListEffectivePolicyValidationErrorsResponse, error) {
	out := &organizationsapi.ListEffectivePolicyValidationErrorsResponse{AccountId: in.AccountId, PolicyType: in.PolicyType,
		EffectivePolicyValidationErrors: []organizationsapi.EffectivePolicyValidationError{}}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := decodeToken(in.NextToken); err != nil {
			return err
		}
		a, err := getAccount(tx, o.ID, in.AccountId)
		if err != nil {
			return err
		}
		if a == nil {
			return organizationsapi.ErrAccountNotFound(msgAcctNotFound)
		}
		if !o.typeEnabled(string(in.PolicyType)) {
			return organizationsapi.ErrEffectivePolicyNotFound("We can't find an effective policy for the specified target.")
		}
		p, err := pathOf(tx, o, a.Parent)
		if err != nil {
			return err
		}
		out.Path = p + a.ID + "/"
		out.EvaluationTimestamp = awsproto.NewTime(s.now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
