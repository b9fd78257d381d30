package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

func decodeAll(t testing.TB, in []byte) ([]*fileItem, []error, error) {
	var items []*fileItem
	var errs []error
	zr, _, err := gzipReader(bytes.NewReader(in))
	if err != nil {
		return nil, nil, err
	}
	err = decodeItems(context.Background(), zr, func(it *fileItem, err error) error {
		items = append(items, it)
		errs = append(errs, err)
		return nil
	})
	return items, errs, err
}

// TestDecodeDialects reads the delivery dialect (gzipped) and the API dialect, and a snapshot
// written by SnapshotWriter, to the same item.
func TestDecodeDialects(t *testing.T) {
	delivery := `{"fileVersion":"1.0","configSnapshotId":"x","configurationItems":[{"configurationItemVersion":"1.3",
		"configurationItemCaptureTime":"2026-01-15T10:20:30.123Z","configurationStateId":1768472430123,"awsAccountId":"111111111111",
		"configurationItemStatus":"OK","resourceType":"AWS::EC2::Instance","resourceId":"i-1","ARN":"arn:aws:ec2:us-east-1:111111111111:instance/i-1",
		"awsRegion":"us-east-1","configuration":{"a":1},"supplementaryConfiguration":{"S":{"b":2}},"tags":{"k":"v"},
		"relationships":[{"resourceId":"vpc-1","resourceName":null,"resourceType":"AWS::EC2::VPC","name":"Is contained in Vpc"}]}]}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(delivery))
	zw.Close()
	api := `{"configurationItems":[{"version":"1.3","configurationItemCaptureTime":1768472430.123,"configurationStateId":"1768472430123",
		"accountId":"111111111111","configurationItemStatus":"OK","resourceType":"AWS::EC2::Instance","resourceId":"i-1",
		"arn":"arn:aws:ec2:us-east-1:111111111111:instance/i-1","awsRegion":"us-east-1","configuration":"{\"a\":1}",
		"supplementaryConfiguration":{"S":"{\"b\":2}"},"tags":{"k":"v"},
		"relationships":[{"resourceId":"vpc-1","resourceType":"AWS::EC2::VPC","relationshipName":"Is contained in Vpc"}]}]}`
	var written bytes.Buffer
	sw := recording.NewSnapshotWriter(&written, "id")
	sw.Write(&configapi.ConfigurationItem{Version: "1.3", AccountId: "111111111111", ConfigurationItemStatus: "OK",
		ConfigurationItemCaptureTime: mustTime("2026-01-15T10:20:30.123Z"), ConfigurationStateId: "1768472430123",
		ResourceType: "AWS::EC2::Instance", ResourceId: "i-1", Arn: "arn:aws:ec2:us-east-1:111111111111:instance/i-1", AwsRegion: "us-east-1",
		Configuration: `{"a":1}`, SupplementaryConfiguration: map[string]string{"S": `{"b":2}`}, Tags: map[string]string{"k": "v"},
		Relationships: []configapi.Relationship{{ResourceType: "AWS::EC2::VPC", ResourceId: "vpc-1", RelationshipName: "Is contained in Vpc"}}})
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{"delivery": gz.Bytes(), "api": []byte(api), "written": written.Bytes()} {
		items, errs, err := decodeAll(t, in)
		if err != nil || len(items) != 1 || errs[0] != nil {
			t.Fatalf("%s: %v %v", name, err, errs)
		}
		it := items[0]
		if it.account() != "111111111111" || stateID(it.StateID) != "1768472430123" || string(normalizeJSON(it.Configuration)) != `{"a":1}` ||
			string(it.supplementary()["S"]) != `{"b":2}` || it.relationships()[0].RelationshipName != "Is contained in Vpc" ||
			!it.CaptureTime.Equal(mustTime("2026-01-15T10:20:30.123Z").Time) || it.ARN == "" || it.Tags["k"] != "v" {
			t.Errorf("%s: %+v", name, it)
		}
	}
	if _, _, err := decodeAll(t, []byte(`{"x":1}`)); err == nil || !strings.Contains(err.Error(), "configurationItems") {
		t.Errorf("no items: %v", err)
	}
	items, errs, err := decodeAll(t, []byte(`[{"resourceId":1},{"resourceId":"r"}]`))
	if err != nil || len(items) != 2 || errs[0] == nil || errs[1] != nil {
		t.Errorf("a malformed item is reported and decoding goes on: %v %v", err, errs)
	}
}

func mustTime(s string) (t awsproto.Time) {
	if err := t.UnmarshalJSON([]byte(`"` + s + `"`)); err != nil {
		panic(err)
	}
	return t
}

func TestSnapshotKey(t *testing.T) {
	got := recording.SnapshotKey("/p/q/", "111111111111", "us-east-1", mustTime("2026-01-05T03:04:05Z").Time, "uuid")
	want := "p/q/AWSLogs/111111111111/Config/us-east-1/2026/1/5/ConfigSnapshot/111111111111_Config_us-east-1_ConfigSnapshot_20260105T030405Z_uuid.json.gz"
	if got != want {
		t.Errorf("SnapshotKey = %s, want %s", got, want)
	}
	if a, r := fileScope(got); a != "111111111111" || r != "us-east-1" {
		t.Errorf("fileScope = %s %s", a, r)
	}
}

// FuzzDecodeItems: the import parser never panics and never loops on any input.
func FuzzDecodeItems(f *testing.F) {
	for _, s := range []string{`{"configurationItems":[{"resourceType":"A::B::C","resourceId":"x","configuration":{"a":[1]}}]}`,
		`[{"configurationStateId":1.5e12,"tags":{"a":"b"}}]`, `{"baseConfigurationItems":null}`, `[`, `{"configurationItems":[1,"x",null]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		zr, _, err := gzipReader(bytes.NewReader(in))
		if err != nil {
			return
		}
		_ = decodeItems(context.Background(), zr, func(it *fileItem, err error) error {
			if err == nil {
				_ = stateID(it.StateID)
				_ = normalizeJSON(it.Configuration)
				_ = it.supplementary()
				_ = it.relationships()
			}
			return nil
		})
	})
}

