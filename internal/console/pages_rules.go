package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

const (
	// maxListPages bounds the pages read of a listing the console shows whole (rules, packs,
	// aggregators): a server that kept answering new tokens cannot hold a page forever.
	maxListPages = 100
	// resultsPerPage and maxResultPages bound the evaluation results of the rule page.
	resultsPerPage = 100
	maxResultPages = 3
	// maxMemberPages bounds the member account statuses of an organization rule.
	maxMemberPages = 10
)

// readPages reads the pages of a listing until it ends, repeats a token, or maxPages pages were
// read; truncated is true in that last case.
func readPages[T any](maxPages int, call func(token *string) ([]T, *string, error)) (all []T, truncated bool, err error) {
	var token *string
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page == maxPages {
			return all, true, nil
		}
		items, next, err := call(token)
		if err != nil {
			return nil, false, err
		}
		all = append(all, items...)
		n := str(next)
		if n == "" || seen[n] {
			return all, false, nil
		}
		seen[n] = true
		token = aws.String(n)
	}
}

// complianceBadge is a compliance as the console shows it: a label and a status class.
type complianceBadge struct {
	Label, Class, Value string
}

// ruleComplianceBadge labels a rule's compliance as AWS's console does: the count of noncompliant
// resources, "No results reported" for a rule that evaluated nothing in scope, and "Not
// evaluated" before its first evaluation.
func ruleComplianceBadge(c *cfgtypes.Compliance, evaluated bool) complianceBadge {
	if c == nil || c.ComplianceType == "" {
		if !evaluated {
			return complianceBadge{Label: "Not evaluated", Class: "plain"}
		}
		return complianceBadge{Label: "No results reported", Class: "plain"}
	}
	v := complianceBadge{Value: string(c.ComplianceType), Class: statusClass(c.ComplianceType)}
	switch c.ComplianceType {
	case cfgtypes.ComplianceTypeNonCompliant:
		n, plus := int32(0), ""
		if cc := c.ComplianceContributorCount; cc != nil {
			n = cc.CappedCount
			if cc.CapExceeded {
				plus = "+"
			}
		}
		switch {
		case n == 0:
			v.Label = "Noncompliant"
		case n == 1 && plus == "":
			v.Label = "1 Noncompliant resource"
		default:
			v.Label = fmt.Sprintf("%d%s Noncompliant resources", n, plus)
		}
	case cfgtypes.ComplianceTypeCompliant:
		v.Label = "Compliant"
	case cfgtypes.ComplianceTypeNotApplicable:
		v.Label = "Not applicable"
	case cfgtypes.ComplianceTypeInsufficientData:
		if evaluated {
			v.Label = "No results reported"
		} else {
			v.Label = "Not evaluated"
		}
		v.Class = "plain"
	default:
		v.Label = string(c.ComplianceType)
	}
	return v
}

// complianceBadgeOf labels the compliance of one evaluation result or one rule of a pack.
func complianceBadgeOf(value string) complianceBadge {
	v := complianceBadge{Value: value, Class: statusClass(value)}
	switch value {
	case "COMPLIANT":
		v.Label = "Compliant"
	case "NON_COMPLIANT":
		v.Label = "Noncompliant"
	case "NOT_APPLICABLE":
		v.Label = "Not applicable"
	case "INSUFFICIENT_DATA", "":
		v.Label, v.Class = "No results reported", "plain"
	default:
		v.Label = value
	}
	return v
}

func ruleOwnerLabel(o cfgtypes.Owner) string {
	switch o {
	case cfgtypes.OwnerAws:
		return "AWS managed"
	case cfgtypes.OwnerCustomLambda:
		return "Custom Lambda"
	case cfgtypes.OwnerCustomPolicy:
		return "Custom policy (Guard)"
	}
	return string(o)
}

// ruleSource is what a rule runs: the managed rule's identifier, the Lambda function's ARN, or
// the Guard policy's runtime.
func ruleSource(s *cfgtypes.Source) string {
	if s == nil {
		return ""
	}
	if s.Owner == cfgtypes.OwnerCustomPolicy {
		if s.CustomPolicyDetails != nil {
			return str(s.CustomPolicyDetails.PolicyRuntime)
		}
		return ""
	}
	return str(s.SourceIdentifier)
}

