package recording

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// DeliveryChannel is the stored delivery channel of an (account, region) (spec §4.2). There is
// no S3 or SNS emulation: DeliverConfigSnapshot writes under Options.SnapshotDir.
type DeliveryChannel struct {
	Name         string `json:"name"`
	S3BucketName string `json:"s3BucketName"`
	S3KeyPrefix  string `json:"s3KeyPrefix,omitempty"`
	S3KmsKeyArn  string `json:"s3KmsKeyArn,omitempty"`
	SNSTopicARN  string `json:"snsTopicARN,omitempty"`
	// DeliveryFrequency is a configapi.MaximumExecutionFrequency value, or "" when not set.
	DeliveryFrequency string    `json:"deliveryFrequency,omitempty"`
	Created           time.Time `json:"created"`
	Updated           time.Time `json:"updated"`
	// LastSnapshotAttempt and LastSnapshotSuccess are set by RecordSnapshotDeliveryTx;
	// LastSnapshotError is the error message of the last failed attempt ("" after a success).
	LastSnapshotAttempt time.Time `json:"lastSnapshotAttempt,omitzero"`
	LastSnapshotSuccess time.Time `json:"lastSnapshotSuccess,omitzero"`
	LastSnapshotError   string    `json:"lastSnapshotError,omitempty"`
}

// DeliveryChannelTx returns the delivery channel of (account, region), or nil, nil when there
// is none.
func (s *Service) DeliveryChannelTx(tx store.Tx, account, region string) (*DeliveryChannel, error) {
	recs, err := tx.List(KindDeliveryChannel, core.Scope(account, region), "", 1)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	ch := new(DeliveryChannel)
	if err := json.Unmarshal(recs[0].Body, ch); err != nil {
		return nil, fmt.Errorf("configservice: decode delivery channel %s/%s: %w", recs[0].Scope, recs[0].ID, err)
	}
	return ch, nil
}

// RecordSnapshotDeliveryTx notes a configuration snapshot delivery attempt at `at` on the
// channel of (account, region), for DescribeDeliveryChannelStatus; deliveryErr is nil for a
// success. It does nothing when there is no channel.
func (s *Service) RecordSnapshotDeliveryTx(tx store.Tx, account, region string, at time.Time, deliveryErr error) error {
	ch, err := s.DeliveryChannelTx(tx, account, region)
	if err != nil || ch == nil {
		return err
	}
	ch.LastSnapshotAttempt = at.UTC()
	if deliveryErr == nil {
		ch.LastSnapshotSuccess, ch.LastSnapshotError = at.UTC(), ""
	} else {
		ch.LastSnapshotError = deliveryErr.Error()
	}
	return saveChannelTx(tx, account, region, ch)
}

func saveChannelTx(tx store.Tx, account, region string, ch *DeliveryChannel) error {
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	return tx.Put(KindDeliveryChannel, core.Scope(account, region), ch.Name, b)
}

func (ch *DeliveryChannel) api() configapi.DeliveryChannel {
	out := configapi.DeliveryChannel{
		Name: ch.Name, S3BucketName: ch.S3BucketName, S3KeyPrefix: ch.S3KeyPrefix,
		S3KmsKeyArn: ch.S3KmsKeyArn, SnsTopicARN: ch.SNSTopicARN,
	}
	if ch.DeliveryFrequency != "" {
		out.ConfigSnapshotDeliveryProperties = &configapi.ConfigSnapshotDeliveryProperties{
			DeliveryFrequency: configapi.MaximumExecutionFrequency(ch.DeliveryFrequency),
		}
	}
	return out
}

