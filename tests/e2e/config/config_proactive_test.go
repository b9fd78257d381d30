package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigProactive runs the proactive evaluation suite (StartResourceEvaluation against
// Guard and managed rules, summaries, results, listing) on both backends. Evaluations are
// synchronous: no job runs and nothing sleeps.
func TestConfigProactive(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"GuardAndManagedRules", testProactiveRules},
			{"ClientToken", testProactiveClientToken},
			{"ListPagesAndFilters", testProactiveList},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

const bucketVersioningPolicy = `rule bucket_versioning when resourceType == "AWS::S3::Bucket" {
    configuration.VersioningConfiguration.Status == "Enabled" <<bucket versioning must be enabled>>
}`

func withModes(r cfgtypes.ConfigRule, modes ...cfgtypes.EvaluationMode) cfgtypes.ConfigRule {
	for _, m := range modes {
		r.EvaluationModes = append(r.EvaluationModes, cfgtypes.EvaluationModeConfiguration{Mode: m})
	}
	return r
}

func (e *rulesEnv) startEvaluation(typ, id, conf, evalContext string, fns ...func(*configservice.StartResourceEvaluationInput)) (string, error) {
	in := &configservice.StartResourceEvaluationInput{
		EvaluationMode: cfgtypes.EvaluationModeProactive,
		ResourceDetails: &cfgtypes.ResourceDetails{ResourceType: aws.String(typ), ResourceId: aws.String(id), ResourceConfiguration: aws.String(conf),
			ResourceConfigurationSchemaType: cfgtypes.ResourceConfigurationSchemaTypeCfnResourceSchema},
	}
	if evalContext != "" {
		in.EvaluationContext = &cfgtypes.EvaluationContext{EvaluationContextIdentifier: aws.String(evalContext)}
	}
	for _, fn := range fns {
		fn(in)
	}
	out, err := e.cfg.StartResourceEvaluation(e.ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ResourceEvaluationId), nil
}

func (e *rulesEnv) mustStartEvaluation(typ, id, conf, evalContext string) string {
	e.t.Helper()
	id, err := e.startEvaluation(typ, id, conf, evalContext)
	if err != nil || id == "" {
		e.t.Fatalf("StartResourceEvaluation: %q %v", id, err)
	}
	return id
}

func (e *rulesEnv) summary(id string) *configservice.GetResourceEvaluationSummaryOutput {
	e.t.Helper()
	out, err := e.cfg.GetResourceEvaluationSummary(e.ctx, &configservice.GetResourceEvaluationSummaryInput{ResourceEvaluationId: aws.String(id)})
	if err != nil {
		e.t.Fatalf("GetResourceEvaluationSummary %s: %v", id, err)
	}
	return out
}

// proactiveResults returns rule name -> compliance of an evaluation's results, and checks
// that each is marked PROACTIVE with the evaluation's ID.
func (e *rulesEnv) proactiveResults(id string, types ...cfgtypes.ComplianceType) map[string]string {
	e.t.Helper()
	out, err := e.cfg.GetComplianceDetailsByResource(e.ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceEvaluationId: aws.String(id), ComplianceTypes: types})
	if err != nil {
		e.t.Fatalf("GetComplianceDetailsByResource(%s): %v", id, err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		ident := r.EvaluationResultIdentifier
		q := ident.EvaluationResultQualifier
		if q.EvaluationMode != cfgtypes.EvaluationModeProactive || aws.ToString(ident.ResourceEvaluationId) != id || r.ResultRecordedTime == nil {
			e.t.Errorf("proactive result: %+v %+v", ident, q)
		}
		got[aws.ToString(q.ConfigRuleName)] = string(r.ComplianceType)
	}
	return got
}

// testProactiveRules: a Guard rule with DETECTIVE and PROACTIVE modes evaluates compliant and
// noncompliant bucket definitions; detective-only and Lambda rules give no proactive result;
// a managed rule evaluates the configuration as given; the documented errors.
func testProactiveRules(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.mustPutRule(e2etest.GuardRule("bucket-versioning", bucketVersioningPolicy, []string{"AWS::S3::Bucket"}, cfgtypes.EvaluationModeDetective, cfgtypes.EvaluationModeProactive))
	e.mustPutRule(e2etest.GuardRule("bucket-versioning-detective", bucketVersioningPolicy, []string{"AWS::S3::Bucket"}))
	e.mustPutRule(withModes(cfgtypes.ConfigRule{ConfigRuleName: aws.String("bucket-lambda"),
		Scope: &cfgtypes.Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomLambda, SourceIdentifier: aws.String("arn:aws:lambda:us-east-1:111111111111:function:f"),
			SourceDetails: []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}}}},
		cfgtypes.EvaluationModeProactive))
	e.mustPutRule(withModes(e2etest.ManagedRule("encrypted-volumes", "ENCRYPTED_VOLUMES", ""), cfgtypes.EvaluationModeProactive))
	e.run()

	start := e.clk.Now()
	good := e.mustStartEvaluation("AWS::S3::Bucket", "my-bucket", `{"BucketName":"my-bucket","VersioningConfiguration":{"Status":"Enabled"}}`, "stack-1")
	sum := e.summary(good)
	if aws.ToString(sum.ResourceEvaluationId) != good || sum.EvaluationMode != cfgtypes.EvaluationModeProactive ||
		sum.EvaluationStatus == nil || sum.EvaluationStatus.Status != cfgtypes.ResourceEvaluationStatusSucceeded ||
		sum.Compliance != cfgtypes.ComplianceTypeCompliant || sum.EvaluationStartTimestamp == nil || !sum.EvaluationStartTimestamp.Equal(start) ||
		sum.EvaluationContext == nil || aws.ToString(sum.EvaluationContext.EvaluationContextIdentifier) != "stack-1" {
		t.Errorf("summary of the compliant bucket: %+v", sum)
	}
	if d := sum.ResourceDetails; d == nil || aws.ToString(d.ResourceId) != "my-bucket" || aws.ToString(d.ResourceType) != "AWS::S3::Bucket" ||
		d.ResourceConfigurationSchemaType != cfgtypes.ResourceConfigurationSchemaTypeCfnResourceSchema || !strings.Contains(aws.ToString(d.ResourceConfiguration), "Enabled") {
		t.Errorf("resource details: %+v", d)
	}
	e2etest.WantResults(t, "compliant bucket", e.proactiveResults(good), map[string]string{"bucket-versioning": "COMPLIANT"})

	bad := e.mustStartEvaluation("AWS::S3::Bucket", "other-bucket", `{"BucketName":"other-bucket","VersioningConfiguration":{"Status":"Suspended"}}`, "")
	if sum := e.summary(bad); sum.Compliance != cfgtypes.ComplianceTypeNonCompliant || sum.EvaluationContext != nil {
		t.Errorf("summary of the noncompliant bucket: %+v", sum)
	}
	e2etest.WantResults(t, "noncompliant bucket", e.proactiveResults(bad), map[string]string{"bucket-versioning": "NON_COMPLIANT"})
	det, err := e.cfg.GetComplianceDetailsByResource(e.ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceEvaluationId: aws.String(bad)})
	if err != nil || len(det.EvaluationResults) != 1 || !strings.Contains(aws.ToString(det.EvaluationResults[0].Annotation), "versioning") ||
		aws.ToString(det.EvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId) != "other-bucket" ||
		aws.ToString(det.EvaluationResults[0].EvaluationResultIdentifier.EvaluationResultQualifier.ResourceType) != "AWS::S3::Bucket" {
		t.Errorf("details of the noncompliant bucket: %v %+v", err, det)
	}
	e2etest.WantResults(t, "filtered to COMPLIANT", e.proactiveResults(bad, cfgtypes.ComplianceTypeCompliant), map[string]string{})

	// Proactive evaluations leave the detective results alone.
	e2etest.WantResults(t, "detective results", e.results("bucket-versioning"), map[string]string{})

	// A managed rule evaluates the configuration as given: Config's lowerCamel properties are
	// evaluated; the CloudFormation ones are not mapped (an attached volume is not recognized).
	vol := e.mustStartEvaluation("AWS::EC2::Volume", "vol-new", `{"encrypted":false,"attachments":[{"instanceId":"i-1","state":"attached"}]}`, "")
	e2etest.WantResults(t, "volume (Config shape)", e.proactiveResults(vol), map[string]string{"encrypted-volumes": "NON_COMPLIANT"})
	cfn := e.mustStartEvaluation("AWS::EC2::Volume", "vol-cfn", `{"Encrypted":true,"Size":8,"AvailabilityZone":"us-east-1a"}`, "")
	e2etest.WantResults(t, "volume (CloudFormation shape)", e.proactiveResults(cfn), map[string]string{"encrypted-volumes": "NOT_APPLICABLE"})
	if sum := e.summary(cfn); sum.Compliance != cfgtypes.ComplianceTypeNotApplicable {
		t.Errorf("summary of a not applicable evaluation: %s", sum.Compliance)
	}

	// A type no proactive rule covers has no results.
	topic := e.mustStartEvaluation("AWS::SNS::Topic", "t", `{"TopicName":"t"}`, "")
	if sum := e.summary(topic); sum.Compliance != cfgtypes.ComplianceTypeInsufficientData {
		t.Errorf("summary without results: %s", sum.Compliance)
	}
	e2etest.WantResults(t, "topic", e.proactiveResults(topic), map[string]string{})

	// Errors.
	_, err = e.startEvaluation("AWS::S3::Bucket", "b", `{}`, "", func(in *configservice.StartResourceEvaluationInput) {
		in.EvaluationMode = cfgtypes.EvaluationModeDetective
	})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.startEvaluation("AWS::S3::Bucket", "b", `BucketName: b`, "")
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.startEvaluation("AWS::S3::Bucket", "b", `{}`, "", func(in *configservice.StartResourceEvaluationInput) { in.EvaluationTimeout = 3601 })
	e2etest.APIError(t, err, "ValidationException", 400)
	if _, err := e.startEvaluation("AWS::S3::Bucket", "b", `{}`, "", func(in *configservice.StartResourceEvaluationInput) { in.EvaluationTimeout = 3600 }); err != nil {
		t.Errorf("EvaluationTimeout 3600: %v", err)
	}
	_, err = e.cfg.GetResourceEvaluationSummary(e.ctx, &configservice.GetResourceEvaluationSummaryInput{ResourceEvaluationId: aws.String("no-such-evaluation")})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
	// GetComplianceDetailsByResource's model lists only InvalidParameterValueException.
	_, err = e.cfg.GetComplianceDetailsByResource(e.ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceEvaluationId: aws.String("no-such-evaluation")})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.cfg.GetComplianceDetailsByResource(e.ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceEvaluationId: aws.String(good),
		ResourceType: aws.String("AWS::S3::Bucket"), ResourceId: aws.String("my-bucket")})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	// Evaluations belong to their region.
	west := configservice.NewFromConfig(e.srv.Config("us-west-2"))
	_, err = west.GetResourceEvaluationSummary(e.ctx, &configservice.GetResourceEvaluationSummaryInput{ResourceEvaluationId: aws.String(good)})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
}

