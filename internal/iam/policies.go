package iam

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxPolicyVersions is AWS's limit of stored versions per customer managed policy.
const maxPolicyVersions = 5

// customerPolicy is a customer managed policy (record kind KindPolicy, id = lower(name): policy
// names are unique in an account whatever their path).
type customerPolicy struct {
	Account        string          `json:"account"`
	Name           string          `json:"name"`
	Path           string          `json:"path"`
	ARN            string          `json:"arn"`
	PolicyID       string          `json:"policyId"`
	Description    string          `json:"description,omitempty"`
	Created        time.Time       `json:"created"`
	Updated        time.Time       `json:"updated"`
	DefaultVersion string          `json:"defaultVersion"`
	Versions       []policyVersion `json:"versions"`
	// NextVersion numbers the next version: version IDs are never reused.
	NextVersion int   `json:"nextVersion"`
	Tags        []Tag `json:"tags,omitempty"`
}

type policyVersion struct {
	ID       string    `json:"id"`
	Document string    `json:"document"`
	Created  time.Time `json:"created"`
}

func (p *customerPolicy) defaultDocument() string {
	for _, v := range p.Versions {
		if v.ID == p.DefaultVersion {
			return v.Document
		}
	}
	return ""
}

func getCustomerPolicyTx(tx store.Tx, account, name string) (*customerPolicy, error) {
	return getJSON[customerPolicy](tx, KindPolicy, account, nameID(name))
}

