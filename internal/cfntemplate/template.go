package cfntemplate

import (
	"sort"
	"strings"
)

// Context is what the template's pseudo parameters evaluate to: AWS::AccountId, AWS::Region,
// AWS::Partition, AWS::StackName and AWS::URLSuffix (derived from the partition).
type Context struct {
	AccountID string
	Region    string
	// Partition defaults to "aws" when empty.
	Partition string
	// StackName is the name of the CloudFormation stack AWS would deploy the pack as.
	StackName string
}

// partition is AWS::Partition.
func (c Context) partition() string {
	if c.Partition == "" {
		return "aws"
	}
	return c.Partition
}

// urlSuffix is AWS::URLSuffix, the domain suffix of the partition's endpoints.
func (c Context) urlSuffix() string {
	switch c.partition() {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	}
	return "amazonaws.com"
}

// Template is what a conformance pack template declares, once parameters, conditions and
// functions are resolved. Rules and Remediations are in template order and hold only the
// resources whose condition is true.
type Template struct {
	Rules        []Rule
	Remediations []Remediation
	// Parameters are the declared parameters, in template order, with the values they took.
	Parameters []Parameter
}

// Parameter is one declared template parameter.
type Parameter struct {
	Name string
	// Type is as declared: String, int, double, CSV, boolean or StringMap (or Number or
	// CommaDelimitedList).
	Type string
	// Default is the declared default, "" when there is none.
	Default string
	// Value is the ConformancePackInputParameters value when one was given, else Default.
	Value string
}

// Rule is one AWS::Config::ConfigRule of the template.
type Rule struct {
	LogicalID string
	// ConfigRuleName is the name the template gives, before AWS suffixes it with the pack's ID;
	// the logical ID when the resource gives none.
	ConfigRuleName string
	Description    string
	// InputParameters holds each parameter as the string AWS Config stores: strings as they
	// are, numbers as written, booleans as true or false, lists (such as a Ref to a CSV
	// parameter) joined with ",", and mappings as compact JSON (AWS does not document the
	// rendering; this is orgconfig's choice). Nil when absent.
	InputParameters map[string]string
	// Scope is nil when the rule has none.
	Scope *Scope
	// Owner is AWS, CUSTOM_LAMBDA or CUSTOM_POLICY. A process check is Owner AWS with
	// SourceIdentifier AWS_CONFIG_PROCESS_CHECK.
	Owner            string
	SourceIdentifier string
	SourceDetails    []SourceDetail
	// CustomPolicy is the CUSTOM_POLICY rule's Guard policy; nil for other owners.
	CustomPolicy              *CustomPolicy
	MaximumExecutionFrequency string
	// EvaluationModes lists the Mode of each EvaluationModes entry (DETECTIVE, PROACTIVE).
	EvaluationModes []string
}

// Scope is a rule's Scope.
type Scope struct {
	ComplianceResourceTypes []string
	ComplianceResourceId    string
	TagKey                  string
	TagValue                string
}

// SourceDetail is one entry of a rule's Source.SourceDetails.
type SourceDetail struct {
	EventSource               string
	MessageType               string
	MaximumExecutionFrequency string
}

// CustomPolicy is a rule's Source.CustomPolicyDetails.
type CustomPolicy struct {
	PolicyRuntime          string
	PolicyText             string
	EnableDebugLogDelivery bool
}

// Remediation is one AWS::Config::RemediationConfiguration of the template.
type Remediation struct {
	LogicalID string
	// ConfigRuleName names the rule as the template does (before AWS's suffix).
	ConfigRuleName string
	TargetType     string
	TargetID       string
	TargetVersion  string
	ResourceType   string
	Automatic      bool
	// MaximumAutomaticAttempts and RetryAttemptSeconds are 0 when absent.
	MaximumAutomaticAttempts int
	RetryAttemptSeconds      int
	// Parameters is the Parameters property as given, with functions resolved: values are
	// string, bool, json.Number, []any and map[string]any. Nil when absent.
	Parameters map[string]any
	// ExecutionControls is nil when absent.
	ExecutionControls *ExecutionControls
}

// ExecutionControls is a remediation's ExecutionControls.
type ExecutionControls struct {
	// SsmControls is nil when absent.
	SsmControls *SsmControls
}

// SsmControls is ExecutionControls.SsmControls.
type SsmControls struct {
	ConcurrentExecutionRatePercentage int
	ErrorPercentage                   int
}

// Parse parses a conformance pack template body (YAML or JSON) and resolves it with the given
// parameter values (ConformancePackInputParameters) and pseudo parameters. The caller checks the
// body's size (TemplateBody is at most 51,200 bytes) before calling.
//
// Every refusal is an *Error. Among them: a value for a parameter the template does not declare
// ("Parameters: [X] do not exist in the template"), a parameter left without a value
// ("Parameters: [X] must have values"), a resource type other than the two Config ones, a
// function conformance packs cannot use, more than 130 rules, and two rules with one
// ConfigRuleName. Parse is deterministic and keeps no state.
func Parse(body []byte, params map[string]string, ctx Context) (*Template, error) {
	root, err := decode(body)
	if err != nil {
		return nil, err
	}
	if err := checkSections(root); err != nil {
		return nil, err
	}
	decls, err := declareParameters(root, params)
	if err != nil {
		return nil, err
	}
	mappings, err := declareMappings(root)
	if err != nil {
		return nil, err
	}
	conds, err := declareConditions(root)
	if err != nil {
		return nil, err
	}
	resources, err := declareResources(root, conds, decls)
	if err != nil {
		return nil, err
	}
	if err := countRules(resources); err != nil {
		return nil, err
	}
	r := newResolver(ctx, decls, mappings, conds, resources)
	if err := r.checkTemplate(resources); err != nil {
		return nil, err
	}
	t, err := r.build(resources)
	if err != nil {
		return nil, err
	}
	for _, p := range decls {
		t.Parameters = append(t.Parameters, p.Parameter)
	}
	return t, nil
}

// build turns the resources whose condition is true into rules and remediations.
func (r *resolver) build(resources []*resource) (*Template, error) {
	t := &Template{}
	for _, res := range resources {
		active, err := r.active(res)
		if err != nil {
			return nil, err
		}
		if !active {
			continue
		}
		if res.typ == typeConfigRule {
			rule, err := r.buildRule(res)
			if err != nil {
				return nil, err
			}
			t.Rules = append(t.Rules, rule)
			continue
		}
		rem, err := r.buildRemediation(res)
		if err != nil {
			return nil, err
		}
		t.Remediations = append(t.Remediations, rem)
	}
	return t, checkDuplicateNames(t.Rules)
}

// checkDuplicateNames refuses two rules with one ConfigRuleName: the pack would create one rule
// over the other. AWS does not document the message; its wording is orgconfig's.
func checkDuplicateNames(rules []Rule) error {
	byName := map[string][]string{}
	var dups []string
	for _, rule := range rules {
		ids := byName[rule.ConfigRuleName]
		if len(ids) == 1 {
			dups = append(dups, rule.ConfigRuleName)
		}
		byName[rule.ConfigRuleName] = append(ids, rule.LogicalID)
	}
	if len(dups) == 0 {
		return nil
	}
	sort.Strings(dups)
	name := dups[0]
	return problem("Duplicate ConfigRuleName [%s] declared by resources [%s]", name, strings.Join(byName[name], ", "))
}
