package aggregation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Records of authorizations and pending requests, all scoped to the source: Scope(source
// account, source region), id = authID(aggregator account, aggregator region).
const (
	// KindAuthorization is an aggregation authorization, body authRec.
	KindAuthorization = "config-aggregation-auth"
	// KindAuthRevoked records when an authorization was deleted (body revokedRec): the source's
	// data stays in the aggregators for the data delay from then.
	KindAuthRevoked = "config-aggregation-revoked"
	// KindPendingRequest is a pending aggregation request (body pendingRec): an account
	// aggregator of the requester lists the source, which has not authorized it.
	KindPendingRequest = "config-aggregation-pending"
)

// pendingRequestTTL is how long a pending request lives without an answer.
const pendingRequestTTL = 7 * 24 * time.Hour

type authRec struct {
	Created time.Time `json:"created"`
}

type revokedRec struct {
	At time.Time `json:"at"`
}

type pendingRec struct {
	Created time.Time `json:"created"`
	// Aggregators are the requester's aggregators that list the source.
	Aggregators []string `json:"aggregators"`
}

func authID(account, region string) string { return account + "/" + region }

func authARN(srcAccount, srcRegion, account, region string) string {
	return fmt.Sprintf("arn:aws:config:%s:%s:aggregation-authorization/%s/%s", srcRegion, srcAccount, account, region)
}

// PutAggregationAuthorization authorizes the aggregators of an account in a region to collect
// the caller's data in the caller's region. It is idempotent; tags apply on creation only.
func (s *Service) PutAggregationAuthorization(ctx context.Context, in *configapi.PutAggregationAuthorizationRequest) (*configapi.PutAggregationAuthorizationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if !s.Regions.Has(in.AuthorizedAwsRegion) {
		return nil, configapi.ErrInvalidParameterValue("The region %s is not a region supported by AWS Config.", in.AuthorizedAwsRegion)
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	scope, id := core.Scope(account, region), authID(in.AuthorizedAccountId, in.AuthorizedAwsRegion)
	arn := authARN(account, region, in.AuthorizedAccountId, in.AuthorizedAwsRegion)
	var created time.Time
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		b, err := tx.Get(KindAuthorization, scope, id)
		if err == nil {
			var a authRec
			if err := json.Unmarshal(b, &a); err != nil {
				return err
			}
			created = a.Created
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		created = s.Clock.Now().UTC()
		if b, err = json.Marshal(authRec{Created: created}); err != nil {
			return err
		}
		if err := tx.Put(KindAuthorization, scope, id, b); err != nil {
			return err
		}
		// Granted: the request is answered, and an earlier revocation is void.
		for _, kind := range []string{KindPendingRequest, KindAuthRevoked} {
			if _, err := tx.Delete(kind, scope, id); err != nil {
				return err
			}
		}
		return core.CreateResourceTagsTx(tx, arn, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutAggregationAuthorizationResponse{AggregationAuthorization: &configapi.AggregationAuthorization{
		AggregationAuthorizationArn: arn, AuthorizedAccountId: in.AuthorizedAccountId,
		AuthorizedAwsRegion: in.AuthorizedAwsRegion, CreationTime: core.APITime(created),
	}}, nil
}

// DescribeAggregationAuthorizations lists the caller's authorizations in its region.
func (s *Service) DescribeAggregationAuthorizations(ctx context.Context, in *configapi.DescribeAggregationAuthorizationsRequest) (*configapi.DescribeAggregationAuthorizationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeAggregationAuthorizationsResponse{AggregationAuthorizations: []configapi.AggregationAuthorization{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindAuthorization, core.Scope(account, region), after, limit+1)
		if err != nil {
			return err
		}
		out.AggregationAuthorizations, out.NextToken = out.AggregationAuthorizations[:0], ""
		for i, r := range recs {
			if i == limit {
				out.NextToken = core.EncodeToken(recs[limit-1].ID)
				break
			}
			var a authRec
			if err := json.Unmarshal(r.Body, &a); err != nil {
				return err
			}
			acct, reg, _ := strings.Cut(r.ID, "/")
			out.AggregationAuthorizations = append(out.AggregationAuthorizations, configapi.AggregationAuthorization{
				AggregationAuthorizationArn: authARN(account, region, acct, reg), AuthorizedAccountId: acct,
				AuthorizedAwsRegion: reg, CreationTime: core.APITime(a.Created)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAggregationAuthorization deletes an authorization (deleting a missing one succeeds).
// The authorized aggregators keep the caller's data for the data delay.
func (s *Service) DeleteAggregationAuthorization(ctx context.Context, in *configapi.DeleteAggregationAuthorizationRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	scope, id := core.Scope(account, region), authID(in.AuthorizedAccountId, in.AuthorizedAwsRegion)
	return s.Store.Write(ctx, func(tx store.Tx) error {
		ok, err := tx.Delete(KindAuthorization, scope, id)
		if err != nil || !ok {
			return err
		}
		b, err := json.Marshal(revokedRec{At: s.Clock.Now().UTC()})
		if err != nil {
			return err
		}
		if err := tx.Put(KindAuthRevoked, scope, id, b); err != nil {
			return err
		}
		return core.DeleteResourceTagsTx(tx, authARN(account, region, in.AuthorizedAccountId, in.AuthorizedAwsRegion))
	})
}

// DescribePendingAggregationRequests lists the account aggregators that list the caller's
// account and region without its authorization (for 7 days at most).
func (s *Service) DescribePendingAggregationRequests(ctx context.Context, in *configapi.DescribePendingAggregationRequestsRequest) (*configapi.DescribePendingAggregationRequestsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 20)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := &configapi.DescribePendingAggregationRequestsResponse{PendingAggregationRequests: []configapi.PendingAggregationRequest{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.PendingAggregationRequests, out.NextToken = out.PendingAggregationRequests[:0], ""
		for cursor := after; ; {
			recs, err := tx.List(KindPendingRequest, core.Scope(account, region), cursor, 100)
			if err != nil {
				return err
			}
			for _, r := range recs {
				cursor = r.ID
				var p pendingRec
				if err := json.Unmarshal(r.Body, &p); err != nil {
					return err
				}
				if !now.Before(p.Created.Add(pendingRequestTTL)) {
					continue // expired
				}
				if len(out.PendingAggregationRequests) == limit {
					last := out.PendingAggregationRequests[limit-1]
					out.NextToken = core.EncodeToken(authID(last.RequesterAccountId, last.RequesterAwsRegion))
					return nil
				}
				acct, reg, _ := strings.Cut(r.ID, "/")
				out.PendingAggregationRequests = append(out.PendingAggregationRequests, configapi.PendingAggregationRequest{RequesterAccountId: acct, RequesterAwsRegion: reg})
			}
			if len(recs) < 100 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePendingAggregationRequest dismisses a pending request (a missing one succeeds).
func (s *Service) DeletePendingAggregationRequest(ctx context.Context, in *configapi.DeletePendingAggregationRequestRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		_, err := tx.Delete(KindPendingRequest, core.Scope(account, region), authID(in.RequesterAccountId, in.RequesterAwsRegion))
		return err
	})
}

// declaredSources returns the (account, region) pairs an account aggregator lists, other than
// its own account's.
func (s *Service) declaredSources(account string, a *aggregatorRec) []Source {
	if a == nil || a.org() || len(a.Agg.AccountAggregationSources) == 0 {
		return nil
	}
	var out []Source
	for _, acct := range a.Agg.AccountAggregationSources[0].AccountIds {
		if acct == account {
			continue
		}
		for _, r := range s.aggregatorRegions(a) {
			out = append(out, Source{acct, r})
		}
	}
	return out
}

// syncPendingTx keeps the pending requests in step with an account aggregator's change from
// before to after (nil: none): sources it no longer lists lose it from their request (the
// request goes with its last aggregator), sources it newly lists without authorization get
// one.
func (s *Service) syncPendingTx(tx store.Tx, account, region string, before, after *aggregatorRec) error {
	id := authID(account, region)
	name := ""
	if after != nil {
		name = after.name()
	} else if before != nil {
		name = before.name()
	}
	newSet := s.declaredSources(account, after)
	for _, src := range s.declaredSources(account, before) {
		if slices.Contains(newSet, src) {
			continue
		}
		if err := updatePendingTx(tx, core.Scope(src.Account, src.Region), id, func(p *pendingRec) {
			p.Aggregators = slices.DeleteFunc(p.Aggregators, func(n string) bool { return n == name })
		}); err != nil {
			return err
		}
	}
	now := s.Clock.Now().UTC()
	for _, src := range newSet {
		scope := core.Scope(src.Account, src.Region)
		if _, err := tx.Get(KindAuthorization, scope, id); err == nil {
			continue // authorized
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := updatePendingTx(tx, scope, id, func(p *pendingRec) {
			if p.Created.IsZero() || !now.Before(p.Created.Add(pendingRequestTTL)) {
				p.Created = now // a new request (or a new one after expiry)
			}
			if !slices.Contains(p.Aggregators, name) {
				p.Aggregators = append(p.Aggregators, name)
			}
		}); err != nil {
			return err
		}
	}
	return nil
}

// updatePendingTx applies fn to a pending request (a zero one when missing) and stores it, or
// removes it when no aggregator is left.
func updatePendingTx(tx store.Tx, scope, id string, fn func(*pendingRec)) error {
	var p pendingRec
	b, err := tx.Get(KindPendingRequest, scope, id)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	fn(&p)
	if len(p.Aggregators) == 0 {
		_, err := tx.Delete(KindPendingRequest, scope, id)
		return err
	}
	if b, err = json.Marshal(p); err != nil {
		return err
	}
	return tx.Put(KindPendingRequest, scope, id, b)
}
