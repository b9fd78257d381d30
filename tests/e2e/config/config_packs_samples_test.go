package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConformancePackAWSSamples deploys AWS's published sample conformance packs
// (internal/cfntemplate/testdata) through PutConformancePack: every one reaches CREATE_COMPLETE
// with all its rules, managed, process-check and Guard alike.
func TestConformancePackAWSSamples(t *testing.T) {
	files, err := filepath.Glob("../../../internal/cfntemplate/testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample templates: %v", err)
	}
	e := newRulesEnv(t, testserver.WithDataDir(t.TempDir()))
	startRecording(t, e.cfg)
	// Parameters the samples declare without a default.
	params := map[string]string{"S3TargetBucketNameForEnableLogging": "access-logs"}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(f), ".yaml"), ".", "-")
		var in []cfgtypes.ConformancePackInputParameter
		for k, v := range params {
			if strings.Contains(string(body), "\n  "+k+":") {
				in = append(in, cfgtypes.ConformancePackInputParameter{ParameterName: aws.String(k), ParameterValue: aws.String(v)})
			}
		}
		if _, err := e.cfg.PutConformancePack(e.ctx, &configservice.PutConformancePackInput{
			ConformancePackName: aws.String(name), TemplateBody: aws.String(string(body)), ConformancePackInputParameters: in}); err != nil {
			t.Errorf("%s: PutConformancePack: %v", name, err)
			continue
		}
		e.run()
		st, err := e.cfg.DescribeConformancePackStatus(e.ctx, &configservice.DescribeConformancePackStatusInput{ConformancePackNames: []string{name}})
		if err != nil || len(st.ConformancePackStatusDetails) != 1 {
			t.Fatalf("%s: DescribeConformancePackStatus: %v", name, err)
		}
		if d := st.ConformancePackStatusDetails[0]; d.ConformancePackState != cfgtypes.ConformancePackStateCreateComplete {
			t.Errorf("%s: %s: %s", name, d.ConformancePackState, aws.ToString(d.ConformancePackStatusReason))
		}
	}
}
