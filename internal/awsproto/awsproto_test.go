package awsproto_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

func op(svc *awsproto.Service, name string) *awsproto.Operation { return svc.Operations[name] }

func TestValidateJSON(t *testing.T) {
	cases := []struct {
		svc        *awsproto.Service
		op, body   string
		code, want string
	}{
		{configapi.Service, "PutConfigurationAggregator", `{}`, "ValidationException",
			"1 validation error detected: Value null at 'configurationAggregatorName' failed to satisfy constraint: Member must not be null"},
		{configapi.Service, "DeleteConfigurationAggregator", `{"ConfigurationAggregatorName":""}`, "ValidationException",
			"Member must have length greater than or equal to 1"},
		{configapi.Service, "DescribeConfigRules", `{"ConfigRuleNames":"x"}`, "SerializationException", "Expected an array"},
		{configapi.Service, "DescribeConfigRules", `{`, "SerializationException", "Invalid JSON"},
		{configapi.Service, "DescribeConfigRules", `[]`, "SerializationException", "JSON object"},
		{configapi.Service, "GetDiscoveredResourceCounts", `{"limit":1001}`, "ValidationException", "less than or equal to 100"},
		{configapi.Service, "ListDiscoveredResources", `{"resourceType":"AWS::Nope::Nope"}`, "ValidationException", "enum value set"},
		{configapi.Service, "ListDiscoveredResources", `{"resourceType":"AWS::EC2::Instance","limit":1.5}`, "SerializationException", "integer"},
		{organizationsapi.Service, "CreateAccount", `{"AccountName":"a","Email":"x"}`, "InvalidInputException", "email"},
	}
	for _, c := range cases {
		err := awsproto.ValidateJSON(c.svc, op(c.svc, c.op), []byte(c.body))
		e := awsproto.AsError(err)
		if e == nil {
			t.Errorf("%s %s: no error", c.op, c.body)
			continue
		}
		if e.Code != c.code || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s %s: got %s %q, want %s containing %q", c.op, c.body, e.Code, e.Message, c.code, c.want)
		}
	}
	if err := awsproto.ValidateJSON(configapi.Service, op(configapi.Service, "DescribeConfigRules"), nil); err != nil {
		t.Errorf("empty body: %v", err)
	}
	e := awsproto.AsError(awsproto.ValidateJSON(organizationsapi.Service, op(organizationsapi.Service, "CreateAccount"), []byte(`{"AccountName":"a"}`)))
	if e == nil || e.Fields["Reason"] != "INPUT_REQUIRED" {
		t.Errorf("organizations missing member: %+v", e)
	}
}

func TestDecodeQuery(t *testing.T) {
	form := url.Values{
		"Action":                   {"CreateRole"},
		"RoleName":                 {"r1"},
		"AssumeRolePolicyDocument": {`{"Version":"2012-10-17"}`},
		"MaxSessionDuration":       {"7200"},
		"Tags.member.1.Key":        {"k1"},
		"Tags.member.1.Value":      {"v1"},
		"Tags.member.2.Key":        {"k2"},
		"Tags.member.2.Value":      {"v2"},
	}
	body, err := awsproto.DecodeQuery(iamapi.Service, op(iamapi.Service, "CreateRole"), form)
	if err != nil {
		t.Fatal(err)
	}
	var in iamapi.CreateRoleRequest
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	if in.RoleName != "r1" || *in.MaxSessionDuration != 7200 || len(in.Tags) != 2 || in.Tags[1].Value != "v2" {
		t.Errorf("decoded %+v", in)
	}

	_, err = awsproto.DecodeQuery(iamapi.Service, op(iamapi.Service, "CreateRole"), url.Values{"RoleName": {"r"}})
	if e := awsproto.AsError(err); e == nil || e.QueryCode != "ValidationError" || !strings.Contains(e.Message, "assumeRolePolicyDocument") {
		t.Errorf("missing required: %v", err)
	}
	_, err = awsproto.DecodeQuery(stsapi.Service, op(stsapi.Service, "AssumeRole"), url.Values{"RoleArn": {"arn:aws:iam::111111111111:role/x"}, "RoleSessionName": {"s"}, "DurationSeconds": {"abc"}})
	if e := awsproto.AsError(err); e == nil {
		t.Errorf("bad integer accepted")
	}
	// An empty list is sent as a bare key.
	body, err = awsproto.DecodeQuery(iamapi.Service, op(iamapi.Service, "TagRole"), url.Values{"RoleName": {"r"}, "Tags": {""}})
	if err != nil || string(body) != `{"RoleName":"r","Tags":[]}` {
		t.Errorf("empty list: %s %v", body, err)
	}
}

func TestWriteQueryXML(t *testing.T) {
	rec := httptest.NewRecorder()
	out := &iamapi.ListRolesResponse{Roles: []iamapi.Role{{RoleName: "a", Arn: "arn:aws:iam::1:role/a", Path: "/", RoleId: "AROA1",
		CreateDate: awsproto.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), Tags: []iamapi.Tag{{Key: "k<", Value: "v&"}}}}}
	f := false
	out.IsTruncated = &f
	if err := awsproto.WriteQuery(rec, iamapi.Service, op(iamapi.Service, "ListRoles"), "req-1", out); err != nil {
		t.Fatal(err)
	}
	got := rec.Body.String()
	for _, want := range []string{
		`<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles><member>`,
		`<CreateDate>2026-01-02T03:04:05Z</CreateDate>`,
		`<Tags><member><Key>k&lt;</Key><Value>v&amp;</Value></member></Tags>`,
		`<IsTruncated>false</IsTruncated>`,
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListRolesResponse>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("XML lacks %s:\n%s", want, got)
		}
	}
}