// testProactiveClientToken: a ClientToken repeated with the same parameters returns the same
// evaluation; with other parameters it is IdempotentParameterMismatch.
func testProactiveClientToken(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.mustPutRule(e2etest.GuardRule("bucket-versioning", bucketVersioningPolicy, []string{"AWS::S3::Bucket"}, cfgtypes.EvaluationModeProactive))
	token := strings.Repeat("t", 64)
	withToken := func(tok string) func(*configservice.StartResourceEvaluationInput) {
		return func(in *configservice.StartResourceEvaluationInput) { in.ClientToken = aws.String(tok) }
	}
	conf := `{"VersioningConfiguration":{"Status":"Enabled"}}`
	first, err := e.startEvaluation("AWS::S3::Bucket", "b", conf, "stack", withToken(token))
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	again, err := e.startEvaluation("AWS::S3::Bucket", "b", conf, "stack", withToken(token))
	if err != nil || again != first {
		t.Errorf("the same token and parameters: %q %v, want %q", again, err, first)
	}
	_, err = e.startEvaluation("AWS::S3::Bucket", "b", `{"VersioningConfiguration":{"Status":"Suspended"}}`, "stack", withToken(token))
	e2etest.APIError(t, err, "IdempotentParameterMismatch", 400)
	other, err := e.startEvaluation("AWS::S3::Bucket", "b", conf, "stack", withToken(strings.Repeat("u", 64)))
	if err != nil || other == first {
		t.Errorf("another token: %q %v", other, err)
	}
	_, err = e.startEvaluation("AWS::S3::Bucket", "b", conf, "stack", withToken("short"))
	e2etest.APIError(t, err, "ValidationException", 400)
	list, err := e.cfg.ListResourceEvaluations(e.ctx, &configservice.ListResourceEvaluationsInput{})
	if err != nil || len(list.ResourceEvaluations) != 2 {
		t.Errorf("ListResourceEvaluations after a repeated token: %v %+v", err, list)
	}
}