var frequencyNames = map[cfgtypes.MaximumExecutionFrequency]string{
	cfgtypes.MaximumExecutionFrequencyOneHour:         "1 hour",
	cfgtypes.MaximumExecutionFrequencyThreeHours:      "3 hours",
	cfgtypes.MaximumExecutionFrequencySixHours:        "6 hours",
	cfgtypes.MaximumExecutionFrequencyTwelveHours:     "12 hours",
	cfgtypes.MaximumExecutionFrequencyTwentyFourHours: "24 hours",
}

func frequencyName(f cfgtypes.MaximumExecutionFrequency) string {
	if l, ok := frequencyNames[f]; ok {
		return l
	}
	if f == "" {
		return "24 hours"
	}
	return string(f)
}

// ruleTrigger describes when a rule runs. A managed rule's source details are its own: the
// console infers them from the rule's scope and frequency, as set by its creator.
func ruleTrigger(r *cfgtypes.ConfigRule) string {
	var change, periodic bool
	freq := r.MaximumExecutionFrequency
	if r.Source != nil {
		for _, sd := range r.Source.SourceDetails {
			switch sd.MessageType {
			case cfgtypes.MessageTypeConfigurationItemChangeNotification, cfgtypes.MessageTypeOversizedConfigurationItemChangeNotification:
				change = true
			case cfgtypes.MessageTypeScheduledNotification, cfgtypes.MessageTypeConfigurationSnapshotDeliveryCompleted:
				periodic = true
				if sd.MaximumExecutionFrequency != "" {
					freq = sd.MaximumExecutionFrequency
				}
			}
		}
		if r.Source.Owner == cfgtypes.OwnerAws && len(r.Source.SourceDetails) == 0 {
			change = r.Scope != nil && (len(r.Scope.ComplianceResourceTypes) > 0 || r.Scope.TagKey != nil || r.Scope.ComplianceResourceId != nil)
			periodic = freq != ""
		}
	}
	var parts []string
	if change {
		parts = append(parts, "Configuration changes")
	}
	if periodic {
		parts = append(parts, "Periodic (every "+frequencyName(freq)+")")
	}
	if len(parts) == 0 {
		if r.Source != nil && r.Source.Owner == cfgtypes.OwnerAws {
			return "Managed rule's default"
		}
		return "None"
	}
	return strings.Join(parts, ", ")
}

func rulePageLink(name string) string { return Prefix + "/config/rules/" + url.PathEscape(name) }

// rulesTableRow is one rule of the rules table.
type rulesTableRow struct {
	Name, Link, Description, Owner, Source, Trigger, State string
	Compliance                                             complianceBadge
}

type rulesData struct {
	Rules []rulesTableRow
	// Counts of rules by compliance, for the summary.
	NonCompliant, Compliant, Other int
}

