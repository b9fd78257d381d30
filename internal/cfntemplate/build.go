package cfntemplate

import "strconv"

// owners are the Source.Owner values of AWS::Config::ConfigRule.
var owners = []string{"AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY"}

// buildRule reads an AWS::Config::ConfigRule's evaluated properties.
func (r *resolver) buildRule(res *resource) (Rule, error) {
	props, err := r.properties(res)
	if err != nil {
		return Rule{}, err
	}
	p := view{res: res.id, obj: props}
	if err := p.only("ConfigRuleName", "Description", "InputParameters", "Scope", "Source",
		"MaximumExecutionFrequency", "EvaluationModes"); err != nil {
		return Rule{}, err
	}
	if err := p.require("Source"); err != nil {
		return Rule{}, err
	}
	rule := Rule{LogicalID: res.id}
	if rule.ConfigRuleName, err = r.ruleName(res); err != nil {
		return Rule{}, err
	}
	if err := checkRuleName(res.id, rule.ConfigRuleName); err != nil {
		return Rule{}, err
	}
	if rule.Description, err = p.str("Description"); err != nil {
		return Rule{}, err
	}
	if rule.MaximumExecutionFrequency, err = p.str("MaximumExecutionFrequency"); err != nil {
		return Rule{}, err
	}
	if rule.InputParameters, err = inputParameters(p); err != nil {
		return Rule{}, err
	}
	if rule.Scope, err = scope(p); err != nil {
		return Rule{}, err
	}
	if err := source(p, &rule); err != nil {
		return Rule{}, err
	}
	if rule.EvaluationModes, err = evaluationModes(p); err != nil {
		return Rule{}, err
	}
	return rule, nil
}

// checkRuleName applies ConfigRuleName's constraints from the API reference: 1 to 128 characters.
func checkRuleName(res, name string) error {
	if name == "" {
		return propertyError(res, "/ConfigRuleName", "expected minLength: 1, actual: 0")
	}
	if len(name) > 128 {
		return propertyError(res, "/ConfigRuleName", "expected maxLength: 128, actual: "+strconv.Itoa(len(name)))
	}
	return nil
}

// inputParameters reads InputParameters, a JSON object given as a mapping or as a string of
// JSON. Each value is rendered by inputText.
func inputParameters(p view) (map[string]string, error) {
	raw, ok := p.obj.get("InputParameters")
	if !ok {
		return nil, nil
	}
	if s, isString := raw.(string); isString {
		parsed, err := decodeJSON([]byte(s))
		if err != nil {
			return nil, propertyError(p.res, "/InputParameters", "the string is not a JSON object")
		}
		raw = parsed
	}
	obj, ok := raw.(*object)
	if !ok {
		return nil, propertyTypeError(p.res, "/InputParameters", "JSONObject", raw)
	}
	out := make(map[string]string, len(obj.keys))
	for _, k := range obj.keys {
		if obj.vals[k] == nil {
			continue
		}
		out[k] = inputText(obj.vals[k])
	}
	return out, nil
}

// scope reads Scope; nil when the rule has none.
func scope(p view) (*Scope, error) {
	s, ok, err := p.child("Scope")
	if err != nil || !ok {
		return nil, err
	}
	if err := s.only("ComplianceResourceTypes", "ComplianceResourceId", "TagKey", "TagValue"); err != nil {
		return nil, err
	}
	out := &Scope{}
	if out.ComplianceResourceTypes, err = s.strings("ComplianceResourceTypes"); err != nil {
		return nil, err
	}
	if out.ComplianceResourceId, err = s.str("ComplianceResourceId"); err != nil {
		return nil, err
	}
	if out.TagKey, err = s.str("TagKey"); err != nil {
		return nil, err
	}
	if out.TagValue, err = s.str("TagValue"); err != nil {
		return nil, err
	}
	return out, nil
}

// source reads Source into the rule. Owner is required and one of the three owners;
// SourceIdentifier is required unless the owner is CUSTOM_POLICY, which requires
// CustomPolicyDetails instead.
func source(p view, rule *Rule) error {
	s, _, err := p.child("Source")
	if err != nil {
		return err
	}
	if err := s.only("Owner", "SourceIdentifier", "SourceDetails", "CustomPolicyDetails"); err != nil {
		return err
	}
	if err := s.require("Owner"); err != nil {
		return err
	}
	if rule.Owner, err = s.str("Owner"); err != nil {
		return err
	}
	if !contains(owners, rule.Owner) {
		return propertyError(p.res, "/Source/Owner", rule.Owner+" is not a valid enum value")
	}
	if rule.Owner == "CUSTOM_POLICY" {
		err = s.require("CustomPolicyDetails")
	} else {
		err = s.require("SourceIdentifier")
	}
	if err != nil {
		return err
	}
	if rule.SourceIdentifier, err = s.str("SourceIdentifier"); err != nil {
		return err
	}
	if rule.SourceDetails, err = sourceDetails(s); err != nil {
		return err
	}
	rule.CustomPolicy, err = customPolicy(s)
	return err
}