func TestWriteError(t *testing.T) {
	rec := httptest.NewRecorder()
	e := organizationsapi.ErrConstraintViolation("no access").With("Reason", "SERVICE_ACCESS_NOT_ENABLED")
	_ = awsproto.WriteError(rec, awsproto.JSON, "Message", "", "id", e)
	if rec.Code != 400 || rec.Header().Get("x-amzn-ErrorType") != "ConstraintViolationException" {
		t.Errorf("status %d header %q", rec.Code, rec.Header().Get("x-amzn-ErrorType"))
	}
	var m map[string]string
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	if m["__type"] != "ConstraintViolationException" || m["Message"] != "no access" || m["Reason"] != "SERVICE_ACCESS_NOT_ENABLED" {
		t.Errorf("body %v", m)
	}
	rec = httptest.NewRecorder()
	_ = awsproto.WriteError(rec, awsproto.Query, "", iamapi.Service.XMLNamespace, "id", iamapi.ErrNoSuchEntity("The role with name x cannot be found."))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message>") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestTimeJSON(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1517942461, 442e6), "1517942461.442"},
		{time.Unix(1517942461, 0), "1517942461"},
		{time.Unix(1517942461, 400e6), "1517942461.4"},
	} {
		b, _ := awsproto.NewTime(c.t).MarshalJSON()
		if string(b) != c.want {
			t.Errorf("%v: %s, want %s", c.t, b, c.want)
		}
		var back awsproto.Time
		if err := back.UnmarshalJSON(b); err != nil || !back.Equal(c.t) {
			t.Errorf("round trip %s: %v %v", b, back, err)
		}
	}
	var v awsproto.Time
	if err := v.UnmarshalJSON([]byte("1.631121728678E9")); err != nil || v.UnixMilli() != 1631121728678 {
		t.Errorf("exponent form: %v %v", v, err)
	}
}

func TestErrorAllowed(t *testing.T) {
	s := &awsproto.Service{
		Operations: map[string]*awsproto.Operation{"GetThing": {Name: "GetThing", Errors: []string{"NoSuchThingException", "ThingLimitExceededException"}}},
		Shapes:     map[string]*awsproto.Shape{"ThingLimitExceededException": {Exception: true, Code: "LimitExceeded"}},
	}
	for _, c := range []struct {
		op, code string
		want     bool
	}{
		{"GetThing", "NoSuchThingException", true},
		{"GetThing", "LimitExceeded", true},            // the shape's wire code
		{"GetThing", "ThrottlingException", true},      // common
		{"GetThing", "OtherThingException", false},     // not in the model
		{"DeleteThing", "NoSuchThingException", false}, // unknown operation
		{"DeleteThing", "AccessDeniedException", true}, // common everywhere
	} {
		if got := s.ErrorAllowed(c.op, c.code); got != c.want {
			t.Errorf("ErrorAllowed(%s, %s) = %v, want %v", c.op, c.code, got, c.want)
		}
	}
}

// TestDecodeQueryMalformedLists: a list whose members are not numbered 1 to n is refused with
// ValidationError instead of losing members in silence.
func TestDecodeQueryMalformedLists(t *testing.T) {
	base := func(extra url.Values) url.Values {
		f := url.Values{"RoleName": {"r"}}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	for name, form := range map[string]url.Values{
		"starts at 2":  base(url.Values{"Tags.member.2.Key": {"k"}, "Tags.member.2.Value": {"v"}}),
		"a gap":        base(url.Values{"Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}, "Tags.member.3.Key": {"k3"}, "Tags.member.3.Value": {"v3"}}),
		"huge index":   base(url.Values{"Tags.member.999999999.Key": {"k"}, "Tags.member.999999999.Value": {"v"}}),
		"index 0":      base(url.Values{"Tags.member.0.Key": {"k"}, "Tags.member.0.Value": {"v"}}),
		"not a number": base(url.Values{"Tags.member.x.Key": {"k"}, "Tags.member.x.Value": {"v"}}),
		"leading zero": base(url.Values{"Tags.member.01.Key": {"k"}, "Tags.member.01.Value": {"v"}}),
	} {
		_, err := awsproto.DecodeQuery(iamapi.Service, op(iamapi.Service, "TagRole"), form)
		if e := awsproto.AsError(err); e == nil || e.QueryCode != "ValidationError" {
			t.Errorf("%s: %v, want ValidationError", name, err)
		}
	}
	body, err := awsproto.DecodeQuery(iamapi.Service, op(iamapi.Service, "TagRole"), base(url.Values{
		"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"}, "Tags.member.2.Key": {"b"}, "Tags.member.2.Value": {"2"}}))
	if err != nil || string(body) != `{"RoleName":"r","Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]}` {
		t.Errorf("a well-formed list: %s %v", body, err)
	}
}

// TestQueryErrorsParse: an error message that repeats a client's control characters or invalid
// UTF-8 still renders as XML a parser reads.
func TestQueryErrorsParse(t *testing.T) {
	for _, bad := range []string{"\x00", "a\x01b", "\xff\xfe", "\uffff", "ok"} {
		rec := httptest.NewRecorder()
		e := awsproto.ErrValidation("Value '%s' at 'userName' failed to satisfy constraint", bad)
		if err := awsproto.WriteError(rec, awsproto.Query, "Message", "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", e); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Error struct{ Code, Message string }
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Error.Code != "ValidationError" {
			t.Errorf("%q: the XML does not parse: %v\n%s", bad, err, rec.Body.Bytes())
		}
	}
}
