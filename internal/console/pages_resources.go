package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// Bounds of the pages that read several pages of an API.
const (
	// maxCountPages bounds the pages of resource counts read for the list of types.
	maxCountPages = 10
	// maxHistoryItems is how many versions of a resource the timeline shows, newest first.
	maxHistoryItems = 500
)

// inventoryType is one resource type of the resource inventory, with its count.
type inventoryType struct {
	Type    string
	Count   int64
	Link    string
	Current bool
}

// resourceRow is one resource of the inventory.
type resourceRow struct {
	Type, ID, Name, Account, Region, Deleted, Link string
}

type resourceListData struct {
	// Aggregators are the caller's aggregators; AggregatorsError is why they could not be read.
	Aggregators      []string
	AggregatorsError string
	Aggregator       string
	Account, Region  string
	IncludeDeleted   bool
	Types            []inventoryType
	Total            int64
	Type             string
	Rows             []resourceRow
	// Token is the page's NextToken; NextLink and FirstLink page through the resources.
	Token               string
	NextLink, FirstLink string
}

// query rebuilds the inventory's query for a type and page token.
func (d *resourceListData) query(typ, token string) string {
	v := url.Values{}
	if d.Aggregator != "" {
		v.Set("aggregator", d.Aggregator)
		if d.Account != "" {
			v.Set("account", d.Account)
		}
		if d.Region != "" {
			v.Set("region", d.Region)
		}
	} else if d.IncludeDeleted {
		v.Set("deleted", "1")
	}
	if typ != "" {
		v.Set("type", typ)
	}
	if token != "" {
		v.Set("token", token)
	}
	return Prefix + "/config/resources?" + v.Encode()
}

// resourcePageLink is the resource page of a resource, in the caller's account and region or, with
// an aggregator, in a source account and region.
func resourcePageLink(typ, id, aggregator, account, region string) string {
	v := url.Values{"type": {typ}, "id": {id}}
	if aggregator != "" {
		v.Set("aggregator", aggregator)
		v.Set("account", account)
		v.Set("region", region)
	}
	return Prefix + "/config/resource?" + v.Encode()
}

