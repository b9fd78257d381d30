package query

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
)

// Item is a current configuration item as the caller holds it. Empty strings are absent
// properties. Times are ISO-8601 with milliseconds and Z ("2020-02-21T07:39:43.771Z").
type Item struct {
	AccountID, AwsRegion, Arn, AvailabilityZone, ConfigurationItemCaptureTime,
	ConfigurationItemStatus, ConfigurationStateID, ResourceCreationTime, ResourceID,
	ResourceName, ResourceType, Version, RecordingFrequency string

	// Configuration is the item's configuration as JSON; empty (or null) when it has none,
	// as for third-party resource types, whose configuration AWS does not let queries see.
	Configuration json.RawMessage
	// Supplementary maps each supplementary configuration key to its JSON value. A value that
	// is not valid JSON is taken as a string.
	Supplementary map[string]json.RawMessage
	Tags          map[string]string
	Relationships []Relationship
}

// Relationship is one relationship of an item; in queries its fields are
// relationships.resourceId, relationships.resourceName, relationships.resourceType and
// relationships.name.
type Relationship struct {
	ResourceID, ResourceName, ResourceType, Name string
}

// The top-level scalar properties, in the order Doc stores them.
const (
	topAccountID = iota
	topArn
	topAvailabilityZone
	topAwsRegion
	topCaptureTime
	topStatus
	topStateID
	topRecordingFrequency
	topCreationTime
	topResourceID
	topResourceName
	topResourceType
	topVersion
	numTop
)

var topNames = [numTop]string{"accountId", "arn", "availabilityZone", "awsRegion",
	"configurationItemCaptureTime", "configurationItemStatus", "configurationStateId",
	"recordingFrequency", "resourceCreationTime", "resourceId", "resourceName", "resourceType",
	"version"}

func topIndex(name string) int {
	for i, n := range topNames {
		if n == name {
			return i
		}
	}
	return -1
}

type tag struct{ key, value, kv string }

// Doc is one row of the query language: an item's properties, with its JSON decoded on first
// use (a WHERE clause on resourceType never decodes the configuration) and at most once. A Doc
// is immutable and safe for concurrent use.
type Doc struct {
	top  [numTop]string
	tags []tag // sorted by key
	rels []Relationship

	rawConf  json.RawMessage
	confOnce sync.Once
	conf     any // nil when absent or not valid JSON

	rawSupp  map[string]json.RawMessage
	suppOnce sync.Once
	supp     map[string]any // nil when there is none
}

// NewDoc builds the row of an item. It keeps references to the item's JSON, which the caller
// must not modify afterwards.
func NewDoc(it *Item) *Doc {
	d := new(Doc)
	d.Reset(it)
	return d
}

// Reset makes d the row of it, as NewDoc would, reusing d (and its tags' storage): a caller that
// keeps no row past the next can build them all in one Doc.
func (d *Doc) Reset(it *Item) {
	tags := d.tags[:0]
	*d = Doc{rawConf: it.Configuration, rawSupp: it.Supplementary, rels: it.Relationships}
	d.top = [numTop]string{it.AccountID, it.Arn, it.AvailabilityZone, it.AwsRegion,
		it.ConfigurationItemCaptureTime, it.ConfigurationItemStatus, it.ConfigurationStateID,
		it.RecordingFrequency, it.ResourceCreationTime, it.ResourceID, it.ResourceName,
		it.ResourceType, it.Version}
	if len(it.Tags) > 0 {
		d.tags = tags
		for k, v := range it.Tags {
			d.tags = append(d.tags, tag{key: k, value: v, kv: k + "=" + v})
		}
		sort.Slice(d.tags, func(i, j int) bool { return d.tags[i].key < d.tags[j].key })
	}
}

func (d *Doc) configuration() any {
	d.confOnce.Do(func() { d.conf = decodeJSON(d.rawConf) })
	return d.conf
}

func (d *Doc) supplementary() map[string]any {
	d.suppOnce.Do(func() {
		if len(d.rawSupp) == 0 {
			return
		}
		d.supp = make(map[string]any, len(d.rawSupp))
		for k, raw := range d.rawSupp {
			if v := decodeJSON(raw); v != nil {
				d.supp[k] = v
			} else if s := strings.TrimSpace(string(raw)); s != "" && s != "null" {
				d.supp[k] = string(raw)
			}
		}
	})
	return d.supp
}

