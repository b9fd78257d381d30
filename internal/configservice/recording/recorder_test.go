package recording

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// TestRecorderRecordsItself checks that Config records its own recorder
// (AWS::Config::ConfigurationRecorder, a type outside the API's ResourceType enum, so not
// readable through GetResourceConfigHistory) on Start, Stop and Delete while it covers the type,
// and that the exported queries used by the other parts of the package answer as documented.
func TestRecorderRecordsItself(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewManual(time.UnixMilli(1_700_000_000_000))
	s := New(core.Deps{Store: st, Clock: clk, IDs: ids.NewSeeded(1)})
	const account, region = "111111111111", "us-east-1"
	ctx := call.With(context.Background(), &call.Info{Region: region, Principal: &identity.Principal{Account: account}})

	if err := s.PutConfigurationRecorder(ctx, &configapi.PutConfigurationRecorderRequest{ConfigurationRecorder: &configapi.ConfigurationRecorder{
		RoleARN: "arn:aws:iam::111111111111:role/r"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDeliveryChannel(ctx, &configapi.PutDeliveryChannelRequest{DeliveryChannel: &configapi.DeliveryChannel{S3BucketName: "config-bucket"}}); err != nil {
		t.Fatal(err)
	}
	history := func() []configapi.ConfigurationItem {
		t.Helper()
		var h []configapi.ConfigurationItem
		if err := st.Read(context.Background(), func(tx store.Tx) error {
			var err error
			h, err = HistoryTx(tx, account, region, configRecorderType, "default", time.Time{}, time.Time{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := history(); len(h) != 0 {
		t.Fatalf("a recorder that never ran recorded %d items", len(h))
	}
	for _, step := range []func() error{
		func() error {
			return s.StartConfigurationRecorder(ctx, &configapi.StartConfigurationRecorderRequest{ConfigurationRecorderName: "default"})
		},
		func() error {
			return s.StopConfigurationRecorder(ctx, &configapi.StopConfigurationRecorderRequest{ConfigurationRecorderName: "default"})
		},
		func() error {
			return s.StartConfigurationRecorder(ctx, &configapi.StartConfigurationRecorderRequest{ConfigurationRecorderName: "default"})
		},
	} {
		clk.Advance(time.Second)
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	err = st.Read(context.Background(), func(tx store.Tx) error {
		r, err := s.RecorderTx(tx, account, region)
		if err != nil || r == nil || !r.Recording || r.Name != "default" {
			t.Fatalf("RecorderTx = %+v, %v", r, err)
		}
		on, err := s.RecordingTx(tx, account, region)
		if err != nil || !on {
			t.Fatalf("RecordingTx = %v, %v", on, err)
		}
		for typ, want := range map[string]bool{"AWS::S3::Bucket": true, "AWS::IAM::Role": false, configRecorderType: true} {
			if got, err := s.RecordsTypeTx(tx, account, region, typ); err != nil || got != want {
				t.Errorf("RecordsTypeTx(%s) = %v, %v; want %v", typ, got, err, want)
			}
		}
		ch, err := s.DeliveryChannelTx(tx, account, region)
		if err != nil || ch == nil || ch.Name != "default" || ch.S3BucketName != "config-bucket" {
			t.Fatalf("DeliveryChannelTx = %+v, %v", ch, err)
		}
		none, err := s.RecorderTx(tx, account, "eu-west-1")
		if err != nil || none != nil {
			t.Fatalf("RecorderTx elsewhere = %+v, %v", none, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if err := s.DeleteConfigurationRecorder(ctx, &configapi.DeleteConfigurationRecorderRequest{ConfigurationRecorderName: "default"}); err != nil {
		t.Fatal(err)
	}
	h := history()
	want := []configapi.ConfigurationItemStatus{
		configapi.ConfigurationItemStatusResourceDiscovered, configapi.ConfigurationItemStatusOk,
		configapi.ConfigurationItemStatusOk, configapi.ConfigurationItemStatusResourceDeleted,
	}
	if len(h) != len(want) {
		t.Fatalf("history has %d items, want %d: %+v", len(h), len(want), h)
	}
	for i, ci := range h {
		if ci.ConfigurationItemStatus != want[i] {
			t.Errorf("item %d status %s, want %s", i, ci.ConfigurationItemStatus, want[i])
		}
	}
	if !strings.Contains(h[0].Configuration, `"recording":true`) || !strings.Contains(h[1].Configuration, `"recording":false`) ||
		!strings.HasPrefix(h[0].Arn, "arn:aws:config:us-east-1:111111111111:configuration-recorder/default/") {
		t.Errorf("items = %+v", h[:2])
	}
}

// TestRecordingGroupCoverage checks Covers for each strategy.
func TestRecordingGroupCoverage(t *testing.T) {
	b := func(v bool) *bool { return &v }
	for _, c := range []struct {
		name   string
		g      *configapi.RecordingGroup
		region string
		typ    string
		want   bool
	}{
		{"default excludes IAM", nil, "us-east-1", "AWS::IAM::User", false},
		{"default records others", nil, "us-east-1", "AWS::S3::Bucket", true},
		{"global included", &configapi.RecordingGroup{AllSupported: b(true), IncludeGlobalResourceTypes: b(true)}, "us-east-1", "AWS::IAM::User", true},
		{"global ignored in new regions", &configapi.RecordingGroup{AllSupported: b(true), IncludeGlobalResourceTypes: b(true)}, "il-central-1", "AWS::IAM::User", false},
		{"inclusion lists IAM", &configapi.RecordingGroup{ResourceTypes: []configapi.ResourceType{"AWS::IAM::Role"}}, "il-central-1", "AWS::IAM::Role", true},
		{"inclusion others", &configapi.RecordingGroup{ResourceTypes: []configapi.ResourceType{"AWS::IAM::Role"}}, "us-east-1", "AWS::S3::Bucket", false},
		{"exclusion", &configapi.RecordingGroup{ExclusionByResourceTypes: &configapi.ExclusionByResourceTypes{ResourceTypes: []configapi.ResourceType{"AWS::S3::Bucket"}},
			RecordingStrategy: &configapi.RecordingStrategy{UseOnly: configapi.RecordingStrategyTypeExclusionByResourceTypes}}, "us-east-1", "AWS::S3::Bucket", false},
		{"exclusion others", &configapi.RecordingGroup{ExclusionByResourceTypes: &configapi.ExclusionByResourceTypes{ResourceTypes: []configapi.ResourceType{"AWS::S3::Bucket"}}}, "us-east-1", "AWS::EC2::Instance", true},
	} {
		r := &Recorder{}
		if err := normalizeGroup(r, c.g); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := r.Covers(c.region, c.typ); got != c.want {
			t.Errorf("%s: Covers(%s, %s) = %v", c.name, c.region, c.typ, got)
		}
	}
}
