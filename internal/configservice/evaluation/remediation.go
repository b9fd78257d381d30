package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Remediation. AWS Config remediates a noncompliant resource by running an SSM Automation
// document; orgconfig has no automation backend, so it stores remediation configurations and
// exceptions faithfully but never runs a document. StartRemediationExecution says so in its
// answer, and records a FAILED execution per resource so that DescribeRemediationExecutionStatus
// tells an administrator why nothing ran. Automatic remediation is stored and never triggered.

// Record kinds of remediation. All are scoped to Scope(account, region).
const (
	// KindRemediation holds the remediation configuration of a rule: id = rule name, body
	// RemediationRec. A rule has at most one (AWS's PutRemediationConfigurations replaces it).
	KindRemediation = "config-remediation"
	// KindRemediationException is a remediation exception: id = rule name + "\x00" + resource
	// type + "\x00" + resource id, body remediationExceptionRec.
	KindRemediationException = "config-remediation-exception"
	// KindRemediationExecution is the last execution started for a resource: id as
	// KindRemediationException, body remediationExecRec.
	KindRemediationExecution = "config-remediation-execution"
)

// noAutomationBackend is the failure of every remediation execution.
const noAutomationBackend = "orgconfig has no automation backend: SSM Automation documents are not executed"

// Defaults of automatic remediation (the documentation of RemediationConfiguration).
const (
	defaultAutomaticAttempts   = 5
	defaultRetryAttemptSeconds = 60
)

// Page sizes of the remediation listings (their documented defaults).
const (
	remediationExceptionsPage = 25
	remediationExecutionsPage = 100
)

// RemediationRec is a stored remediation configuration.
type RemediationRec struct {
	Config  configapi.RemediationConfiguration `json:"config"`
	Created time.Time                          `json:"created"`
}

// remediationExceptionRec is a stored remediation exception.
type remediationExceptionRec struct {
	ResourceType string    `json:"type"`
	ResourceID   string    `json:"id"`
	Message      string    `json:"message,omitempty"`
	Expiration   time.Time `json:"expiration,omitzero"`
}

// expired reports whether the exception has passed its expiration time: AWS deletes it then, so
// it is neither listed nor deletable any more.
func (e *remediationExceptionRec) expired(now time.Time) bool {
	return !e.Expiration.IsZero() && !e.Expiration.After(now)
}

func (e *remediationExceptionRec) api(rule string) configapi.RemediationException {
	return configapi.RemediationException{ConfigRuleName: rule, ResourceType: e.ResourceType, ResourceId: e.ResourceID,
		Message: e.Message, ExpirationTime: core.APITime(e.Expiration)}
}

// remediationExecRec is one (always failed) remediation execution.
type remediationExecRec struct {
	ResourceType string    `json:"type"`
	ResourceID   string    `json:"id"`
	Document     string    `json:"document"`
	Invoked      time.Time `json:"invoked"`
	Error        string    `json:"error"`
}

func (e *remediationExecRec) api() configapi.RemediationExecutionStatus {
	at := core.APITime(e.Invoked)
	return configapi.RemediationExecutionStatus{
		ResourceKey: &configapi.ResourceKey{ResourceType: configapi.ResourceType(e.ResourceType), ResourceId: e.ResourceID},
		State:       configapi.RemediationExecutionStateFailed,
		StepDetails: []configapi.RemediationExecutionStep{{
			Name: e.Document, State: configapi.RemediationExecutionStepStateFailed, ErrorMessage: e.Error, StartTime: at, StopTime: at,
		}},
		InvocationTime:  at,
		LastUpdatedTime: at,
	}
}

// resourceKeyID is the id of a remediation exception or execution, after the rule's prefix.
func resourceKeyID(resourceType, resourceID string) string { return resourceType + "\x00" + resourceID }

func RemediationConfigARN(account, region, rule, id string) string {
	return fmt.Sprintf("arn:aws:config:%s:%s:remediation-configuration/%s/%s", region, account, rule, id)
}

func noSuchRemediation(rule string) error {
	return configapi.ErrNoSuchRemediationConfiguration("No RemediationConfiguration for the ConfigRule '%s' exists.", rule)
}