// listAggregatorNames lists the caller's configuration aggregators.
func listAggregatorNames(ctx context.Context, cfg *configservice.Client) ([]string, error) {
	aggs, _, err := readPages(maxListPages, func(token *string) ([]cfgtypes.ConfigurationAggregator, *string, error) {
		out, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConfigurationAggregators, out.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(aggs))
	for _, a := range aggs {
		names = append(names, str(a.ConfigurationAggregatorName))
	}
	sort.Strings(names)
	return names, nil
}

// resourceList is the resource inventory: the resources of one type in the caller's account
// and region, or in an aggregator's sources.
func (c *Console) resourceList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := &resourceListData{
		Aggregator: strings.TrimSpace(q.Get("aggregator")),
		Type:       strings.TrimSpace(q.Get("type")),
		Token:      q.Get("token"),
	}
	if d.Aggregator != "" {
		d.Account, d.Region = strings.TrimSpace(q.Get("account")), strings.TrimSpace(q.Get("region"))
	} else {
		d.IncludeDeleted = q.Get("deleted") != ""
	}
	cfg := rc.api.config()
	names, err := listAggregatorNames(ctx, cfg)
	if err != nil {
		ae := asAPIError(err)
		if ae == nil {
			return err
		}
		d.AggregatorsError = ae.Message
	}
	d.Aggregators = names

	counts := map[string]int64{}
	if d.Aggregator == "" {
		_, _, err := readPages(maxCountPages, func(token *string) ([]cfgtypes.ResourceCount, *string, error) {
			out, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			d.Total = out.TotalDiscoveredResources
			for _, n := range out.ResourceCounts {
				counts[string(n.ResourceType)] += n.Count
			}
			return nil, out.NextToken, nil
		})
		if err != nil {
			return err
		}
	} else {
		in := &configservice.GetAggregateDiscoveredResourceCountsInput{
			ConfigurationAggregatorName: aws.String(d.Aggregator),
			GroupByKey:                  cfgtypes.ResourceCountGroupKeyResourceType,
		}
		if d.Account != "" || d.Region != "" {
			in.Filters = &cfgtypes.ResourceCountFilters{}
			if d.Account != "" {
				in.Filters.AccountId = aws.String(d.Account)
			}
			if d.Region != "" {
				in.Filters.Region = aws.String(d.Region)
			}
		}
		_, _, err := readPages(maxCountPages, func(token *string) ([]cfgtypes.GroupedResourceCount, *string, error) {
			in.NextToken = token
			out, err := cfg.GetAggregateDiscoveredResourceCounts(ctx, in)
			if err != nil {
				return nil, nil, err
			}
			d.Total = out.TotalDiscoveredResources
			for _, g := range out.GroupedResourceCounts {
				counts[str(g.GroupName)] += g.ResourceCount
			}
			return nil, out.NextToken, nil
		})
		if err != nil {
			return err
		}
	}
	for typ, n := range counts {
		d.Types = append(d.Types, inventoryType{Type: typ, Count: n})
	}
	sort.Slice(d.Types, func(i, j int) bool {
		if d.Types[i].Count != d.Types[j].Count {
			return d.Types[i].Count > d.Types[j].Count
		}
		return d.Types[i].Type < d.Types[j].Type
	})
	if d.Type == "" && len(d.Types) > 0 {
		d.Type = d.Types[0].Type
	}
	for i := range d.Types {
		d.Types[i].Link = d.query(d.Types[i].Type, "")
		d.Types[i].Current = d.Types[i].Type == d.Type
	}

	var next string
	if d.Type != "" {
		var token *string
		if d.Token != "" {
			token = aws.String(d.Token)
		}
		if d.Aggregator == "" {
			out, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{
				ResourceType: cfgtypes.ResourceType(d.Type), IncludeDeletedResources: d.IncludeDeleted, NextToken: token,
			})
			if err != nil {
				return err
			}
			for _, ri := range out.ResourceIdentifiers {
				row := resourceRow{Type: string(ri.ResourceType), ID: str(ri.ResourceId), Name: str(ri.ResourceName),
					Account: rc.sess.Account, Region: rc.sess.Region, Deleted: fmtTime(ri.ResourceDeletionTime)}
				if row.Type == "" {
					row.Type = d.Type
				}
				row.Link = resourcePageLink(row.Type, row.ID, "", "", "")
				d.Rows = append(d.Rows, row)
			}
			next = str(out.NextToken)
		} else {
			in := &configservice.ListAggregateDiscoveredResourcesInput{
				ConfigurationAggregatorName: aws.String(d.Aggregator), ResourceType: cfgtypes.ResourceType(d.Type), NextToken: token,
			}
			if d.Account != "" || d.Region != "" {
				in.Filters = &cfgtypes.ResourceFilters{}
				if d.Account != "" {
					in.Filters.AccountId = aws.String(d.Account)
				}
				if d.Region != "" {
					in.Filters.Region = aws.String(d.Region)
				}
			}
			out, err := cfg.ListAggregateDiscoveredResources(ctx, in)
			if err != nil {
				return err
			}
			for _, ri := range out.ResourceIdentifiers {
				row := resourceRow{Type: string(ri.ResourceType), ID: str(ri.ResourceId), Name: str(ri.ResourceName),
					Account: str(ri.SourceAccountId), Region: str(ri.SourceRegion)}
				if row.Type == "" {
					row.Type = d.Type
				}
				row.Link = resourcePageLink(row.Type, row.ID, d.Aggregator, row.Account, row.Region)
				d.Rows = append(d.Rows, row)
			}
			next = str(out.NextToken)
		}
	}
	// A next page only when the API gave a token other than this page's: the pages end.
	if next != "" && next != d.Token {
		d.NextLink = d.query(d.Type, next)
	}
	if d.Token != "" {
		d.FirstLink = d.query(d.Type, "")
	}
	c.render(w, r, http.StatusOK, "resources.html", c.view(rc, "resources", "Resources", d))
	return nil
}