// decodeJSON decodes one JSON value with numbers kept as json.Number (so results repeat them
// as written and big integers compare exactly as far as float64 allows). Invalid JSON, trailing
// data and null give nil.
func decodeJSON(raw []byte) any {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil
	}
	return v
}

// eachScalar calls fn with every scalar value at path (arrays flattened at every level, JSON
// nulls and objects skipped) until fn returns true, and reports whether it did. Unknown paths
// have no values.
func (d *Doc) eachScalar(path string, fn func(scalar) bool) bool {
	root, rest, _ := strings.Cut(path, ".")
	switch root {
	case "configuration":
		if c := d.configuration(); c != nil {
			return walkScalars(c, rest, fn)
		}
		return false
	case "supplementaryConfiguration":
		if rest == "" {
			return false
		}
		key, rest, _ := strings.Cut(rest, ".")
		if v, ok := d.supplementary()[key]; ok {
			return walkScalars(v, rest, fn)
		}
		return false
	case "tags":
		for i := range d.tags {
			t := &d.tags[i]
			var s string
			switch rest {
			case "key":
				s = t.key
			case "value":
				s = t.value
			case "tag":
				s = t.kv
			default:
				return false
			}
			if fn(scalar{kind: 's', s: s}) {
				return true
			}
		}
		return false
	case "relationships":
		for i := range d.rels {
			s := relField(&d.rels[i], rest)
			if s != "" && fn(scalar{kind: 's', s: s}) {
				return true
			}
		}
		return false
	}
	if rest != "" {
		return false
	}
	if i := topIndex(root); i >= 0 && d.top[i] != "" {
		return fn(scalar{kind: 's', s: d.top[i]})
	}
	return false
}

func relField(r *Relationship, name string) string {
	switch name {
	case "resourceId":
		return r.ResourceID
	case "resourceName":
		return r.ResourceName
	case "resourceType":
		return r.ResourceType
	case "name":
		return r.Name
	}
	return ""
}

// walkScalars visits the scalars of a decoded JSON value at a dotted path.
func walkScalars(v any, path string, fn func(scalar) bool) bool {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if walkScalars(e, path, fn) {
				return true
			}
		}
		return false
	case map[string]any:
		if path == "" {
			return false
		}
		seg, rest, _ := strings.Cut(path, ".")
		child, ok := t[seg]
		if !ok {
			return false
		}
		return walkScalars(child, rest, fn)
	}
	if path != "" {
		return false
	}
	switch t := v.(type) {
	case string:
		return fn(scalar{kind: 's', s: t})
	case json.Number:
		return fn(scalar{kind: 'n', s: string(t)})
	case bool:
		return fn(scalar{kind: 'b', b: t})
	}
	return false
}

// value returns the whole value at a root-level name as JSON-shaped data, for projection and
// grouping: top-level scalars as strings, tags and relationships as arrays of objects.
// withTagText adds each tag's "tag" ("key=value") field, which only tags.tag asks for.
func (d *Doc) rootValue(name string, withTagText bool) (any, bool) {
	switch name {
	case "configuration":
		c := d.configuration()
		return c, c != nil
	case "supplementaryConfiguration":
		s := d.supplementary()
		if s == nil {
			return nil, false
		}
		return s, true
	case "tags":
		out := make([]any, len(d.tags))
		for i, t := range d.tags {
			m := map[string]any{"key": t.key, "value": t.value}
			if withTagText {
				m["tag"] = t.kv
			}
			out[i] = m
		}
		return out, true
	case "relationships":
		if len(d.rels) == 0 {
			return nil, false
		}
		out := make([]any, len(d.rels))
		for i := range d.rels {
			m := map[string]any{}
			for _, f := range []string{"resourceId", "resourceName", "resourceType", "name"} {
				if s := relField(&d.rels[i], f); s != "" {
					m[f] = s
				}
			}
			out[i] = m
		}
		return out, true
	}
	if i := topIndex(name); i >= 0 && d.top[i] != "" {
		return d.top[i], true
	}
	return nil, false
}