// remediationTx returns the remediation configuration of a rule, or nil when it has none.
func remediationTx(tx store.Tx, account, region, rule string) (*RemediationRec, error) {
	b, err := tx.Get(KindRemediation, core.Scope(account, region), rule)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := new(RemediationRec)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("configservice: decode remediation configuration %s: %w", rule, err)
	}
	return r, nil
}

// hasRemediationTx reports whether a rule has a remediation configuration.
func hasRemediationTx(tx store.Tx, account, region, rule string) (bool, error) {
	_, err := tx.Get(KindRemediation, core.Scope(account, region), rule)
	if err == store.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// failedBatches groups failed items by failure message, in the order the messages first occur.
type failedBatches[T any] struct {
	msgs  []string
	items map[string][]T
}

func (f *failedBatches[T]) add(msg string, item T) {
	if f.items == nil {
		f.items = map[string][]T{}
	}
	if _, ok := f.items[msg]; !ok {
		f.msgs = append(f.msgs, msg)
	}
	f.items[msg] = append(f.items[msg], item)
}

func (f *failedBatches[T]) each(fn func(msg string, items []T)) {
	for _, m := range f.msgs {
		fn(m, f.items[m])
	}
}

func (f *failedBatches[T]) count() int {
	n := 0
	for _, v := range f.items {
		n += len(v)
	}
	return n
}

// validateRemediation checks what the model cannot: the parameter values and the target.
func validateRemediation(c *configapi.RemediationConfiguration) error {
	if strings.TrimSpace(c.ConfigRuleName) == "" {
		return configapi.ErrInvalidParameterValue("The ConfigRuleName of a remediation configuration must contain at least one non-whitespace character.")
	}
	if c.TargetType != configapi.RemediationTargetTypeSsmDocument {
		return configapi.ErrInvalidParameterValue("The TargetType %q is invalid: only SSM_DOCUMENT is supported.", c.TargetType)
	}
	if strings.TrimSpace(c.TargetId) == "" {
		return configapi.ErrInvalidParameterValue("The TargetId (the name of the SSM document) of a remediation configuration is required.")
	}
	for name, v := range c.Parameters {
		if (v.ResourceValue == nil) == (v.StaticValue == nil) {
			return configapi.ErrInvalidParameterValue("There were invalid RemediationParameterValues for configurations for AWS Config Rules: the parameter %s must have either a ResourceValue or a StaticValue.", name)
		}
		if v.ResourceValue != nil && v.ResourceValue.Value != configapi.ResourceValueTypeResourceId {
			return configapi.ErrInvalidParameterValue("There were invalid RemediationParameterValues for configurations for AWS Config Rules: the ResourceValue of %s must be RESOURCE_ID.", name)
		}
	}
	return nil
}

// PutRemediationConfigurations adds or replaces the remediation configurations of rules (at
// most 25). A configuration whose rule does not exist in the region, is being deleted or is
// service-linked is returned in FailedBatches; the others are stored. An invalid configuration
// fails the whole request. orgconfig cannot check that the SSM document exists, and never runs
// it, automatic remediation included.
func (s *Service) PutRemediationConfigurations(ctx context.Context, in *configapi.PutRemediationConfigurationsRequest) (*configapi.PutRemediationConfigurationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.RemediationConfigurations) > 25 {
		return nil, configapi.ErrInvalidParameterValue("At most 25 remediation configurations can be put at once.")
	}
	for i := range in.RemediationConfigurations {
		if err := validateRemediation(&in.RemediationConfigurations[i]); err != nil {
			return nil, err
		}
	}
	var failed failedBatches[configapi.RemediationConfiguration]
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		failed = failedBatches[configapi.RemediationConfiguration]{}
		now := s.Clock.Now().UTC()
		for _, c := range in.RemediationConfigurations {
			r, err := ruleTx(tx, account, region, c.ConfigRuleName)
			if err != nil {
				return err
			}
			switch {
			case r == nil:
				failed.add(fmt.Sprintf("The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", c.ConfigRuleName), c)
				continue
			case r.Rule.CreatedBy != "":
				failed.add("Remediation configurations cannot be added to service-linked Config rules.", c)
				continue
			case r.deleting():
				failed.add(fmt.Sprintf("The rule %s is currently being deleted.", r.Name()), c)
				continue
			}
			rec := &RemediationRec{Config: c, Created: now}
			rec.Config.CreatedByService = ""
			old, err := remediationTx(tx, account, region, r.Name())
			if err != nil {
				return err
			}
			if old != nil {
				// An update keeps the configuration's identity.
				rec.Config.Arn, rec.Created = old.Config.Arn, old.Created
			} else {
				rec.Config.Arn = RemediationConfigARN(account, region, r.Name(), s.IDs.RequestID())
			}
			if c.Automatic != nil && *c.Automatic {
				if rec.Config.MaximumAutomaticAttempts == nil {
					n := int32(defaultAutomaticAttempts)
					rec.Config.MaximumAutomaticAttempts = &n
				}
				if rec.Config.RetryAttemptSeconds == nil {
					n := int64(defaultRetryAttemptSeconds)
					rec.Config.RetryAttemptSeconds = &n
				}
			}
			b, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if err := tx.Put(KindRemediation, core.Scope(account, region), r.Name(), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &configapi.PutRemediationConfigurationsResponse{FailedBatches: []configapi.FailedRemediationBatch{}}
	failed.each(func(msg string, items []configapi.RemediationConfiguration) {
		out.FailedBatches = append(out.FailedBatches, configapi.FailedRemediationBatch{FailureMessage: msg, FailedItems: items})
	})
	return out, nil
}

// DescribeRemediationConfigurations returns the remediation configurations of the rules named,
// in the order named; a rule without one (or without existence) is left out.
func (s *Service) DescribeRemediationConfigurations(ctx context.Context, in *configapi.DescribeRemediationConfigurationsRequest) (*configapi.DescribeRemediationConfigurationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ConfigRuleNames) > 25 {
		return nil, configapi.ErrInvalidParameterValue("At most 25 ConfigRuleNames can be given.")
	}
	var names []string
	for _, n := range in.ConfigRuleNames {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	out := &configapi.DescribeRemediationConfigurationsResponse{RemediationConfigurations: []configapi.RemediationConfiguration{}}
	if len(names) == 0 {
		return out, nil
	}
	keys := make([]store.Key, len(names))
	for i, n := range names {
		keys[i] = store.Key{Kind: KindRemediation, Scope: core.Scope(account, region), ID: n}
	}
	bodies, err := s.Store.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, b := range bodies {
		if b == nil {
			continue
		}
		var r RemediationRec
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("configservice: decode remediation configuration %s: %w", names[i], err)
		}
		out.RemediationConfigurations = append(out.RemediationConfigurations, r.Config)
	}
	return out, nil
}

// DeleteRemediationConfiguration deletes the remediation configuration of a rule, and the
// executions recorded for it; the rule's remediation exceptions stay. A ResourceType that is
// given must match the configuration's. Nothing is ever in progress, so
// RemediationInProgressException never occurs.
func (s *Service) DeleteRemediationConfiguration(ctx context.Context, in *configapi.DeleteRemediationConfigurationRequest) (*configapi.DeleteRemediationConfigurationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := remediationTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil || (in.ResourceType != "" && r.Config.ResourceType != "" && in.ResourceType != r.Config.ResourceType) {
			return noSuchRemediation(in.ConfigRuleName)
		}
		if _, err := tx.Delete(KindRemediation, core.Scope(account, region), in.ConfigRuleName); err != nil {
			return err
		}
		return deleteRuleKeyedTx(tx, KindRemediationExecution, core.Scope(account, region), in.ConfigRuleName)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.DeleteRemediationConfigurationResponse{}, nil
}

// deleteRuleKeyedTx deletes the records of kind whose id starts with the rule's prefix.
func deleteRuleKeyedTx(tx store.Tx, kind, scope, rule string) error {
	for {
		recs, err := tx.ListPrefix(kind, scope, rule+"\x00", "", 500)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if _, err := tx.Delete(kind, scope, r.ID); err != nil {
				return err
			}
		}
		if len(recs) < 500 {
			return nil
		}
	}
}

