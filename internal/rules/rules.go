package rules

import (
	"encoding/json"
	"slices"
	"strings"
)

// Item is the view of one configuration item a rule evaluates.
type Item struct {
	AccountID, Region, ResourceType, ResourceID, ResourceName, ARN string
	// Status is the configurationItemStatus: OK, ResourceDiscovered, ResourceNotRecorded,
	// ResourceDeleted or ResourceDeletedNotRecorded.
	Status string
	// Configuration is the item's configuration JSON value (an object); it may be empty.
	Configuration json.RawMessage
	// Supplementary holds the supplementaryConfiguration entries, each a JSON value. AWS records
	// some of them (AccessControlList, sometimes BucketPolicy.policyText) as JSON strings holding
	// JSON, possibly URL-encoded; rules accept both forms.
	Supplementary map[string]json.RawMessage
	Tags          map[string]string
}

// Configuration item statuses that decide whether an item is evaluated.
const (
	StatusOK                         = "OK"
	StatusResourceDiscovered         = "ResourceDiscovered"
	StatusResourceNotRecorded        = "ResourceNotRecorded"
	StatusResourceDeleted            = "ResourceDeleted"
	StatusResourceDeletedNotRecorded = "ResourceDeletedNotRecorded"
)

// Compliance values of an evaluation result. INSUFFICIENT_DATA is never an evaluation result.
const (
	Compliant     = "COMPLIANT"
	NonCompliant  = "NON_COMPLIANT"
	NotApplicable = "NOT_APPLICABLE"
)

// AccountResourceType is the resource type of account-level results; their resource ID is the
// account ID.
const AccountResourceType = "AWS::::Account"

// ProcessCheckIdentifier is the managed rule whose results come only from PutExternalEvaluation.
const ProcessCheckIdentifier = "AWS_CONFIG_PROCESS_CHECK"

// Result is the evaluation of one resource by one rule.
type Result struct {
	ResourceType, ResourceID, Compliance string
	// Annotation explains a NON_COMPLIANT or NOT_APPLICABLE result in at most 256 characters;
	// it is empty for COMPLIANT results.
	Annotation string
}

// Env gives a rule access to other state of the same account and region. Both methods are
// read-only and may be called any number of times during one evaluation.
type Env interface {
	// Item returns the current (not deleted) configuration item of a resource, or nil when there
	// is none.
	Item(resourceType, resourceID string) *Item
	// PasswordPolicy returns the account's IAM password policy, or nil when the account has none.
	PasswordPolicy() *PasswordPolicy
}

// PasswordPolicy is the IAM account password policy, with the fields of IAM's
// GetAccountPasswordPolicy.
type PasswordPolicy struct {
	MinimumPasswordLength                                                                  int
	RequireSymbols, RequireNumbers, RequireUppercaseCharacters, RequireLowercaseCharacters bool
	MaxPasswordAge                                                                         int // 0: passwords do not expire
	PasswordReusePrevention                                                                int // 0: not set
}

// Trigger is the set of events that run a rule.
type Trigger uint8

// Triggers of managed rules.
const (
	// ChangeTriggered rules run on every configuration item of a resource in their scope.
	ChangeTriggered Trigger = 1 << iota
	// Periodic rules run when created and then every MaximumExecutionFrequency.
	Periodic
)

// Has reports whether t includes every trigger of u.
func (t Trigger) Has(u Trigger) bool { return t&u == u }

// String names the triggers, e.g. "ChangeTriggered|Periodic".
func (t Trigger) String() string {
	var names []string
	if t.Has(ChangeTriggered) {
		names = append(names, "ChangeTriggered")
	}
	if t.Has(Periodic) {
		names = append(names, "Periodic")
	}
	return strings.Join(names, "|")
}

// Param describes one input parameter of a managed rule.
type Param struct {
	// Name is the key in InputParameters; it is case-sensitive.
	Name string
	// Required parameters must be present (and not blank) in InputParameters.
	Required bool
	// Default is the value an optional parameter takes when absent. For a required parameter it
	// is only the value AWS's documentation suggests, and is never applied.
	Default     string
	Description string
}

// Rule is an AWS managed rule. Rules returned by Lookup are shared: callers must not modify them.
type Rule struct {
	Identifier  string // e.g. REQUIRED_TAGS
	DefaultName string // e.g. required-tags
	// ResourceTypes is the scope of the change trigger; it is empty for account-level rules.
	ResourceTypes []string
	Triggers      Trigger
	Params        []Param
	// AnyParams marks a rule whose parameters orgconfig does not know: ParseParams then accepts
	// any names (it still checks the JSON).
	AnyParams bool
	// Evaluable is false for identifiers orgconfig knows (valid for PutConfigRule) but cannot
	// evaluate.
	Evaluable bool
	// EvaluateItem evaluates one configuration item (change-triggered rules); it is nil for
	// account-level rules. It returns ok=false when the item yields no evaluation (items of other
	// types, ResourceNotRecorded and deleted items: the caller drops any previous result).
	EvaluateItem func(env Env, it *Item, p Params) (res Result, ok bool)
	// EvaluateAccount evaluates an account-level periodic rule (IAM_PASSWORD_POLICY); the result
	// has type AWS::::Account and the account ID as resource ID. It is nil for other rules.
	EvaluateAccount func(env Env, accountID string, p Params) Result
}

// AccountLevel reports whether the rule evaluates the account rather than resources.
func (r *Rule) AccountLevel() bool { return len(r.ResourceTypes) == 0 }

// Param returns the description of the rule's parameter name, or nil when the rule has none.
func (r *Rule) Param(name string) *Param {
	for i := range r.Params {
		if r.Params[i].Name == name {
			return &r.Params[i]
		}
	}
	return nil
}

// registry holds every known managed rule by identifier; identifiers lists them sorted.
var (
	registry    = index(append(managedRules(), catalogueRules()...))
	identifiers = sortedKeys(registry)
)

// Lookup returns the managed rule with the given identifier (case-sensitive, as AWS matches it).
func Lookup(identifier string) (*Rule, bool) {
	r, ok := registry[identifier]
	return r, ok
}

// Identifiers returns every known managed rule identifier, sorted.
func Identifiers() []string { return slices.Clone(identifiers) }

// index keys rules by identifier, filling in default names derived from the identifier. The
// first definition of an identifier wins; TestCatalogueUnique keeps the lists free of duplicates.
func index(all []*Rule) map[string]*Rule {
	m := make(map[string]*Rule, len(all))
	for _, r := range all {
		if _, dup := m[r.Identifier]; dup {
			continue
		}
		if r.DefaultName == "" {
			r.DefaultName = strings.ToLower(strings.ReplaceAll(r.Identifier, "_", "-"))
		}
		m[r.Identifier] = r
	}
	return m
}

// sortedKeys returns the identifiers of m in order.
func sortedKeys(m map[string]*Rule) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
