package config

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigRecorder runs the configuration recorder, delivery channel, retention and tagging
// suite on both store backends.
func TestConfigRecorder(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"RecorderPutValidation", testRecorderPutValidation},
			{"RecorderReadBack", testRecorderReadBack},
			{"RecorderLifecycle", testRecorderLifecycle},
			{"DeliveryChannels", testDeliveryChannels},
			{"Retention", testRetention},
			{"Tags", testConfigTags},
			{"ServiceLinkedRecorders", testServiceLinkedRecorders},
			{"AssociateResourceTypes", testAssociateResourceTypes},
			{"CLIPrintsNothing", testRecorderCLIPrintsNothing},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

var recorderARNPattern = regexp.MustCompile(`^arn:aws:config:us-east-1:111111111111:configuration-recorder/default/[a-z0-9]{16}$`)

func putChannel(t *testing.T, cl *configservice.Client) {
	t.Helper()
	if _, err := cl.PutDeliveryChannel(context.Background(), &configservice.PutDeliveryChannelInput{
		DeliveryChannel: &cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket")}}); err != nil {
		t.Fatal(err)
	}
}

func describeRecorder(t *testing.T, cl *configservice.Client) cstypes.ConfigurationRecorder {
	t.Helper()
	out, err := cl.DescribeConfigurationRecorders(context.Background(), &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ConfigurationRecorders) != 1 {
		t.Fatalf("recorders = %+v, want one", out.ConfigurationRecorders)
	}
	return out.ConfigurationRecorders[0]
}

func testRecorderPutValidation(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	put := func(rec *cstypes.ConfigurationRecorder) error {
		_, err := cl.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: rec})
		return err
	}
	e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{Name: aws.String("default")}), "InvalidRoleException", 400)
	e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{RoleARN: aws.String("not-an-arn")}), "InvalidRoleException", 400)
	e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{Name: aws.String("AWSConfigurationRecorderForMine"), RoleARN: aws.String(e2etest.RecorderRole)}),
		"InvalidConfigurationRecorderNameException", 400)
	ae := e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{Name: aws.String("  "), RoleARN: aws.String(e2etest.RecorderRole)}),
		"InvalidConfigurationRecorderNameException", 400)
	if !strings.Contains(ae.ErrorMessage(), "blank string") {
		t.Errorf("blank name message = %q", ae.ErrorMessage())
	}
	badGroups := map[string]*cstypes.RecordingGroup{
		"allSupported with types": {AllSupported: true, ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}},
		"allSupported with exclusion strategy": {AllSupported: true, RecordingStrategy: &cstypes.RecordingStrategy{UseOnly: cstypes.RecordingStrategyTypeExclusionByResourceTypes},
			ExclusionByResourceTypes: &cstypes.ExclusionByResourceTypes{ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}}},
		"nothing selected":                  {},
		"exclusion without list":            {RecordingStrategy: &cstypes.RecordingStrategy{UseOnly: cstypes.RecordingStrategyTypeExclusionByResourceTypes}},
		"global without allSupported":       {IncludeGlobalResourceTypes: true, ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}},
		"all strategy without allSupported": {RecordingStrategy: &cstypes.RecordingStrategy{UseOnly: cstypes.RecordingStrategyTypeAllSupportedResourceTypes}, ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}},
	}
	for name, g := range badGroups {
		t.Run(name, func(t *testing.T) {
			e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole), RecordingGroup: g}), "InvalidRecordingGroupException", 400)
		})
	}
	// A resource type outside the model is the validator's ValidationException, as on AWS.
	e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole),
		RecordingGroup: &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::Nope::Thing"}}}), "ValidationException", 400)
	// DAILY is refused for the types Config keeps continuous.
	e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole), RecordingMode: &cstypes.RecordingMode{
		RecordingFrequency: cstypes.RecordingFrequencyContinuous,
		RecordingModeOverrides: []cstypes.RecordingModeOverride{{RecordingFrequency: cstypes.RecordingFrequencyDaily,
			ResourceTypes: []cstypes.ResourceType{"AWS::Config::ResourceCompliance"}}}}}), "ValidationException", 400)

	// Nothing was created by the failures.
	out, err := cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ConfigurationRecorders) != 0 {
		t.Fatalf("recorders after failures: %+v", out.ConfigurationRecorders)
	}

	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	ae = e2etest.APIError(t, put(&cstypes.ConfigurationRecorder{Name: aws.String("second"), RoleARN: aws.String(e2etest.RecorderRole)}),
		"MaxNumberOfConfigurationRecordersExceededException", 400)
	if want := "Failed to put configuration recorder 'second' because the maximum number of configuration recorders: 1 is reached."; ae.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), want)
	}
	// Another region has its own recorder.
	e2etest.PutRecorder(t, e2etest.ConfigClient(srv, "eu-west-1"), &cstypes.ConfigurationRecorder{Name: aws.String("second"), RoleARN: aws.String(e2etest.RecorderRole)})
}