// exceptionKeys checks the resource keys of the remediation exception operations and returns
// them without duplicates.
//
// invalid is the operation's error for bad keys: InvalidParameterValueException where its
// model lists it, ValidationException (DeleteRemediationExceptions lists none).
func exceptionKeys(keys []configapi.RemediationExceptionResourceKey, required bool, invalid func(string, ...any) *awsproto.Error) ([]configapi.RemediationExceptionResourceKey, error) {
	if required && len(keys) == 0 {
		return nil, invalid("The ResourceKeys must contain between 1 and 100 resource keys.")
	}
	if len(keys) > 100 {
		return nil, invalid("The ResourceKeys must contain between 1 and 100 resource keys.")
	}
	var out []configapi.RemediationExceptionResourceKey
	for _, k := range keys {
		if k.ResourceType == "" || k.ResourceId == "" {
			return nil, invalid("Each resource key of a remediation exception needs a ResourceType and a ResourceId.")
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func decodeRemediationException(b []byte) (*remediationExceptionRec, error) {
	e := new(remediationExceptionRec)
	if err := json.Unmarshal(b, e); err != nil {
		return nil, fmt.Errorf("configservice: decode remediation exception: %w", err)
	}
	return e, nil
}

// PutRemediationExceptions adds or updates the remediation exceptions of resources for a rule.
// As AWS documents, an exception is not generated for a resource the rule evaluates as
// COMPLIANT or NOT_APPLICABLE: such keys, and every key of a rule that does not exist, are
// returned in FailedBatches. A resource not evaluated yet may get an exception (AWS recommends
// placing it before the resource is found NON_COMPLIANT). An ExpirationTime must be in the
// future.
func (s *Service) PutRemediationExceptions(ctx context.Context, in *configapi.PutRemediationExceptionsRequest) (*configapi.PutRemediationExceptionsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := exceptionKeys(in.ResourceKeys, true, configapi.ErrInvalidParameterValue)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().UTC()
	if !in.ExpirationTime.IsZero() && !in.ExpirationTime.After(now) {
		return nil, configapi.ErrInvalidParameterValue("The ExpirationTime of a remediation exception must be in the future.")
	}
	var failed failedBatches[configapi.RemediationException]
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		failed = failedBatches[configapi.RemediationException]{}
		scope := core.Scope(account, region)
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		var recs []store.Record
		for _, k := range keys {
			e := &remediationExceptionRec{ResourceType: k.ResourceType, ResourceID: k.ResourceId, Message: in.Message, Expiration: in.ExpirationTime.Time}
			if r == nil {
				failed.add(fmt.Sprintf("The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", in.ConfigRuleName), e.api(in.ConfigRuleName))
				continue
			}
			b, err := tx.Get(KindEvaluation, scope, EvalID(r.Name(), k.ResourceType, k.ResourceId))
			switch {
			case err == nil:
				ev, err := DecodeEval(b)
				if err != nil {
					return err
				}
				if ev.Compliance == Compliant || ev.Compliance == notApplicable {
					failed.add(fmt.Sprintf("A remediation exception can only be placed on a NON_COMPLIANT resource; the rule evaluates this resource as %s.", ev.Compliance), e.api(r.Name()))
					continue
				}
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			body, err := json.Marshal(e)
			if err != nil {
				return err
			}
			recs = append(recs, store.Record{Kind: KindRemediationException, Scope: scope, ID: r.Name() + "\x00" + resourceKeyID(k.ResourceType, k.ResourceId), Body: body})
		}
		return tx.PutMany(recs)
	})
	if err != nil {
		return nil, err
	}
	out := &configapi.PutRemediationExceptionsResponse{FailedBatches: []configapi.FailedRemediationExceptionBatch{}}
	failed.each(func(msg string, items []configapi.RemediationException) {
		out.FailedBatches = append(out.FailedBatches, configapi.FailedRemediationExceptionBatch{FailureMessage: msg, FailedItems: items})
	})
	return out, nil
}

// DescribeRemediationExceptions returns the unexpired remediation exceptions of a rule: those
// of the resource keys given (Limit and NextToken do not apply then, as AWS documents), or all
// of them in resource order, Limit (default 25, at most 100) per page.
func (s *Service) DescribeRemediationExceptions(ctx context.Context, in *configapi.DescribeRemediationExceptionsRequest) (*configapi.DescribeRemediationExceptionsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := exceptionKeys(in.ResourceKeys, false, configapi.ErrInvalidParameterValue)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, remediationExceptionsPage)
	if limit > 100 {
		return nil, configapi.ErrInvalidParameterValue("The Limit must be at most 100.")
	}
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	scope, rule := core.Scope(account, region), in.ConfigRuleName
	now := s.Clock.Now()
	out := &configapi.DescribeRemediationExceptionsResponse{RemediationExceptions: []configapi.RemediationException{}}
	if len(keys) > 0 {
		sk := make([]store.Key, len(keys))
		for i, k := range keys {
			sk[i] = store.Key{Kind: KindRemediationException, Scope: scope, ID: rule + "\x00" + resourceKeyID(k.ResourceType, k.ResourceId)}
		}
		bodies, err := s.Store.GetMany(ctx, sk)
		if err != nil {
			return nil, err
		}
		for _, b := range bodies {
			if b == nil {
				continue
			}
			e, err := decodeRemediationException(b)
			if err != nil {
				return nil, err
			}
			if !e.expired(now) {
				out.RemediationExceptions = append(out.RemediationExceptions, e.api(rule))
			}
		}
		return out, nil
	}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.RemediationExceptions, out.NextToken = out.RemediationExceptions[:0], ""
		prefix := rule + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		var last string
		for {
			recs, err := tx.ListPrefix(KindRemediationException, scope, prefix, cursor, 500)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				cursor = rec.ID
				e, err := decodeRemediationException(rec.Body)
				if err != nil {
					return err
				}
				if e.expired(now) {
					continue
				}
				if len(out.RemediationExceptions) == limit {
					out.NextToken = core.EncodeToken(last)
					return nil
				}
				out.RemediationExceptions = append(out.RemediationExceptions, e.api(rule))
				last = resourceKeyID(e.ResourceType, e.ResourceID)
			}
			if len(recs) < 500 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteRemediationExceptions deletes the remediation exceptions of resources for a rule. Keys
// without an (unexpired) exception are returned in FailedBatches; when none of the keys has
// one, nothing was deleted and the answer is NoSuchRemediationExceptionException.
func (s *Service) DeleteRemediationExceptions(ctx context.Context, in *configapi.DeleteRemediationExceptionsRequest) (*configapi.DeleteRemediationExceptionsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := exceptionKeys(in.ResourceKeys, true, configapi.ErrValidation)
	if err != nil {
		return nil, err
	}
	var failed failedBatches[configapi.RemediationExceptionResourceKey]
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		failed = failedBatches[configapi.RemediationExceptionResourceKey]{}
		scope, now := core.Scope(account, region), s.Clock.Now()
		for _, k := range keys {
			id := in.ConfigRuleName + "\x00" + resourceKeyID(k.ResourceType, k.ResourceId)
			b, err := tx.Get(KindRemediationException, scope, id)
			if errors.Is(err, store.ErrNotFound) {
				failed.add("No remediation exception exists for this resource and rule.", k)
				continue
			}
			if err != nil {
				return err
			}
			e, err := decodeRemediationException(b)
			if err != nil {
				return err
			}
			if _, err := tx.Delete(KindRemediationException, scope, id); err != nil {
				return err
			}
			if e.expired(now) {
				failed.add("No remediation exception exists for this resource and rule.", k)
			}
		}
		if failed.count() == len(keys) {
			return configapi.ErrNoSuchRemediationException("No remediation exception exists for the resources given and the ConfigRule '%s'.", in.ConfigRuleName)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &configapi.DeleteRemediationExceptionsResponse{FailedBatches: []configapi.FailedDeleteRemediationExceptionsBatch{}}
	failed.each(func(msg string, items []configapi.RemediationExceptionResourceKey) {
		out.FailedBatches = append(out.FailedBatches, configapi.FailedDeleteRemediationExceptionsBatch{FailureMessage: msg, FailedItems: items})
	})
	return out, nil
}

// resourceKeys checks the resource keys of the remediation execution operations and returns
// them without duplicates.
func resourceKeys(keys []configapi.ResourceKey) ([]configapi.ResourceKey, error) {
	if len(keys) > 100 {
		return nil, configapi.ErrInvalidParameterValue("The ResourceKeys must contain between 1 and 100 resource keys.")
	}
	var out []configapi.ResourceKey
	for _, k := range keys {
		if k.ResourceType == "" || k.ResourceId == "" {
			return nil, configapi.ErrInvalidParameterValue("Each resource key needs a resourceType and a resourceId.")
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// StartRemediationExecution would run the rule's SSM document against the resources. orgconfig
// has no automation backend: every resource key is returned in FailedItems with the reason, and
// a FAILED execution is recorded for each, for DescribeRemediationExecutionStatus. A rule
// without a remediation configuration is NoSuchRemediationConfigurationException.
func (s *Service) StartRemediationExecution(ctx context.Context, in *configapi.StartRemediationExecutionRequest) (*configapi.StartRemediationExecutionResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := resourceKeys(in.ResourceKeys)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, configapi.ErrInvalidParameterValue("The ResourceKeys must contain between 1 and 100 resource keys.")
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := remediationTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil {
			return noSuchRemediation(in.ConfigRuleName)
		}
		now := s.Clock.Now().UTC()
		recs := make([]store.Record, 0, len(keys))
		for _, k := range keys {
			e := remediationExecRec{ResourceType: string(k.ResourceType), ResourceID: k.ResourceId, Document: r.Config.TargetId, Invoked: now, Error: noAutomationBackend}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			recs = append(recs, store.Record{Kind: KindRemediationExecution, Scope: core.Scope(account, region),
				ID: in.ConfigRuleName + "\x00" + resourceKeyID(e.ResourceType, e.ResourceID), Body: b})
		}
		return tx.PutMany(recs)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.StartRemediationExecutionResponse{FailureMessage: noAutomationBackend, FailedItems: keys}, nil
}

// DescribeRemediationExecutionStatus returns the executions recorded for a rule's resources
// (those of the keys given, or all), in resource order, Limit (default and at most 100) per
// page. Every execution is FAILED, its one step carrying the reason.
func (s *Service) DescribeRemediationExecutionStatus(ctx context.Context, in *configapi.DescribeRemediationExecutionStatusRequest) (*configapi.DescribeRemediationExecutionStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := resourceKeys(in.ResourceKeys)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, remediationExecutionsPage)
	if limit > 100 {
		return nil, configapi.ErrInvalidParameterValue("The Limit must be at most 100.")
	}
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, k := range keys {
		wanted[resourceKeyID(string(k.ResourceType), k.ResourceId)] = true
	}
	scope, rule := core.Scope(account, region), in.ConfigRuleName
	out := &configapi.DescribeRemediationExecutionStatusResponse{RemediationExecutionStatuses: []configapi.RemediationExecutionStatus{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.RemediationExecutionStatuses, out.NextToken = out.RemediationExecutionStatuses[:0], ""
		if has, err := hasRemediationTx(tx, account, region, rule); err != nil {
			return err
		} else if !has {
			return noSuchRemediation(rule)
		}
		prefix := rule + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		var last string
		for {
			recs, err := tx.ListPrefix(KindRemediationExecution, scope, prefix, cursor, 500)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				cursor = rec.ID
				id := strings.TrimPrefix(rec.ID, prefix)
				if len(wanted) > 0 && !wanted[id] {
					continue
				}
				if len(out.RemediationExecutionStatuses) == limit {
					out.NextToken = core.EncodeToken(last)
					return nil
				}
				var e remediationExecRec
				if err := json.Unmarshal(rec.Body, &e); err != nil {
					return fmt.Errorf("configservice: decode remediation execution: %w", err)
				}
				out.RemediationExecutionStatuses = append(out.RemediationExecutionStatuses, e.api())
				last = id
			}
			if len(recs) < 500 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
