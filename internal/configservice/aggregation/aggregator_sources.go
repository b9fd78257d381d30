package aggregation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/store"
)

// jobAggregatorRefresh checks an organization aggregator's standing (the organization still
// exists, and the caller is still its management account or a delegated administrator for
// Config) and records
// since when it has been failing; it runs at creation and every aggregatorRefreshInterval.
// Key: scope + "|" + aggregator name.
const jobAggregatorRefresh = "config-aggregator-refresh"

// Source status error codes (AWS does not document its vocabulary; these are orgconfig's).
const (
	errAuthorizationNotFound   = "AUTHORIZATION_NOT_FOUND"
	errOrgAccessDenied         = "ORGANIZATION_ACCESS_DENIED"
	errNoOrganization          = "NO_AVAILABLE_ORGANIZATION"
	errOrgAllFeatures          = "ORGANIZATION_ALL_FEATURES_NOT_ENABLED"
	errTrustedAccessDisabled   = "TRUSTED_ACCESS_DISABLED"
	errRoleNotValid            = "ROLE_NOT_VALID"
	errConfigNotEnabled        = "CONFIG_NOT_ENABLED"
	msgAuthorizationNotFound   = "The source account has not authorized this aggregator: call PutAggregationAuthorization in the source account and region for the aggregator's account and region."
	msgConfigNotEnabled        = "AWS Config has no configuration recorder in the source account and region."
	msgTrustedAccessDisabled   = "Trusted access for config.amazonaws.com is not enabled in the organization."
	msgOrgNotAvailable         = "The organization of this aggregator is no longer available to its account."
	msgOrgAccessDeniedStanding = "The account is neither the management account of its organization nor a delegated administrator for config.amazonaws.com."
)

type AggregatorJob struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
}

func (s *Service) enqueueAggregatorRefreshTx(tx store.Tx, account, region string, a *aggregatorRec, at time.Time) error {
	b, err := json.Marshal(AggregatorJob{Account: account, Region: region, Name: a.name()})
	if err != nil {
		return err
	}
	return tx.Enqueue(store.Job{Kind: jobAggregatorRefresh, Key: core.Scope(account, region) + "|" + a.name(), Payload: b, RunAt: at})
}

// runAggregatorRefresh records an organization aggregator's standing and schedules the next
// check, for as long as the aggregator exists.
func (s *Service) runAggregatorRefresh(ctx context.Context, job store.Job) error {
	var p AggregatorJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: aggregator job payload: %w", err)
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		a, err := aggregatorTx(tx, p.Account, p.Region, p.Name)
		if err != nil {
			return err
		}
		if a != nil && a.org() {
			now := s.Clock.Now().UTC()
			s.refreshAggregatorTx(tx, p.Account, p.Region, a, now)
			if err := saveAggregatorTx(tx, p.Account, p.Region, a); err != nil {
				return err
			}
			if err := s.enqueueAggregatorRefreshTx(tx, p.Account, p.Region, a, now.Add(aggregatorRefreshInterval)); err != nil {
				return err
			}
		}
		return tx.CompleteJob(job.Lease())
	})
}

// refreshAggregatorTx updates the recorded failure of an organization aggregator.
func (s *Service) refreshAggregatorTx(tx store.Tx, account, region string, a *aggregatorRec, now time.Time) {
	code, msg, err := s.orgSourceFailure(tx, account, a)
	if err != nil {
		code, msg = errOrgAccessDenied, err.Error()
	}
	a.Refreshed = now
	switch {
	case code == "":
		a.FailCode, a.FailMessage, a.FailedSince = "", "", time.Time{}
	case a.FailCode == "" || a.FailedSince.IsZero():
		a.FailCode, a.FailMessage, a.FailedSince = code, msg, now
	default:
		a.FailCode, a.FailMessage = code, msg // still failing: since the first failure
	}
}