func testRecorderReadBack(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")

	// Defaults: all supported types without the global ones, CONTINUOUS, fully populated.
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	got := describeRecorder(t, cl)
	if aws.ToString(got.Name) != "default" || !recorderARNPattern.MatchString(aws.ToString(got.Arn)) || aws.ToString(got.RoleARN) != e2etest.RecorderRole {
		t.Fatalf("recorder = name %q arn %q role %q", aws.ToString(got.Name), aws.ToString(got.Arn), aws.ToString(got.RoleARN))
	}
	g := got.RecordingGroup
	if g == nil || !g.AllSupported || g.IncludeGlobalResourceTypes || len(g.ResourceTypes) != 0 || g.ExclusionByResourceTypes == nil ||
		g.RecordingStrategy == nil || g.RecordingStrategy.UseOnly != cstypes.RecordingStrategyTypeAllSupportedResourceTypes {
		t.Fatalf("default recording group = %+v", g)
	}
	if got.RecordingMode == nil || got.RecordingMode.RecordingFrequency != cstypes.RecordingFrequencyContinuous {
		t.Fatalf("default recording mode = %+v", got.RecordingMode)
	}
	if got.RecordingScope != cstypes.RecordingScopePaid {
		t.Errorf("recordingScope = %q", got.RecordingScope)
	}
	arn := aws.ToString(got.Arn)

	// An update keeps the name and the ARN and stores exactly what was put.
	role2 := "arn:aws:iam::111111111111:role/service-role/other"
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{Name: aws.String("default"), RoleARN: aws.String(role2),
		RecordingGroup: &cstypes.RecordingGroup{
			ResourceTypes:     []cstypes.ResourceType{cstypes.ResourceTypeBucket, cstypes.ResourceTypeInstance, cstypes.ResourceTypeRole},
			RecordingStrategy: &cstypes.RecordingStrategy{UseOnly: cstypes.RecordingStrategyTypeInclusionByResourceTypes}},
		RecordingMode: &cstypes.RecordingMode{RecordingFrequency: cstypes.RecordingFrequencyDaily,
			RecordingModeOverrides: []cstypes.RecordingModeOverride{{Description: aws.String("buckets continuously"),
				RecordingFrequency: cstypes.RecordingFrequencyContinuous, ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}}}},
	})
	got = describeRecorder(t, cl)
	g = got.RecordingGroup
	if aws.ToString(got.Arn) != arn || aws.ToString(got.RoleARN) != role2 || g.AllSupported ||
		fmt.Sprint(g.ResourceTypes) != "[AWS::S3::Bucket AWS::EC2::Instance AWS::IAM::Role]" ||
		g.RecordingStrategy.UseOnly != cstypes.RecordingStrategyTypeInclusionByResourceTypes {
		t.Fatalf("updated recorder = %+v group %+v", got, g)
	}
	m := got.RecordingMode
	if m.RecordingFrequency != cstypes.RecordingFrequencyDaily || len(m.RecordingModeOverrides) != 1 ||
		aws.ToString(m.RecordingModeOverrides[0].Description) != "buckets continuously" ||
		m.RecordingModeOverrides[0].RecordingFrequency != cstypes.RecordingFrequencyContinuous ||
		fmt.Sprint(m.RecordingModeOverrides[0].ResourceTypes) != "[AWS::S3::Bucket]" {
		t.Fatalf("updated mode = %+v", m)
	}

	// Exclusion strategy.
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(role2), RecordingGroup: &cstypes.RecordingGroup{
		ExclusionByResourceTypes: &cstypes.ExclusionByResourceTypes{ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeInstance}},
		RecordingStrategy:        &cstypes.RecordingStrategy{UseOnly: cstypes.RecordingStrategyTypeExclusionByResourceTypes}}})
	g = describeRecorder(t, cl).RecordingGroup
	if g.AllSupported || len(g.ResourceTypes) != 0 || fmt.Sprint(g.ExclusionByResourceTypes.ResourceTypes) != "[AWS::EC2::Instance]" ||
		g.RecordingStrategy.UseOnly != cstypes.RecordingStrategyTypeExclusionByResourceTypes {
		t.Fatalf("exclusion group = %+v", g)
	}

	// Filters: by name, by ARN; at most one name; unknown names.
	for _, in := range []*configservice.DescribeConfigurationRecordersInput{
		{ConfigurationRecorderNames: []string{"default"}}, {Arn: aws.String(arn)},
	} {
		out, err := cl.DescribeConfigurationRecorders(ctx, in)
		if err != nil || len(out.ConfigurationRecorders) != 1 {
			t.Fatalf("describe %+v: %v %+v", in, err, out)
		}
	}
	_, err := cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"default", "x"}})
	e2etest.APIError(t, err, "ValidationException", 400)
	_, err = cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"nope"}})
	ae := e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)
	if want := "Cannot find configuration recorder with the specified name 'nope'."; ae.ErrorMessage() != want {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	_, err = cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"nope"}})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)
	_, err = cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{"a", "b"}})
	e2etest.APIError(t, err, "ValidationException", 400)

	// Other regions see nothing.
	out, err := e2etest.ConfigClient(srv, "eu-west-1").DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(out.ConfigurationRecorders) != 0 {
		t.Fatalf("eu-west-1: %v %+v", err, out)
	}
	list, err := cl.ListConfigurationRecorders(ctx, &configservice.ListConfigurationRecordersInput{})
	if err != nil || len(list.ConfigurationRecorderSummaries) != 1 || aws.ToString(list.ConfigurationRecorderSummaries[0].Arn) != arn {
		t.Fatalf("list: %v %+v", err, list)
	}
}