// timelineVersion is one configuration item of a resource's timeline.
type timelineVersion struct {
	StateID, Time, Status string
	// ShowLink selects this version (compared with the one before it); CompareLink compares
	// it with the selected version.
	ShowLink, CompareLink string
	Selected, Compared    bool
}

// relationRow is one relationship of a resource, linked to the related resource's page.
type relationRow struct {
	Name, Type, ID, ResourceName, Link string
}

type resourcePageData struct {
	Type, ID, Aggregator, Account, Region string
	// Item is the configuration item shown: the selected version, or the aggregator's current
	// item.
	Item       *cfgtypes.ConfigurationItem
	Config     string
	Relations  []relationRow
	Supplement []supplementRow
	// HistoryElsewhere is set when the history is kept in another account or region.
	HistoryElsewhere bool
	Versions         []timelineVersion
	// Truncated is true when the resource has more versions than the timeline shows.
	Truncated bool
	// From and To are the compared versions; Diff is nil when there is one version only.
	From, To *timelineVersion
	Diff     *lineDiff
	BackLink string
}

type supplementRow struct {
	Key, Value string
}

// resourcePage shows a resource: its configuration, its timeline of versions, and the diff of
// two of them.
func (c *Console) resourcePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := &resourcePageData{
		Type: strings.TrimSpace(q.Get("type")), ID: strings.TrimSpace(q.Get("id")),
		Aggregator: strings.TrimSpace(q.Get("aggregator")),
		Account:    rc.sess.Account, Region: rc.sess.Region,
	}
	if d.Type == "" || d.ID == "" {
		return &apiError{Code: "ValidationException", Message: "Choose a resource: the page needs its type and ID.", Status: http.StatusBadRequest}
	}
	cfg := rc.api.config()
	own := true
	if d.Aggregator != "" {
		d.Account, d.Region = strings.TrimSpace(q.Get("account")), strings.TrimSpace(q.Get("region"))
		if d.Account == "" || d.Region == "" {
			return &apiError{Code: "ValidationException", Message: "A resource of an aggregator needs its source account and region.", Status: http.StatusBadRequest}
		}
		out, err := cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{
			ConfigurationAggregatorName: aws.String(d.Aggregator),
			ResourceIdentifier: &cfgtypes.AggregateResourceIdentifier{
				ResourceType: cfgtypes.ResourceType(d.Type), ResourceId: aws.String(d.ID),
				SourceAccountId: aws.String(d.Account), SourceRegion: aws.String(d.Region),
			},
		})
		if err != nil {
			return err
		}
		d.Item = out.ConfigurationItem
		own = d.Account == rc.sess.Account && d.Region == rc.sess.Region
		d.HistoryElsewhere = !own
		v := url.Values{"aggregator": {d.Aggregator}, "account": {d.Account}, "region": {d.Region}, "type": {d.Type}}
		d.BackLink = Prefix + "/config/resources?" + v.Encode()
	} else {
		d.BackLink = Prefix + "/config/resources?" + url.Values{"type": {d.Type}}.Encode()
	}
	if own {
		items, truncated, err := resourceHistory(ctx, cfg, d.Type, d.ID)
		if err != nil {
			return err
		}
		d.Truncated = truncated
		if len(items) == 0 && d.Item == nil {
			return &apiError{Code: "ResourceNotDiscoveredException", Message: "Resource " + d.ID + " of resourceType:" + d.Type + " has no configuration history.", Status: http.StatusNotFound}
		}
		if len(items) > 0 {
			if err := d.timeline(items, q.Get("a"), q.Get("b")); err != nil {
				return err
			}
		}
	}
	if d.Item != nil {
		d.Config = prettyJSONString(d.Item.Configuration)
		for _, rel := range d.Item.Relationships {
			row := relationRow{Name: str(rel.RelationshipName), Type: string(rel.ResourceType), ID: str(rel.ResourceId), ResourceName: str(rel.ResourceName)}
			if row.ID != "" && row.Type != "" {
				if d.Aggregator != "" {
					row.Link = resourcePageLink(row.Type, row.ID, d.Aggregator, d.Account, d.Region)
				} else {
					row.Link = resourcePageLink(row.Type, row.ID, "", "", "")
				}
			}
			d.Relations = append(d.Relations, row)
		}
		for k, v := range d.Item.SupplementaryConfiguration {
			d.Supplement = append(d.Supplement, supplementRow{Key: k, Value: prettyJSONString(&v)})
		}
		sort.Slice(d.Supplement, func(i, j int) bool { return d.Supplement[i].Key < d.Supplement[j].Key })
	}
	title := d.ID
	if d.Item != nil && str(d.Item.ResourceName) != "" {
		title = str(d.Item.ResourceName)
	}
	c.render(w, r, http.StatusOK, "resource.html", c.view(rc, "resources", title, d))
	return nil
}