// orgStanding checks account's standing for an organization aggregator: in an organization
// with all features, management account (trusted access may still be off: the management
// account can turn it on) or delegated administrator for AWS Config. It returns the failure
// code and message ("" when it holds) and the organization ID.
func (s *Service) orgStanding(tx store.Tx, account string) (code, msg, orgID string, err error) {
	o, err := s.Orgs.OrgOfTx(tx, account)
	if err != nil {
		return "", "", "", err
	}
	if o == nil {
		return errOrgAccessDenied, "This action can only be made by accounts in an AWS Organization.", "", nil
	}
	if o.FeatureSet != "ALL" {
		return errOrgAllFeatures, "This action can be only made by AWS Organization's with all features enabled.", o.ID, nil
	}
	enabled, err := s.Orgs.TrustedAccessEnabledTx(tx, o.ID, configServicePrincipal)
	if err != nil {
		return "", "", "", err
	}
	if account == o.Mgmt {
		if !enabled {
			return errTrustedAccessDisabled, msgTrustedAccessDisabled, o.ID, nil
		}
		return "", "", o.ID, nil
	}
	da, err := s.Orgs.IsDelegatedAdminTx(tx, account, configServicePrincipal)
	if err != nil {
		return "", "", "", err
	}
	if !da {
		return errOrgAccessDenied, "This action can only be performed if you are a registered delegated administrator for AWS Config with permissions to call ListDelegatedAdministrators API.", o.ID, nil
	}
	if !enabled {
		return errTrustedAccessDisabled, msgTrustedAccessDisabled, o.ID, nil
	}
	return "", "", o.ID, nil
}

// orgSourceFailure returns why an organization aggregator cannot read its organization now
// ("" when it can): the caller's standing, the organization being the one it was created for,
// and the role.
func (s *Service) orgSourceFailure(tx store.Tx, account string, a *aggregatorRec) (string, string, error) {
	if s.Orgs == nil {
		return errNoOrganization, msgOrgNotAvailable, nil
	}
	code, msg, orgID, err := s.orgStanding(tx, account)
	if err != nil || code != "" {
		return code, msg, err
	}
	if a.OrgID != "" && orgID != a.OrgID {
		return errNoOrganization, msgOrgNotAvailable, nil
	}
	if reason := roleProblem(tx, a.Agg.OrganizationAggregationSource.RoleArn); reason != "" {
		return errRoleNotValid, reason, nil
	}
	return "", "", nil
}

// roleProblem says what keeps AWS Config from using an organization aggregator's role ("" when
// nothing): it must exist, trust config.amazonaws.com and carry AWSConfigRoleForOrganizations.
func roleProblem(tx store.Tx, roleARN string) string {
	r, err := iam.RoleByARNTx(tx, roleARN)
	if err != nil {
		return "The role " + roleARN + " does not exist."
	}
	if !trustsService(r.AssumeRolePolicyDocument, configServicePrincipal) {
		return "The role " + roleARN + " does not trust config.amazonaws.com."
	}
	if !slices.Contains(r.AttachedPolicyARNs, orgAggregatorPolicy) {
		return "The role " + roleARN + " does not have the AWSConfigRoleForOrganizations policy attached."
	}
	return ""
}

// trustsService reports whether a trust policy has an Allow statement for sts:AssumeRole by the
// service principal.
func trustsService(doc, service string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" {
			continue
		}
		if !stringsIn(st["Action"], "sts:AssumeRole", "sts:*", "*") {
			continue
		}
		var principal map[string]json.RawMessage
		if json.Unmarshal(st["Principal"], &principal) != nil {
			continue
		}
		if stringsIn(principal["Service"], service) {
			return true
		}
	}
	return false
}

// stringsIn reports whether a JSON string or list of strings contains one of want.
func stringsIn(raw json.RawMessage, want ...string) bool {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return false
		}
		list = []string{one}
	}
	for _, v := range list {
		if slices.Contains(want, v) {
			return true
		}
	}
	return false
}

