package evaluation

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/guard"
	"github.com/orgconfig/orgconfig/internal/rules"
	"github.com/orgconfig/orgconfig/internal/store"
)

// KindRule holds a Config rule: scope Scope(account, region), id = rule name, body ruleRec.
const KindRule = "config-rule"

// maxConfigRules is AWS's quota of rules per account and region.
const maxConfigRules = 1000

// Owners of a rule's source.
const (
	ownerAWS    = string(configapi.OwnerAws)
	ownerLambda = string(configapi.OwnerCustomLambda)
	ownerPolicy = string(configapi.OwnerCustomPolicy)
)

// processCheck is the identifier of the managed rule that only PutExternalEvaluation feeds.
const processCheck = "AWS_CONFIG_PROCESS_CHECK"

// accountResourceType is the resource type of account-level evaluations.
const accountResourceType = "AWS::::Account"

// ruleRec is a stored rule: the API's ConfigRule and the rule's evaluation status.
type ruleRec struct {
	Rule   configapi.ConfigRule `json:"rule"`
	Status ruleStatus           `json:"status"`
	// LastStartEvaluation is when StartConfigRulesEvaluation was last accepted for the rule
	// (its rate limit).
	LastStartEvaluation time.Time `json:"lastStartEvaluation,omitzero"`
	Created             time.Time `json:"created"`
}

// ruleStatus is the evaluation status of a rule (DescribeConfigRuleEvaluationStatus).
type ruleStatus struct {
	LastSuccessfulInvocation time.Time `json:"lastSuccessfulInvocation,omitzero"`
	LastFailedInvocation     time.Time `json:"lastFailedInvocation,omitzero"`
	LastSuccessfulEvaluation time.Time `json:"lastSuccessfulEvaluation,omitzero"`
	LastFailedEvaluation     time.Time `json:"lastFailedEvaluation,omitzero"`
	FirstActivated           time.Time `json:"firstActivated,omitzero"`
	LastErrorCode            string    `json:"lastErrorCode,omitempty"`
	LastErrorMessage         string    `json:"lastErrorMessage,omitempty"`
	FirstEvaluationStarted   bool      `json:"firstEvaluationStarted,omitempty"`
}

func (r *ruleRec) Name() string  { return r.Rule.ConfigRuleName }
func (r *ruleRec) owner() string { return string(r.Rule.Source.Owner) }

// deleting reports whether the rule is being deleted.
func (r *ruleRec) deleting() bool {
	return r.Rule.ConfigRuleState == configapi.ConfigRuleStateDeleting
}

// managed returns the managed rule of an AWS-owned rule, or nil.
func (r *ruleRec) managed() *rules.Rule {
	if r.owner() != ownerAWS {
		return nil
	}
	m, _ := rules.Lookup(r.Rule.Source.SourceIdentifier)
	return m
}

// changeTriggered reports whether configuration changes trigger the rule.
func (r *ruleRec) changeTriggered() bool {
	switch r.owner() {
	case ownerAWS:
		m := r.managed()
		return m != nil && m.Triggers&rules.ChangeTriggered != 0 && m.EvaluateItem != nil
	case ownerPolicy:
		return true
	}
	for _, d := range r.Rule.Source.SourceDetails {
		if d.MessageType == configapi.MessageTypeConfigurationItemChangeNotification ||
			d.MessageType == configapi.MessageTypeOversizedConfigurationItemChangeNotification {
			return true
		}
	}
	return false
}

// periodic returns the rule's period, or 0 when it is not periodic.
func (r *ruleRec) periodic() time.Duration {
	freq := r.Rule.MaximumExecutionFrequency
	switch r.owner() {
	case ownerAWS:
		m := r.managed()
		if m == nil || m.Triggers&rules.Periodic == 0 || (m.EvaluateAccount == nil && freq == "") {
			return 0
		}
	case ownerLambda:
		scheduled := false
		for _, d := range r.Rule.Source.SourceDetails {
			if d.MessageType == configapi.MessageTypeScheduledNotification {
				scheduled = true
				freq = cmp.Or(d.MaximumExecutionFrequency, freq)
			}
		}
		if !scheduled {
			return 0
		}
	default:
		return 0
	}
	return frequency(freq)
}