// rulesPage lists the Config rules of the caller's account and region with their compliance.
func (c *Console) rulesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	cfg := rc.api.config()
	rules, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConfigRule, *string, error) {
		out, err := cfg.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConfigRules, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	compliance, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ComplianceByConfigRule, *string, error) {
		out, err := cfg.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ComplianceByConfigRules, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	statuses, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConfigRuleEvaluationStatus, *string, error) {
		out, err := cfg.DescribeConfigRuleEvaluationStatus(ctx, &configservice.DescribeConfigRuleEvaluationStatusInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConfigRulesEvaluationStatus, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	byRule := map[string]*cfgtypes.Compliance{}
	for _, cr := range compliance {
		byRule[str(cr.ConfigRuleName)] = cr.Compliance
	}
	evaluated := map[string]bool{}
	for _, st := range statuses {
		evaluated[str(st.ConfigRuleName)] = st.FirstEvaluationStarted || st.LastSuccessfulEvaluationTime != nil
	}
	d := &rulesData{}
	for i := range rules {
		cr := &rules[i]
		name := str(cr.ConfigRuleName)
		row := rulesTableRow{
			Name: name, Link: rulePageLink(name), Description: str(cr.Description),
			Trigger: ruleTrigger(cr), State: string(cr.ConfigRuleState),
			Compliance: ruleComplianceBadge(byRule[name], evaluated[name]),
		}
		if cr.Source != nil {
			row.Owner, row.Source = ruleOwnerLabel(cr.Source.Owner), ruleSource(cr.Source)
		}
		switch row.Compliance.Value {
		case "NON_COMPLIANT":
			d.NonCompliant++
		case "COMPLIANT":
			d.Compliant++
		default:
			d.Other++
		}
		d.Rules = append(d.Rules, row)
	}
	sort.Slice(d.Rules, func(i, j int) bool { return d.Rules[i].Name < d.Rules[j].Name })
	c.render(w, r, http.StatusOK, "rules.html", c.view(rc, "rules", "Rules", d))
	return nil
}

// evalResultRow is one evaluation result of a rule.
type evalResultRow struct {
	Type, ID, Link, Annotation, Recorded, Invoked string
	Compliance                                    complianceBadge
}

type ruleData struct {
	Rule            cfgtypes.ConfigRule
	Owner, Source   string
	Trigger         string
	Params          string
	Modes           []string
	Status          *cfgtypes.ConfigRuleEvaluationStatus
	Compliance      complianceBadge
	Filter          string
	Filters         []complianceFilterOption
	Results         []evalResultRow
	ResultsTruncate bool
}

type complianceFilterOption struct {
	Value, Label string
	Selected     bool
}

var resultFilters = []complianceFilterOption{
	{Value: "", Label: "All"},
	{Value: "NON_COMPLIANT", Label: "Noncompliant"},
	{Value: "COMPLIANT", Label: "Compliant"},
	{Value: "NOT_APPLICABLE", Label: "Not applicable"},
}

// rulePage shows one rule: its details, evaluation status and the results of the resources in
// its scope.
func (c *Console) rulePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	cfg := rc.api.config()
	name := r.PathValue("name")
	d := &ruleData{Filter: r.URL.Query().Get("compliance")}
	known := false
	for _, f := range resultFilters {
		f.Selected = f.Value == d.Filter
		known = known || f.Selected
		d.Filters = append(d.Filters, f)
	}
	if !known {
		return &apiError{Code: "InvalidParameterValueException", Message: "Filter the results by COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.", Status: http.StatusBadRequest}
	}
	out, err := cfg.DescribeConfigRules(ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{name}})
	if err != nil {
		if ae := asAPIError(err); ae != nil && ae.Code == "NoSuchConfigRuleException" {
			ae.Status = http.StatusNotFound
			return ae
		}
		return err
	}
	if len(out.ConfigRules) == 0 {
		return &apiError{Code: "NoSuchConfigRuleException", Message: "The ConfigRule '" + name + "' provided in the request is invalid. Please check the configRule name.", Status: http.StatusNotFound}
	}
	d.Rule = out.ConfigRules[0]
	if d.Rule.Source != nil {
		d.Owner, d.Source = ruleOwnerLabel(d.Rule.Source.Owner), ruleSource(d.Rule.Source)
	}
	d.Trigger = ruleTrigger(&d.Rule)
	if d.Rule.InputParameters != nil && strings.TrimSpace(*d.Rule.InputParameters) != "" && strings.TrimSpace(*d.Rule.InputParameters) != "{}" {
		d.Params = prettyJSONString(d.Rule.InputParameters)
	}
	for _, m := range d.Rule.EvaluationModes {
		d.Modes = append(d.Modes, string(m.Mode))
	}
	st, err := cfg.DescribeConfigRuleEvaluationStatus(ctx, &configservice.DescribeConfigRuleEvaluationStatusInput{ConfigRuleNames: []string{name}})
	if err != nil {
		return err
	}
	evaluated := false
	if len(st.ConfigRulesEvaluationStatus) > 0 {
		d.Status = &st.ConfigRulesEvaluationStatus[0]
		evaluated = d.Status.FirstEvaluationStarted || d.Status.LastSuccessfulEvaluationTime != nil
	}
	comp, err := cfg.DescribeComplianceByConfigRule(ctx, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{name}})
	if err != nil {
		return err
	}
	var cc *cfgtypes.Compliance
	if len(comp.ComplianceByConfigRules) > 0 {
		cc = comp.ComplianceByConfigRules[0].Compliance
	}
	d.Compliance = ruleComplianceBadge(cc, evaluated)
	in := &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(name), Limit: resultsPerPage}
	if d.Filter != "" {
		in.ComplianceTypes = []cfgtypes.ComplianceType{cfgtypes.ComplianceType(d.Filter)}
	}
	results, truncated, err := readPages(maxResultPages, func(token *string) ([]cfgtypes.EvaluationResult, *string, error) {
		in.NextToken = token
		out, err := cfg.GetComplianceDetailsByConfigRule(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		return out.EvaluationResults, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	d.ResultsTruncate = truncated
	for _, er := range results {
		row := evalResultRow{Annotation: str(er.Annotation), Recorded: fmtTime(er.ResultRecordedTime), Invoked: fmtTime(er.ConfigRuleInvokedTime),
			Compliance: complianceBadgeOf(string(er.ComplianceType))}
		if id := er.EvaluationResultIdentifier; id != nil && id.EvaluationResultQualifier != nil {
			row.Type, row.ID = str(id.EvaluationResultQualifier.ResourceType), str(id.EvaluationResultQualifier.ResourceId)
		}
		if row.Type != "" && row.ID != "" && row.Type != "AWS::::Account" {
			row.Link = resourcePageLink(row.Type, row.ID, "", "", "")
		}
		d.Results = append(d.Results, row)
	}
	c.render(w, r, http.StatusOK, "rule.html", c.view(rc, "rules", name, d))
	return nil
}

// orgRuleRow is one organization rule with its deployment status.
type orgRuleRow struct {
	Name, Link, Kind, Source, Excluded, Updated string
	Status, StatusClass, Error                  string
	Current                                     bool
}

// memberStatusRow is one member account's status of an organization rule or pack.
type memberStatusRow struct {
	Account, RuleName, Status, StatusClass, Error, Updated string
}

type orgRulesData struct {
	// Error is the API's answer when the caller may not read organization rules.
	Error           *apiError
	Rules           []orgRuleRow
	Selected        string
	Members         []memberStatusRow
	MembersError    *apiError
	MembersTruncate bool
}

// sectionAPIError turns an AWS error into a message shown in a section of a page; any other error
// stays an error.
func sectionAPIError(err error) (*apiError, error) {
	var direct *apiError
	if errors.As(err, &direct) {
		return direct, nil
	}
	if ae := asAPIError(err); ae != nil {
		return ae, nil
	}
	return nil, err
}

// orgRulesPage lists the organization rules with their deployment status and, for the rule
// chosen, the status in each member account.
func (c *Console) orgRulesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	cfg := rc.api.config()
	d := &orgRulesData{Selected: r.URL.Query().Get("rule")}
	rules, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.OrganizationConfigRule, *string, error) {
		out, err := cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.OrganizationConfigRules, out.NextToken, nil
	})
	var statuses []cfgtypes.OrganizationConfigRuleStatus
	if err == nil {
		statuses, _, err = readPages(maxListPages, func(token *string) ([]cfgtypes.OrganizationConfigRuleStatus, *string, error) {
			out, err := cfg.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.OrganizationConfigRuleStatuses, out.NextToken, nil
		})
	}
	if err != nil {
		if d.Error, err = sectionAPIError(err); err != nil {
			return err
		}
		c.render(w, r, http.StatusOK, "org_rules.html", c.view(rc, "rules", "Organization rules", d))
		return nil
	}
	byName := map[string]*cfgtypes.OrganizationConfigRuleStatus{}
	for i := range statuses {
		byName[str(statuses[i].OrganizationConfigRuleName)] = &statuses[i]
	}
	for _, or := range rules {
		name := str(or.OrganizationConfigRuleName)
		row := orgRuleRow{
			Name: name, Link: Prefix + "/config/organization-rules?" + url.Values{"rule": {name}}.Encode() + "#members",
			Excluded: strings.Join(or.ExcludedAccounts, ", "), Updated: fmtTime(or.LastUpdateTime), Current: name == d.Selected,
		}
		switch {
		case or.OrganizationManagedRuleMetadata != nil:
			row.Kind, row.Source = "AWS managed", str(or.OrganizationManagedRuleMetadata.RuleIdentifier)
		case or.OrganizationCustomRuleMetadata != nil:
			row.Kind, row.Source = "Custom Lambda", str(or.OrganizationCustomRuleMetadata.LambdaFunctionArn)
		case or.OrganizationCustomPolicyRuleMetadata != nil:
			row.Kind, row.Source = "Custom policy (Guard)", str(or.OrganizationCustomPolicyRuleMetadata.PolicyRuntime)
		}
		if st := byName[name]; st != nil {
			row.Status, row.StatusClass = string(st.OrganizationRuleStatus), statusClass(st.OrganizationRuleStatus)
			row.Error = strings.TrimSpace(str(st.ErrorCode) + " " + str(st.ErrorMessage))
		}
		d.Rules = append(d.Rules, row)
	}
	sort.Slice(d.Rules, func(i, j int) bool { return d.Rules[i].Name < d.Rules[j].Name })
	if d.Selected != "" {
		members, truncated, err := readPages(maxMemberPages, func(token *string) ([]cfgtypes.MemberAccountStatus, *string, error) {
			out, err := cfg.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{
				OrganizationConfigRuleName: aws.String(d.Selected), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.OrganizationConfigRuleDetailedStatus, out.NextToken, nil
		})
		if err != nil {
			if d.MembersError, err = sectionAPIError(err); err != nil {
				return err
			}
		}
		d.MembersTruncate = truncated
		for _, m := range members {
			d.Members = append(d.Members, memberStatusRow{
				Account: str(m.AccountId), RuleName: str(m.ConfigRuleName),
				Status: string(m.MemberAccountRuleStatus), StatusClass: statusClass(m.MemberAccountRuleStatus),
				Error: strings.TrimSpace(str(m.ErrorCode) + " " + str(m.ErrorMessage)), Updated: fmtTime(m.LastUpdateTime),
			})
		}
		sort.Slice(d.Members, func(i, j int) bool { return d.Members[i].Account < d.Members[j].Account })
	}
	c.render(w, r, http.StatusOK, "org_rules.html", c.view(rc, "rules", "Organization rules", d))
	return nil
}

