package recording

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Self-recording: orgconfig's own IAM roles, users and customer managed policies are resources
// of the account like any other, so AWS Config records them as AWS::IAM::Role / User / Policy
// (awsRegion "global") in every region whose running recorder's recording group covers the type.
// IAM calls recordIAMChangeTx inside its own write transaction (iam.Service.OnChange), so the
// item commits with the change.

// noAvailabilityZone is the availabilityZone of resources that have none.
const noAvailabilityZone = "Not Applicable"

// iamTypes maps IAM change kinds to Config resource types.
var iamTypes = map[string]configapi.ResourceType{
	iam.ChangeRole:   configapi.ResourceTypeAwsIamRole,
	iam.ChangeUser:   configapi.ResourceTypeAwsIamUser,
	iam.ChangePolicy: configapi.ResourceTypeAwsIamPolicy,
}

// recordIAMChangeTx is the iam.ChangeHook of AWS Config. It reads the entity once and records
// it in every region of account whose running recorder covers its type; regions whose recorder
// does not cover it get nothing (not even ResourceNotRecorded items), as global types are only
// recorded when the recording group includes them.
func (s *Service) recordIAMChangeTx(tx store.Tx, account, kind, name string, deleted bool) error {
	resourceType, ok := iamTypes[kind]
	if !ok {
		return nil
	}
	var in *ItemInput
	regions, err := recorderRegionsTx(tx, account)
	if err != nil {
		return err
	}
	for _, region := range regions {
		running, err := s.RecordingTx(tx, account, region)
		if err != nil {
			return err
		}
		if !running {
			continue
		}
		covered, err := s.RecordsTypeTx(tx, account, region, string(resourceType))
		if err != nil {
			return err
		}
		if !covered {
			continue
		}
		if in == nil {
			if in, err = s.iamItemTx(tx, account, kind, name); err != nil {
				return err
			}
			if in == nil {
				return nil // gone already: nothing to record
			}
			in.Deleted = deleted
		}
		item := *in
		item.Region = region
		if err := s.RecordItemTx(tx, item); err != nil {
			return err
		}
	}
	return nil
}

// iamItemTx describes an IAM entity as a configuration item input (without region), or nil
// when it does not exist.
func (s *Service) iamItemTx(tx store.Tx, account, kind, name string) (*ItemInput, error) {
	switch kind {
	case iam.ChangeRole:
		r, err := iam.GetRoleTx(tx, account, name)
		if errors.Is(err, iam.ErrNoSuchRole) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return roleItem(tx, r)
	case iam.ChangeUser:
		u, err := s.IAM.UserByNameTx(tx, account, name)
		if errors.Is(err, iam.ErrNoSuchUser) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return userItem(tx, u)
	case iam.ChangePolicy:
		p, err := iam.PolicyByNameTx(tx, account, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return policyItem(p)
	}
	return nil, fmt.Errorf("configservice: unknown IAM change kind %q", kind)
}

// iamTime renders IAM dates as AWS Config's IAM configurations do (ISO 8601, UTC).
func iamTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type iamTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type inlinePolicy struct {
	PolicyName     string `json:"policyName"`
	PolicyDocument string `json:"policyDocument"` // URL-encoded
}

type attachedPolicy struct {
	PolicyName string `json:"policyName"`
	PolicyArn  string `json:"policyArn"`
}

type boundary struct {
	PermissionsBoundaryType string `json:"permissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"permissionsBoundaryArn"`
}

func tagsOf(tags []iam.Tag) ([]iamTag, map[string]string) {
	list := make([]iamTag, 0, len(tags))
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		list = append(list, iamTag{t.Key, t.Value})
		m[t.Key] = t.Value
	}
	return list, m
}

func inlinePolicies(m map[string]string) []inlinePolicy {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]inlinePolicy, 0, len(names))
	for _, n := range names {
		out = append(out, inlinePolicy{PolicyName: n, PolicyDocument: iam.EncodeDocument(m[n])})
	}
	return out
}

