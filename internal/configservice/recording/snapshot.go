package recording

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// DeliverConfigSnapshot writes a configuration snapshot of the caller's (account, region) — every
// current, not deleted, configuration item — in AWS Config's file format to the directory that
// stands in for the delivery channel's S3 bucket:
//
//	<SnapshotDir>/<bucket>/<prefix>/AWSLogs/<account>/Config/<region>/<yyyy>/<m>/<d>/ConfigSnapshot/
//	    <account>_Config_<region>_ConfigSnapshot_<yyyymmddThhmmssZ>_<configSnapshotId>.json.gz
//
// exactly the object key AWS uses (month and day unpadded). The file is written whole and then
// renamed into place, so a reader never sees half a snapshot. `orgconfig import` reads it back.
func (s *Service) DeliverConfigSnapshot(ctx context.Context, in *configapi.DeliverConfigSnapshotRequest) (*configapi.DeliverConfigSnapshotResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if s.Opts.SnapshotDir == "" {
		return nil, errors.New("deliver snapshot: the server has no snapshot directory (set a data directory or SnapshotDir)")
	}
	if err := os.MkdirAll(s.Opts.SnapshotDir, 0o700); err != nil {
		return nil, fmt.Errorf("deliver snapshot: %w", err)
	}
	tmp, err := os.CreateTemp(s.Opts.SnapshotDir, ".snapshot-*.json.gz")
	if err != nil {
		return nil, fmt.Errorf("deliver snapshot: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // a no-op once renamed
	}()

	now := s.Clock.Now().UTC()
	id := s.IDs.RequestID()
	var ch *DeliveryChannel
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		ch, err = s.DeliveryChannelTx(tx, account, region)
		if errors.Is(err, store.ErrNotFound) || err == nil && (ch == nil || ch.Name != in.DeliveryChannelName) {
			return noSuchChannel(in.DeliveryChannelName)
		}
		if err != nil {
			return err
		}
		on, err := s.RecordingTx(tx, account, region)
		if err != nil {
			return err
		}
		if !on {
			return noRunningRecorder()
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := tmp.Truncate(0); err != nil {
			return err
		}
		sw := NewSnapshotWriter(tmp, id)
		if err := ForEachItemTx(tx, account, region, false, sw.Write); err != nil {
			return err
		}
		return sw.Close()
	})
	if awsproto.AsError(err) != nil {
		return nil, err // no such channel, no running recorder: nothing was attempted
	}
	if err == nil {
		err = s.placeSnapshot(tmp, ch, account, region, now, id)
	}
	// The attempt shows in DescribeDeliveryChannelStatus, failed or not.
	if rerr := s.Store.Write(ctx, func(tx store.Tx) error {
		return s.RecordSnapshotDeliveryTx(tx, account, region, now, err)
	}); err == nil {
		err = rerr
	}
	if err != nil {
		return nil, fmt.Errorf("deliver snapshot: %w", err)
	}
	return &configapi.DeliverConfigSnapshotResponse{ConfigSnapshotId: id}, nil
}