// frequency is the period of a MaximumExecutionFrequency (24 hours by default).
func frequency(f configapi.MaximumExecutionFrequency) time.Duration {
	switch f {
	case configapi.MaximumExecutionFrequencyOneHour:
		return time.Hour
	case configapi.MaximumExecutionFrequencyThreeHours:
		return 3 * time.Hour
	case configapi.MaximumExecutionFrequencySixHours:
		return 6 * time.Hour
	case configapi.MaximumExecutionFrequencyTwelveHours:
		return 12 * time.Hour
	}
	return 24 * time.Hour
}

// inScope reports whether the rule applies to a configuration item: the resource types of its
// scope (the managed rule's types when the scope names none), the tag, the resource ID.
func (r *ruleRec) inScope(ci *configapi.ConfigurationItem) bool {
	typ := string(ci.ResourceType)
	sc := r.Rule.Scope
	var types []string
	if sc != nil {
		types = sc.ComplianceResourceTypes
	}
	if len(types) == 0 {
		if m := r.managed(); m != nil {
			types = m.ResourceTypes
		}
	}
	if len(types) > 0 && !slices.Contains(types, typ) {
		return false
	}
	if sc == nil {
		return true
	}
	if sc.ComplianceResourceId != "" && sc.ComplianceResourceId != ci.ResourceId {
		return false
	}
	if sc.TagKey != "" {
		v, ok := ci.Tags[sc.TagKey]
		if !ok || (sc.TagValue != "" && v != sc.TagValue) {
			return false
		}
	}
	return true
}

func ruleARN(account, region, id, createdBy string) string {
	if createdBy != "" {
		return fmt.Sprintf("arn:aws:config:%s:%s:config-rule/aws-service-rule/%s/%s", region, account, createdBy, id)
	}
	return fmt.Sprintf("arn:aws:config:%s:%s:config-rule/%s", region, account, id)
}

func noSuchRule(name string) error {
	return configapi.ErrNoSuchConfigRule("The ConfigRule '%s' provided in the request is invalid. Please check the configRule name.", name)
}

func serviceLinkedRule() error {
	return awsproto.ErrAccessDenied("An AWS service owns ServiceLinkedConfigRule. You do not have permissions to take action on this rule.")
}

func ruleDeleting(name string) error {
	return configapi.ErrResourceInUse("The rule %s is currently being deleted. Please retry after some time.", name)
}

// ruleTx returns the rule named name, or nil when there is none.
func ruleTx(tx store.Tx, account, region, name string) (*ruleRec, error) {
	return core.GetRecTx[ruleRec](tx, KindRule, core.Scope(account, region), name)
}

// RulesTx returns every rule of (account, region), in name order.
func RulesTx(tx store.Tx, account, region string) ([]*ruleRec, error) {
	return core.SelectRecsTx[ruleRec](tx, KindRule, core.Scope(account, region), nil, noSuchRule)
}

func saveRuleTx(tx store.Tx, account, region string, r *ruleRec) error {
	return core.PutRecTx(tx, KindRule, core.Scope(account, region), r.Name(), r)
}

// addActiveRulesTx maintains the KindRulesActive marker of a scope.
func addActiveRulesTx(tx store.Tx, scope string, delta int64) error {
	var c recording.CountBody
	b, err := tx.Get(core.KindRulesActive, scope, "")
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	c.Count += delta
	if c.Count <= 0 {
		_, err := tx.Delete(core.KindRulesActive, scope, "")
		return err
	}
	b, _ = json.Marshal(c)
	return tx.Put(core.KindRulesActive, scope, "", b)
}

