package iam

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/pagetoken"
)

// checkPolicyDocument is the local, shallow syntax check IAM applies to every policy document
// it stores: a JSON object whose Version, if present, is one of the two policy language
// versions, and whose Statement is an object or a non-empty array of objects, each with Effect
// Allow or Deny. The full grammar lives in package policy; IAM only refuses what AWS refuses
// with "Syntax errors in policy." (AWS accepts a missing Version, defaulting to 2008-10-17.)
func checkPolicyDocument(doc string) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil || top == nil {
		return iamapi.ErrMalformedPolicyDocument("Syntax errors in policy.")
	}
	if v, ok := top["Version"]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil || (s != "2012-10-17" && s != "2008-10-17") {
			return iamapi.ErrMalformedPolicyDocument("The policy failed legacy parsing")
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return iamapi.ErrMalformedPolicyDocument("Syntax errors in policy.")
	}
	var stmts []map[string]json.RawMessage
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		if json.Unmarshal(raw, &stmts) != nil || len(stmts) == 0 {
			return iamapi.ErrMalformedPolicyDocument("Syntax errors in policy.")
		}
	} else {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil || one == nil {
			return iamapi.ErrMalformedPolicyDocument("Syntax errors in policy.")
		}
		stmts = append(stmts, one)
	}
	for _, st := range stmts {
		var effect string
		if st == nil || json.Unmarshal(st["Effect"], &effect) != nil || (effect != "Allow" && effect != "Deny") {
			return iamapi.ErrMalformedPolicyDocument("Syntax errors in policy.")
		}
	}
	return nil
}

// encodeDoc renders a policy document as IAM does in responses: percent-encoded per RFC 3986.
// url.QueryEscape is used with '+' (its encoding of space) replaced by %20, so that both
// Python's urllib.parse.unquote (botocore) and Go's url.QueryUnescape (Terraform) decode it to
// the original text; a literal '+' is already escaped as %2B.
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

var namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// validName checks an IAM entity name (the wire layer checks the model's pattern already; the
// Tx API is also called by other packages).
func validName(name string, max int) error {
	if name == "" || len(name) > max || !namePattern.MatchString(name) {
		return awsproto.ErrValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	return nil
}

var pathPattern = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)

func validPath(path string) error {
	if len(path) > 512 || !pathPattern.MatchString(path) {
		return awsproto.ErrValidation("1 validation error detected: Value '%s' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)", path)
	}
	return nil
}

// mergeTags applies add to tags: existing keys get the new value, new keys are appended.
func mergeTags(tags []Tag, add []Tag) []Tag {
	for _, t := range add {
		replaced := false
		for i := range tags {
			if tags[i].Key == t.Key {
				tags[i].Value = t.Value
				replaced = true
				break
			}
		}
		if !replaced {
			tags = append(tags, t)
		}
	}
	return tags
}

func removeTags(tags []Tag, keys []string) []Tag {
	out := tags[:0]
	for _, t := range tags {
		drop := false
		for _, k := range keys {
			if t.Key == k {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

const maxTags = 50

// checkTags checks tags to add to an entity that has existing ones: keys starting with "aws:"
// are reserved for AWS (InvalidInput, as IAM documents), and an entity holds at most maxTags.
func checkTags(existing []Tag, add []Tag) error {
	for _, t := range add {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return iamapi.ErrInvalidInput("The tag key '%s' is not valid: keys starting with 'aws:' are reserved for AWS use.", t.Key)
		}
	}
	if len(mergeTags(append([]Tag(nil), existing...), add)) > maxTags {
		return iamapi.ErrLimitExceeded("The number of tags has reached the maximum limit.")
	}
	return nil
}

func fromAPITags(in []iamapi.Tag) []Tag {
	out := make([]Tag, 0, len(in))
	for _, t := range in {
		out = append(out, Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func toAPITags(in []Tag) []iamapi.Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]iamapi.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, iamapi.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// page cuts items (already in a stable order) into one page after marker. Markers are opaque
// pagination tokens (package pagetoken) of the sort key of the last item returned, so no two
// pages share one; a marker that is not such a token is InvalidInput.
func page[T any](items []T, key func(T) string, marker string, maxItems *int32) ([]T, *bool, string, error) {
	limit := 100
	if maxItems != nil && *maxItems > 0 {
		limit = int(*maxItems)
	}
	start := 0
	if marker != "" {
		after, ok := pagetoken.Decode(marker)
		if !ok {
			return nil, nil, "", iamapi.ErrInvalidInput("Invalid Marker.")
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := min(start+limit, len(items))
	truncated := end < len(items)
	next := ""
	if truncated {
		next = pagetoken.Encode(key(items[end-1]))
	}
	return items[start:end], &truncated, next, nil
}

func ptr[T any](v T) *T { return &v }