// packRule is one rule of a conformance pack with its compliance.
type packRule struct {
	Name, Link string
	Compliance complianceBadge
}

// packRow is one conformance pack of the account.
type packRow struct {
	Name, ID, ARN, CreatedBy, Updated string
	State, StateClass, Reason         string
	Compliance                        complianceBadge
	NonCompliant                      int
	Rules                             []packRule
}

// orgPackRow is one organization conformance pack with its deployment status.
type orgPackRow struct {
	Name, Excluded, Updated    string
	Status, StatusClass, Error string
}

type packsData struct {
	Packs []packRow
	Org   []orgPackRow
	// OrgError is the API's answer when the caller may not read organization packs.
	OrgError *apiError
}

// packsPage lists the account's conformance packs with the compliance of their rules, and the
// organization's conformance packs with their deployment status.
func (c *Console) packsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	cfg := rc.api.config()
	d := &packsData{}
	packs, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConformancePackDetail, *string, error) {
		out, err := cfg.DescribeConformancePacks(ctx, &configservice.DescribeConformancePacksInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConformancePackDetails, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	states, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConformancePackStatusDetail, *string, error) {
		out, err := cfg.DescribeConformancePackStatus(ctx, &configservice.DescribeConformancePackStatusInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConformancePackStatusDetails, out.NextToken, nil
	})
	if err != nil {
		return err
	}
	stateOf := map[string]*cfgtypes.ConformancePackStatusDetail{}
	for i := range states {
		stateOf[str(states[i].ConformancePackName)] = &states[i]
	}
	for _, p := range packs {
		name := str(p.ConformancePackName)
		row := packRow{Name: name, ID: str(p.ConformancePackId), ARN: str(p.ConformancePackArn), CreatedBy: str(p.CreatedBy), Updated: fmtTime(p.LastUpdateRequestedTime)}
		if st := stateOf[name]; st != nil {
			row.State, row.StateClass, row.Reason = string(st.ConformancePackState), statusClass(st.ConformancePackState), str(st.ConformancePackStatusReason)
		}
		rules, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConformancePackRuleCompliance, *string, error) {
			out, err := cfg.DescribeConformancePackCompliance(ctx, &configservice.DescribeConformancePackComplianceInput{ConformancePackName: aws.String(name), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.ConformancePackRuleComplianceList, out.NextToken, nil
		})
		if err != nil {
			return err
		}
		compliant := 0
		for _, pr := range rules {
			rn := str(pr.ConfigRuleName)
			v := complianceBadgeOf(string(pr.ComplianceType))
			switch v.Value {
			case "NON_COMPLIANT":
				row.NonCompliant++
			case "COMPLIANT":
				compliant++
			}
			row.Rules = append(row.Rules, packRule{Name: rn, Link: rulePageLink(rn), Compliance: v})
		}
		sort.Slice(row.Rules, func(i, j int) bool { return row.Rules[i].Name < row.Rules[j].Name })
		switch {
		case row.NonCompliant > 0:
			row.Compliance = complianceBadgeOf("NON_COMPLIANT")
			row.Compliance.Label = fmt.Sprintf("Noncompliant (%d of %d rules)", row.NonCompliant, len(row.Rules))
		case compliant > 0:
			row.Compliance = complianceBadgeOf("COMPLIANT")
		default:
			row.Compliance = complianceBadgeOf("INSUFFICIENT_DATA")
		}
		d.Packs = append(d.Packs, row)
	}
	sort.Slice(d.Packs, func(i, j int) bool { return d.Packs[i].Name < d.Packs[j].Name })

	orgPacks, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.OrganizationConformancePack, *string, error) {
		out, err := cfg.DescribeOrganizationConformancePacks(ctx, &configservice.DescribeOrganizationConformancePacksInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.OrganizationConformancePacks, out.NextToken, nil
	})
	var orgStates []cfgtypes.OrganizationConformancePackStatus
	if err == nil {
		orgStates, _, err = readPages(maxListPages, func(token *string) ([]cfgtypes.OrganizationConformancePackStatus, *string, error) {
			out, err := cfg.DescribeOrganizationConformancePackStatuses(ctx, &configservice.DescribeOrganizationConformancePackStatusesInput{NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.OrganizationConformancePackStatuses, out.NextToken, nil
		})
	}
	if err != nil {
		if d.OrgError, err = sectionAPIError(err); err != nil {
			return err
		}
	} else {
		orgState := map[string]*cfgtypes.OrganizationConformancePackStatus{}
		for i := range orgStates {
			orgState[str(orgStates[i].OrganizationConformancePackName)] = &orgStates[i]
		}
		for _, op := range orgPacks {
			name := str(op.OrganizationConformancePackName)
			row := orgPackRow{Name: name, Excluded: strings.Join(op.ExcludedAccounts, ", "), Updated: fmtTime(op.LastUpdateTime)}
			if st := orgState[name]; st != nil {
				row.Status, row.StatusClass = string(st.Status), statusClass(st.Status)
				row.Error = strings.TrimSpace(str(st.ErrorCode) + " " + str(st.ErrorMessage))
			}
			d.Org = append(d.Org, row)
		}
		sort.Slice(d.Org, func(i, j int) bool { return d.Org[i].Name < d.Org[j].Name })
	}
	c.render(w, r, http.StatusOK, "packs.html", c.view(rc, "packs", "Conformance packs", d))
	return nil
}