// testProactiveList: ListResourceEvaluations pages newest first and ends; the context and
// time window filters; the documented errors.
func testProactiveList(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	base := e.clk.Now()
	var ids []string // oldest first
	for i := range 12 {
		ctxID := ""
		if i%3 == 0 {
			ctxID = "stack-a"
		}
		ids = append(ids, e.mustStartEvaluation("AWS::S3::Bucket", fmt.Sprintf("b%02d", i), `{}`, ctxID))
		e.clk.Advance(time.Minute)
	}
	list := func(limit int32, f *cfgtypes.ResourceEvaluationFilters) []string {
		t.Helper()
		var got []string
		p := configservice.NewListResourceEvaluationsPaginator(e.cfg, &configservice.ListResourceEvaluationsInput{Limit: limit, Filters: f})
		for pages := 0; p.HasMorePages(); pages++ {
			if pages > 20 {
				t.Fatalf("ListResourceEvaluations does not end")
			}
			page, err := p.NextPage(e.ctx)
			if err != nil {
				t.Fatalf("ListResourceEvaluations: %v", err)
			}
			want := limit
			if want == 0 {
				want = 10
			}
			if len(page.ResourceEvaluations) > int(want) {
				t.Errorf("page of %d evaluations, limit %d", len(page.ResourceEvaluations), want)
			}
			for _, r := range page.ResourceEvaluations {
				if r.EvaluationMode != cfgtypes.EvaluationModeProactive || r.EvaluationStartTimestamp == nil {
					t.Errorf("listed evaluation: %+v", r)
				}
				got = append(got, aws.ToString(r.ResourceEvaluationId))
			}
		}
		return got
	}
	newestFirst := func(idx ...int) string {
		var out []string
		for i := len(idx) - 1; i >= 0; i-- {
			out = append(out, ids[idx[i]])
		}
		return fmt.Sprint(out)
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	if got := list(5, nil); fmt.Sprint(got) != newestFirst(all...) {
		t.Errorf("all evaluations, 5 per page: %v", got)
	}
	if got := list(0, nil); fmt.Sprint(got) != newestFirst(all...) {
		t.Errorf("all evaluations, default page: %v", got)
	}
	if got := list(2, &cfgtypes.ResourceEvaluationFilters{EvaluationContextIdentifier: aws.String("stack-a")}); fmt.Sprint(got) != newestFirst(0, 3, 6, 9) {
		t.Errorf("context stack-a: %v", got)
	}
	window := &cfgtypes.ResourceEvaluationFilters{EvaluationMode: cfgtypes.EvaluationModeProactive,
		TimeWindow: &cfgtypes.TimeWindow{StartTime: aws.Time(base.Add(3 * time.Minute)), EndTime: aws.Time(base.Add(6 * time.Minute))}}
	if got := list(3, window); fmt.Sprint(got) != newestFirst(3, 4, 5, 6) {
		t.Errorf("time window [3m, 6m]: %v", got)
	}
	window.EvaluationContextIdentifier = aws.String("stack-a")
	if got := list(1, window); fmt.Sprint(got) != newestFirst(3, 6) {
		t.Errorf("time window and context: %v", got)
	}
	if got := list(0, &cfgtypes.ResourceEvaluationFilters{TimeWindow: &cfgtypes.TimeWindow{StartTime: aws.Time(base.Add(10 * time.Minute))}}); fmt.Sprint(got) != newestFirst(10, 11) {
		t.Errorf("since 10m: %v", got)
	}

	_, err := e.cfg.ListResourceEvaluations(e.ctx, &configservice.ListResourceEvaluationsInput{Filters: &cfgtypes.ResourceEvaluationFilters{
		TimeWindow: &cfgtypes.TimeWindow{StartTime: aws.Time(base.Add(time.Hour)), EndTime: aws.Time(base)}}})
	e2etest.APIError(t, err, "InvalidTimeRangeException", 400)
	_, err = e.cfg.ListResourceEvaluations(e.ctx, &configservice.ListResourceEvaluationsInput{Filters: &cfgtypes.ResourceEvaluationFilters{EvaluationMode: cfgtypes.EvaluationModeDetective}})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.cfg.ListResourceEvaluations(e.ctx, &configservice.ListResourceEvaluationsInput{NextToken: aws.String("garbage")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)
	_, err = e.cfg.ListResourceEvaluations(e.ctx, &configservice.ListResourceEvaluationsInput{Limit: 101})
	e2etest.APIError(t, err, "ValidationException", 400)
}
