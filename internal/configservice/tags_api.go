package configservice

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/store"
)

// UntagResource removes tags by key; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *configapi.UntagResourceRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		m, err := core.TaggableTx(tx, account, region, in.ResourceArn)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(m, k)
		}
		return core.SaveTagsTx(tx, in.ResourceArn, m)
	})
}

// TagResource adds or overwrites tags on a Config resource; more than 50 tags in all is
// TooManyTagsException.
func (s *Service) TagResource(ctx context.Context, in *configapi.TagResourceRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		m, err := core.TaggableTx(tx, account, region, in.ResourceArn)
		if err != nil {
			return err
		}
		for _, t := range in.Tags {
			m[t.Key] = t.Value
		}
		if len(m) > core.MaxTags {
			return configapi.ErrTooManyTags("You have exceeded the number of tags allowed for this resource: a resource can have at most %d tags.", core.MaxTags)
		}
		return core.SaveTagsTx(tx, in.ResourceArn, m)
	})
}

// ListTagsForResource lists a resource's tags in key order, Limit (default 50) per page.
func (s *Service) ListTagsForResource(ctx context.Context, in *configapi.ListTagsForResourceRequest) (*configapi.ListTagsForResourceResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.MaxTags
	if in.Limit != nil {
		if *in.Limit < 0 || *in.Limit > core.MaxTags {
			return nil, configapi.ErrInvalidLimit("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *in.Limit, core.MaxTags)
		}
		if *in.Limit > 0 {
			limit = int(*in.Limit)
		}
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || len(b) == 0 {
			return nil, configapi.ErrInvalidNextToken("The nextToken provided is invalid")
		}
		after = string(b)
	}
	out := &configapi.ListTagsForResourceResponse{Tags: []configapi.Tag{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		m, err := core.TaggableTx(tx, account, region, in.ResourceArn)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			if k > after {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if len(keys) > limit {
			keys = keys[:limit]
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(keys[limit-1]))
		}
		for _, k := range keys {
			out.Tags = append(out.Tags, configapi.Tag{Key: k, Value: m[k]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