var (
	kmsKeyARN   = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=.@-]+$`)
	snsTopicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
)

// PutDeliveryChannel creates the delivery channel of the caller's region or replaces it (same
// name). orgconfig does not host S3 or SNS, so only the bucket name's presence and the syntax of
// the prefix and ARNs are checked.
func (s *Service) PutDeliveryChannel(ctx context.Context, in *configapi.PutDeliveryChannelRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	dc := in.DeliveryChannel
	if dc == nil {
		return configapi.ErrValidation("1 validation error detected: Value null at 'deliveryChannel' failed to satisfy constraint: Member must not be null")
	}
	name := dc.Name
	if name == "" {
		name = defaultName
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		rec, err := s.RecorderTx(tx, account, region)
		if err != nil {
			return err
		}
		if rec == nil {
			return configapi.ErrNoAvailableConfigurationRecorder("Configuration recorder is not available to put delivery channel.")
		}
		if strings.TrimSpace(name) == "" {
			return configapi.ErrInvalidDeliveryChannelName("The delivery channel name '%s' is not valid, blank string.", name)
		}
		cur, err := s.DeliveryChannelTx(tx, account, region)
		if err != nil {
			return err
		}
		if cur != nil && cur.Name != name {
			return configapi.ErrMaxNumberOfDeliveryChannelsExceeded("Failed to put delivery channel '%s' because the maximum number of delivery channels: 1 is reached.", name)
		}
		if strings.TrimSpace(dc.S3BucketName) == "" {
			return configapi.ErrNoSuchBucket("Cannot find a S3 bucket with an empty bucket name.")
		}
		// No bucket can have a name outside S3's rules (and the bucket becomes a folder of the
		// snapshot directory).
		if !validBucketName(dc.S3BucketName) {
			return configapi.ErrNoSuchBucket("Cannot find a S3 bucket with name '%s'.", dc.S3BucketName)
		}
		// AWS Config adds "AWSLogs/..." itself, and a key does not start with a slash; nor may
		// the prefix, as a path, leave the bucket.
		if !validKeyPrefix(dc.S3KeyPrefix) || strings.Contains(dc.S3KeyPrefix, "AWSLogs") {
			return configapi.ErrInvalidS3KeyPrefix("The s3 key prefix '%s' is not valid.", dc.S3KeyPrefix)
		}
		if dc.S3KmsKeyArn != "" && !kmsKeyARN.MatchString(dc.S3KmsKeyArn) {
			return configapi.ErrInvalidS3KmsKeyArn("The s3 kms key arn '%s' is not valid.", dc.S3KmsKeyArn)
		}
		if dc.SnsTopicARN != "" && !snsTopicARN.MatchString(dc.SnsTopicARN) {
			return configapi.ErrInvalidSNSTopicARN("The sns topic arn '%s' is not valid.", dc.SnsTopicARN)
		}
		now := s.Clock.Now().UTC()
		ch := &DeliveryChannel{Created: now}
		if cur != nil {
			ch = cur
		}
		ch.Name, ch.S3BucketName, ch.S3KeyPrefix, ch.S3KmsKeyArn, ch.SNSTopicARN = name, dc.S3BucketName, dc.S3KeyPrefix, dc.S3KmsKeyArn, dc.SnsTopicARN
		ch.DeliveryFrequency, ch.Updated = "", now
		if p := dc.ConfigSnapshotDeliveryProperties; p != nil {
			ch.DeliveryFrequency = string(p.DeliveryFrequency)
		}
		return saveChannelTx(tx, account, region, ch)
	})
}

// selectChannelTx returns the channels named (every channel when names is empty), or
// NoSuchDeliveryChannelException for the first unknown name.
func (s *Service) selectChannelTx(tx store.Tx, account, region string, names []string) ([]*DeliveryChannel, error) {
	ch, err := s.DeliveryChannelTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	out := []*DeliveryChannel{}
	if len(names) == 0 {
		if ch != nil {
			out = append(out, ch)
		}
		return out, nil
	}
	for _, n := range names {
		if ch == nil || ch.Name != n {
			return nil, noSuchChannel(n)
		}
	}
	return append(out, ch), nil
}

func noSuchChannel(name string) error {
	return configapi.ErrNoSuchDeliveryChannel("Cannot find delivery channel with specified name '%s'.", name)
}

// DescribeDeliveryChannels returns the channels named, or the region's channel.
func (s *Service) DescribeDeliveryChannels(ctx context.Context, in *configapi.DescribeDeliveryChannelsRequest) (*configapi.DescribeDeliveryChannelsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeDeliveryChannelsResponse{DeliveryChannels: []configapi.DeliveryChannel{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		chs, err := s.selectChannelTx(tx, account, region, in.DeliveryChannelNames)
		for _, ch := range chs {
			out.DeliveryChannels = append(out.DeliveryChannels, ch.api())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeDeliveryChannelStatus reports the delivery state of the channels named.
// Snapshot delivery reflects RecordSnapshotDeliveryTx (Not_Applicable before the first
// attempt); history delivery is Success from the recorder's last start on (Not_Applicable
// before the recorder ever ran); stream delivery is Not_Applicable without an SNS topic.
func (s *Service) DescribeDeliveryChannelStatus(ctx context.Context, in *configapi.DescribeDeliveryChannelStatusRequest) (*configapi.DescribeDeliveryChannelStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeDeliveryChannelStatusResponse{DeliveryChannelsStatus: []configapi.DeliveryChannelStatus{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		chs, err := s.selectChannelTx(tx, account, region, in.DeliveryChannelNames)
		if err != nil {
			return err
		}
		rec, err := s.RecorderTx(tx, account, region)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			out.DeliveryChannelsStatus = append(out.DeliveryChannelsStatus, channelStatus(ch, rec))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func channelStatus(ch *DeliveryChannel, rec *Recorder) configapi.DeliveryChannelStatus {
	st := configapi.DeliveryChannelStatus{Name: ch.Name}
	snap := &configapi.ConfigExportDeliveryInfo{LastStatus: configapi.DeliveryStatusNotApplicable}
	if !ch.LastSnapshotAttempt.IsZero() {
		snap.LastAttemptTime = awsproto.NewTime(ch.LastSnapshotAttempt)
		snap.LastStatus = configapi.DeliveryStatusSuccess
		if ch.LastSnapshotError != "" {
			snap.LastStatus, snap.LastErrorCode, snap.LastErrorMessage = configapi.DeliveryStatusFailure, "InternalError", ch.LastSnapshotError
		}
		if !ch.LastSnapshotSuccess.IsZero() {
			snap.LastSuccessfulTime = awsproto.NewTime(ch.LastSnapshotSuccess)
		}
	}
	hist := &configapi.ConfigExportDeliveryInfo{LastStatus: configapi.DeliveryStatusNotApplicable}
	if rec != nil && !rec.LastStartTime.IsZero() {
		t := awsproto.NewTime(rec.LastStartTime)
		hist.LastStatus, hist.LastAttemptTime, hist.LastSuccessfulTime = configapi.DeliveryStatusSuccess, t, t
	}
	stream := &configapi.ConfigStreamDeliveryInfo{LastStatus: configapi.DeliveryStatusNotApplicable}
	if ch.SNSTopicARN != "" {
		stream.LastStatus, stream.LastStatusChangeTime = configapi.DeliveryStatusSuccess, awsproto.NewTime(ch.Updated)
	}
	st.ConfigSnapshotDeliveryInfo, st.ConfigHistoryDeliveryInfo, st.ConfigStreamDeliveryInfo = snap, hist, stream
	return st
}

// DeleteDeliveryChannel deletes the channel; it is refused while the customer-managed recorder
// is running.
func (s *Service) DeleteDeliveryChannel(ctx context.Context, in *configapi.DeleteDeliveryChannelRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		ch, err := s.DeliveryChannelTx(tx, account, region)
		if err != nil {
			return err
		}
		if ch == nil || ch.Name != in.DeliveryChannelName {
			return noSuchChannel(in.DeliveryChannelName)
		}
		recording, err := s.RecordingTx(tx, account, region)
		if err != nil {
			return err
		}
		if recording {
			return configapi.ErrLastDeliveryChannelDeleteFailed("Failed to delete last specified delivery channel with name '%s', because there is a running configuration recorder.", ch.Name)
		}
		_, err = tx.Delete(KindDeliveryChannel, core.Scope(account, region), ch.Name)
		return err
	})
}
