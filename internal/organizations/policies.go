package organizations

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

const (
	scpType = "SERVICE_CONTROL_POLICY"
	rcpType = "RESOURCE_CONTROL_POLICY"
)

// FullAWSAccessID is the ID of the AWS managed SCP attached by default to every root, OU and
// account; FullAWSAccessContent is its document.
const (
	FullAWSAccessID      = "p-FullAWSAccess"
	FullAWSAccessContent = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

// managedPolicies are the AWS managed policies, by policy type. Each is attached to every
// root, OU and account while its type is enabled; RCPFullAWSAccess cannot be detached.
var managedPolicies = map[string]*policyRec{
	scpType: {ID: FullAWSAccessID, Name: "FullAWSAccess", Type: scpType, AWSManaged: true,
		Description: "Allows access to every operation", Content: FullAWSAccessContent},
	rcpType: {ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", Type: rcpType, AWSManaged: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

func managedByID(id string) *policyRec {
	for _, p := range managedPolicies {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// maxAttachments is how many policies of a type one target may have.
func maxAttachments(t string) int {
	if t == scpType || t == rcpType {
		return 5
	}
	return 10
}

// getPolicy returns a customer policy of o or an AWS managed policy, or nil.
func getPolicy(tx store.Tx, o *Organization, id string) (*policyRec, error) {
	if p := managedByID(id); p != nil {
		if !o.all() {
			return nil, nil
		}
		return p, nil
	}
	var p policyRec
	ok, err := findJSON(tx, kindPolicy, o.ID, id, &p)
	if !ok || err != nil {
		return nil, err
	}
	return &p, nil
}

func wirePolicySummary(o *Organization, p *policyRec) organizationsapi.PolicySummary {
	managed := p.AWSManaged
	return organizationsapi.PolicySummary{Id: p.ID, Arn: policyARN(o, p), Name: p.Name, Description: p.Description,
		Type: organizationsapi.PolicyType(p.Type), AwsManaged: &managed}
}

func wirePolicy(o *Organization, p *policyRec) *organizationsapi.Policy {
	sum := wirePolicySummary(o, p)
	return &organizationsapi.Policy{PolicySummary: &sum, Content: p.Content}
}

// attachedPolicies returns the policies of type t attached to target, by policy ID.
func attachedPolicies(tx store.Tx, o *Organization, target, t string) ([]*policyRec, error) {
	recs, err := listAll(tx, kindAttachT, o.ID, target+"/")
	if err != nil {
		return nil, err
	}
	var out []*policyRec
	for _, r := range recs {
		p, err := getPolicy(tx, o, strings.TrimPrefix(r.ID, target+"/"))
		if err != nil {
			return nil, err
		}
		if p != nil && (t == "" || p.Type == t) {
			out = append(out, p)
		}
	}
	return out, nil
}

func attachTx(tx store.Tx, o *Organization, policyID, target string) error {
	if err := tx.Put(kindAttach, o.ID, policyID+"/"+target, index); err != nil {
		return err
	}
	return tx.Put(kindAttachT, o.ID, target+"/"+policyID, index)
}

func detachTx(tx store.Tx, o *Organization, policyID, target string) error {
	if _, err := tx.Delete(kindAttach, o.ID, policyID+"/"+target); err != nil {
		return err
	}
	_, err := tx.Delete(kindAttachT, o.ID, target+"/"+policyID)
	return err
}

// detachAllTx removes every attachment of target.
func detachAllTx(tx store.Tx, o *Organization, target string) error {
	recs, err := listAll(tx, kindAttachT, o.ID, target+"/")
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := detachTx(tx, o, strings.TrimPrefix(r.ID, target+"/"), target); err != nil {
			return err
		}
	}
	return nil
}

// attachManagedTx attaches to a new target the AWS managed policies of the enabled types.
func (s *Service) attachManagedTx(tx store.Tx, o *Organization, target string) error {
	if !o.all() {
		return nil
	}
	for _, t := range o.PolicyTypes {
		if p := managedPolicies[t]; p != nil {
			if err := attachTx(tx, o, p.ID, target); err != nil {
				return err
			}
		}
	}
	return nil
}

// targetKind returns the TargetType of id in o, or "" when there is no such target.
func targetKind(tx store.Tx, o *Organization, id string) (organizationsapi.TargetType, string, error) {
	switch {
	case id == o.RootID:
		return organizationsapi.TargetTypeRoot, "Root", nil
	case strings.HasPrefix(id, "ou-"):
		ou, err := getOU(tx, o.ID, id)
		if err != nil || ou == nil {
			return "", "", err
		}
		return organizationsapi.TargetTypeOrganizationalUnit, ou.Name, nil
	default:
		a, err := getAccount(tx, o.ID, id)
		if err != nil || a == nil {
			return "", "", err
		}
		return organizationsapi.TargetTypeAccount, a.Name, nil
	}
}

func targetARN(o *Organization, typ organizationsapi.TargetType, id string) string {
	switch typ {
	case organizationsapi.TargetTypeRoot:
		return rootARN(o)
	case organizationsapi.TargetTypeOrganizationalUnit:
		return ouARN(o, id)
	}
	return accountARN(o, id)
}

// validateContent checks a policy document: JSON, within the type's size limit.
func validateContent(t, content string) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return organizationsapi.ErrMalformedPolicyDocument("The provided policy document doesn't meet the requirements of the specified policy type.")
	}
	limit := 10000
	if t == scpType || t == rcpType {
		limit = 5120
	}
	if len(content) > limit {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to exceed the maximum size of a policy document.")
	}
	return nil
}

func policyNameTaken(tx store.Tx, o *Organization, t, name, except string) (bool, error) {
	recs, err := listAll(tx, kindPolicy, o.ID, "")
	if err != nil {
		return false, err
	}
	for _, r := range recs {
		var p policyRec
		if err := decode(r, &p); err != nil {
			return false, err
		}
		if p.ID != except && p.Type == t && p.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// CreatePolicy creates a customer managed policy of any type of the model.
func (s *Service) CreatePolicy(ctx context.Context, in *organizationsapi.CreatePolicyRequest) (*organizationsapi.CreatePolicyResponse, error) {
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var out *organizationsapi.Policy
	err = s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if !o.all() {
			return organizationsapi.ErrPolicyTypeNotAvailableForOrganization("You can't use the specified policy type with the feature set currently enabled for this organization.")
		}
		if err := validateContent(string(in.Type), in.Content); err != nil {
			return err
		}
		if n, err := tx.Count(kindPolicy, o.ID); err != nil {
			return err
		} else if n >= s.lim().MaxPolicies {
			return constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
		}
		if taken, err := policyNameTaken(tx, o, string(in.Type), in.Name, ""); err != nil {
			return err
		} else if taken {
			return organizationsapi.ErrDuplicatePolicy("A policy with the same name already exists.")
		}
		p := &policyRec{ID: "p-" + s.ids.Lower(8), Name: in.Name, Description: in.Description, Type: string(in.Type),
			Content: in.Content, Updated: s.now()}
		if err := tx.Create(kindPolicy, o.ID, p.ID, mustJSON(p)); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := putJSON(tx, kindTag, o.ID, p.ID, tags); err != nil {
				return err
			}
		}
		out = wirePolicy(o, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.CreatePolicyResponse{Policy: out}, nil
}

// DescribePolicy returns a policy with its content.
func (s *Service) DescribePolicy(ctx context.Context, in *organizationsapi.DescribePolicyRequest) (*organizationsapi.DescribePolicyResponse, error) {
	var out *organizationsapi.Policy
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		out = wirePolicy(o, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribePolicyResponse{Policy: out}, nil
}

func errImmutable() error {
	return invalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
}

// UpdatePolicy changes a customer policy's name, description or content.
func (s *Service) UpdatePolicy(ctx context.Context, in *organizationsapi.UpdatePolicyRequest) (*organizationsapi.UpdatePolicyResponse, error) {
	var out *organizationsapi.Policy
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		if p.AWSManaged {
			return errImmutable()
		}
		if in.Name != "" && in.Name != p.Name {
			if taken, err := policyNameTaken(tx, o, p.Type, in.Name, p.ID); err != nil {
				return err
			} else if taken {
				return organizationsapi.ErrDuplicatePolicy("A policy with the same name already exists.")
			}
			p.Name = in.Name
		}
		if in.Description != "" {
			p.Description = in.Description
		}
		if in.Content != "" {
			if err := validateContent(p.Type, in.Content); err != nil {
				return err
			}
			p.Content = in.Content
		}
		p.Updated = s.now()
		if err := putJSON(tx, kindPolicy, o.ID, p.ID, p); err != nil {
			return err
		}
		out = wirePolicy(o, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.UpdatePolicyResponse{Policy: out}, nil
}

// DeletePolicy deletes a customer policy that is attached to nothing.
func (s *Service) DeletePolicy(ctx context.Context, in *organizationsapi.DeletePolicyRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		if p.AWSManaged {
			return errImmutable()
		}
		used, err := tx.ListPrefix(kindAttach, o.ID, p.ID+"/", "", 1)
		if err != nil {
			return err
		}
		if len(used) > 0 {
			return organizationsapi.ErrPolicyInUse("The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		if _, err := tx.Delete(kindTag, o.ID, p.ID); err != nil {
			return err
		}
		_, err = tx.Delete(kindPolicy, o.ID, p.ID)
		return err
	})
}

// AttachPolicy attaches a policy to a root, OU or account.
func (s *Service) AttachPolicy(ctx context.Context, in *organizationsapi.AttachPolicyRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		if typ, _, err := targetKind(tx, o, in.TargetId); err != nil {
			return err
		} else if typ == "" {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		if !o.typeEnabled(p.Type) {
			return organizationsapi.ErrPolicyTypeNotEnabled("This operation can be performed only for enabled policy types.")
		}
		if ok, err := exists(tx, kindAttach, o.ID, p.ID+"/"+in.TargetId); err != nil {
			return err
		} else if ok {
			return organizationsapi.ErrDuplicatePolicyAttachment("The selected policy is already attached to the specified target.")
		}
		have, err := attachedPolicies(tx, o, in.TargetId, p.Type)
		if err != nil {
			return err
		}
		if len(have) >= maxAttachments(p.Type) {
			return constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
		}
		return attachTx(tx, o, p.ID, in.TargetId)
	})
}

// DetachPolicy detaches a policy. Every target keeps at least one SCP while SCPs are enabled,
// and RCPFullAWSAccess cannot be detached.
func (s *Service) DetachPolicy(ctx context.Context, in *organizationsapi.DetachPolicyRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		if typ, _, err := targetKind(tx, o, in.TargetId); err != nil {
			return err
		} else if typ == "" {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		if ok, err := exists(tx, kindAttach, o.ID, p.ID+"/"+in.TargetId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrPolicyNotAttached("The policy isn't attached to the specified target in the specified root.")
		}
		if p.AWSManaged && p.Type == rcpType {
			return invalid("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.")
		}
		if p.Type == scpType {
			have, err := attachedPolicies(tx, o, in.TargetId, scpType)
			if err != nil {
				return err
			}
			if len(have) <= 1 {
				return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
			}
		}
		return detachTx(tx, o, p.ID, in.TargetId)
	})
}

func (s *Service) checkRoot(o *Organization, rootID string) error {
	if rootID != o.RootID {
		return organizationsapi.ErrRootNotFound("We can't find a root with the RootId that you specified.")
	}
	return nil
}

// enableTypeTx enables a policy type on o's root and attaches its AWS managed policy, if it
// has one, to the root and every OU and account. It does not write o.
func (s *Service) enableTypeTx(tx store.Tx, o *Organization, t string) error {
	o.PolicyTypes = append(o.PolicyTypes, t)
	p := managedPolicies[t]
	if p == nil {
		return nil
	}
	targets := []string{o.RootID}
	for _, kind := range []string{kindOU, kindAccount} {
		recs, err := listAll(tx, kind, o.ID, "")
		if err != nil {
			return err
		}
		for _, r := range recs {
			targets = append(targets, r.ID)
		}
	}
	for _, target := range targets {
		if err := attachTx(tx, o, p.ID, target); err != nil {
			return err
		}
	}
	return nil
}

// EnablePolicyType enables a policy type on the root.
func (s *Service) EnablePolicyType(ctx context.Context, in *organizationsapi.EnablePolicyTypeRequest) (*organizationsapi.EnablePolicyTypeResponse, error) {
	var out organizationsapi.Root
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.checkRoot(o, in.RootId); err != nil {
			return err
		}
		if !o.all() {
			return organizationsapi.ErrPolicyTypeNotAvailableForOrganization("You can't use the specified policy type with the feature set currently enabled for this organization.")
		}
		if o.typeEnabled(string(in.PolicyType)) {
			return organizationsapi.ErrPolicyTypeAlreadyEnabled("The specified policy type is already enabled.")
		}
		if err := s.enableTypeTx(tx, o, string(in.PolicyType)); err != nil {
			return err
		}
		if err := putJSON(tx, kindOrg, "", o.ID, o); err != nil {
			return err
		}
		out = wireRoot(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.EnablePolicyTypeResponse{Root: &out}, nil
}

// DisablePolicyType disables a policy type on the root and detaches every policy of that type.
func (s *Service) DisablePolicyType(ctx context.Context, in *organizationsapi.DisablePolicyTypeRequest) (*organizationsapi.DisablePolicyTypeResponse, error) {
	var out organizationsapi.Root
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.checkRoot(o, in.RootId); err != nil {
			return err
		}
		t := string(in.PolicyType)
		if !o.typeEnabled(t) {
			return organizationsapi.ErrPolicyTypeNotEnabled("This operation can be performed only for enabled policy types.")
		}
		kept := o.PolicyTypes[:0:0]
		for _, x := range o.PolicyTypes {
			if x != t {
				kept = append(kept, x)
			}
		}
		o.PolicyTypes = kept
		recs, err := listAll(tx, kindAttach, o.ID, "")
		if err != nil {
			return err
		}
		for _, r := range recs {
			pid, target, _ := strings.Cut(r.ID, "/")
			p, err := getPolicy(tx, o, pid)
			if err != nil {
				return err
			}
			if p == nil || p.Type == t {
				if err := detachTx(tx, o, pid, target); err != nil {
					return err
				}
			}
		}
		if err := putJSON(tx, kindOrg, "", o.ID, o); err != nil {
			return err
		}
		out = wireRoot(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DisablePolicyTypeResponse{Root: &out}, nil
}

// ListPolicies lists the policies of one type, the AWS managed one included.
func (s *Service) ListPolicies(ctx context.Context, in *organizationsapi.ListPoliciesRequest) (*organizationsapi.ListPoliciesResponse, error) {
	out := &organizationsapi.ListPoliciesResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		var all []*policyRec
		if p := managedPolicies[string(in.Filter)]; p != nil && o.all() {
			all = append(all, p)
		}
		recs, err := listAll(tx, kindPolicy, o.ID, "")
		if err != nil {
			return err
		}
		for _, r := range recs {
			var p policyRec
			if err := decode(r, &p); err != nil {
				return err
			}
			if p.Type == string(in.Filter) {
				all = append(all, &p)
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
		page, next, err := pageSlice(all, func(p *policyRec) string { return p.ID }, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Policies = []organizationsapi.PolicySummary{}
		for _, p := range page {
			out.Policies = append(out.Policies, wirePolicySummary(o, p))
		}
		return nil
	})
	return out, err
}

// ListPoliciesForTarget lists the policies of one type attached directly to a target.
func (s *Service) ListPoliciesForTarget(ctx context.Context, in *organizationsapi.ListPoliciesForTargetRequest) (*organizationsapi.ListPoliciesForTargetResponse, error) {
	out := &organizationsapi.ListPoliciesForTargetResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if typ, _, err := targetKind(tx, o, in.TargetId); err != nil {
			return err
		} else if typ == "" {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		pols, err := attachedPolicies(tx, o, in.TargetId, string(in.Filter))
		if err != nil {
			return err
		}
		page, next, err := pageSlice(pols, func(p *policyRec) string { return p.ID }, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Policies = []organizationsapi.PolicySummary{}
		for _, p := range page {
			out.Policies = append(out.Policies, wirePolicySummary(o, p))
		}
		return nil
	})
	return out, err
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, in *organizationsapi.ListTargetsForPolicyRequest) (*organizationsapi.ListTargetsForPolicyResponse, error) {
	out := &organizationsapi.ListTargetsForPolicyResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		p, err := getPolicy(tx, o, in.PolicyId)
		if err != nil {
			return err
		}
		if p == nil {
			return organizationsapi.ErrPolicyNotFound(msgPolicyMissing)
		}
		recs, next, err := pageRecords(tx, kindAttach, o.ID, p.ID+"/", in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Targets = []organizationsapi.PolicyTargetSummary{}
		for _, r := range recs {
			id := strings.TrimPrefix(r.ID, p.ID+"/")
			typ, name, err := targetKind(tx, o, id)
			if err != nil {
				return err
			}
			if typ == "" {
				continue
			}
			out.Targets = append(out.Targets, organizationsapi.PolicyTargetSummary{TargetId: id, Arn: targetARN(o, typ, id), Name: name, Type: typ})
		}
		return nil
	})
	return out, err
}

// DescribeEffectivePolicy merges the management policies of one type (tag, backup, AI opt-out
// ...) that apply to an account, from the root down. The merge is a plain one (a simplification
// of AWS's documented inheritance, orgconfig's choice): objects merge key by key, a child's value
// replaces its parent's, and the value operators @@assign, @@append and @@remove are resolved as
// assignment, union and removal. Inheritance-control operators
// (@@operators_allowed_for_child_policies) are dropped, not enforced.
func (s *Service) DescribeEffectivePolicy(ctx context.Context, in *organizationsapi.DescribeEffectivePolicyRequest) (*organizationsapi.DescribeEffectivePolicyResponse, error) {
	var out *organizationsapi.EffectivePolicy
	err := s.read(ctx, func(tx store.Tx) error {
		o, acct, err := s.member(ctx, tx)
		if err != nil {
			return err
		}
		target := in.TargetId
		if target == "" {
			target = acct
		}
		if target != acct {
			if _, _, err := s.reader(ctx, tx); err != nil {
				return err
			}
		}
		typ, _, err := targetKind(tx, o, target)
		if err != nil {
			return err
		}
		if typ == "" {
			return organizationsapi.ErrTargetNotFound(msgTargetMissing)
		}
		if typ != organizationsapi.TargetTypeAccount {
			return invalid("TARGET_NOT_SUPPORTED", "You can't perform the specified operation on that target entity.")
		}
		t := string(in.PolicyType)
		if !o.typeEnabled(t) {
			return organizationsapi.ErrEffectivePolicyNotFound("We can't find an effective policy for the specified target.")
		}
		chain, err := ancestry(tx, o, target)
		if err != nil {
			return err
		}
		merged := map[string]any{}
		var updated time.Time
		found := false
		for _, level := range chain {
			pols, err := attachedPolicies(tx, o, level, t)
			if err != nil {
				return err
			}
			for _, p := range pols {
				var doc map[string]any
				if err := json.Unmarshal([]byte(p.Content), &doc); err != nil {
					continue
				}
				mergeInto(merged, doc)
				found = true
				if p.Updated.After(updated) {
					updated = p.Updated
				}
			}
		}
		if !found {
			return organizationsapi.ErrEffectivePolicyNotFound("We can't find an effective policy for the specified target.")
		}
		b, err := json.Marshal(resolveOperators(merged))
		if err != nil {
			return err
		}
		out = &organizationsapi.EffectivePolicy{PolicyContent: string(b), LastUpdatedTimestamp: awsproto.NewTime(updated),
			TargetId: target, PolicyType: in.PolicyType}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeEffectivePolicyResponse{EffectivePolicy: out}, nil
}

// mergeInto merges src into dst (see DescribeEffectivePolicy).
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if strings.HasPrefix(k, "@@operators_allowed") {
			continue
		}
		sv, sok := v.(map[string]any)
		dv, dok := dst[k].(map[string]any)
		switch {
		case sok && dok && k != "@@assign":
			if app, ok := sv["@@append"]; ok {
				if cur, ok := dv["@@assign"].([]any); ok {
					if add, ok := app.([]any); ok {
						dv["@@assign"] = appendUnique(cur, add)
						continue
					}
				}
			}
			if rem, ok := sv["@@remove"]; ok {
				if cur, ok := dv["@@assign"].([]any); ok {
					if del, ok := rem.([]any); ok {
						dv["@@assign"] = removeAll(cur, del)
						continue
					}
				}
			}
			mergeInto(dv, sv)
		case sok:
			cp := map[string]any{}
			mergeInto(cp, sv)
			dst[k] = cp
		default:
			dst[k] = v
		}
	}
}

func appendUnique(cur, add []any) []any {
	out := append([]any{}, cur...)
	for _, a := range add {
		dup := false
		for _, c := range out {
			if c == a {
				dup = true
			}
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

func removeAll(cur, del []any) []any {
	var out []any
	for _, c := range cur {
		keep := true
		for _, d := range del {
			if c == d {
				keep = false
			}
		}
		if keep {
			out = append(out, c)
		}
	}
	return out
}

// resolveOperators replaces {"@@assign": v} (and @@append/@@remove left alone) by v.
func resolveOperators(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for _, op := range []string{"@@assign", "@@append"} {
		if a, ok := m[op]; ok {
			return resolveOperators(a)
		}
	}
	out := map[string]any{}
	for k, x := range m {
		if strings.HasPrefix(k, "@@") {
			continue
		}
		out[k] = resolveOperators(x)
	}
	return out
}

// PutResourcePolicy creates or replaces the organization's resource-based delegation policy.
func (s *Service) PutResourcePolicy(ctx context.Context, in *organizationsapi.PutResourcePolicyRequest) (*organizationsapi.PutResourcePolicyResponse, error) {
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(in.Content), &doc); err != nil {
		return nil, invalid("INVALID_RESOURCE_POLICY_JSON", "Please check that your JSON is well-formed.")
	}
	var out *organizationsapi.ResourcePolicy
	err = s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		var rp resourcePolicyRec
		ok, err := findJSON(tx, kindResPolicy, o.ID, "policy", &rp)
		if err != nil {
			return err
		}
		if !ok {
			rp.ID = "rp-" + s.ids.Lower(8)
			if len(tags) > 0 {
				if err := putJSON(tx, kindTag, o.ID, rp.ID, tags); err != nil {
					return err
				}
			}
		} else if len(tags) > 0 {
			return constraint("UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED",
				"You can't specify tags when you update an existing resource policy. Use TagResource instead.")
		}
		rp.Content = in.Content
		if err := putJSON(tx, kindResPolicy, o.ID, "policy", &rp); err != nil {
			return err
		}
		out = wireResourcePolicy(o, &rp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.PutResourcePolicyResponse{ResourcePolicy: out}, nil
}

func wireResourcePolicy(o *Organization, rp *resourcePolicyRec) *organizationsapi.ResourcePolicy {
	return &organizationsapi.ResourcePolicy{Content: rp.Content,
		ResourcePolicySummary: &organizationsapi.ResourcePolicySummary{Id: rp.ID, Arn: resourcePolicyARN(o, rp.ID)}}
}

func errNoResourcePolicy() error {
	return organizationsapi.ErrResourcePolicyNotFound("We can't find a resource policy request with the parameter that you specified.")
}

// DescribeResourcePolicy returns the organization's resource policy.
func (s *Service) DescribeResourcePolicy(ctx context.Context) (*organizationsapi.DescribeResourcePolicyResponse, error) {
	var out *organizationsapi.ResourcePolicy
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		var rp resourcePolicyRec
		ok, err := findJSON(tx, kindResPolicy, o.ID, "policy", &rp)
		if err != nil {
			return err
		}
		if !ok {
			return errNoResourcePolicy()
		}
		out = wireResourcePolicy(o, &rp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeResourcePolicyResponse{ResourcePolicy: out}, nil
}

// DeleteResourcePolicy deletes the organization's resource policy.
func (s *Service) DeleteResourcePolicy(ctx context.Context) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		var rp resourcePolicyRec
		ok, err := findJSON(tx, kindResPolicy, o.ID, "policy", &rp)
		if err != nil {
			return err
		}
		if !ok {
			return errNoResourcePolicy()
		}
		if _, err := tx.Delete(kindTag, o.ID, rp.ID); err != nil {
			return err
		}
		_, err = tx.Delete(kindResPolicy, o.ID, "policy")
		return err
	})
}