func testRecorderLifecycle(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")

	st, err := cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil || len(st.ConfigurationRecordersStatus) != 0 {
		t.Fatalf("status without recorder: %v %+v", err, st)
	}
	_, err = cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)
	_, err = cl.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)
	_, err = cl.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)

	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	status := func() cstypes.ConfigurationRecorderStatus {
		t.Helper()
		st, err := cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
		if err != nil || len(st.ConfigurationRecordersStatus) != 1 {
			t.Fatalf("status: %v %+v", err, st)
		}
		return st.ConfigurationRecordersStatus[0]
	}
	if s := status(); s.Recording || aws.ToString(s.Name) != "default" || s.LastStartTime != nil {
		t.Fatalf("new recorder status = %+v", s)
	}

	_, err = cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	ae := e2etest.APIError(t, err, "NoAvailableDeliveryChannelException", 400)
	if want := "Delivery channel is not available to start configuration recorder."; ae.ErrorMessage() != want {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	putChannel(t, cl)
	if _, err := cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	s := status()
	if !s.Recording || s.LastStartTime == nil || s.LastStatus != cstypes.RecorderStatusSuccess || !recorderARNPattern.MatchString(aws.ToString(s.Arn)) {
		t.Fatalf("started status = %+v", s)
	}
	// Starting again is harmless.
	if _, err := cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}

	_, err = cl.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	ae = e2etest.APIError(t, err, "LastDeliveryChannelDeleteFailedException", 400)
	if !strings.Contains(ae.ErrorMessage(), "running configuration recorder") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	if _, err := cl.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	if s := status(); s.Recording || s.LastStopTime == nil || s.LastStartTime == nil {
		t.Fatalf("stopped status = %+v", s)
	}
	if _, err := cl.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	out, err := cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(out.ConfigurationRecorders) != 0 {
		t.Fatalf("after delete: %v %+v", err, out)
	}
	// A recorder can be deleted while it runs.
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{Name: aws.String("renamed"), RoleARN: aws.String(e2etest.RecorderRole)})
	putChannel(t, cl)
	if _, err := cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("renamed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("renamed")}); err != nil {
		t.Fatal(err)
	}
}

