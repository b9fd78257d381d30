package api_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

type service struct {
	model    string
	svc      *awsproto.Service
	handlers map[string]awsproto.Handler
	protocol awsproto.Protocol
}

var services = []service{
	{"config", configapi.Service, configapi.Handlers(configapi.Unimplemented{}), awsproto.JSON},
	{"organizations", organizationsapi.Service, organizationsapi.Handlers(organizationsapi.Unimplemented{}), awsproto.JSON},
	{"iam", iamapi.Service, iamapi.Handlers(iamapi.Unimplemented{}), awsproto.Query},
	{"sts", stsapi.Service, stsapi.Handlers(stsapi.Unimplemented{}), awsproto.Query},
}

// modelOps returns the operation and shape names of models/<name>.json.
func modelOps(t *testing.T, name string) (ops, shapes []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("models", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Operations map[string]json.RawMessage
		Shapes     map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for op := range m.Operations {
		ops = append(ops, op)
	}
	for s := range m.Shapes {
		shapes = append(shapes, s)
	}
	slices.Sort(ops)
	slices.Sort(shapes)
	return ops, shapes
}

func TestServicesCoverTheModels(t *testing.T) {
	for _, s := range services {
		t.Run(s.model, func(t *testing.T) {
			if s.svc.Name != s.model || s.svc.Protocol != s.protocol {
				t.Errorf("Service: name %q protocol %v", s.svc.Name, s.svc.Protocol)
			}
			ops, shapes := modelOps(t, s.model)
			if len(s.svc.Operations) != len(ops) || len(s.handlers) != len(ops) {
				t.Errorf("model has %d operations, Service %d, Handlers %d", len(ops), len(s.svc.Operations), len(s.handlers))
			}
			if len(s.svc.Shapes) != len(shapes) {
				t.Errorf("model has %d shapes, Service %d", len(shapes), len(s.svc.Shapes))
			}
			for _, name := range ops {
				op := s.svc.Operations[name]
				if op == nil || op.Name != name {
					t.Errorf("operation %s missing from Service", name)
					continue
				}
				h := s.handlers[name]
				if h == nil {
					t.Errorf("operation %s missing from Handlers", name)
					continue
				}
				for _, body := range [][]byte{nil, []byte("{}")} {
					out, err := h(context.Background(), body)
					e := awsproto.AsError(err)
					if out != nil || e == nil || e.Code != "NotImplementedException" {
						t.Errorf("%s(%q) = %v, %v; want NotImplementedException", name, body, out, err)
					}
				}
				refs := append([]string{op.Input, op.Output}, op.Errors...)
				for _, r := range refs {
					if r != "" && s.svc.Shapes[r] == nil {
						t.Errorf("operation %s refers to unknown shape %s", name, r)
					}
				}
			}
			for _, name := range shapes {
				sh := s.svc.Shapes[name]
				if sh == nil || sh.Name != name {
					t.Errorf("shape %s missing from Service", name)
					continue
				}
				for _, m := range sh.Members {
					if s.svc.Shapes[m.Shape] == nil {
						t.Errorf("%s.%s refers to unknown shape %s", name, m.Name, m.Shape)
					}
				}
				if sh.Pattern != "" {
					if _, err := regexp.Compile("^(?:" + sh.Pattern + ")$"); err != nil {
						t.Errorf("%s: pattern %q: %v", name, sh.Pattern, err)
					}
				}
			}
		})
	}
}

func member(t *testing.T, svc *awsproto.Service, structure, name string) *awsproto.Shape {
	t.Helper()
	s := svc.Shapes[structure]
	if s == nil {
		t.Fatalf("no shape %s", structure)
	}
	for _, m := range s.Members {
		if m.Name == name {
			return svc.Shapes[m.Shape]
		}
	}
	t.Fatalf("%s has no member %s", structure, name)
	return nil
}

func TestKnownConstraints(t *testing.T) {
	if r := configapi.Service.Shapes["PutConfigurationAggregatorRequest"].Required; !slices.Contains(r, "ConfigurationAggregatorName") {
		t.Errorf("PutConfigurationAggregatorRequest.Required = %v", r)
	}
	if op := configapi.Service.Operations["PutConfigurationAggregator"]; op.Input != "PutConfigurationAggregatorRequest" ||
		op.Output != "PutConfigurationAggregatorResponse" || !slices.Contains(op.Errors, "InvalidParameterValueException") {
		t.Errorf("PutConfigurationAggregator = %+v", op)
	}
	if e := member(t, organizationsapi.Service, "CreateAccountRequest", "Email"); !e.HasMin || e.Min != 6 || !e.HasMax || e.Max != 64 {
		t.Errorf("CreateAccountRequest.Email = %+v", e)
	}
	if e := iamapi.Service.Shapes["NoSuchEntityException"]; !e.Exception || e.Code != "NoSuchEntity" || e.Status != 404 || !e.SenderFault {
		t.Errorf("NoSuchEntityException = %+v", e)
	}
	if d := member(t, stsapi.Service, "AssumeRoleRequest", "DurationSeconds"); d.Type != awsproto.TypeInteger || !d.HasMin || d.Min != 900 {
		t.Errorf("AssumeRoleRequest.DurationSeconds = %+v", d)
	}
	if op := stsapi.Service.Operations["AssumeRole"]; op.ResultWrapper != "AssumeRoleResult" {
		t.Errorf("AssumeRole.ResultWrapper = %q", op.ResultWrapper)
	}
	if stsapi.Service.XMLNamespace != "https://sts.amazonaws.com/doc/2011-06-15/" || configapi.Service.TargetPrefix != "StarlingDoveService" {
		t.Errorf("metadata: %q %q", stsapi.Service.XMLNamespace, configapi.Service.TargetPrefix)
	}
	rt := configapi.Service.Shapes["ResourceType"]
	if !slices.Contains(rt.Enum, string(configapi.ResourceTypeAwsEc2Instance)) || len(rt.Enum) != len(configapi.ResourceTypeValues()) {
		t.Errorf("ResourceType enum: %d values, ResourceTypeValues %d", len(rt.Enum), len(configapi.ResourceTypeValues()))
	}
	if configapi.ConfigurationItemStatusOk != "OK" {
		t.Errorf("ConfigurationItemStatusOk = %q", configapi.ConfigurationItemStatusOk)
	}
	// A \uXXXX escape of the model is translated to RE2 syntax.
	if p := iamapi.Service.Shapes["policyDocumentType"].Pattern; !strings.Contains(p, `\x{0009}`) || strings.Contains(p, `\u`) {
		t.Errorf("policyDocumentType pattern = %q", p)
	}
	// A pattern RE2 cannot express (a lookahead) is left out.
	if p := iamapi.Service.Shapes["accountAliasType"].Pattern; p != "" {
		t.Errorf("accountAliasType pattern = %q, want none", p)
	}
}

func TestErrorConstructors(t *testing.T) {
	e := iamapi.ErrNoSuchEntity("The role with name %s cannot be found.", "r1")
	if e.Code != "NoSuchEntity" || e.QueryCode != "NoSuchEntity" || e.Status != 404 || !e.Sender ||
		e.Message != "The role with name r1 cannot be found." {
		t.Errorf("ErrNoSuchEntity = %+v", e)
	}
	if code, status := e.For(awsproto.Query); code != "NoSuchEntity" || status != 404 {
		t.Errorf("ErrNoSuchEntity on Query = %s %d", code, status)
	}
	e = configapi.ErrNoSuchConfigurationAggregator("100%% gone") // printf semantics, as go vet assumes
	if e.Code != "NoSuchConfigurationAggregatorException" || e.QueryCode != "" || e.Status != 400 || !e.Sender || e.Message != "100% gone" {
		t.Errorf("ErrNoSuchConfigurationAggregator = %+v", e)
	}
	if e := organizationsapi.ErrAWSOrganizationsNotInUse("x"); e.Code != "AWSOrganizationsNotInUseException" {
		t.Errorf("ErrAWSOrganizationsNotInUse = %+v", e)
	}
	if e := organizationsapi.ErrService("x"); e.Status != 500 || e.Sender {
		t.Errorf("ErrService = %+v", e)
	}
	if e := iamapi.ErrServiceFailure("x"); e.Code != "ServiceFailure" || e.Status != 500 || e.Sender {
		t.Errorf("ErrServiceFailure = %+v", e)
	}
	if e := stsapi.ErrExpiredToken("x"); e.QueryCode == "" || e.Status != 400 || !e.Sender {
		t.Errorf("ErrExpiredToken = %+v", e)
	}
}

// fakeSTS and fakeIAM return nothing at all, or a typed nil error.
type fakeSTS struct{ stsapi.Unimplemented }

func (fakeSTS) GetCallerIdentity(context.Context, *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	var e *awsproto.Error
	return nil, e
}

type fakeIAM struct{ iamapi.Unimplemented }

func (fakeIAM) DeleteAccountPasswordPolicy(context.Context) error { return nil }

type fakeConfig struct {
	configapi.Unimplemented
	got *configapi.DescribeConfigurationAggregatorsRequest
}

func (f *fakeConfig) DescribeConfigurationAggregators(_ context.Context, in *configapi.DescribeConfigurationAggregatorsRequest) (*configapi.DescribeConfigurationAggregatorsResponse, error) {
	f.got = in
	return &configapi.DescribeConfigurationAggregatorsResponse{
		ConfigurationAggregators: []configapi.ConfigurationAggregator{{
			ConfigurationAggregatorName: in.ConfigurationAggregatorNames[0],
			CreationTime:                awsproto.NewTime(time.Unix(1517942461, 442e6)),
		}},
	}, nil
}

func TestHandlers(t *testing.T) {
	ctx := context.Background()
	out, err := stsapi.Handlers(fakeSTS{})["GetCallerIdentity"](ctx, nil)
	if r, ok := out.(*stsapi.GetCallerIdentityResponse); err != nil || !ok || r == nil {
		t.Errorf("GetCallerIdentity = %#v, %v; want an empty response", out, err)
	}
	out, err = iamapi.Handlers(fakeIAM{})["DeleteAccountPasswordPolicy"](ctx, []byte("{}"))
	if out != nil || err != nil {
		t.Errorf("DeleteAccountPasswordPolicy = %#v, %v", out, err)
	}

	f := &fakeConfig{}
	h := configapi.Handlers(f)["DescribeConfigurationAggregators"]
	out, err = h(ctx, []byte(`{"ConfigurationAggregatorNames":["a1"],"Limit":5}`))
	if err != nil || f.got.Limit == nil || *f.got.Limit != 5 {
		t.Fatalf("DescribeConfigurationAggregators = %v, %v (input %+v)", out, err, f.got)
	}
	b, err := json.Marshal(out)
	if want := `{"ConfigurationAggregators":[{"ConfigurationAggregatorName":"a1","CreationTime":1517942461.442}]}`; err != nil || string(b) != want {
		t.Errorf("output JSON = %s, %v; want %s", b, err, want)
	}

	for body, want := range map[string]string{
		`{"Limit":`:             "Invalid JSON",
		`[1]`:                   "must be a JSON object",
		`{"Limit":"five"}`:      "member Limit",
		`{"Limit":1.5}`:         "member Limit",
		`{"Limit":99999999999}`: "member Limit",
	} {
		_, err := h(ctx, []byte(body))
		e := awsproto.AsError(err)
		if e == nil || e.Code != "SerializationException" || !strings.Contains(e.Message, want) ||
			strings.Contains(e.Message, "int32") || strings.Contains(e.Message, "configapi") || strings.Contains(e.Message, "Go ") {
			t.Errorf("body %s: error %v; want a SerializationException mentioning %q", body, err, want)
		}
	}
}