// resourceHistory reads a resource's configuration items, newest first, at most
// maxHistoryItems of them; truncated is true when the resource has more.
func resourceHistory(ctx context.Context, cfg *configservice.Client, typ, id string) (items []cfgtypes.ConfigurationItem, truncated bool, err error) {
	const perPage = 100
	in := &configservice.GetResourceConfigHistoryInput{
		ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String(id),
		ChronologicalOrder: cfgtypes.ChronologicalOrderReverse, Limit: perPage,
	}
	items, truncated, err = readPages(maxHistoryItems/perPage, func(token *string) ([]cfgtypes.ConfigurationItem, *string, error) {
		in.NextToken = token
		out, err := cfg.GetResourceConfigHistory(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		return out.ConfigurationItems, out.NextToken, nil
	})
	if len(items) > maxHistoryItems {
		items, truncated = items[:maxHistoryItems], true
	}
	return items, truncated, err
}

// timeline builds the versions of a resource (newest first) and the diff of the two chosen:
// b is the version shown, a the one it is compared with (by default the newest and the one
// before it).
func (d *resourcePageData) timeline(items []cfgtypes.ConfigurationItem, a, b string) error {
	find := func(state string) int {
		for i := range items {
			if str(items[i].ConfigurationStateId) == state {
				return i
			}
		}
		return -1
	}
	bi := 0
	if b != "" {
		if bi = find(b); bi < 0 {
			return &apiError{Code: "ResourceNotDiscoveredException", Message: "The resource has no configuration item with the state ID " + b + " among its " + strconv.Itoa(len(items)) + " most recent.", Status: http.StatusNotFound}
		}
	}
	ai := bi + 1
	if a != "" {
		if ai = find(a); ai < 0 {
			return &apiError{Code: "ResourceNotDiscoveredException", Message: "The resource has no configuration item with the state ID " + a + " among its " + strconv.Itoa(len(items)) + " most recent.", Status: http.StatusNotFound}
		}
	}
	if ai == bi || ai >= len(items) {
		ai = -1
	}
	link := func(a, b int) string {
		v := url.Values{"type": {d.Type}, "id": {d.ID}}
		if d.Aggregator != "" {
			v.Set("aggregator", d.Aggregator)
			v.Set("account", d.Account)
			v.Set("region", d.Region)
		}
		if a >= 0 && a < len(items) {
			v.Set("a", str(items[a].ConfigurationStateId))
		}
		v.Set("b", str(items[b].ConfigurationStateId))
		return Prefix + "/config/resource?" + v.Encode() + "#version"
	}
	for i := range items {
		ci := &items[i]
		v := timelineVersion{
			StateID: str(ci.ConfigurationStateId), Time: fmtTime(ci.ConfigurationItemCaptureTime), Status: string(ci.ConfigurationItemStatus),
			ShowLink: link(i+1, i), Selected: i == bi, Compared: i == ai,
		}
		if i != bi {
			v.CompareLink = link(i, bi)
		}
		d.Versions = append(d.Versions, v)
	}
	d.Item = &items[bi]
	d.To = &d.Versions[bi]
	if ai >= 0 {
		d.From = &d.Versions[ai]
		diff := diffText(itemDocument(&items[ai]), itemDocument(&items[bi]), diffContext)
		d.Diff = &diff
	}
	return nil
}