// attachedPolicies lists a role's or user's managed policies, and its relationships to the
// customer managed ones (AWS managed policies are not recorded resources).
func attachedPolicies(tx store.Tx, account string, arns []string) ([]attachedPolicy, []configapi.Relationship, error) {
	out := make([]attachedPolicy, 0, len(arns))
	var rels []configapi.Relationship
	for _, arn := range arns {
		name := iam.PolicyName(arn)
		out = append(out, attachedPolicy{PolicyName: name, PolicyArn: arn})
		if !strings.HasPrefix(arn, "arn:aws:iam::"+account+":") {
			continue
		}
		p, err := iam.PolicyByNameTx(tx, account, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		rels = append(rels, configapi.Relationship{ResourceType: configapi.ResourceTypeAwsIamPolicy, ResourceId: p.PolicyID,
			ResourceName: p.Name, RelationshipName: "Is attached to CustomerManagedPolicy"})
	}
	return out, rels, nil
}

func boundaryOf(arn string) *boundary {
	if arn == "" {
		return nil
	}
	return &boundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

// roleConfiguration is AWS Config's configuration of an AWS::IAM::Role.
type roleConfiguration struct {
	Path                     string           `json:"path"`
	RoleName                 string           `json:"roleName"`
	RoleID                   string           `json:"roleId"`
	Arn                      string           `json:"arn"`
	CreateDate               string           `json:"createDate"`
	AssumeRolePolicyDocument string           `json:"assumeRolePolicyDocument"`
	Description              string           `json:"description,omitempty"`
	MaxSessionDuration       int32            `json:"maxSessionDuration,omitempty"`
	InstanceProfileList      []any            `json:"instanceProfileList"`
	RolePolicyList           []inlinePolicy   `json:"rolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy `json:"attachedManagedPolicies"`
	PermissionsBoundary      *boundary        `json:"permissionsBoundary"`
	Tags                     []iamTag         `json:"tags"`
	RoleLastUsed             any              `json:"roleLastUsed"`
}

func roleItem(tx store.Tx, r *iam.Role) (*ItemInput, error) {
	tagList, tags := tagsOf(r.Tags)
	attached, rels, err := attachedPolicies(tx, r.Account, r.AttachedPolicyARNs)
	if err != nil {
		return nil, err
	}
	cfg := roleConfiguration{
		Path: r.Path, RoleName: r.Name, RoleID: r.RoleID, Arn: r.ARN, CreateDate: iamTime(r.Created),
		AssumeRolePolicyDocument: iam.EncodeDocument(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration, InstanceProfileList: []any{},
		RolePolicyList: inlinePolicies(r.InlinePolicies), AttachedManagedPolicies: attached,
		PermissionsBoundary: boundaryOf(r.PermissionsBoundary), Tags: tagList,
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return &ItemInput{Account: r.Account, ResourceType: string(configapi.ResourceTypeAwsIamRole), ResourceID: r.RoleID,
		ResourceName: r.Name, ARN: r.ARN, AvailabilityZone: noAvailabilityZone, ResourceCreationTime: r.Created,
		Configuration: b, Tags: tags, Relationships: rels}, nil
}

// userConfiguration is AWS Config's configuration of an AWS::IAM::User.
type userConfiguration struct {
	Path                    string           `json:"path"`
	UserName                string           `json:"userName"`
	UserID                  string           `json:"userId"`
	Arn                     string           `json:"arn"`
	CreateDate              string           `json:"createDate"`
	UserPolicyList          []inlinePolicy   `json:"userPolicyList"`
	GroupList               []string         `json:"groupList"`
	AttachedManagedPolicies []attachedPolicy `json:"attachedManagedPolicies"`
	PermissionsBoundary     *boundary        `json:"permissionsBoundary"`
	Tags                    []iamTag         `json:"tags"`
}

func userItem(tx store.Tx, u *iam.User) (*ItemInput, error) {
	tagList, tags := tagsOf(u.Tags)
	attached, rels, err := attachedPolicies(tx, u.Account, u.AttachedPolicyARNs)
	if err != nil {
		return nil, err
	}
	cfg := userConfiguration{
		Path: u.Path, UserName: u.Name, UserID: u.UserID, Arn: u.ARN, CreateDate: iamTime(u.Created),
		UserPolicyList: inlinePolicies(u.InlinePolicies), GroupList: []string{}, AttachedManagedPolicies: attached,
		PermissionsBoundary: boundaryOf(u.PermissionsBoundary), Tags: tagList,
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return &ItemInput{Account: u.Account, ResourceType: string(configapi.ResourceTypeAwsIamUser), ResourceID: u.UserID,
		ResourceName: u.Name, ARN: u.ARN, AvailabilityZone: noAvailabilityZone, ResourceCreationTime: u.Created,
		Configuration: b, Tags: tags, Relationships: rels}, nil
}

type policyVersionConfiguration struct {
	Document         string `json:"document"` // URL-encoded
	VersionID        string `json:"versionId"`
	IsDefaultVersion bool   `json:"isDefaultVersion"`
	CreateDate       string `json:"createDate"`
}

// policyConfiguration is AWS Config's configuration of an AWS::IAM::Policy.
type policyConfiguration struct {
	PolicyName                    string                       `json:"policyName"`
	PolicyID                      string                       `json:"policyId"`
	Arn                           string                       `json:"arn"`
	Path                          string                       `json:"path"`
	DefaultVersionID              string                       `json:"defaultVersionId"`
	AttachmentCount               int                          `json:"attachmentCount"`
	PermissionsBoundaryUsageCount int                          `json:"permissionsBoundaryUsageCount"`
	IsAttachable                  bool                         `json:"isAttachable"`
	Description                   string                       `json:"description,omitempty"`
	CreateDate                    string                       `json:"createDate"`
	UpdateDate                    string                       `json:"updateDate"`
	PolicyVersionList             []policyVersionConfiguration `json:"policyVersionList"`
	Tags                          []iamTag                     `json:"tags"`
}

func policyItem(p *iam.Policy) (*ItemInput, error) {
	tagList, tags := tagsOf(p.Tags)
	cfg := policyConfiguration{
		PolicyName: p.Name, PolicyID: p.PolicyID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description,
		CreateDate: iamTime(p.Created), UpdateDate: iamTime(p.Updated),
		PolicyVersionList: []policyVersionConfiguration{}, Tags: tagList,
	}
	for _, v := range p.Versions {
		cfg.PolicyVersionList = append(cfg.PolicyVersionList, policyVersionConfiguration{
			Document: iam.EncodeDocument(v.Document), VersionID: v.ID, IsDefaultVersion: v.Default, CreateDate: iamTime(v.Created)})
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return &ItemInput{Account: p.Account, ResourceType: string(configapi.ResourceTypeAwsIamPolicy), ResourceID: p.PolicyID,
		ResourceName: p.Name, ARN: p.ARN, AvailabilityZone: noAvailabilityZone, ResourceCreationTime: p.Created,
		Configuration: b, Tags: tags}, nil
}