func testDeliveryChannels(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	put := func(ch *cstypes.DeliveryChannel) error {
		_, err := cl.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: ch})
		return err
	}
	ae := e2etest.APIError(t, put(&cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket")}), "NoAvailableConfigurationRecorderException", 400)
	if want := "Configuration recorder is not available to put delivery channel."; ae.ErrorMessage() != want {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{}), "NoSuchBucketException", 400)
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{Name: aws.String(" "), S3BucketName: aws.String("config-bucket")}), "InvalidDeliveryChannelNameException", 400)
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket"), S3KeyPrefix: aws.String("x/AWSLogs")}), "InvalidS3KeyPrefixException", 400)
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket"), S3KmsKeyArn: aws.String("arn:aws:kms:nope")}), "InvalidS3KmsKeyArnException", 400)
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket"), SnsTopicARN: aws.String("topic")}), "InvalidSNSTopicARNException", 400)
	e2etest.APIError(t, put(&cstypes.DeliveryChannel{S3BucketName: aws.String("config-bucket"), ConfigSnapshotDeliveryProperties: &cstypes.ConfigSnapshotDeliveryProperties{
		DeliveryFrequency: "Every_Minute"}}), "ValidationException", 400)

	want := cstypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket"), S3KeyPrefix: aws.String("org/config"),
		S3KmsKeyArn:                      aws.String("arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		SnsTopicARN:                      aws.String("arn:aws:sns:us-east-1:111111111111:config-topic"),
		ConfigSnapshotDeliveryProperties: &cstypes.ConfigSnapshotDeliveryProperties{DeliveryFrequency: cstypes.MaximumExecutionFrequencySixHours},
	}
	if err := put(&want); err != nil {
		t.Fatal(err)
	}
	out, err := cl.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil || len(out.DeliveryChannels) != 1 {
		t.Fatalf("describe: %v %+v", err, out)
	}
	got := out.DeliveryChannels[0]
	if aws.ToString(got.Name) != "default" || aws.ToString(got.S3BucketName) != "config-bucket" || aws.ToString(got.S3KeyPrefix) != "org/config" ||
		aws.ToString(got.S3KmsKeyArn) != aws.ToString(want.S3KmsKeyArn) || aws.ToString(got.SnsTopicARN) != aws.ToString(want.SnsTopicARN) ||
		got.ConfigSnapshotDeliveryProperties == nil || got.ConfigSnapshotDeliveryProperties.DeliveryFrequency != cstypes.MaximumExecutionFrequencySixHours {
		t.Fatalf("channel = %+v", got)
	}
	ae = e2etest.APIError(t, put(&cstypes.DeliveryChannel{Name: aws.String("other"), S3BucketName: aws.String("config-bucket")}), "MaxNumberOfDeliveryChannelsExceededException", 400)
	if want := "Failed to put delivery channel 'other' because the maximum number of delivery channels: 1 is reached."; ae.ErrorMessage() != want {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	_, err = cl.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{DeliveryChannelNames: []string{"other"}})
	e2etest.APIError(t, err, "NoSuchDeliveryChannelException", 400)
	_, err = cl.DescribeDeliveryChannelStatus(ctx, &configservice.DescribeDeliveryChannelStatusInput{DeliveryChannelNames: []string{"other"}})
	e2etest.APIError(t, err, "NoSuchDeliveryChannelException", 400)

	// Replacing the channel drops what is no longer given.
	if err := put(&cstypes.DeliveryChannel{S3BucketName: aws.String("bucket2")}); err != nil {
		t.Fatal(err)
	}
	out, err = cl.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{DeliveryChannelNames: []string{"default"}})
	if err != nil || len(out.DeliveryChannels) != 1 || aws.ToString(out.DeliveryChannels[0].S3BucketName) != "bucket2" ||
		out.DeliveryChannels[0].SnsTopicARN != nil || out.DeliveryChannels[0].ConfigSnapshotDeliveryProperties != nil {
		t.Fatalf("replaced channel: %v %+v", err, out)
	}
	st, err := cl.DescribeDeliveryChannelStatus(ctx, &configservice.DescribeDeliveryChannelStatusInput{})
	if err != nil || len(st.DeliveryChannelsStatus) != 1 {
		t.Fatalf("status: %v %+v", err, st)
	}
	s := st.DeliveryChannelsStatus[0]
	if aws.ToString(s.Name) != "default" || s.ConfigStreamDeliveryInfo == nil || s.ConfigStreamDeliveryInfo.LastStatus != cstypes.DeliveryStatusNotApplicable ||
		s.ConfigSnapshotDeliveryInfo == nil || s.ConfigHistoryDeliveryInfo == nil {
		t.Fatalf("channel status = %+v", s)
	}

	_, err = cl.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("other")})
	e2etest.APIError(t, err, "NoSuchDeliveryChannelException", 400)
	if _, err := cl.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	out, err = cl.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil || len(out.DeliveryChannels) != 0 {
		t.Fatalf("after delete: %v %+v", err, out)
	}
}

