package aggregation

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Aggregators read their sources' data where it lives: an aggregate read computes the
// (account, region) sources the aggregator is entitled to at that moment and reads their
// items, counters and evaluation results. Nothing is copied, so an acknowledged write in a
// source is visible in every entitled aggregator at once, and a source's data leaves exactly
// when its entitlement (plus the data delay) ends. Entitlement follows AWS: an
// account source needs an authorization in each (account, region), except the aggregator's own
// account; an organization source covers the organization's current ACTIVE accounts while the
// organization, trusted access, the caller's standing (management account or delegated
// administrator) and the role hold. A source that loses its entitlement keeps showing its data
// for Options.AggregatorDataDelay (AWS: 24 hours) from the loss: a deleted authorization, an
// account's departure (Organizations records it), or the first refresh that found the
// organization source failing.

// KindAggregator holds an aggregator: scope = Scope(account, region), id = name, body
// aggregatorRec.
const KindAggregator = "config-aggregator"

// maxAggregators is AWS's quota of aggregators per account and region.
const maxAggregators = 50

// maxAggregatorAccounts is the most accounts an account aggregator lists.
const maxAggregatorAccounts = 10000

// aggregatorRefreshInterval is how often an organization aggregator's standing is checked.
const aggregatorRefreshInterval = 5 * time.Minute

// DefaultAggregatorDataDelay is how long a source's data outlives its entitlement.
const DefaultAggregatorDataDelay = 24 * time.Hour

// configServicePrincipal is AWS Config's service principal.
const configServicePrincipal = "config.amazonaws.com"

// orgAggregatorPolicy is the AWS managed policy an organization aggregator's role carries.
const orgAggregatorPolicy = "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"

// aggregatorRec is a stored aggregator.
type aggregatorRec struct {
	Agg     configapi.ConfigurationAggregator `json:"aggregator"` // without times
	Created time.Time                         `json:"created"`
	Updated time.Time                         `json:"updated"`
	// OrgID is the organization of an organization aggregator at its creation.
	OrgID string `json:"orgId,omitempty"`
	// Failure of an organization source, as the last refresh found it: code and message, and
	// since when it has been failing (its data leaves AggregatorDataDelay later).
	FailCode    string    `json:"failCode,omitempty"`
	FailMessage string    `json:"failMessage,omitempty"`
	FailedSince time.Time `json:"failedSince,omitzero"`
	Refreshed   time.Time `json:"refreshed,omitzero"`
}

func (a *aggregatorRec) name() string { return a.Agg.ConfigurationAggregatorName }
func (a *aggregatorRec) org() bool    { return a.Agg.OrganizationAggregationSource != nil }

func (a *aggregatorRec) api() configapi.ConfigurationAggregator {
	out := a.Agg
	out.CreationTime, out.LastUpdatedTime = core.APITime(a.Created), core.APITime(a.Updated)
	return out
}

// aggregatorRegions returns the aggregator's regions (every region of the partition for
// AllAwsRegions).
func (s *Service) aggregatorRegions(a *aggregatorRec) []string {
	var all bool
	var list []string
	if o := a.Agg.OrganizationAggregationSource; o != nil {
		all, list = o.AllAwsRegions != nil && *o.AllAwsRegions, o.AwsRegions
	} else if len(a.Agg.AccountAggregationSources) > 0 {
		src := a.Agg.AccountAggregationSources[0]
		all, list = src.AllAwsRegions != nil && *src.AllAwsRegions, src.AwsRegions
	}
	if all {
		return s.Regions.All()
	}
	list = slices.Clone(list)
	slices.Sort(list)
	return slices.Compact(list)
}