var (
	lambdaARN     = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$`)
	guardRuntime  = regexp.MustCompile(`^guard-2\.x\.x$`)
	maxPolicyText = 10000
)

// ValidateRule checks a rule given to PutConfigRule (AWS's rules of spec section 5.1–5.2) and
// returns its managed rule, if any, and its parameters with defaults.
func ValidateRule(in *configapi.ConfigRule) (*rules.Rule, error) {
	if strings.TrimSpace(in.ConfigRuleName) == "" {
		return nil, configapi.ErrInvalidParameterValue("The ConfigRuleName must contain at least one non-whitespace character.")
	}
	if in.ConfigRuleState != "" && in.ConfigRuleState != configapi.ConfigRuleStateActive {
		return nil, configapi.ErrInvalidParameterValue("The ConfigRuleState %s is invalid. Only ACTIVE is allowed in PutConfigRule.", in.ConfigRuleState)
	}
	if sc := in.Scope; sc != nil {
		if sc.TagValue != "" && sc.TagKey == "" {
			return nil, configapi.ErrInvalidParameterValue("A TagValue requires a TagKey in the rule's scope.")
		}
		if sc.TagKey != "" && (sc.ComplianceResourceId != "" || len(sc.ComplianceResourceTypes) > 0) {
			return nil, configapi.ErrInvalidParameterValue("Scope cannot be applied to both resource and tag")
		}
		if sc.ComplianceResourceId != "" && len(sc.ComplianceResourceTypes) != 1 {
			return nil, configapi.ErrInvalidParameterValue("A ComplianceResourceId requires exactly one ComplianceResourceType in the rule's scope.")
		}
	}
	src := in.Source
	if src == nil {
		return nil, configapi.ErrInvalidParameterValue("The Source of the rule is required.")
	}
	scheduled := false
	for _, d := range src.SourceDetails {
		if d.EventSource != "" && d.EventSource != configapi.EventSourceAwsConfig {
			return nil, configapi.ErrInvalidParameterValue("The EventSource %s is invalid: only aws.config is supported.", d.EventSource)
		}
		switch d.MessageType {
		case configapi.MessageTypeScheduledNotification, configapi.MessageTypeConfigurationSnapshotDeliveryCompleted:
			scheduled = true
		default:
			if d.MaximumExecutionFrequency != "" {
				return nil, configapi.ErrInvalidParameterValue("A MaximumExecutionFrequency can only be set for ScheduledNotification or ConfigurationSnapshotDeliveryCompleted message types, not for %s.", d.MessageType)
			}
		}
	}
	var managed *rules.Rule
	switch string(src.Owner) {
	case ownerAWS:
		m, ok := rules.Lookup(src.SourceIdentifier)
		if !ok {
			return nil, configapi.ErrInvalidParameterValue("The sourceIdentifier %s is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner.", src.SourceIdentifier)
		}
		if len(src.SourceDetails) > 0 {
			return nil, configapi.ErrInvalidParameterValue("SourceDetails must be empty when AWS is the Owner of the rule.")
		}
		if _, err := rules.ParseParams(m, in.InputParameters); err != nil {
			return nil, configapi.ErrInvalidParameterValue("%s", err.Error())
		}
		if in.MaximumExecutionFrequency != "" && m.Triggers&rules.Periodic == 0 {
			return nil, configapi.ErrInvalidParameterValue("The MaximumExecutionFrequency cannot be set for the managed rule %s: it is triggered by configuration changes only.", m.Identifier)
		}
		managed = m
	case ownerLambda:
		if !lambdaARN.MatchString(src.SourceIdentifier) {
			return nil, configapi.ErrInvalidParameterValue("The sourceIdentifier %s is not a valid AWS Lambda function ARN.", src.SourceIdentifier)
		}
		if len(src.SourceDetails) == 0 {
			return nil, configapi.ErrInvalidParameterValue("SourceDetails should be provided when the Owner is CUSTOM_LAMBDA.")
		}
		if err := validJSONParams(in.InputParameters); err != nil {
			return nil, err
		}
		if in.MaximumExecutionFrequency != "" && !scheduled {
			return nil, configapi.ErrInvalidParameterValue("A MaximumExecutionFrequency can only be set for a rule with a ScheduledNotification source detail.")
		}
	case ownerPolicy:
		d := src.CustomPolicyDetails
		if d == nil {
			return nil, configapi.ErrInvalidParameterValue("CustomPolicyDetails should be provided when the Owner is CUSTOM_POLICY.")
		}
		if !guardRuntime.MatchString(d.PolicyRuntime) {
			return nil, configapi.ErrInvalidParameterValue("The PolicyRuntime %s is not supported. Use guard-2.x.x.", d.PolicyRuntime)
		}
		if n := len([]rune(d.PolicyText)); n == 0 || n > maxPolicyText {
			return nil, configapi.ErrInvalidParameterValue("The PolicyText must be between 1 and %d characters.", maxPolicyText)
		}
		if _, err := guard.Parse(d.PolicyText); err != nil {
			var unsupported *guard.UnsupportedError
			if !errors.As(err, &unsupported) { // unsupported constructs are accepted, and reported as not evaluated
				return nil, configapi.ErrInvalidParameterValue("The PolicyText is not valid Guard: %s", err.Error())
			}
		}
		if scheduled || in.MaximumExecutionFrequency != "" {
			return nil, configapi.ErrInvalidParameterValue("Rules with the CUSTOM_POLICY owner can only be triggered by configuration changes.")
		}
		if err := validJSONParams(in.InputParameters); err != nil {
			return nil, err
		}
	default:
		return nil, configapi.ErrInvalidParameterValue("The Owner %s is invalid.", src.Owner)
	}
	for _, m := range in.EvaluationModes {
		if m.Mode != configapi.EvaluationModeDetective && m.Mode != configapi.EvaluationModeProactive {
			return nil, configapi.ErrInvalidParameterValue("The EvaluationMode %s is invalid.", m.Mode)
		}
	}
	return managed, nil
}

func validJSONParams(s string) error {
	if s == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return configapi.ErrInvalidParameterValue("Invalid json %s passed in the inputParameters field", s)
	}
	return nil
}

// hasMode reports whether the rule runs in an evaluation mode (DETECTIVE when none is set).
func (r *ruleRec) hasMode(mode configapi.EvaluationMode) bool {
	if len(r.Rule.EvaluationModes) == 0 {
		return mode == configapi.EvaluationModeDetective
	}
	for _, m := range r.Rule.EvaluationModes {
		if m.Mode == mode {
			return true
		}
	}
	return false
}

// PutServiceRuleTx creates or updates, in (account, region), a rule owned by a service
// (createdBy: an organization rule's config-multiaccountsetup.amazonaws.com, a conformance
// pack's config-conforms.amazonaws.com). The rule is validated as PutConfigRule would, but the
// service-linked protection does not apply to the service itself. A new or changed rule is
// evaluated like any other.
func (s *Service) PutServiceRuleTx(tx store.Tx, account, region string, def configapi.ConfigRule, createdBy string) (*ruleRec, error) {
	if _, err := ValidateRule(&def); err != nil {
		return nil, err
	}
	existing, err := ruleTx(tx, account, region, def.ConfigRuleName)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now().UTC()
	r := &ruleRec{Rule: def, Created: now}
	if existing != nil {
		if existing.Rule.CreatedBy != createdBy {
			return nil, configapi.ErrResourceInUse("A rule named %s already exists in account %s.", def.ConfigRuleName, account)
		}
		if existing.deleting() {
			return nil, ruleDeleting(def.ConfigRuleName)
		}
		if sameDefinition(&existing.Rule, &def) && existing.Rule.Description == def.Description &&
			existing.Rule.MaximumExecutionFrequency == def.MaximumExecutionFrequency {
			return existing, nil // unchanged
		}
		r.Status, r.Created = existing.Status, existing.Created
		r.Rule.ConfigRuleId, r.Rule.ConfigRuleArn = existing.Rule.ConfigRuleId, existing.Rule.ConfigRuleArn
		if !sameDefinition(&existing.Rule, &def) {
			if err := deleteRuleResultsTx(tx, account, region, def.ConfigRuleName); err != nil {
				return nil, err
			}
		}
	} else {
		r.Rule.ConfigRuleId = "config-rule-" + s.IDs.Lower(6)
		r.Rule.ConfigRuleArn = ruleARN(account, region, r.Rule.ConfigRuleId, createdBy)
		r.Status.FirstActivated = now
		if err := addActiveRulesTx(tx, core.Scope(account, region), 1); err != nil {
			return nil, err
		}
	}
	r.Rule.CreatedBy = createdBy
	r.Rule.ConfigRuleState = configapi.ConfigRuleStateActive
	if len(r.Rule.EvaluationModes) == 0 {
		r.Rule.EvaluationModes = []configapi.EvaluationModeConfiguration{{Mode: configapi.EvaluationModeDetective}}
	}
	if r.periodic() > 0 && r.Rule.MaximumExecutionFrequency == "" && r.owner() == ownerAWS {
		r.Rule.MaximumExecutionFrequency = configapi.MaximumExecutionFrequencyTwentyFourHours
	}
	if err := saveRuleTx(tx, account, region, r); err != nil {
		return nil, err
	}
	return r, s.enqueueRuleEvaluationTx(tx, account, region, r, now)
}

// DeleteServiceRuleTx starts the deletion of a service-owned rule (nothing when it is gone).
func (s *Service) DeleteServiceRuleTx(tx store.Tx, account, region, name string) error {
	r, err := ruleTx(tx, account, region, name)
	if err != nil || r == nil || r.deleting() {
		return err
	}
	for _, kind := range []string{KindRemediation} {
		if _, err := tx.Delete(kind, core.Scope(account, region), name); err != nil {
			return err
		}
	}
	return s.startRuleDeletionTx(tx, account, region, r)
}