func testRetention(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	out, err := cl.DescribeRetentionConfigurations(ctx, &configservice.DescribeRetentionConfigurationsInput{})
	if err != nil || len(out.RetentionConfigurations) != 0 {
		t.Fatalf("empty: %v %+v", err, out)
	}
	_, err = cl.PutRetentionConfiguration(ctx, &configservice.PutRetentionConfigurationInput{RetentionPeriodInDays: aws.Int32(29)})
	e2etest.APIError(t, err, "ValidationException", 400)
	_, err = cl.PutRetentionConfiguration(ctx, &configservice.PutRetentionConfigurationInput{RetentionPeriodInDays: aws.Int32(2558)})
	e2etest.APIError(t, err, "ValidationException", 400)
	put, err := cl.PutRetentionConfiguration(ctx, &configservice.PutRetentionConfigurationInput{RetentionPeriodInDays: aws.Int32(30)})
	if err != nil || aws.ToString(put.RetentionConfiguration.Name) != "default" || aws.ToInt32(put.RetentionConfiguration.RetentionPeriodInDays) != 30 {
		t.Fatalf("put: %v %+v", err, put)
	}
	if _, err := cl.PutRetentionConfiguration(ctx, &configservice.PutRetentionConfigurationInput{RetentionPeriodInDays: aws.Int32(365)}); err != nil {
		t.Fatal(err)
	}
	out, err = cl.DescribeRetentionConfigurations(ctx, &configservice.DescribeRetentionConfigurationsInput{RetentionConfigurationNames: []string{"default"}})
	if err != nil || len(out.RetentionConfigurations) != 1 || aws.ToInt32(out.RetentionConfigurations[0].RetentionPeriodInDays) != 365 {
		t.Fatalf("describe: %v %+v", err, out)
	}
	_, err = cl.DescribeRetentionConfigurations(ctx, &configservice.DescribeRetentionConfigurationsInput{RetentionConfigurationNames: []string{"other"}})
	e2etest.APIError(t, err, "NoSuchRetentionConfigurationException", 400)
	_, err = cl.DeleteRetentionConfiguration(ctx, &configservice.DeleteRetentionConfigurationInput{RetentionConfigurationName: aws.String("other")})
	e2etest.APIError(t, err, "NoSuchRetentionConfigurationException", 400)
	if _, err := cl.DeleteRetentionConfiguration(ctx, &configservice.DeleteRetentionConfigurationInput{RetentionConfigurationName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.DeleteRetentionConfiguration(ctx, &configservice.DeleteRetentionConfigurationInput{RetentionConfigurationName: aws.String("default")})
	e2etest.APIError(t, err, "NoSuchRetentionConfigurationException", 400)
}

func testConfigTags(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)},
		cstypes.Tag{Key: aws.String("team"), Value: aws.String("platform")})
	arn := aws.ToString(describeRecorder(t, cl).Arn)
	tags := func() string {
		t.Helper()
		out, err := cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, tg := range out.Tags {
			parts = append(parts, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(parts, ",")
	}
	if got := tags(); got != "team=platform" {
		t.Fatalf("creation tags = %q", got)
	}
	// Tags apply only at creation: an update with other tags changes nothing.
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)}, cstypes.Tag{Key: aws.String("x"), Value: aws.String("y")})
	if got := tags(); got != "team=platform" {
		t.Fatalf("tags after update = %q", got)
	}
	if _, err := cl.TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(arn), Tags: []cstypes.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("security")}}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); got != "env=prod,team=security" {
		t.Fatalf("tags = %q", got)
	}
	page, err := cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn), Limit: 1})
	if err != nil || len(page.Tags) != 1 || page.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, page)
	}
	page, err = cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn), Limit: 1, NextToken: page.NextToken})
	if err != nil || len(page.Tags) != 1 || aws.ToString(page.Tags[0].Key) != "team" || page.NextToken != nil {
		t.Fatalf("page 2: %v %+v", err, page)
	}
	if _, err := cl.UntagResource(ctx, &configservice.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); got != "env=prod" {
		t.Fatalf("tags after untag = %q", got)
	}
	var many []cstypes.Tag
	for i := range 50 {
		many = append(many, cstypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	_, err = cl.TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(arn), Tags: many})
	e2etest.APIError(t, err, "TooManyTagsException", 400)
	_, err = cl.TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(arn), Tags: []cstypes.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}})
	e2etest.APIError(t, err, "ValidationException", 400)
	_, err = cl.TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(arn), Tags: []cstypes.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}})
	e2etest.APIError(t, err, "ValidationException", 400)

	unknown := "arn:aws:config:us-east-1:111111111111:configuration-recorder/gone/abcdefghijklmnop"
	_, err = cl.TagResource(ctx, &configservice.TagResourceInput{ResourceArn: aws.String(unknown), Tags: []cstypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
	_, err = cl.UntagResource(ctx, &configservice.UntagResourceInput{ResourceArn: aws.String(unknown), TagKeys: []string{"a"}})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
	_, err = cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(unknown)})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
	// Another region does not see the recorder.
	_, err = e2etest.ConfigClient(srv, "eu-west-1").ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)

	// Deleting the recorder forgets its tags.
	if _, err := cl.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
}