func noSuchPolicy(arn string) error {
	return iamapi.ErrNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

// customerPolicyByARN returns the caller account's customer managed policy with arn. AWS
// managed policies give AccessDenied for the mutating operations (they belong to AWS);
// anything else NoSuchEntity.
func customerPolicyByARN(tx store.Tx, account, callerARN, action, arn string) (*customerPolicy, error) {
	if _, ok := awsPolicies[arn]; ok {
		return nil, awsproto.ErrAccessDenied("User: %s is not authorized to perform: iam:%s on resource: policy %s", callerARN, action, arn)
	}
	acct, _, name, ok := parsePolicyARN(arn)
	if !ok || acct != account {
		return nil, noSuchPolicy(arn)
	}
	p, err := getCustomerPolicyTx(tx, account, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.ARN != arn) {
		return nil, noSuchPolicy(arn)
	}
	return p, err
}

func (p *customerPolicy) api(count int) *iamapi.Policy {
	return &iamapi.Policy{
		PolicyName: p.Name, PolicyId: p.PolicyID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: ptr(int32(count)), PermissionsBoundaryUsageCount: ptr(int32(0)), IsAttachable: ptr(true),
		Description: p.Description, CreateDate: awsproto.NewTime(p.Created), UpdateDate: awsproto.NewTime(p.Updated),
		Tags: toAPITags(p.Tags),
	}
}

func awsPolicyAPI(p awsPolicy, count int) *iamapi.Policy {
	return &iamapi.Policy{
		PolicyName: p.Name, PolicyId: p.ID(), Arn: p.ARN(), Path: p.Path, DefaultVersionId: "v1",
		AttachmentCount: ptr(int32(count)), PermissionsBoundaryUsageCount: ptr(int32(0)), IsAttachable: ptr(true),
		Description: p.Description, CreateDate: awsproto.NewTime(awsPolicyDate), UpdateDate: awsproto.NewTime(awsPolicyDate),
	}
}

func attachmentCount(tx store.Tx, account, arn string) (int, error) {
	recs, err := tx.ListPrefix(KindAttachment, account, arn+"|", "", 0)
	return len(recs), err
}

// CreatePolicy creates a customer managed policy with version v1 as its default.
func (s *Service) CreatePolicy(ctx context.Context, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	path := in.Path
	if path == "" {
		path = "/"
	}
	if err := validPath(path); err != nil {
		return nil, err
	}
	if err := checkPolicyDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	tags := fromAPITags(in.Tags)
	if err := checkTags(nil, tags); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	p := &customerPolicy{
		Account: account, Name: in.PolicyName, Path: path, ARN: "arn:aws:iam::" + account + ":policy" + path + in.PolicyName,
		PolicyID: "ANPA" + s.ids.Base32(17), Description: in.Description, Created: now, Updated: now,
		DefaultVersion: "v1", Versions: []policyVersion{{ID: "v1", Document: in.PolicyDocument, Created: now}},
		NextVersion: 2, Tags: mergeTags(nil, tags),
	}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if _, err := getCustomerPolicyTx(tx, account, in.PolicyName); err == nil {
			return iamapi.ErrEntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return s.putPolicyNotify(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyResponse{Policy: p.api(0)}, nil
}

// GetPolicy returns an AWS managed or customer managed policy.
func (s *Service) GetPolicy(ctx context.Context, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var out *iamapi.Policy
	err = s.store.Read(ctx, func(tx store.Tx) error {
		n, err := attachmentCount(tx, account, in.PolicyArn)
		if err != nil {
			return err
		}
		if p, ok := awsPolicies[in.PolicyArn]; ok {
			out = awsPolicyAPI(p, n)
			return nil
		}
		p, err := customerPolicyByARN(tx, account, "", "GetPolicy", in.PolicyArn)
		if err != nil {
			return err
		}
		out = p.api(n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyResponse{Policy: out}, nil
}

// GetPolicyVersion returns one version of a managed policy, its document URL-encoded.
func (s *Service) GetPolicyVersion(ctx context.Context, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	noVersion := func() error {
		return iamapi.ErrNoSuchEntity("Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionId)
	}
	if p, ok := awsPolicies[in.PolicyArn]; ok {
		if in.VersionId != "v1" {
			return nil, noVersion()
		}
		return &iamapi.GetPolicyVersionResponse{PolicyVersion: &iamapi.PolicyVersion{Document: encodeDoc(p.Document),
			VersionId: "v1", IsDefaultVersion: ptr(true), CreateDate: awsproto.NewTime(awsPolicyDate)}}, nil
	}
	var out *iamapi.PolicyVersion
	err = s.store.Read(ctx, func(tx store.Tx) error {
		p, err := customerPolicyByARN(tx, account, "", "GetPolicyVersion", in.PolicyArn)
		if err != nil {
			return err
		}
		for _, v := range p.Versions {
			if v.ID == in.VersionId {
				out = versionAPI(p, v, true)
				return nil
			}
		}
		return noVersion()
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: out}, nil
}

func versionAPI(p *customerPolicy, v policyVersion, withDoc bool) *iamapi.PolicyVersion {
	out := &iamapi.PolicyVersion{VersionId: v.ID, IsDefaultVersion: ptr(v.ID == p.DefaultVersion), CreateDate: awsproto.NewTime(v.Created)}
	if withDoc {
		out.Document = encodeDoc(v.Document)
	}
	return out
}

// ListPolicies lists AWS managed and/or customer managed policies, ordered by ARN.
func (s *Service) ListPolicies(ctx context.Context, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	scope := in.Scope
	if scope == "" {
		scope = iamapi.PolicyScopeTypeAll
	}
	onlyAttached := in.OnlyAttached != nil && *in.OnlyAttached
	prefix := in.PathPrefix
	if prefix == "" {
		prefix = "/"
	}
	var all []iamapi.Policy
	err = s.store.Read(ctx, func(tx store.Tx) error {
		if scope == iamapi.PolicyScopeTypeAll || scope == iamapi.PolicyScopeTypeAws {
			for _, p := range sortedAWSPolicies() {
				n, err := attachmentCount(tx, account, p.ARN())
				if err != nil {
					return err
				}
				all = append(all, *awsPolicyAPI(p, n))
			}
		}
		if scope == iamapi.PolicyScopeTypeAll || scope == iamapi.PolicyScopeTypeLocal {
			recs, err := tx.List(KindPolicy, account, "", 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				p, err := getCustomerPolicyTx(tx, account, r.ID)
				if err != nil {
					return err
				}
				n, err := attachmentCount(tx, account, p.ARN)
				if err != nil {
					return err
				}
				all = append(all, *p.api(n))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	filtered := all[:0]
	for _, p := range all {
		if !strings.HasPrefix(p.Path, prefix) || (onlyAttached && *p.AttachmentCount == 0) {
			continue
		}
		filtered = append(filtered, p)
	}
	sort.Slice(filtered, func(i, j int) bool { return filtered[i].Arn < filtered[j].Arn })
	items, truncated, marker, err := page(filtered, func(p iamapi.Policy) string { return p.Arn }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPoliciesResponse{Policies: items, IsTruncated: truncated, Marker: marker}, nil
}

// ListEntitiesForPolicy lists the roles and users of the caller's account a managed policy is
// attached to (this IAM has no groups).
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	type entity struct {
		key      string
		role     *iamapi.PolicyRole
		user     *iamapi.PolicyUser
		path     string
		typeName string
	}
	var ents []entity
	err = s.store.Read(ctx, func(tx store.Tx) error {
		if _, err := managedPolicyTx(tx, account, in.PolicyArn); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return noSuchPolicy(in.PolicyArn)
			}
			return err
		}
		atts, err := attachmentsTx(tx, account, in.PolicyArn)
		if err != nil {
			return err
		}
		for _, a := range atts {
			switch a.Type {
			case entityRole:
				r, err := GetRoleTx(tx, account, a.Name)
				if err != nil {
					continue
				}
				ents = append(ents, entity{key: "role/" + nameID(r.Name), role: &iamapi.PolicyRole{RoleName: r.Name, RoleId: r.RoleID}, path: r.Path, typeName: "Role"})
			case entityUser:
				u, err := getUserTx(tx, account, a.Name)
				if err != nil {
					continue
				}
				ents = append(ents, entity{key: "user/" + nameID(u.Name), user: &iamapi.PolicyUser{UserName: u.Name, UserId: u.UserID}, path: u.Path, typeName: "User"})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	filtered := ents[:0]
	for _, e := range ents {
		if in.PathPrefix != "" && !strings.HasPrefix(e.path, in.PathPrefix) {
			continue
		}
		if in.EntityFilter != "" && string(in.EntityFilter) != e.typeName {
			continue
		}
		filtered = append(filtered, e)
	}
	sort.Slice(filtered, func(i, j int) bool { return filtered[i].key < filtered[j].key })
	items, truncated, marker, err := page(filtered, func(e entity) string { return e.key }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListEntitiesForPolicyResponse{IsTruncated: truncated, Marker: marker}
	for _, e := range items {
		if e.role != nil {
			out.PolicyRoles = append(out.PolicyRoles, *e.role)
		}
		if e.user != nil {
			out.PolicyUsers = append(out.PolicyUsers, *e.user)
		}
	}
	return out, nil
}

// DeletePolicy deletes a customer managed policy that is attached nowhere and has only its
// default version left.
func (s *Service) DeletePolicy(ctx context.Context, in *iamapi.DeletePolicyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	return s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "DeletePolicy", in.PolicyArn)
		if err != nil {
			return err
		}
		n, err := attachmentCount(tx, account, pol.ARN)
		if err != nil {
			return err
		}
		if n > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(pol.Versions) > 1 {
			return iamapi.ErrDeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return s.deletePolicyNotify(tx, pol)
	})
}

// CreatePolicyVersion adds a version (at most 5 are kept) and optionally makes it the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account, p := who.Principal.Account, who.Principal
	if err := checkPolicyDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	var out *iamapi.PolicyVersion
	err = s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "CreatePolicyVersion", in.PolicyArn)
		if err != nil {
			return err
		}
		if len(pol.Versions) >= maxPolicyVersions {
			return iamapi.ErrLimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.clock.Now().UTC().Truncate(time.Second)
		v := policyVersion{ID: "v" + strconv.Itoa(pol.NextVersion), Document: in.PolicyDocument, Created: now}
		pol.NextVersion++
		pol.Versions = append(pol.Versions, v)
		if in.SetAsDefault != nil && *in.SetAsDefault {
			pol.DefaultVersion = v.ID
		}
		pol.Updated = now
		out = versionAPI(pol, v, false)
		return s.putPolicyNotify(tx, pol)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: out}, nil
}

// DeletePolicyVersion deletes a non-default version.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *iamapi.DeletePolicyVersionRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	return s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "DeletePolicyVersion", in.PolicyArn)
		if err != nil {
			return err
		}
		if in.VersionId == pol.DefaultVersion {
			return iamapi.ErrDeleteConflict("Cannot delete the default version of a policy.")
		}
		for i, v := range pol.Versions {
			if v.ID == in.VersionId {
				pol.Versions = append(pol.Versions[:i], pol.Versions[i+1:]...)
				return s.putPolicyNotify(tx, pol)
			}
		}
		return iamapi.ErrNoSuchEntity("Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionId)
	})
}

// ListPolicyVersions lists the versions of a managed policy, newest first, without documents.
func (s *Service) ListPolicyVersions(ctx context.Context, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	if _, ok := awsPolicies[in.PolicyArn]; ok {
		return &iamapi.ListPolicyVersionsResponse{IsTruncated: ptr(false), Versions: []iamapi.PolicyVersion{
			{VersionId: "v1", IsDefaultVersion: ptr(true), CreateDate: awsproto.NewTime(awsPolicyDate)}}}, nil
	}
	var versions []iamapi.PolicyVersion
	err = s.store.Read(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, "", "ListPolicyVersions", in.PolicyArn)
		if err != nil {
			return err
		}
		for i := len(pol.Versions) - 1; i >= 0; i-- {
			versions = append(versions, *versionAPI(pol, pol.Versions[i], false))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Newest first; the sort key must grow along the list for page: use a descending index.
	type iv struct {
		i int
		v iamapi.PolicyVersion
	}
	list := make([]iv, len(versions))
	for i, v := range versions {
		list[i] = iv{i, v}
	}
	items, truncated, marker, err := page(list, func(x iv) string { return strconv.Itoa(100 + x.i) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListPolicyVersionsResponse{IsTruncated: truncated, Marker: marker}
	for _, x := range items {
		out.Versions = append(out.Versions, x.v)
	}
	return out, nil
}

// SetDefaultPolicyVersion makes an existing version the default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *iamapi.SetDefaultPolicyVersionRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	return s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "SetDefaultPolicyVersion", in.PolicyArn)
		if err != nil {
			return err
		}
		for _, v := range pol.Versions {
			if v.ID == in.VersionId {
				pol.DefaultVersion = v.ID
				pol.Updated = s.clock.Now().UTC().Truncate(time.Second)
				return s.putPolicyNotify(tx, pol)
			}
		}
		return iamapi.ErrNoSuchEntity("Policy %s version %s does not exist or is not attachable.", in.PolicyArn, in.VersionId)
	})
}

// TagPolicy adds or overwrites tags of a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, in *iamapi.TagPolicyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	return s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "TagPolicy", in.PolicyArn)
		if err != nil {
			return err
		}
		add := fromAPITags(in.Tags)
		if err := checkTags(pol.Tags, add); err != nil {
			return err
		}
		pol.Tags = mergeTags(pol.Tags, add)
		return s.putPolicyNotify(tx, pol)
	})
}

// UntagPolicy removes tags from a customer managed policy; absent keys are ignored.
func (s *Service) UntagPolicy(ctx context.Context, in *iamapi.UntagPolicyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	return s.store.Write(ctx, func(tx store.Tx) error {
		pol, err := customerPolicyByARN(tx, account, p.ARN, "UntagPolicy", in.PolicyArn)
		if err != nil {
			return err
		}
		pol.Tags = removeTags(pol.Tags, in.TagKeys)
		return s.putPolicyNotify(tx, pol)
	})
}

// ListPolicyTags lists a managed policy's tags. AWS managed policies have none.
func (s *Service) ListPolicyTags(ctx context.Context, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var tags []Tag
	if _, ok := awsPolicies[in.PolicyArn]; !ok {
		err = s.store.Read(ctx, func(tx store.Tx) error {
			pol, err := customerPolicyByARN(tx, account, "", "ListPolicyTags", in.PolicyArn)
			if err != nil {
				return err
			}
			tags = pol.Tags
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out, truncated, marker, err := pageTags(tags, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListPolicyTagsResponse{Tags: out, IsTruncated: truncated, Marker: marker}, nil
}
