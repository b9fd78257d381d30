package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// orgAggregatorPolicy is the AWS managed policy an organization aggregator's role needs.
const orgAggregatorPolicy = "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"

type configHomeData struct {
	Aggregators []cfgtypes.ConfigurationAggregator
	Recorders   []cfgtypes.ConfigurationRecorderStatus
	Counts      []bar
	Total       int64
}

// configHome is AWS Config's landing page: this account's recording in the session's region,
// its resource counts, and the aggregators.
func (c *Console) configHome(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	cfg := rc.api.config()
	d := &configHomeData{}
	aggs, err := describeAggregators(ctx, cfg, nil)
	if err != nil {
		return err
	}
	d.Aggregators = aggs
	st, err := cfg.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		return err
	}
	d.Recorders = st.ConfigurationRecordersStatus
	counts := map[string]int64{}
	p := configservice.NewGetDiscoveredResourceCountsPaginator(cfg, &configservice.GetDiscoveredResourceCountsInput{Limit: 100})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		d.Total = out.TotalDiscoveredResources
		for _, rc := range out.ResourceCounts {
			counts[string(rc.ResourceType)] += rc.Count
		}
	}
	d.Counts = chart(counts, 15, func(t string) string {
		return Prefix + "/config/resources?type=" + url.QueryEscape(t)
	})
	c.render(w, r, http.StatusOK, "config_home.html", c.view(rc, "config", "AWS Config", d))
	return nil
}

func describeAggregators(ctx context.Context, cfg *configservice.Client, names []string) ([]cfgtypes.ConfigurationAggregator, error) {
	var out []cfgtypes.ConfigurationAggregator
	p := configservice.NewDescribeConfigurationAggregatorsPaginator(cfg, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: names})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.ConfigurationAggregators...)
	}
	return out, nil
}

type aggregatorFormData struct {
	Regions []string
	Roles   []string
	Form    aggregatorInput
}

// aggregatorInput is the aggregator form as submitted, kept to refill the form after an error.
type aggregatorInput struct {
	Name, Source, Accounts, RoleChoice, RoleArn, RoleName string
	AllRegions                                            bool
	Regions                                               map[string]bool
}

func (c *Console) aggregatorForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := c.aggregatorFormData(r.Context(), rc)
	if err != nil {
		return err
	}
	d.Form = aggregatorInput{Source: "organization", RoleChoice: "create", RoleName: "AWSConfigAggregatorRole", AllRegions: true, Regions: map[string]bool{}}
	c.render(w, r, http.StatusOK, "aggregator_new.html", c.view(rc, "config", "Create aggregator", d))
	return nil
}

// aggregatorFormData lists the choices: the regions, and the account's roles that AWS Config
// can assume.
func (c *Console) aggregatorFormData(ctx context.Context, rc *reqCtx) (*aggregatorFormData, error) {
	d := &aggregatorFormData{Regions: c.regions}
	p := iam.NewListRolesPaginator(rc.api.iam(), &iam.ListRolesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			if ae := asAPIError(err); ae != nil && ae.Status == http.StatusForbidden {
				break // a principal that may not list roles can still type an ARN
			}
			return nil, err
		}
		for _, role := range out.Roles {
			doc := str(role.AssumeRolePolicyDocument)
			if dec, err := url.QueryUnescape(doc); err == nil {
				doc = dec // IAM answers policy documents URL-encoded
			}
			if strings.Contains(doc, "config.amazonaws.com") {
				d.Roles = append(d.Roles, str(role.Arn))
			}
		}
	}
	sort.Strings(d.Roles)
	return d, nil
}

var accountIDs = regexp.MustCompile(`[^0-9]+`)