func testServiceLinkedRecorders(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	const principal = "securityhub.amazonaws.com"
	put, err := cl.PutServiceLinkedConfigurationRecorder(ctx, &configservice.PutServiceLinkedConfigurationRecorderInput{
		ServicePrincipal: aws.String(principal), Tags: []cstypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	if err != nil {
		t.Fatal(err)
	}
	name := aws.ToString(put.Name)
	if !strings.HasPrefix(name, "AWSConfigurationRecorderFor") || !strings.HasPrefix(aws.ToString(put.Arn), "arn:aws:config:us-east-1:111111111111:configuration-recorder/"+name+"/") {
		t.Fatalf("put = %s %s", name, aws.ToString(put.Arn))
	}
	role, err := iam.NewFromConfig(srv.Config("us-east-1")).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForConfig")})
	if err != nil {
		t.Fatalf("service-linked role not created: %v", err)
	}
	_, err = cl.PutServiceLinkedConfigurationRecorder(ctx, &configservice.PutServiceLinkedConfigurationRecorderInput{ServicePrincipal: aws.String(principal)})
	e2etest.APIError(t, err, "ConflictException", 400)

	// Describe without filters shows only the customer recorder; filters find the linked one.
	out, err := cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(out.ConfigurationRecorders) != 0 {
		t.Fatalf("unfiltered describe: %v %+v", err, out)
	}
	out, err = cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ServicePrincipal: aws.String(principal)})
	if err != nil || len(out.ConfigurationRecorders) != 1 || aws.ToString(out.ConfigurationRecorders[0].RoleARN) != aws.ToString(role.Role.Arn) ||
		out.ConfigurationRecorders[0].RecordingScope != cstypes.RecordingScopeInternal || aws.ToString(out.ConfigurationRecorders[0].ServicePrincipal) != principal {
		t.Fatalf("describe by principal: %v %+v", err, out)
	}
	st, err := cl.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ServicePrincipal: aws.String(principal)})
	if err != nil || len(st.ConfigurationRecordersStatus) != 1 || !st.ConfigurationRecordersStatus[0].Recording {
		t.Fatalf("linked status: %v %+v", err, st)
	}
	_, err = cl.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ServicePrincipal: aws.String("other.amazonaws.com")})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)

	// The linked recorder is not the customer's to change, and does not count as one.
	_, err = cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)})
	e2etest.APIError(t, err, "UnmodifiableEntityException", 400)
	_, err = cl.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)})
	e2etest.APIError(t, err, "UnmodifiableEntityException", 400)
	_, err = cl.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)})
	e2etest.APIError(t, err, "UnmodifiableEntityException", 400)
	_, err = cl.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cstypes.ConfigurationRecorder{
		Name: aws.String(name), RoleARN: aws.String(e2etest.RecorderRole)}})
	e2etest.APIError(t, err, "UnmodifiableEntityException", 400)
	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})

	list, err := cl.ListConfigurationRecorders(ctx, &configservice.ListConfigurationRecordersInput{})
	if err != nil || len(list.ConfigurationRecorderSummaries) != 2 {
		t.Fatalf("list: %v %+v", err, list)
	}
	list, err = cl.ListConfigurationRecorders(ctx, &configservice.ListConfigurationRecordersInput{
		Filters: []cstypes.ConfigurationRecorderFilter{{FilterName: cstypes.ConfigurationRecorderFilterNameRecordingScope, FilterValue: []string{"INTERNAL"}}}})
	if err != nil || len(list.ConfigurationRecorderSummaries) != 1 || aws.ToString(list.ConfigurationRecorderSummaries[0].Name) != name {
		t.Fatalf("filtered list: %v %+v", err, list)
	}
	page, err := cl.ListConfigurationRecorders(ctx, &configservice.ListConfigurationRecordersInput{MaxResults: aws.Int32(1)})
	if err != nil || len(page.ConfigurationRecorderSummaries) != 1 || page.NextToken == nil {
		t.Fatalf("page 1: %v %+v", err, page)
	}
	page2, err := cl.ListConfigurationRecorders(ctx, &configservice.ListConfigurationRecordersInput{MaxResults: aws.Int32(1), NextToken: page.NextToken})
	if err != nil || len(page2.ConfigurationRecorderSummaries) != 1 || page2.NextToken != nil ||
		aws.ToString(page2.ConfigurationRecorderSummaries[0].Name) == aws.ToString(page.ConfigurationRecorderSummaries[0].Name) {
		t.Fatalf("page 2: %v %+v", err, page2)
	}
	tagOut, err := cl.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: put.Arn})
	if err != nil || len(tagOut.Tags) != 1 {
		t.Fatalf("linked recorder tags: %v %+v", err, tagOut)
	}

	del, err := cl.DeleteServiceLinkedConfigurationRecorder(ctx, &configservice.DeleteServiceLinkedConfigurationRecorderInput{ServicePrincipal: aws.String(principal)})
	if err != nil || aws.ToString(del.Arn) != aws.ToString(put.Arn) || aws.ToString(del.Name) != name {
		t.Fatalf("delete: %v %+v", err, del)
	}
	_, err = cl.DeleteServiceLinkedConfigurationRecorder(ctx, &configservice.DeleteServiceLinkedConfigurationRecorderInput{ServicePrincipal: aws.String(principal)})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)
}

