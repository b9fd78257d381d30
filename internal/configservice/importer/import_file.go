package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// fileItem is one configuration item as it appears in a file to import. It accepts both
// dialects AWS Config writes:
//
//   - the delivery dialect of the snapshot and history files AWS Config puts in S3 (and of SNS
//     notifications): configurationItemVersion, awsAccountId, ARN, configurationStateId as a
//     number, configurationItemCaptureTime as an ISO-8601 string, configuration and
//     supplementaryConfiguration values as JSON objects, relationships with "name";
//   - the API dialect (GetResourceConfigHistory, BatchGetResourceConfig, the aws CLI's output):
//     version, accountId, arn, configurationStateId as a string, timestamps as epoch seconds,
//     configuration as a JSON-encoded string, relationships with "relationshipName".
//
// encoding/json matches keys case-insensitively, so "ARN" and "arn" land in the same field.
type fileItem struct {
	AccountID                  string                     `json:"accountId"`
	AWSAccountID               string                     `json:"awsAccountId"`
	CaptureTime                awsproto.Time              `json:"configurationItemCaptureTime"`
	Status                     string                     `json:"configurationItemStatus"`
	StateID                    json.RawMessage            `json:"configurationStateId"`
	ARN                        string                     `json:"arn"`
	ResourceType               string                     `json:"resourceType"`
	ResourceID                 string                     `json:"resourceId"`
	ResourceName               string                     `json:"resourceName"`
	AWSRegion                  string                     `json:"awsRegion"`
	AvailabilityZone           string                     `json:"availabilityZone"`
	ResourceCreationTime       awsproto.Time              `json:"resourceCreationTime"`
	Tags                       map[string]string          `json:"tags"`
	Relationships              []fileRelationship         `json:"relationships"`
	Configuration              json.RawMessage            `json:"configuration"`
	SupplementaryConfiguration map[string]json.RawMessage `json:"supplementaryConfiguration"`
}

// fileRelationship is a relationship in either dialect: the delivery dialect calls the
// relationship's name "name", the API "relationshipName".
type fileRelationship struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId"`
	ResourceName     string `json:"resourceName"`
	RelationshipName string `json:"relationshipName"`
	Name             string `json:"name"`
}

// errNotItems says that a file holds no list of configuration items.
var errNotItems = errors.New("the file holds no configurationItems list (want an AWS Config snapshot or history file, or an array of configuration items)")

// itemListKeys are the members whose value is the list of items: snapshot and history files
// and GetResourceConfigHistory use configurationItems, BatchGetResourceConfig
// baseConfigurationItems.
var itemListKeys = map[string]bool{"configurationItems": true, "baseConfigurationItems": true}

// gzipReader returns r decompressed when it starts with the gzip magic bytes, and r itself
// otherwise, so that .json and .json.gz files (and request bodies) need no flag.
func gzipReader(r io.Reader) (io.Reader, func() error, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		// A snapshot is one gzip member, but concatenated members are valid gzip too.
		return bufio.NewReaderSize(zr, 256<<10), zr.Close, nil
	}
	return br, func() error { return nil }, nil
}

// Bounds of an import, per file. AWS Config's own items are far smaller than
// MaxImportItemBytes (PutResourceConfig takes 64 KB of configuration; delivered items of native
// types carry more, rarely over a few hundred KB); the bounds keep a crafted file — a gzip
// that inflates to gigabytes, megabytes of whitespace — from taking the server's memory or
// time.
const (
	// MaxImportItemBytes bounds one item as the file spells it, whitespace before it included.
	MaxImportItemBytes = 4 << 20
	// MaxImportFileBytes bounds a whole file, decompressed.
	MaxImportFileBytes = 16 << 30
)

// errItemTooLarge and errFileTooLarge end a file that breaks the bounds.
var (
	errItemTooLarge = fmt.Errorf("a configuration item (or another member of the file) is larger than %d bytes", MaxImportItemBytes)
	errFileTooLarge = fmt.Errorf("the file is larger than %d bytes decompressed", int64(MaxImportFileBytes))
)