// firstOccurrences returns list without repeats, in the order of their first occurrence.
func firstOccurrences(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func noSuchAggregator() error {
	return configapi.ErrNoSuchConfigurationAggregator("The configuration aggregator does not exist. Check the configuration aggregator name and try again.")
}

func aggregatorTx(tx store.Tx, account, region, name string) (*aggregatorRec, error) {
	return core.GetRecTx[aggregatorRec](tx, KindAggregator, core.Scope(account, region), name)
}

// mustAggregatorTx returns the caller's aggregator, or NoSuchConfigurationAggregatorException.
func mustAggregatorTx(tx store.Tx, account, region, name string) (*aggregatorRec, error) {
	a, err := aggregatorTx(tx, account, region, name)
	if err == nil && a == nil {
		err = noSuchAggregator()
	}
	return a, err
}

func saveAggregatorTx(tx store.Tx, account, region string, a *aggregatorRec) error {
	return core.PutRecTx(tx, KindAggregator, core.Scope(account, region), a.name(), a)
}

var (
	aggregatorFilterType = regexp.MustCompile(`^[a-zA-Z0-9]{2,64}::[a-zA-Z0-9]{2,64}::[a-zA-Z0-9]{2,64}$`)
	iamRoleARN           = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/.+`)
)

// validateAggregatorRegions checks one source's regions: exactly one of AllAwsRegions and a
// non-empty AwsRegions, and known region names.
func (s *Service) validateAggregatorRegions(all *bool, regions []string) error {
	allSet := all != nil && *all
	switch {
	case allSet && len(regions) > 0:
		return configapi.ErrInvalidParameterValue("Your request contains a list of regions and also specifies the use of all regions. Use either regions or all regions, not both.")
	case !allSet && len(regions) == 0:
		return configapi.ErrInvalidParameterValue("Your request does not specify any regions. Select AWS Config-supported regions and try again.")
	}
	for _, r := range regions {
		if !s.Regions.Has(r) {
			return configapi.ErrInvalidParameterValue("The region %s is not a region supported by AWS Config.", r)
		}
	}
	return nil
}

// PutConfigurationAggregator creates or replaces an aggregator of accounts or of the caller's
// organization. For an organization source the caller must belong to an
// organization with all features and be its management account (AWS Config then enables
// trusted access for config.amazonaws.com) or a delegated administrator for Config.
func (s *Service) PutConfigurationAggregator(ctx context.Context, in *configapi.PutConfigurationAggregatorRequest) (*configapi.PutConfigurationAggregatorResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	accts, org := in.AccountAggregationSources, in.OrganizationAggregationSource
	switch {
	case len(accts) > 0 && org != nil:
		return nil, configapi.ErrInvalidParameterValue("The configuration aggregator cannot be created because your request contains both the AccountAggregationSource and the OrganizationAggregationSource. Include only one aggregation source and try again.")
	case len(accts) == 0 && org == nil:
		return nil, configapi.ErrInvalidParameterValue("The configuration aggregator cannot be created because your request is missing either the AccountAggregationSource or the OrganizationAggregationSource. Include the appropriate aggregation source and try again.")
	}
	if len(accts) > 0 {
		if err := s.validateAggregatorRegions(accts[0].AllAwsRegions, accts[0].AwsRegions); err != nil {
			return nil, err
		}
		if len(accts[0].AccountIds) > maxAggregatorAccounts {
			return nil, configapi.ErrLimitExceeded("An aggregator can have at most %d accounts.", maxAggregatorAccounts)
		}
	} else {
		if err := s.validateAggregatorRegions(org.AllAwsRegions, org.AwsRegions); err != nil {
			return nil, err
		}
		if !iamRoleARN.MatchString(org.RoleArn) {
			return nil, configapi.ErrInvalidRole("The role ARN %q is not a valid IAM role ARN.", org.RoleArn)
		}
	}
	if f := in.AggregatorFilters; f != nil {
		if f.ResourceType == nil && f.ServicePrincipal == nil {
			return nil, configapi.ErrInvalidParameterValue("AggregatorFilters must contain a ResourceType or a ServicePrincipal filter.")
		}
		if rt := f.ResourceType; rt != nil {
			for _, t := range rt.Value {
				if !aggregatorFilterType.MatchString(t) {
					return nil, configapi.ErrInvalidParameterValue("The resource type %s in AggregatorFilters is not valid.", t)
				}
			}
		}
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	var out configapi.ConfigurationAggregator
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		existing, err := aggregatorTx(tx, account, region, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		a := &aggregatorRec{Created: now, Updated: now}
		if existing != nil {
			a.Created, a.Agg.ConfigurationAggregatorArn = existing.Created, existing.Agg.ConfigurationAggregatorArn
		} else {
			n, err := tx.Count(KindAggregator, core.Scope(account, region))
			if err != nil {
				return err
			}
			if n >= maxAggregators {
				return configapi.ErrLimitExceeded("You have reached the limit of %d configuration aggregators in this account and region.", maxAggregators)
			}
			a.Agg.ConfigurationAggregatorArn = fmt.Sprintf("arn:aws:config:%s:%s:config-aggregator/config-aggregator-%s", region, account, s.IDs.Lower(8))
		}
		a.Agg.ConfigurationAggregatorName = in.ConfigurationAggregatorName
		a.Agg.AggregatorFilters = in.AggregatorFilters
		if org != nil {
			o, err := s.checkOrgCaller(tx, account)
			if err != nil {
				return err
			}
			a.OrgID = o
			src := *org
			a.Agg.OrganizationAggregationSource = &src
		} else {
			// AWS answers the accounts and regions in the order they were given (clients such
			// as Terraform compare them as lists); a repeated account counts once.
			src := accts[0]
			src.AccountIds = firstOccurrences(src.AccountIds)
			a.Agg.AccountAggregationSources = []configapi.AccountAggregationSource{src}
		}
		if err := saveAggregatorTx(tx, account, region, a); err != nil {
			return err
		}
		if existing == nil {
			if err := core.CreateResourceTagsTx(tx, a.Agg.ConfigurationAggregatorArn, in.Tags); err != nil {
				return err
			}
		}
		if err := s.syncPendingTx(tx, account, region, existing, a); err != nil {
			return err
		}
		if a.org() {
			s.refreshAggregatorTx(tx, account, region, a, now)
			if err := saveAggregatorTx(tx, account, region, a); err != nil {
				return err
			}
			if err := s.enqueueAggregatorRefreshTx(tx, account, region, a, now.Add(aggregatorRefreshInterval)); err != nil {
				return err
			}
		}
		out = a.api()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutConfigurationAggregatorResponse{ConfigurationAggregator: &out}, nil
}

// checkOrgCaller applies PutConfigurationAggregator's organization-source checks to the caller and returns
// its organization's ID; a management account caller gets trusted access for AWS Config
// enabled.
func (s *Service) checkOrgCaller(tx store.Tx, account string) (string, error) {
	if s.Orgs == nil {
		return "", configapi.ErrOrganizationAccessDenied("This action can only be made by accounts in an AWS Organization.")
	}
	code, msg, o, err := s.orgStanding(tx, account)
	if err != nil {
		return "", err
	}
	switch code {
	case "":
	case "ORGANIZATION_ALL_FEATURES_NOT_ENABLED":
		return "", configapi.ErrOrganizationAllFeaturesNotEnabled("%s", msg)
	case "TRUSTED_ACCESS_DISABLED":
		// The management account: AWS Config enables trusted access itself.
		if err := s.Orgs.EnableServiceAccessTx(tx, o, configServicePrincipal); err != nil {
			return "", err
		}
	default:
		return "", configapi.ErrOrganizationAccessDenied("%s", msg)
	}
	return o, nil
}

// DescribeConfigurationAggregators returns the aggregators named, or every aggregator of the
// caller's account and region, Limit (default and at most 100) per page.
func (s *Service) DescribeConfigurationAggregators(ctx context.Context, in *configapi.DescribeConfigurationAggregatorsRequest) (*configapi.DescribeConfigurationAggregatorsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConfigurationAggregatorsResponse{ConfigurationAggregators: []configapi.ConfigurationAggregator{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ConfigurationAggregators, out.NextToken = out.ConfigurationAggregators[:0], ""
		var all []*aggregatorRec
		if len(in.ConfigurationAggregatorNames) > 0 {
			for _, n := range in.ConfigurationAggregatorNames {
				a, err := aggregatorTx(tx, account, region, n)
				if err != nil {
					return err
				}
				if a == nil {
					if len(in.ConfigurationAggregatorNames) > 1 {
						return configapi.ErrNoSuchConfigurationAggregator("At least one of the configuration aggregators does not exist. Check the configuration aggregator names and try again.")
					}
					return noSuchAggregator()
				}
				all = append(all, a)
			}
			slices.SortFunc(all, func(x, y *aggregatorRec) int { return strings.Compare(x.name(), y.name()) })
		} else {
			recs, err := tx.List(KindAggregator, core.Scope(account, region), after, limit+1)
			if err != nil {
				return err
			}
			for _, r := range recs {
				a := new(aggregatorRec)
				if err := json.Unmarshal(r.Body, a); err != nil {
					return err
				}
				all = append(all, a)
			}
			after = ""
		}
		for _, a := range all {
			if after != "" && a.name() <= after {
				continue
			}
			if len(out.ConfigurationAggregators) == limit {
				out.NextToken = core.EncodeToken(out.ConfigurationAggregators[limit-1].ConfigurationAggregatorName)
				break
			}
			out.ConfigurationAggregators = append(out.ConfigurationAggregators, a.api())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteConfigurationAggregator deletes an aggregator; the sources' data is untouched.
func (s *Service) DeleteConfigurationAggregator(ctx context.Context, in *configapi.DeleteConfigurationAggregatorRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		a, err := mustAggregatorTx(tx, account, region, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		if _, err := tx.Delete(KindAggregator, core.Scope(account, region), a.name()); err != nil {
			return err
		}
		if err := core.DeleteResourceTagsTx(tx, a.Agg.ConfigurationAggregatorArn); err != nil {
			return err
		}
		return s.syncPendingTx(tx, account, region, a, nil)
	})
}