// source is one (account, region) an aggregator reads.
type Source struct{ Account, Region string }

// sourcesTx returns the sources whose data aggregator a shows now, in (account, region)
// order: the entitled ones and those whose entitlement ended less than the data delay ago.
func (s *Service) sourcesTx(tx store.Tx, account, region string, a *aggregatorRec) ([]Source, error) {
	if a.org() {
		if a.OrgID == "" {
			return nil, nil
		}
		members, departed, err := s.Orgs.MembershipTx(tx, a.OrgID)
		if err != nil {
			return nil, err
		}
		out, _ := s.orgSources(a, members, departed)
		return out, nil
	}
	now := s.Clock.Now()
	delay := s.dataDelay()
	regions := s.aggregatorRegions(a)
	var accounts []string
	if len(a.Agg.AccountAggregationSources) == 0 {
		return nil, nil
	}
	accounts = a.Agg.AccountAggregationSources[0].AccountIds
	var keys []store.Key
	var cand []Source
	for _, acct := range accounts {
		for _, r := range regions {
			if acct == account {
				continue // the aggregator's own account needs no authorization
			}
			cand = append(cand, Source{acct, r})
			id := authID(account, region)
			keys = append(keys, store.Key{Kind: KindAuthorization, Scope: core.Scope(acct, r), ID: id},
				store.Key{Kind: KindAuthRevoked, Scope: core.Scope(acct, r), ID: id})
		}
	}
	vals, err := tx.GetMany(keys)
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, acct := range accounts {
		if acct == account {
			for _, r := range regions {
				out = append(out, Source{acct, r})
			}
		}
	}
	for i, c := range cand {
		if vals[2*i] != nil {
			out = append(out, c)
			continue
		}
		if b := vals[2*i+1]; b != nil {
			var rv revokedRec
			if json.Unmarshal(b, &rv) == nil && now.Before(rv.At.Add(delay)) {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(x, y Source) int {
		if x.Account != y.Account {
			return compareStrings(x.Account, y.Account)
		}
		return compareStrings(x.Region, y.Region)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// orgSources returns the sources of organization aggregator a given its organization's
// membership, and until when that answer holds as time passes (zero: until the aggregator or
// the membership changes): the next moment a departed account's data, or the failing
// organization source's data, stops being shown.
func (s *Service) orgSources(a *aggregatorRec, members []string, departed map[string]time.Time) ([]Source, time.Time) {
	now := s.Clock.Now()
	delay := s.dataDelay()
	var until time.Time
	earlier := func(t time.Time) {
		if until.IsZero() || t.Before(until) {
			until = t
		}
	}
	if !a.FailedSince.IsZero() {
		end := a.FailedSince.Add(delay)
		if !now.Before(end) {
			return nil, time.Time{} // the organization source has been failing for longer than the delay
		}
		earlier(end)
	}
	accounts := members
	for acct, at := range departed {
		if end := at.Add(delay); now.Before(end) && !slices.Contains(accounts, acct) {
			accounts = append(accounts, acct)
			earlier(end)
		}
	}
	slices.Sort(accounts)
	regions := s.aggregatorRegions(a)
	out := make([]Source, 0, len(accounts)*len(regions))
	for _, acct := range accounts {
		for _, r := range regions {
			out = append(out, Source{acct, r})
		}
	}
	return out, until
}

func (s *Service) dataDelay() time.Duration {
	if s.Opts.AggregatorDataDelay > 0 {
		return s.Opts.AggregatorDataDelay
	}
	return DefaultAggregatorDataDelay
}

// DescribeConfigurationAggregatorSourcesStatus reports, for an account aggregator, one row per
// declared (account, region) and, for an organization aggregator, one row per region.
func (s *Service) DescribeConfigurationAggregatorSourcesStatus(ctx context.Context, in *configapi.DescribeConfigurationAggregatorSourcesStatusRequest) (*configapi.DescribeConfigurationAggregatorSourcesStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	keep := func(st configapi.AggregatedSourceStatusType) bool {
		return len(in.UpdateStatus) == 0 || slices.Contains(in.UpdateStatus, st)
	}
	out := &configapi.DescribeConfigurationAggregatorSourcesStatusResponse{AggregatedSourceStatusList: []configapi.AggregatedSourceStatus{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		a, err := mustAggregatorTx(tx, account, region, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		rows, err := s.sourceStatusTx(tx, account, region, a)
		if err != nil {
			return err
		}
		out.AggregatedSourceStatusList, out.NextToken = out.AggregatedSourceStatusList[:0], ""
		for _, r := range rows {
			key := r.SourceId + "/" + r.AwsRegion
			if (after != "" && key <= after) || !keep(r.LastUpdateStatus) {
				continue
			}
			if len(out.AggregatedSourceStatusList) == limit {
				last := out.AggregatedSourceStatusList[limit-1]
				out.NextToken = core.EncodeToken(last.SourceId + "/" + last.AwsRegion)
				break
			}
			out.AggregatedSourceStatusList = append(out.AggregatedSourceStatusList, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sourceStatusTx computes the status rows of an aggregator, in (source, region) order.
func (s *Service) sourceStatusTx(tx store.Tx, account, region string, a *aggregatorRec) ([]configapi.AggregatedSourceStatus, error) {
	now := core.APITime(s.Clock.Now())
	regions := s.aggregatorRegions(a)
	var rows []configapi.AggregatedSourceStatus
	if a.org() {
		code, msg, err := s.orgSourceFailure(tx, account, a)
		if err != nil {
			return nil, err
		}
		for _, r := range regions {
			row := configapi.AggregatedSourceStatus{SourceId: a.OrgID, SourceType: configapi.AggregatedSourceTypeOrganization,
				AwsRegion: r, LastUpdateStatus: configapi.AggregatedSourceStatusTypeSucceeded, LastUpdateTime: now}
			if code != "" {
				row.LastUpdateStatus, row.LastErrorCode, row.LastErrorMessage = configapi.AggregatedSourceStatusTypeFailed, code, msg
			}
			rows = append(rows, row)
		}
		return rows, nil
	}
	if len(a.Agg.AccountAggregationSources) == 0 {
		return nil, nil
	}
	for _, acct := range a.Agg.AccountAggregationSources[0].AccountIds {
		for _, r := range regions {
			row := configapi.AggregatedSourceStatus{SourceId: acct, SourceType: configapi.AggregatedSourceTypeAccount,
				AwsRegion: r, LastUpdateStatus: configapi.AggregatedSourceStatusTypeSucceeded, LastUpdateTime: now}
			authorized := acct == account
			if !authorized {
				_, err := tx.Get(KindAuthorization, core.Scope(acct, r), authID(account, region))
				switch {
				case err == nil:
					authorized = true
				case !errors.Is(err, store.ErrNotFound):
					return nil, err
				}
			}
			if !authorized {
				row.LastUpdateStatus, row.LastErrorCode, row.LastErrorMessage = configapi.AggregatedSourceStatusTypeFailed, errAuthorizationNotFound, msgAuthorizationNotFound
			} else if rec, err := s.RecorderTx(tx, acct, r); err != nil {
				return nil, err
			} else if rec == nil {
				row.LastUpdateStatus, row.LastErrorCode, row.LastErrorMessage = configapi.AggregatedSourceStatusTypeFailed, errConfigNotEnabled, msgConfigNotEnabled
			}
			rows = append(rows, row)
		}
	}
	// The accounts are kept in the order they were given; the status rows are paged by
	// (account, region), so they come in that order.
	slices.SortFunc(rows, func(x, y configapi.AggregatedSourceStatus) int {
		if c := compareStrings(x.SourceId, y.SourceId); c != 0 {
			return c
		}
		return compareStrings(x.AwsRegion, y.AwsRegion)
	})
	return rows, nil
}
