package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The console scenario measures the web console's aggregator dashboard over the aggregate
// scenario's organization (100 accounts × 4 regions, -count items, default 100,000) with an
// organization rule evaluated in every account: the time to answer GET
// /console/config/aggregators/org, which makes the dashboard's API calls (resource counts by
// type, account and region; compliance by rule, account and region; source status) and renders
// the page. The figure is taken at the client over loopback, an upper bound of the server's.
func init() {
	register(&Scenario{
		Name:    "console",
		Summary: "web console: the aggregator dashboard over 100 accounts x 4 regions (p50, p99 of the page)",
		Direct:  consoleRun,
	})
}

const consolePages = 100

func consoleRun(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	n := o.Count
	if n <= 0 {
		n = 100000
	}
	f, err := newAggregateFixture(ctx, o, progress, "console", n)
	if err != nil {
		return nil, err
	}
	defer f.close()

	// Compliance: an organization rule over the S3 buckets, deployed to every account.
	t0 := time.Now()
	fmt.Fprintf(progress, "bench: console: organization rule S3_BUCKET_VERSIONING_ENABLED in %d accounts ... ", len(f.accounts))
	mgmt := f.cfgFor("us-east-1", f.root)
	if _, err := organizations.NewFromConfig(mgmt).EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config-multiaccountsetup.amazonaws.com")}); err != nil {
		return nil, fmt.Errorf("EnableAWSServiceAccess: %w", err)
	}
	// Rules need a running recorder in each account (AWS refuses them without one).
	for _, acct := range f.accounts {
		creds := f.root
		if acct != benchAccount {
			out, err := sts.NewFromConfig(mgmt).AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("bench")})
			if err != nil {
				return nil, fmt.Errorf("AssumeRole: %w", err)
			}
			c := out.Credentials
			creds = aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
		}
		if err := startRecorder(ctx, configservice.NewFromConfig(f.cfgFor("us-east-1", creds)), acct); err != nil {
			return nil, err
		}
	}
	cfg := configservice.NewFromConfig(mgmt)
	if _, err := cfg.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{
		OrganizationConfigRuleName: aws.String("s3-versioning"),
		OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{RuleIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED"),
			ResourceTypesScope: []string{"AWS::S3::Bucket"}},
	}); err != nil {
		return nil, fmt.Errorf("PutOrganizationConfigRule: %w", err)
	}
	for deadline := time.Now().Add(5 * time.Minute); ; {
		out, err := f.agg.GetAggregateConfigRuleComplianceSummary(ctx, &configservice.GetAggregateConfigRuleComplianceSummaryInput{
			ConfigurationAggregatorName: aws.String("org"), GroupByKey: cfgtypes.ConfigRuleComplianceSummaryGroupKeyAccountId})
		if err != nil {
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("GetAggregateConfigRuleComplianceSummary: %w", err)
			}
			time.Sleep(500 * time.Millisecond) // the server is busy evaluating; ask again
			continue
		}
		evaluated := 0
		for _, c := range out.AggregateComplianceCounts {
			if s := c.ComplianceSummary; s != nil && s.CompliantResourceCount != nil && s.NonCompliantResourceCount != nil &&
				s.CompliantResourceCount.CappedCount+s.NonCompliantResourceCount.CappedCount > 0 {
				evaluated++
			}
		}
		if evaluated >= len(f.accounts) {
			break
		}
		if time.Now().After(deadline) {
			st, _ := cfg.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{})
			var states []string
			if st != nil {
				for _, s := range st.OrganizationConfigRuleStatuses {
					states = append(states, string(s.OrganizationRuleStatus)+" "+aws.ToString(s.ErrorMessage))
				}
			}
			return nil, fmt.Errorf("compliance reached %d of %d accounts in 5 minutes (organization rule: %v)", evaluated, len(f.accounts), states)
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Fprintf(progress, "%.1fs\n", time.Since(t0).Seconds())

	// A signed-in browser: the sign-in form's token, then the credentials.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: time.Minute}
	page, err := get(ctx, client, f.endpoint+"/console/signin")
	if err != nil {
		return nil, err
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("console: the sign-in page has no form token")
	}
	form := url.Values{"csrf": {m[1]}, "access_key_id": {benchKey}, "secret_access_key": {benchSecret}, "region": {"us-east-1"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.endpoint+"/console/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.endpoint)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	dashboard := f.endpoint + "/console/config/aggregators/org"
	var lat []time.Duration
	var size int
	for i := range consolePages + 5 {
		start := time.Now()
		body, err := get(ctx, client, dashboard)
		if err != nil {
			return nil, err
		}
		if i >= 5 { // the first pages warm the caches
			lat = append(lat, time.Since(start))
		}
		size = len(body)
		if !strings.Contains(body, "OrgConfigRule-s3-versioning") || !strings.Contains(body, "AWS::S3::Bucket") {
			return nil, fmt.Errorf("console: the dashboard lacks the rule or the resource counts")
		}
	}
	slices.Sort(lat)
	line := fmt.Sprintf("console: GET /console/config/aggregators/org over %d items in %d accounts x %d regions, one organization rule (%d KB page), %d loads: p50 %.1f ms, p99 %.1f ms",
		n, len(f.accounts), len(aggregateRegions), size/1024, len(lat), ms(percentileDur(lat, 0.5)), ms(percentileDur(lat, 0.99)))
	fmt.Fprintln(progress, "bench: "+line)
	f.res.Notes = append(f.res.Notes, line)
	return f.res, nil
}

func startRecorder(ctx context.Context, c *configservice.Client, acct string) error {
	if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + acct + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}}); err != nil {
		return fmt.Errorf("PutConfigurationRecorder: %w", err)
	}
	if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket")}}); err != nil {
		return fmt.Errorf("PutDeliveryChannel: %w", err)
	}
	if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		return fmt.Errorf("StartConfigurationRecorder: %w", err)
	}
	return nil
}

// get fetches a console page and fails on anything but 200.
func get(ctx context.Context, client *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d\n%.500s", u, resp.StatusCode, b)
	}
	return string(b), nil
}