// placeSnapshot moves the written snapshot to its key under the channel's bucket directory.
func (s *Service) placeSnapshot(tmp *os.File, ch *DeliveryChannel, account, region string, now time.Time, id string) error {
	key, err := snapshotPath(ch, account, region, now, id)
	if err != nil {
		return err
	}
	dst := filepath.Join(s.Opts.SnapshotDir, filepath.FromSlash(key))
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// snapshotPath is the snapshot's path under SnapshotDir: the bucket, then the object key. The
// bucket and prefix are the channel's; a value that would leave the snapshot directory ("..",
// an absolute path) is refused.
func snapshotPath(ch *DeliveryChannel, account, region string, t time.Time, id string) (string, error) {
	key := SnapshotKey(ch.S3KeyPrefix, account, region, t, id)
	p, err := bucketPath(ch.S3BucketName, key)
	if err != nil {
		return "", fmt.Errorf("bucket %q and prefix %q do not name a path inside the snapshot directory: %w", ch.S3BucketName, ch.S3KeyPrefix, err)
	}
	return filepath.ToSlash(p), nil
}

// SnapshotKey is the S3 object key AWS Config gives a configuration snapshot.
func SnapshotKey(prefix, account, region string, t time.Time, id string) string {
	t = t.UTC()
	name := fmt.Sprintf("%s_Config_%s_ConfigSnapshot_%s_%s.json.gz", account, region, t.Format("20060102T150405Z"), id)
	key := fmt.Sprintf("AWSLogs/%s/Config/%s/%d/%d/%d/ConfigSnapshot/%s", account, region, t.Year(), int(t.Month()), t.Day(), name)
	if p := strings.Trim(prefix, "/"); p != "" {
		key = p + "/" + key
	}
	return key
}

// SnapshotWriter writes a configuration snapshot file, gzipped, in AWS Config's format:
// {"fileVersion":"1.0","configSnapshotId":"…","configurationItems":[…]} with the items in the
// delivery dialect (see fileItem). Items are streamed: memory does not grow with their number.
type SnapshotWriter struct {
	zw  *gzip.Writer
	bw  *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

// NewSnapshotWriter starts a snapshot with the given ID on w.
func NewSnapshotWriter(w io.Writer, snapshotID string) *SnapshotWriter {
	zw, _ := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	bw := bufio.NewWriterSize(zw, 64<<10)
	sw := &SnapshotWriter{zw: zw, bw: bw, enc: json.NewEncoder(bw)}
	sw.enc.SetEscapeHTML(false)
	id, _ := json.Marshal(snapshotID)
	_, sw.err = fmt.Fprintf(bw, `{"fileVersion":"1.0","configSnapshotId":%s,"configurationItems":[`, id)
	return sw
}

// Write appends one item.
func (sw *SnapshotWriter) Write(ci *configapi.ConfigurationItem) error {
	if sw.err != nil {
		return sw.err
	}
	if sw.n > 0 {
		if sw.err = sw.bw.WriteByte(','); sw.err != nil {
			return sw.err
		}
	}
	sw.n++
	sw.err = sw.enc.Encode(toDelivery(ci))
	return sw.err
}

// Close ends the file and flushes it; it does not close the underlying writer.
func (sw *SnapshotWriter) Close() error {
	if sw.err != nil {
		return sw.err
	}
	if _, err := sw.bw.WriteString("]}"); err != nil {
		return err
	}
	if err := sw.bw.Flush(); err != nil {
		return err
	}
	return sw.zw.Close()
}

// deliveryItem is a configuration item in the delivery dialect, members in the order AWS
// writes them.
type deliveryItem struct {
	RelatedEvents              []string                   `json:"relatedEvents"`
	Relationships              []deliveryRelationship     `json:"relationships"`
	Configuration              json.RawMessage            `json:"configuration"`
	SupplementaryConfiguration map[string]json.RawMessage `json:"supplementaryConfiguration"`
	Tags                       map[string]string          `json:"tags"`
	ConfigurationItemVersion   string                     `json:"configurationItemVersion"`
	CaptureTime                *string                    `json:"configurationItemCaptureTime"`
	ConfigurationStateID       json.RawMessage            `json:"configurationStateId"`
	AWSAccountID               string                     `json:"awsAccountId"`
	ConfigurationItemStatus    string                     `json:"configurationItemStatus"`
	ResourceType               string                     `json:"resourceType"`
	ResourceID                 string                     `json:"resourceId"`
	ResourceName               *string                    `json:"resourceName"`
	ARN                        *string                    `json:"ARN"`
	AWSRegion                  string                     `json:"awsRegion"`
	AvailabilityZone           *string                    `json:"availabilityZone"`
	ConfigurationStateMd5Hash  string                     `json:"configurationStateMd5Hash"`
	ResourceCreationTime       *string                    `json:"resourceCreationTime"`
}

type deliveryRelationship struct {
	ResourceID   string  `json:"resourceId"`
	ResourceName *string `json:"resourceName"`
	ResourceType string  `json:"resourceType"`
	Name         string  `json:"name"`
}

// toDelivery converts an item from the API dialect to the delivery dialect.
func toDelivery(ci *configapi.ConfigurationItem) *deliveryItem {
	d := &deliveryItem{
		RelatedEvents:              []string{},
		Relationships:              make([]deliveryRelationship, len(ci.Relationships)),
		Configuration:              jsonValue(ci.Configuration),
		SupplementaryConfiguration: make(map[string]json.RawMessage, len(ci.SupplementaryConfiguration)),
		Tags:                       ci.Tags,
		ConfigurationItemVersion:   ci.Version,
		CaptureTime:                isoTime(ci.ConfigurationItemCaptureTime.Time),
		ConfigurationStateID:       numberOrString(ci.ConfigurationStateId),
		AWSAccountID:               ci.AccountId,
		ConfigurationItemStatus:    string(ci.ConfigurationItemStatus),
		ResourceType:               string(ci.ResourceType),
		ResourceID:                 ci.ResourceId,
		ResourceName:               nullable(ci.ResourceName),
		ARN:                        nullable(ci.Arn),
		AWSRegion:                  ci.AwsRegion,
		AvailabilityZone:           nullable(ci.AvailabilityZone),
		ResourceCreationTime:       isoTime(ci.ResourceCreationTime.Time),
	}
	if d.ConfigurationItemVersion == "" {
		d.ConfigurationItemVersion = "1.3"
	}
	if d.Tags == nil {
		d.Tags = map[string]string{}
	}
	for i, r := range ci.Relationships {
		d.Relationships[i] = deliveryRelationship{ResourceID: r.ResourceId, ResourceName: nullable(r.ResourceName),
			ResourceType: string(r.ResourceType), Name: r.RelationshipName}
	}
	for k, v := range ci.SupplementaryConfiguration {
		d.SupplementaryConfiguration[k] = jsonValue(v)
	}
	return d
}

// jsonValue turns the API's JSON-encoded string into the JSON value itself (AWS's files carry
// configuration as an object); a string that is not JSON stays a string, "" becomes null.
func jsonValue(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// numberOrString renders configurationStateId as AWS's files do: a number (epoch
// milliseconds); anything that is not an integer stays a string.
func numberOrString(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func isoTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05.000Z")
	return &s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
