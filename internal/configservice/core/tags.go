package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// KindTags holds the tags of every taggable Config resource (recorders now; config rules,
// aggregators, aggregation authorizations, conformance packs and stored queries later): scope
// "", id = the resource ARN, body tagsRec. The record exists exactly as long as the resource:
// its owner creates it with CreateResourceTagsTx (even without tags) and removes it with
// DeleteResourceTagsTx, and TagResource refuses ARNs without one.
const KindTags = "config-tags"

// MaxTags is the number of tags a Config resource can carry.
const MaxTags = 50

type tagsRec struct {
	Tags map[string]string `json:"tags"`
}

// CreateResourceTagsTx registers a newly created resource under arn with its creation tags
// (validated with ValidateTags). Owners of every taggable resource call it on creation.
func CreateResourceTagsTx(tx store.Tx, arn string, tags []configapi.Tag) error {
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return SaveTagsTx(tx, arn, m)
}

// DeleteResourceTagsTx forgets the resource under arn and its tags. Owners call it on deletion.
func DeleteResourceTagsTx(tx store.Tx, arn string) error {
	_, err := tx.Delete(KindTags, "", arn)
	return err
}

// ResourceTagsTx returns the tags of the resource under arn; nil, nil when it is unknown.
func ResourceTagsTx(tx store.Tx, arn string) (map[string]string, error) {
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

func SaveTagsTx(tx store.Tx, arn string, m map[string]string) error {
	b, err := json.Marshal(tagsRec{Tags: m})
	if err != nil {
		return err
	}
	return tx.Put(KindTags, "", arn, b)
}

// ValidateTags checks tags given to a Put or to TagResource: key 1–128 and value 0–256
// characters, no "aws:" key prefix (reserved for AWS), at most 50. The wire validator checks the
// lengths too; this protects in-process callers.
func ValidateTags(tags []configapi.Tag) error {
	if len(tags) > MaxTags {
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

// TaggableTx returns the tags of the resource under arn for the caller's (account, region), or
// ResourceNotFoundException when the ARN names no resource there.
func TaggableTx(tx store.Tx, account, region, arn string) (map[string]string, error) {
	if !strings.HasPrefix(arn, "arn:aws:config:"+region+":"+account+":") {
		return nil, notFoundARN(arn)
	}
	m, err := ResourceTagsTx(tx, arn)
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