// boundedReader is the reader under the JSON decoder: it lets the decoder read at most
// MaxImportItemBytes past the start of the value being decoded (window moves the start), at
// most MaxImportFileBytes in all, and nothing once ctx has ended. The decoder buffers a value
// whole, so this bounds its memory.
type boundedReader struct {
	ctx   context.Context
	r     io.Reader
	n     int64 // bytes read
	limit int64 // bytes that may be read in all, for the current value
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.n >= b.limit {
		if b.limit >= MaxImportFileBytes {
			return 0, errFileTooLarge
		}
		return 0, errItemTooLarge
	}
	if left := b.limit - b.n; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

// window lets the next value start at offset (the decoder's InputOffset).
func (b *boundedReader) window(offset int64) {
	b.limit = min(offset+MaxImportItemBytes, MaxImportFileBytes)
}

// decodeItems streams the configuration items of one file to fn, one at a time, so that a file
// of any size is never held in memory. The file is a JSON object with a configurationItems (or
// baseConfigurationItems) array, or a bare array of items; other members are skipped. An item
// that is valid JSON but not a configuration item (a string where an object is expected…)
// goes to fn with its decoding error, and decoding goes on; a syntax error ends the file.
func decodeItems(ctx context.Context, r io.Reader, fn func(it *fileItem, err error) error) error {
	br := &boundedReader{ctx: ctx, r: r}
	br.window(0)
	dec := json.NewDecoder(br)
	dec.UseNumber()
	err := decodeFile(dec, br, fn)
	if errors.Is(err, errItemTooLarge) || errors.Is(err, errFileTooLarge) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

func decodeFile(dec *json.Decoder, br *boundedReader, fn func(it *fileItem, err error) error) error {
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errNotItems
		}
		return fmt.Errorf("JSON: %w", err)
	}
	switch tok {
	case json.Delim('['):
		return decodeArray(dec, br, fn)
	case json.Delim('{'):
	default:
		return errNotItems
	}
	found := false
	for {
		br.window(dec.InputOffset())
		if !dec.More() {
			break
		}
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("JSON: %w", err)
		}
		br.window(dec.InputOffset())
		key, _ := tok.(string)
		if itemListKeys[key] {
			t, err := dec.Token()
			if err != nil {
				return fmt.Errorf("JSON: %w", err)
			}
			if t == nil { // "configurationItems": null
				found = true
				continue
			}
			if t != json.Delim('[') {
				return fmt.Errorf("JSON: %s is not an array", key)
			}
			if err := decodeArray(dec, br, fn); err != nil {
				return err
			}
			found = true
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return fmt.Errorf("JSON: %w", err)
		}
	}
	if !found {
		return errNotItems
	}
	return nil
}

// decodeArray decodes the elements of an array whose '[' was read, and its ']'.
func decodeArray(dec *json.Decoder, br *boundedReader, fn func(*fileItem, error) error) error {
	for {
		br.window(dec.InputOffset())
		if !dec.More() {
			break
		}
		var it fileItem
		err := dec.Decode(&it)
		var te *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &te) {
			return fmt.Errorf("JSON: %w", err)
		}
		if err != nil {
			err = fmt.Errorf("malformed configuration item: %s has the wrong type", te.Field)
		}
		if ferr := fn(&it, err); ferr != nil {
			return ferr
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return fmt.Errorf("JSON: %w", err)
	}
	return nil
}

// normalizeJSON returns a configuration value as raw JSON: the delivery dialect's objects stay
// as they are, the API dialect's JSON-encoded strings are unwrapped when they hold JSON (and
// kept as a JSON string otherwise); null and absent give nil.
func normalizeJSON(v json.RawMessage) json.RawMessage {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return nil
	}
	if v[0] != '"' {
		return v
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return v
	}
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return v
}

// stateID returns configurationStateId as a string: a number in the delivery dialect, a
// string in the API's.
func stateID(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	}
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	// 1.569605832673e+12 and the like.
	if f, err := strconv.ParseFloat(string(v), 64); err == nil && f >= 0 && f < 1<<62 {
		return strconv.FormatInt(int64(f), 10)
	}
	return ""
}

func (it *fileItem) account() string {
	if it.AWSAccountID != "" {
		return it.AWSAccountID
	}
	return it.AccountID
}

// relationships returns the item's relationships in the API's shape.
func (it *fileItem) relationships() []configapi.Relationship {
	if len(it.Relationships) == 0 {
		return nil
	}
	out := make([]configapi.Relationship, len(it.Relationships))
	for i, r := range it.Relationships {
		name := r.RelationshipName
		if name == "" {
			name = r.Name
		}
		out[i] = configapi.Relationship{ResourceType: configapi.ResourceType(r.ResourceType), ResourceId: r.ResourceID,
			ResourceName: r.ResourceName, RelationshipName: name}
	}
	return out
}

// supplementary returns the supplementary configuration with every value as raw JSON.
func (it *fileItem) supplementary() map[string]json.RawMessage {
	if len(it.SupplementaryConfiguration) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(it.SupplementaryConfiguration))
	for k, v := range it.SupplementaryConfiguration {
		if n := normalizeJSON(v); n != nil {
			out[k] = n
		}
	}
	return out
}

// deliveredFileName matches the names AWS Config gives delivered files, for their account and
// region: <account>_Config_<region>_ConfigSnapshot_… and <account>_Config_<region>_ConfigHistory_….
var deliveredFileName = regexp.MustCompile(`(?:^|/)(\d{12})_Config_([a-z0-9-]+)_Config(?:Snapshot|History)_`)

// fileScope returns the account and region a delivered file's name states, or "" when the
// name is not AWS's.
func fileScope(name string) (account, region string) {
	m := deliveredFileName.FindStringSubmatch(name)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}