func testAssociateResourceTypes(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := e2etest.ConfigClient(srv, "us-east-1")
	_, err := cl.AssociateResourceTypes(ctx, &configservice.AssociateResourceTypesInput{
		ConfigurationRecorderArn: aws.String("arn:aws:config:us-east-1:111111111111:configuration-recorder/default/abcdefghijklmnop"),
		ResourceTypes:            []cstypes.ResourceType{cstypes.ResourceTypeBucket}})
	e2etest.APIError(t, err, "NoSuchConfigurationRecorderException", 400)

	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	arn := describeRecorder(t, cl).Arn
	_, err = cl.AssociateResourceTypes(ctx, &configservice.AssociateResourceTypesInput{ConfigurationRecorderArn: arn,
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}})
	e2etest.APIError(t, err, "ValidationException", 400)

	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole), RecordingGroup: &cstypes.RecordingGroup{
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}}})
	as, err := cl.AssociateResourceTypes(ctx, &configservice.AssociateResourceTypesInput{ConfigurationRecorderArn: arn,
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeInstance, cstypes.ResourceTypeBucket}})
	if err != nil || fmt.Sprint(as.ConfigurationRecorder.RecordingGroup.ResourceTypes) != "[AWS::S3::Bucket AWS::EC2::Instance]" {
		t.Fatalf("associate: %v %+v", err, as)
	}
	dis, err := cl.DisassociateResourceTypes(ctx, &configservice.DisassociateResourceTypesInput{ConfigurationRecorderArn: arn,
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}})
	if err != nil || fmt.Sprint(dis.ConfigurationRecorder.RecordingGroup.ResourceTypes) != "[AWS::EC2::Instance]" {
		t.Fatalf("disassociate: %v %+v", err, dis)
	}
	if got := describeRecorder(t, cl).RecordingGroup.ResourceTypes; fmt.Sprint(got) != "[AWS::EC2::Instance]" {
		t.Fatalf("stored types = %v", got)
	}
	_, err = cl.DisassociateResourceTypes(ctx, &configservice.DisassociateResourceTypesInput{ConfigurationRecorderArn: arn,
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeInstance}})
	e2etest.APIError(t, err, "ValidationException", 400)

	sl, err := cl.PutServiceLinkedConfigurationRecorder(ctx, &configservice.PutServiceLinkedConfigurationRecorderInput{ServicePrincipal: aws.String("securityhub.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.AssociateResourceTypes(ctx, &configservice.AssociateResourceTypesInput{ConfigurationRecorderArn: sl.Arn,
		ResourceTypes: []cstypes.ResourceType{cstypes.ResourceTypeBucket}})
	e2etest.APIError(t, err, "ConflictException", 400)
}

