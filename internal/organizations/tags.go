package organizations

import (
	"context"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// taggable reports whether id names a taggable resource of o: an account, OU, the root, a
// customer policy or the resource policy.
func taggable(tx store.Tx, o *Organization, id string) (bool, error) {
	switch {
	case id == o.RootID:
		return true, nil
	case strings.HasPrefix(id, "ou-"):
		return exists(tx, kindOU, o.ID, id)
	case strings.HasPrefix(id, "p-"):
		return exists(tx, kindPolicy, o.ID, id)
	case strings.HasPrefix(id, "rp-"):
		var rp resourcePolicyRec
		ok, err := findJSON(tx, kindResPolicy, o.ID, "policy", &rp)
		return ok && rp.ID == id, err
	default:
		return exists(tx, kindAccount, o.ID, id)
	}
}

func getTags(tx store.Tx, o *Organization, id string) ([]tag, error) {
	var tags []tag
	_, err := findJSON(tx, kindTag, o.ID, id, &tags)
	return tags, err
}

// TagResource adds or replaces tags on a resource.
func (s *Service) TagResource(ctx context.Context, in *organizationsapi.TagResourceRequest) error {
	add, err := validateTags(in.Tags)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := taggable(tx, o, in.ResourceId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		tags, err := getTags(tx, o, in.ResourceId)
		if err != nil {
			return err
		}
		for _, t := range add {
			replaced := false
			for i := range tags {
				if tags[i].Key == t.Key {
					tags[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				tags = append(tags, t)
			}
		}
		if len(tags) > 50 {
			return constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
		}
		return putJSON(tx, kindTag, o.ID, in.ResourceId, tags)
	})
}

// UntagResource removes tags by key; missing keys are ignored.
func (s *Service) UntagResource(ctx context.Context, in *organizationsapi.UntagResourceRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := taggable(tx, o, in.ResourceId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		tags, err := getTags(tx, o, in.ResourceId)
		if err != nil {
			return err
		}
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		kept := tags[:0]
		for _, t := range tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			_, err := tx.Delete(kindTag, o.ID, in.ResourceId)
			return err
		}
		return putJSON(tx, kindTag, o.ID, in.ResourceId, kept)
	})
}

// ListTagsForResource lists a resource's tags in the order they were first added (all on one
// page: a resource has at most 50).
func (s *Service) ListTagsForResource(ctx context.Context, in *organizationsapi.ListTagsForResourceRequest) (*organizationsapi.ListTagsForResourceResponse, error) {
	out := &organizationsapi.ListTagsForResourceResponse{Tags: []organizationsapi.Tag{}}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := decodeToken(in.NextToken); err != nil {
			return err
		}
		if ok, err := taggable(tx, o, in.ResourceId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		if in.NextToken != "" {
			return nil
		}
		tags, err := getTags(tx, o, in.ResourceId)
		if err != nil {
			return err
		}
		for _, t := range tags {
			out.Tags = append(out.Tags, organizationsapi.Tag{Key: t.Key, Value: t.Value})
		}
		return nil
	})
	return out, err
}