// aggregatorCreate creates (or updates) an aggregator. With the organization as its source, the
// role can be created on the way, as AWS's console offers; PutConfigurationAggregator itself
// turns on trusted access when the caller is the management account.
func (c *Console) aggregatorCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return &apiError{Code: "ValidationException", Message: "The form could not be read.", Status: http.StatusBadRequest}
	}
	f := aggregatorInput{
		Name: strings.TrimSpace(r.PostFormValue("name")), Source: r.PostFormValue("source"),
		Accounts: r.PostFormValue("accounts"), RoleChoice: r.PostFormValue("role_choice"),
		RoleArn: strings.TrimSpace(r.PostFormValue("role_arn")), RoleName: strings.TrimSpace(r.PostFormValue("role_name")),
		AllRegions: r.PostFormValue("all_regions") == "on", Regions: map[string]bool{},
	}
	var regions []string
	for _, reg := range r.PostForm["regions"] {
		f.Regions[reg] = true
		regions = append(regions, reg)
	}
	in := &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(f.Name)}
	err := func() error {
		switch f.Source {
		case "organization":
			role := f.RoleArn
			if f.RoleChoice == "create" {
				arn, err := c.createAggregatorRole(ctx, rc, f.RoleName)
				if err != nil {
					return err
				}
				role = arn
			}
			src := &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AllAwsRegions: f.AllRegions}
			if !f.AllRegions {
				src.AwsRegions = regions
			}
			in.OrganizationAggregationSource = src
		case "accounts":
			var ids []string
			for _, id := range accountIDs.Split(f.Accounts, -1) {
				if id != "" {
					ids = append(ids, id)
				}
			}
			src := cfgtypes.AccountAggregationSource{AccountIds: ids, AllAwsRegions: f.AllRegions}
			if !f.AllRegions {
				src.AwsRegions = regions
			}
			in.AccountAggregationSources = []cfgtypes.AccountAggregationSource{src}
		default:
			return &apiError{Code: "InvalidParameterValueException", Message: "Choose individual accounts or the organization as the source.", Status: http.StatusBadRequest}
		}
		_, err := rc.api.config().PutConfigurationAggregator(ctx, in)
		return err
	}()
	if err != nil {
		ae := asAPIError(err)
		if direct, ok := err.(*apiError); ok {
			ae = direct
		}
		if ae == nil {
			return err
		}
		d, derr := c.aggregatorFormData(ctx, rc)
		if derr != nil {
			return err
		}
		d.Form = f
		v := c.view(rc, "config", "Create aggregator", d)
		v.Error = ae
		c.render(w, r, ae.Status, "aggregator_new.html", v)
		return nil
	}
	http.Redirect(w, r, Prefix+"/config/aggregators/"+url.PathEscape(f.Name), http.StatusSeeOther)
	return nil
}

// createAggregatorRole creates the role an organization aggregator assumes, trusting AWS Config
// and holding AWS's managed policy for it. An existing role of that name is reused.
func (c *Console) createAggregatorRole(ctx context.Context, rc *reqCtx, name string) (string, error) {
	if name == "" {
		return "", &apiError{Code: "ValidationError", Message: "Enter a name for the role.", Status: http.StatusBadRequest}
	}
	ic := rc.api.iam()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	out, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
		Path: aws.String("/service-role/"), Description: aws.String("Lets AWS Config aggregate the organization's data")})
	var arn string
	if err != nil {
		ae := asAPIError(err)
		if ae == nil || ae.Code != "EntityAlreadyExists" {
			return "", err
		}
		got, gerr := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if gerr != nil {
			return "", gerr
		}
		arn = str(got.Role.Arn)
	} else {
		arn = str(out.Role.Arn)
	}
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(orgAggregatorPolicy)}); err != nil {
		return "", err
	}
	return arn, nil
}

// dashboardData is an aggregator's dashboard.
type dashboardData struct {
	Aggregator cfgtypes.ConfigurationAggregator
	Sources    sourcesData
	// Resources
	TotalResources                     int64
	ByType, ByAccount, ByRegion        []bar
	Rules                              []ruleCompliance
	RulesCompliant, RulesNonCompliant  int
	ComplianceByAccount, ComplianceReg []complianceRow
}

type sourcesData struct {
	Name                        string
	Statuses                    []cfgtypes.AggregatedSourceStatus
	Succeeded, Failed, Outdated int
}

