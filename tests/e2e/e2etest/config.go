package e2etest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// PutRecorder puts rec with tags through cl and fails the test on an error.
func PutRecorder(t *testing.T, cl *configservice.Client, rec *cstypes.ConfigurationRecorder, tags ...cstypes.Tag) {
	t.Helper()
	if _, err := cl.PutConfigurationRecorder(context.Background(), &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: rec, Tags: tags}); err != nil {
		t.Fatal(err)
	}
}

// WantResults compares evaluation results by resource with the ones expected.
func WantResults(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: results %v, want %v", what, got, want)
	}
}

// GuardPolicy is a CUSTOM_POLICY rule body in Guard for the tests' drone resources.
const GuardPolicy = `rule drone_registered when resourceType == "Acme::Fleet::Drone" {
    configuration.registered == true <<drones must be registered>>
}`

// importAnswer is the HTTP status and body of an import call.
type importAnswer struct {
	Status int
	Body   []byte
}

// DecodeImport decodes the summary of a successful admin import.
func DecodeImport(t *testing.T, a importAnswer) importResult {
	t.Helper()
	if a.Status != http.StatusOK {
		t.Fatalf("import: HTTP %d: %s", a.Status, a.Body)
	}
	var r importResult
	if err := json.Unmarshal(a.Body, &r); err != nil {
		t.Fatalf("import answer %s: %v", a.Body, err)
	}
	return r
}

// SecurityGroup is the configuration of an AWS::EC2::SecurityGroup with the given ingress rules.
func SecurityGroup(id, name string, perms ...map[string]any) map[string]any {
	if perms == nil {
		perms = []map[string]any{}
	}
	return map[string]any{"resourceType": "AWS::EC2::SecurityGroup", "resourceId": id, "resourceName": name,
		"configuration": map[string]any{"groupId": id, "groupName": name, "ipPermissions": perms, "ipPermissionsEgress": []any{}},
		"tags":          map[string]string{"team": "net"}}
}

// AdminImport posts body to the server's import call, signed for AWS Config in region with the
// given credentials, and returns the HTTP status and the answer.
func AdminImport(t *testing.T, srv *testserver.Server, akid, secret, region, query string, body []byte) importAnswer {
	t.Helper()
	ctx := context.Background()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.Endpoint+server.PathImport+query, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, req, hash, "config", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return importAnswer{resp.StatusCode, out}
}

// GuardRule is a CUSTOM_POLICY rule of policy over types, in the given evaluation modes.
func GuardRule(name, policy string, types []string, modes ...cfgtypes.EvaluationMode) cfgtypes.ConfigRule {
	r := cfgtypes.ConfigRule{
		ConfigRuleName: aws.String(name),
		Scope:          &cfgtypes.Scope{ComplianceResourceTypes: types},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
			SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
			CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(policy)}},
	}
	for _, m := range modes {
		r.EvaluationModes = append(r.EvaluationModes, cfgtypes.EvaluationModeConfiguration{Mode: m})
	}
	return r
}

// RecorderRole is the role ARN the tests' recorders use.
const RecorderRole = "arn:aws:iam::111111111111:role/config-recorder"

// ManagedRule is an AWS managed rule (identifier) with its JSON params over types.
func ManagedRule(name, identifier, params string, types ...string) cfgtypes.ConfigRule {
	r := cfgtypes.ConfigRule{
		ConfigRuleName: aws.String(name),
		Source:         &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(identifier)},
	}
	if params != "" {
		r.InputParameters = aws.String(params)
	}
	if len(types) > 0 {
		r.Scope = &cfgtypes.Scope{ComplianceResourceTypes: types}
	}
	return r
}

// Ingress is one ingress permission of a security group's configuration.
func Ingress(proto string, from, to int, cidr string) map[string]any {
	return map[string]any{"ipProtocol": proto, "fromPort": from, "toPort": to, "ipv4Ranges": []map[string]any{{"cidrIp": cidr}}, "ipRanges": []string{cidr}}
}

// importResult is the admin call's answer (docs/admin-api.md).
type importResult struct {
	Files    int `json:"files"`
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"`
	Counts   []struct {
		Account, Region, ResourceType string
		Items                         int
	} `json:"counts"`
	SkipReasons  map[string]int `json:"skipReasons"`
	NotRecording []string       `json:"notRecording"`
}

// PutCustom records a third-party resource through PutResourceConfig.
func PutCustom(t *testing.T, cfg *configservice.Client, typ, id, conf string) error {
	t.Helper()
	_, err := cfg.PutResourceConfig(context.Background(), &configservice.PutResourceConfigInput{
		ResourceType: aws.String(typ), SchemaVersionId: aws.String("00000001"), ResourceId: aws.String(id),
		ResourceName: aws.String("name-" + id), Configuration: aws.String(conf), Tags: map[string]string{"team": "a"},
	})
	return err
}

// ConfigClient is an AWS Config client of srv in region.
func ConfigClient(srv *testserver.Server, region string) *configservice.Client {
	return configservice.NewFromConfig(srv.Config(region))
}