// sourceDetails reads Source.SourceDetails.
func sourceDetails(s view) ([]SourceDetail, error) {
	items, err := s.list("SourceDetails")
	if err != nil {
		return nil, err
	}
	var out []SourceDetail
	for i, it := range items {
		d, _, err := s.at(s.path+"/SourceDetails/"+strconv.Itoa(i), it)
		if err != nil {
			return nil, err
		}
		if err := d.only("EventSource", "MessageType", "MaximumExecutionFrequency"); err != nil {
			return nil, err
		}
		var sd SourceDetail
		if sd.EventSource, err = d.str("EventSource"); err != nil {
			return nil, err
		}
		if sd.MessageType, err = d.str("MessageType"); err != nil {
			return nil, err
		}
		if sd.MaximumExecutionFrequency, err = d.str("MaximumExecutionFrequency"); err != nil {
			return nil, err
		}
		out = append(out, sd)
	}
	return out, nil
}

// customPolicy reads Source.CustomPolicyDetails; nil when absent.
func customPolicy(s view) (*CustomPolicy, error) {
	c, ok, err := s.child("CustomPolicyDetails")
	if err != nil || !ok {
		return nil, err
	}
	if err := c.only("PolicyRuntime", "PolicyText", "EnableDebugLogDelivery"); err != nil {
		return nil, err
	}
	out := &CustomPolicy{}
	if out.PolicyRuntime, err = c.str("PolicyRuntime"); err != nil {
		return nil, err
	}
	if out.PolicyText, err = c.str("PolicyText"); err != nil {
		return nil, err
	}
	if out.EnableDebugLogDelivery, err = c.boolean("EnableDebugLogDelivery"); err != nil {
		return nil, err
	}
	return out, nil
}

// evaluationModes reads EvaluationModes, a list of {Mode: DETECTIVE|PROACTIVE}.
func evaluationModes(p view) ([]string, error) {
	items, err := p.list("EvaluationModes")
	if err != nil {
		return nil, err
	}
	var out []string
	for i, it := range items {
		m, _, err := p.at("/EvaluationModes/"+strconv.Itoa(i), it)
		if err != nil {
			return nil, err
		}
		if err := m.only("Mode"); err != nil {
			return nil, err
		}
		mode, err := m.str("Mode")
		if err != nil {
			return nil, err
		}
		out = append(out, mode)
	}
	return out, nil
}

// buildRemediation reads an AWS::Config::RemediationConfiguration's evaluated properties.
func (r *resolver) buildRemediation(res *resource) (Remediation, error) {
	props, err := r.properties(res)
	if err != nil {
		return Remediation{}, err
	}
	p := view{res: res.id, obj: props}
	if err := p.only("ConfigRuleName", "TargetId", "TargetType", "TargetVersion", "Parameters",
		"Automatic", "MaximumAutomaticAttempts", "RetryAttemptSeconds", "ResourceType",
		"ExecutionControls"); err != nil {
		return Remediation{}, err
	}
	if err := p.require("ConfigRuleName", "TargetId", "TargetType"); err != nil {
		return Remediation{}, err
	}
	rem := Remediation{LogicalID: res.id}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"ConfigRuleName", &rem.ConfigRuleName}, {"TargetId", &rem.TargetID},
		{"TargetType", &rem.TargetType}, {"TargetVersion", &rem.TargetVersion},
		{"ResourceType", &rem.ResourceType},
	} {
		if *f.dst, err = p.str(f.key); err != nil {
			return Remediation{}, err
		}
	}
	if rem.Automatic, err = p.boolean("Automatic"); err != nil {
		return Remediation{}, err
	}
	if rem.MaximumAutomaticAttempts, err = p.integer("MaximumAutomaticAttempts"); err != nil {
		return Remediation{}, err
	}
	if rem.RetryAttemptSeconds, err = p.integer("RetryAttemptSeconds"); err != nil {
		return Remediation{}, err
	}
	if rem.Parameters, err = remediationParameters(p); err != nil {
		return Remediation{}, err
	}
	if rem.ExecutionControls, err = executionControls(p); err != nil {
		return Remediation{}, err
	}
	return rem, nil
}

// remediationParameters reads Parameters as given, with its functions resolved; it may also be a
// string of JSON, as CloudFormation's Json properties may.
func remediationParameters(p view) (map[string]any, error) {
	raw, ok := p.obj.get("Parameters")
	if !ok {
		return nil, nil
	}
	if s, isString := raw.(string); isString {
		parsed, err := decodeJSON([]byte(s))
		if _, isObj := parsed.(*object); err != nil || !isObj {
			return nil, propertyError(p.res, "/Parameters", "the string is not a JSON object")
		}
		raw = parsed
	}
	obj, ok := raw.(*object)
	if !ok {
		return nil, propertyTypeError(p.res, "/Parameters", "JSONObject", raw)
	}
	return plain(obj).(map[string]any), nil
}

// executionControls reads ExecutionControls.SsmControls; nil when absent.
func executionControls(p view) (*ExecutionControls, error) {
	ec, ok, err := p.child("ExecutionControls")
	if err != nil || !ok {
		return nil, err
	}
	if err := ec.only("SsmControls"); err != nil {
		return nil, err
	}
	out := &ExecutionControls{}
	ssm, ok, err := ec.child("SsmControls")
	if err != nil || !ok {
		return out, err
	}
	if err := ssm.only("ConcurrentExecutionRatePercentage", "ErrorPercentage"); err != nil {
		return nil, err
	}
	out.SsmControls = &SsmControls{}
	if out.SsmControls.ConcurrentExecutionRatePercentage, err = ssm.integer("ConcurrentExecutionRatePercentage"); err != nil {
		return nil, err
	}
	if out.SsmControls.ErrorPercentage, err = ssm.integer("ErrorPercentage"); err != nil {
		return nil, err
	}
	return out, nil
}