// ruleCompliance is one rule across the aggregator's sources.
type ruleCompliance struct {
	Name                string
	NonCompliantSources int
	CompliantSources    int
	OtherSources        int
}

type complianceRow struct {
	Key                     string
	Compliant, NonCompliant int32
}

// aggregatorDashboard shows an aggregator: compliance by rule, account and region; resource
// counts by type, account and region; the status of its sources. Its API calls run
// concurrently; each is answered from the store's indexes, not by reading every item.
func (c *Console) aggregatorDashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	name := r.PathValue("name")
	cfg := rc.api.config()
	aggs, err := describeAggregators(ctx, cfg, []string{name})
	if err != nil {
		return err
	}
	d := &dashboardData{Aggregator: aggs[0]}
	agg := aws.String(name)
	link := func(key string) func(string) string {
		return func(v string) string {
			return Prefix + "/config/resources?aggregator=" + url.QueryEscape(name) + "&" + key + "=" + url.QueryEscape(v)
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	counts := func(key cfgtypes.ResourceCountGroupKey, dst *[]bar, l func(string) string) {
		run(func() error {
			m, total, err := aggregateCounts(ctx, cfg, agg, key)
			if err != nil {
				return err
			}
			*dst = chart(m, 12, l)
			if key == cfgtypes.ResourceCountGroupKeyResourceType {
				d.TotalResources = total
			}
			return nil
		})
	}
	counts(cfgtypes.ResourceCountGroupKeyResourceType, &d.ByType, link("type"))
	counts(cfgtypes.ResourceCountGroupKeyAccountId, &d.ByAccount, nil)
	counts(cfgtypes.ResourceCountGroupKeyAwsRegion, &d.ByRegion, nil)
	summary := func(key cfgtypes.ConfigRuleComplianceSummaryGroupKey, dst *[]complianceRow) {
		run(func() error {
			rows, err := complianceSummary(ctx, cfg, agg, key)
			*dst = rows
			return err
		})
	}
	summary(cfgtypes.ConfigRuleComplianceSummaryGroupKeyAccountId, &d.ComplianceByAccount)
	summary(cfgtypes.ConfigRuleComplianceSummaryGroupKeyAwsRegion, &d.ComplianceReg)
	run(func() error {
		rules, err := rulesCompliance(ctx, cfg, agg)
		d.Rules = rules
		for _, r := range rules {
			if r.NonCompliantSources > 0 {
				d.RulesNonCompliant++
			} else if r.CompliantSources > 0 {
				d.RulesCompliant++
			}
		}
		return err
	})
	run(func() error {
		s, err := sourceStatuses(ctx, cfg, name)
		d.Sources = s
		return err
	})
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	c.render(w, r, http.StatusOK, "aggregator.html", c.view(rc, "config", "Aggregator "+name, d))
	return nil
}

func aggregateCounts(ctx context.Context, cfg *configservice.Client, agg *string, key cfgtypes.ResourceCountGroupKey) (map[string]int64, int64, error) {
	m := map[string]int64{}
	var total int64
	p := configservice.NewGetAggregateDiscoveredResourceCountsPaginator(cfg, &configservice.GetAggregateDiscoveredResourceCountsInput{
		ConfigurationAggregatorName: agg, GroupByKey: key, Limit: 1000})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		total = out.TotalDiscoveredResources
		for _, g := range out.GroupedResourceCounts {
			m[str(g.GroupName)] += g.ResourceCount
		}
	}
	return m, total, nil
}

