package configservice

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// KindTags holds the tags of every taggable Config resource (recorders now; config rules,
// aggregators, aggregation authorizations, conformance packs and stored queries later): scope
// "", id = the resource ARN, body tagsRec. The record exists exactly as long as the resource:
// its owner creates it with createResourceTagsTx (even without tags) and removes it with
// deleteResourceTagsTx, and TagResource refuses ARNs without one.
const KindTags = "config-tags"

// maxTags is the number of tags a Config resource can carry.
const maxTags = 50

type tagsRec struct {
	Tags map[string]string `json:"tags"`
}

// createResourceTagsTx registers a newly created resource under arn with its creation tags
// (validated with validateTags). Owners of every taggable resource call it on creation.
func createResourceTagsTx(tx store.Tx, arn string, tags []configapi.Tag) error {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return saveTagsTx(tx, arn, m)
}

// deleteResourceTagsTx forgets the resource under arn and its tags. Owners call it on deletion.
func deleteResourceTagsTx(tx store.Tx, arn string) error {
	_, err := tx.Delete(KindTags, "", arn)
	return err
}

// resourceTagsTx returns the tags of the resource under arn; nil, nil when it is unknown.
func resourceTagsTx(tx store.Tx, arn string) (map[string]string, error) {
	b, err := tx.Get(KindTags, "", arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r tagsRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("configservice: decode tags of %s: %w", arn, err)
	}
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	return r.Tags, nil
}

func saveTagsTx(tx store.Tx, arn string, m map[string]string) error {
	b, err := json.Marshal(tagsRec{Tags: m})
	if err != nil {
		return err
	}
	return tx.Put(KindTags, "", arn, b)
}

// validateTags checks tags given to a Put or to TagResource: key 1–128 and value 0–256
// characters, no "aws:" key prefix (reserved for AWS), at most 50. The wire validator checks the
// lengths too; this protects in-process callers.
func validateTags(tags []configapi.Tag) error {
	if len(tags) > maxTags {
		return configapi.ErrValidation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")
	}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 {
			return configapi.ErrValidation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return configapi.ErrValidation("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", t.Value)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return configapi.ErrValidation("Tag keys starting with 'aws:' are reserved for system use: '%s'.", t.Key)
		}
	}
	return nil
}

// taggableTx returns the tags of the resource under arn for the caller's (account, region), or
// ResourceNotFoundException when the ARN names no resource there.
func taggableTx(tx store.Tx, account, region, arn string) (map[string]string, error) {
	if !strings.HasPrefix(arn, "arn:aws:config:"+region+":"+account+":") {
		return nil, notFoundARN(arn)
	}
	m, err := resourceTagsTx(tx, arn)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, notFoundARN(arn)
	}
	return m, nil
}

func notFoundARN(arn string) error {
	return configapi.ErrResourceNotFound("ResourceArn '%s' does not exist", arn)
}

// TagResource adds or overwrites tags on a Config resource; more than 50 tags in all is
// TooManyTagsException.
func (s *Service) TagResource(ctx context.Context, in *configapi.TagResourceRequest) error {
	account, region, err := where(ctx)
	if err != nil {
		return err
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx store.Tx) error {
		m, err := taggableTx(tx, account, region, in.ResourceArn)
		if err != nil {
			return err
		}
		for _, t := range in.Tags {
			m[t.Key] = t.Value
		}
		if len(m) > maxTags {
			return configapi.ErrTooManyTags("You have exceeded the number of tags allowed for this resource: a resource can have at most %d tags.", maxTags)
		}
		return saveTagsTx(tx, in.ResourceArn, m)
	})
}

// UntagResource removes tags by key; unknown keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *configapi.UntagResourceRequest) error {
	account, region, err := where(ctx)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx store.Tx) error {
		m, err := taggableTx(tx, account, region, in.ResourceArn)
		if err != nil {
			return err
		}
		for _, k := range in.TagKeys {
			delete(m, k)
		}
		return saveTagsTx(tx, in.ResourceArn, m)
	})
}

// ListTagsForResource lists a resource's tags in key order, Limit (default 50) per page.
func (s *Service) ListTagsForResource(ctx context.Context, in *configapi.ListTagsForResourceRequest) (*configapi.ListTagsForResourceResponse, error) {
	account, region, err := where(ctx)
	if err != nil {
		return nil, err
	}
	limit := maxTags
	if in.Limit != nil {
		if *in.Limit < 0 || *in.Limit > maxTags {
			return nil, configapi.ErrInvalidLimit("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *in.Limit, maxTags)
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
	err = s.store.Read(ctx, func(tx store.Tx) error {
		m, err := taggableTx(tx, account, region, in.ResourceArn)
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