// testRecorderCLIPrintsNothing checks that the aws CLI prints nothing for the recorder and
// channel operations without output, as against AWS. It skips when the CLI is missing, unless
// CI=true.
func testRecorderCLIPrintsNothing(t *testing.T, backend testserver.Option) {
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI not installed")
		}
		t.Skip("aws CLI not installed")
	}
	srv := testserver.Start(t, backend)
	home := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + home + "/no-such-config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/no-such-credentials",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ACCESS_KEY_ID=" + testserver.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + testserver.SecretKey, "AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1"}
	if v, ok := os.LookupEnv("PYENV_ROOT"); ok {
		env = append(env, "PYENV_ROOT="+v)
	}
	for _, args := range [][]string{
		{"put-configuration-recorder", "--configuration-recorder", "name=default,roleARN=" + e2etest.RecorderRole},
		{"put-delivery-channel", "--delivery-channel", "name=default,s3BucketName=config-bucket"},
		{"start-configuration-recorder", "--configuration-recorder-name", "default"},
		{"stop-configuration-recorder", "--configuration-recorder-name", "default"},
	} {
		cmd := exec.CommandContext(context.Background(), awsBin, append(append([]string{"configservice"}, args...), "--endpoint-url", srv.Endpoint)...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws configservice %s: %v: %s%s", args[0], err, out, stderr.String())
		}
		if len(out) != 0 {
			t.Errorf("aws configservice %s printed %q", args[0], out)
		}
	}
}