func complianceSummary(ctx context.Context, cfg *configservice.Client, agg *string, key cfgtypes.ConfigRuleComplianceSummaryGroupKey) ([]complianceRow, error) {
	var rows []complianceRow
	p := configservice.NewGetAggregateConfigRuleComplianceSummaryPaginator(cfg, &configservice.GetAggregateConfigRuleComplianceSummaryInput{
		ConfigurationAggregatorName: agg, GroupByKey: key, Limit: 1000})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range out.AggregateComplianceCounts {
			row := complianceRow{Key: str(s.GroupName)}
			if s.ComplianceSummary != nil {
				if s.ComplianceSummary.CompliantResourceCount != nil {
					row.Compliant = s.ComplianceSummary.CompliantResourceCount.CappedCount
				}
				if s.ComplianceSummary.NonCompliantResourceCount != nil {
					row.NonCompliant = s.ComplianceSummary.NonCompliantResourceCount.CappedCount
				}
			}
			if row.Compliant+row.NonCompliant > 0 {
				rows = append(rows, row) // a group without results says nothing
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return rows, nil
}

// rulesCompliance folds the aggregator's per-source rule compliance into one row per rule.
func rulesCompliance(ctx context.Context, cfg *configservice.Client, agg *string) ([]ruleCompliance, error) {
	byRule := map[string]*ruleCompliance{}
	p := configservice.NewDescribeAggregateComplianceByConfigRulesPaginator(cfg, &configservice.DescribeAggregateComplianceByConfigRulesInput{
		ConfigurationAggregatorName: agg, Limit: 1000})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range out.AggregateComplianceByConfigRules {
			name := str(a.ConfigRuleName)
			rc := byRule[name]
			if rc == nil {
				rc = &ruleCompliance{Name: name}
				byRule[name] = rc
			}
			var ct cfgtypes.ComplianceType
			if a.Compliance != nil {
				ct = a.Compliance.ComplianceType
			}
			switch ct {
			case cfgtypes.ComplianceTypeNonCompliant:
				rc.NonCompliantSources++
			case cfgtypes.ComplianceTypeCompliant:
				rc.CompliantSources++
			default:
				rc.OtherSources++
			}
		}
	}
	out := make([]ruleCompliance, 0, len(byRule))
	for _, rc := range byRule {
		out = append(out, *rc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].NonCompliantSources != out[j].NonCompliantSources {
			return out[i].NonCompliantSources > out[j].NonCompliantSources
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func sourceStatuses(ctx context.Context, cfg *configservice.Client, name string) (sourcesData, error) {
	d := sourcesData{Name: name}
	p := configservice.NewDescribeConfigurationAggregatorSourcesStatusPaginator(cfg, &configservice.DescribeConfigurationAggregatorSourcesStatusInput{
		ConfigurationAggregatorName: aws.String(name), Limit: 100})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return d, err
		}
		for _, s := range out.AggregatedSourceStatusList {
			switch s.LastUpdateStatus {
			case cfgtypes.AggregatedSourceStatusTypeSucceeded:
				d.Succeeded++
			case cfgtypes.AggregatedSourceStatusTypeFailed:
				d.Failed++
			default:
				d.Outdated++
			}
			d.Statuses = append(d.Statuses, s)
		}
	}
	sort.SliceStable(d.Statuses, func(i, j int) bool {
		a, b := d.Statuses[i], d.Statuses[j]
		if a.LastUpdateStatus != b.LastUpdateStatus {
			return a.LastUpdateStatus == cfgtypes.AggregatedSourceStatusTypeFailed
		}
		if str(a.SourceId) != str(b.SourceId) {
			return str(a.SourceId) < str(b.SourceId)
		}
		return str(a.AwsRegion) < str(b.AwsRegion)
	})
	return d, nil
}

// aggregatorSources is the source-status panel alone; the dashboard refreshes it with htmx.
func (c *Console) aggregatorSources(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s, err := sourceStatuses(r.Context(), rc.api.config(), r.PathValue("name"))
	if err != nil {
		return err
	}
	r.Header.Set("HX-Target", "sources")
	c.render(w, r, http.StatusOK, "aggregator.html", c.view(rc, "config", "Aggregator sources", &dashboardData{Sources: s}))
	return nil
}

func (c *Console) aggregatorDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := rc.api.config().DeleteConfigurationAggregator(r.Context(), &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(r.PathValue("name"))})
	if err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"/config", http.StatusSeeOther)
	return nil
}
