package durability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// rolePath is the path of every role the tests create, so that ListRoles can select them.
const rolePath = "/durability/"

// roleSpec is everything a test sends in one CreateRole, and so everything GetRole must give
// back. Each field depends on the role's name, so that a record mixed up with another role's
// (a torn or misdirected write) is detected, not only a missing one.
type roleSpec struct {
	Name        string
	Trust       string // the trust policy document as sent
	Description string
	MaxSession  int32
	Tags        []iamtypes.Tag
}

func newRoleSpec(name string, seq int) roleSpec {
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Trust%d","Effect":"Allow",`+
		`"Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole",`+
		`"Condition":{"StringEquals":{"sts:ExternalId":"%s"}}}]}`, seq, accountID, name)
	return roleSpec{
		Name:        name,
		Trust:       trust,
		Description: "durability role " + name,
		MaxSession:  int32(3600 + 60*(seq%60)),
		Tags: []iamtypes.Tag{
			{Key: aws.String("name"), Value: aws.String(name)},
			{Key: aws.String("seq"), Value: aws.String(fmt.Sprint(seq))},
			{Key: aws.String("suite"), Value: aws.String("durability")},
		},
	}
}

func (s roleSpec) input() *iam.CreateRoleInput {
	return &iam.CreateRoleInput{
		RoleName:                 aws.String(s.Name),
		Path:                     aws.String(rolePath),
		AssumeRolePolicyDocument: aws.String(s.Trust),
		Description:              aws.String(s.Description),
		MaxSessionDuration:       aws.Int32(s.MaxSession),
		Tags:                     s.Tags,
	}
}

// ackedRole is what the server answered to an acknowledged CreateRole.
type ackedRole struct {
	spec    roleSpec
	roleID  string
	created time.Time
}

// decodePolicy decodes a policy document as IAM returns it (URL-encoded JSON, as AWS does; plain
// JSON is accepted too) into a generic value for comparison.
func decodePolicy(doc string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err == nil {
		return v, nil
	}
	dec, err := url.QueryUnescape(doc)
	if err != nil {
		return nil, fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %q", doc)
	}
	if err := json.Unmarshal([]byte(dec), &v); err != nil {
		return nil, fmt.Errorf("policy document does not decode to JSON: %v: %q", err, dec)
	}
	return v, nil
}

func tagMap(tags []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// checkRole compares a role the server returned with what was sent (and, when ack is not nil,
// with what the acknowledging CreateRole answered). It returns "" when they agree, else a
// description of every difference.
func checkRole(got *iamtypes.Role, spec roleSpec, ack *ackedRole) string {
	if got == nil {
		return "no Role in the answer"
	}
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if v := aws.ToString(got.RoleName); v != spec.Name {
		add("RoleName %q", v)
	}
	if v := aws.ToString(got.Path); v != rolePath {
		add("Path %q, want %q", v, rolePath)
	}
	if v, want := aws.ToString(got.Arn), "arn:aws:iam::"+accountID+":role"+rolePath+spec.Name; v != want {
		add("Arn %q, want %q", v, want)
	}
	if v := aws.ToString(got.Description); v != spec.Description {
		add("Description %q, want %q", v, spec.Description)
	}
	if v := aws.ToInt32(got.MaxSessionDuration); v != spec.MaxSession {
		add("MaxSessionDuration %d, want %d", v, spec.MaxSession)
	}
	want, _ := decodePolicy(spec.Trust)
	if doc, err := decodePolicy(aws.ToString(got.AssumeRolePolicyDocument)); err != nil {
		add("AssumeRolePolicyDocument: %v", err)
	} else if !reflect.DeepEqual(doc, want) {
		add("AssumeRolePolicyDocument %v, want %v", doc, want)
	}
	if g, w := tagMap(got.Tags), tagMap(spec.Tags); !reflect.DeepEqual(g, w) {
		add("Tags %v, want %v", g, w)
	}
	if aws.ToString(got.RoleId) == "" {
		add("empty RoleId")
	}
	if ack != nil {
		if v := aws.ToString(got.RoleId); v != ack.roleID {
			add("RoleId %q, but CreateRole answered %q", v, ack.roleID)
		}
		if got.CreateDate == nil || !got.CreateDate.Truncate(time.Second).Equal(ack.created.Truncate(time.Second)) {
			add("CreateDate %v, but CreateRole answered %v", got.CreateDate, ack.created)
		}
	}
	return strings.Join(diffs, "; ")
}

// isAPIError reports whether err is an answer of the server (as opposed to a transport error:
// connection refused or reset, timeout), and its code.
func isAPIError(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), true
	}
	return "", false
}

func isNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) {
		return true
	}
	code, _ := isAPIError(err)
	return code == "NoSuchEntity"
}

// listRoles returns every role under rolePath, following the pagination.
func listRoles(ctx context.Context, c *iam.Client) ([]iamtypes.Role, error) {
	var out []iamtypes.Role
	in := &iam.ListRolesInput{PathPrefix: aws.String(rolePath), MaxItems: aws.Int32(100)}
	for page := 0; ; page++ {
		if page > 10000 {
			return nil, errors.New("ListRoles: more than 10000 pages (pagination loops?)")
		}
		res, err := c.ListRoles(ctx, in)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Roles...)
		if !res.IsTruncated {
			return out, nil
		}
		if aws.ToString(res.Marker) == "" {
			return nil, errors.New("ListRoles: IsTruncated without a Marker")
		}
		in.Marker = res.Marker
	}
}

func roleNames(roles []iamtypes.Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = aws.ToString(r.RoleName)
	}
	slices.Sort(names)
	return names
}

// firstFew formats up to n items of a list for an error message.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(", … (%d more)", len(items)-n)
}