// repeatReader yields prefix, then n copies of fill, then suffix, counting what was read.
type repeatReader struct {
	prefix, suffix []byte
	fill           byte
	n              int64
	pos, read      int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := int64(len(r.prefix)) + r.n + int64(len(r.suffix))
	if r.pos >= total {
		return 0, io.EOF
	}
	i := 0
	for ; i < len(p) && r.pos < total; i++ {
		switch {
		case r.pos < int64(len(r.prefix)):
			p[i] = r.prefix[r.pos]
		case r.pos < int64(len(r.prefix))+r.n:
			p[i] = r.fill
		default:
			p[i] = r.suffix[r.pos-int64(len(r.prefix))-r.n]
		}
		r.pos++
	}
	r.read += int64(i)
	return i, nil
}

// TestDecodeItemsBounds: a value larger than MaxImportItemBytes — one huge item, or megabytes
// of whitespace — ends the file after the decoder has read little more than the bound, so that
// neither its memory nor its time grows with the input; so does the end of the context.
func TestDecodeItemsBounds(t *testing.T) {
	const huge = 64 << 20
	cases := []struct {
		name string
		r    *repeatReader
	}{
		{"one huge item", &repeatReader{prefix: []byte(`{"configurationItems":[{"resourceType":"AWS::S3::Bucket","configuration":{"x":"`), fill: 'a', n: huge, suffix: []byte(`"}}]}`)}},
		{"whitespace before the first token", &repeatReader{fill: ' ', n: huge, suffix: []byte(`[]`)}},
		{"whitespace between items", &repeatReader{prefix: []byte(`[{"resourceType":"AWS::S3::Bucket"},`), fill: ' ', n: huge, suffix: []byte(`{}]`)}},
		{"a huge member beside the items", &repeatReader{prefix: []byte(`{"fileVersion":"`), fill: '1', n: huge, suffix: []byte(`","configurationItems":[]}`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := decodeItems(context.Background(), c.r, func(*fileItem, error) error { return nil })
			if !errors.Is(err, errItemTooLarge) {
				t.Fatalf("decodeItems: %v, want errItemTooLarge", err)
			}
			if c.r.read > MaxImportItemBytes+1<<20 {
				t.Errorf("read %d bytes of a %d-byte input before giving up", c.r.read, huge)
			}
		})
	}
	t.Run("context ended", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := &repeatReader{prefix: []byte(`[`), fill: ' ', n: huge, suffix: []byte(`]`)}
		if err := decodeItems(ctx, r, func(*fileItem, error) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Fatalf("decodeItems: %v, want context.Canceled", err)
		}
		if r.read > 1<<20 {
			t.Errorf("read %d bytes after the context ended", r.read)
		}
	})
	t.Run("items under the bound", func(t *testing.T) {
		r := &repeatReader{prefix: []byte(`{"configurationItems":[{"resourceType":"AWS::S3::Bucket","configuration":{"x":"`), fill: 'a', n: MaxImportItemBytes - 1024, suffix: []byte(`"}},{"resourceType":"AWS::S3::Bucket"}]}`)}
		n := 0
		if err := decodeItems(context.Background(), r, func(_ *fileItem, err error) error { n++; return err }); err != nil || n != 2 {
			t.Fatalf("decodeItems: %v after %d items, want 2 items", err, n)
		}
	})
}
