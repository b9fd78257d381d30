package console

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/query"
)

const defaultQuery = "SELECT resourceType, COUNT(*) WHERE resourceType LIKE 'AWS::%' GROUP BY resourceType ORDER BY COUNT(*) DESC"

// csvMaxRows bounds a CSV download; the page says so when a result is cut.
const csvMaxRows = 100000

type queryData struct {
	Expression  string
	Aggregator  string
	Aggregators []string
	Stored      []cfgtypes.StoredQueryMetadata
	Result      *queryResult
}

// queryResult is one page of a query's answer as a table.
type queryResult struct {
	Columns   []string
	Rows      [][]string
	NextToken string
	Ran       bool
}

func (c *Console) queryEditor(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	d, err := c.queryData(ctx, rc, r.URL.Query().Get("expression"), r.URL.Query().Get("aggregator"))
	if err != nil {
		return err
	}
	if name := r.URL.Query().Get("stored"); name != "" {
		out, err := rc.api.config().GetStoredQuery(ctx, &configservice.GetStoredQueryInput{QueryName: aws.String(name)})
		if err != nil {
			return err
		}
		d.Expression = str(out.StoredQuery.Expression)
	}
	c.render(w, r, http.StatusOK, "query.html", c.view(rc, "query", "Advanced queries", d))
	return nil
}

func (c *Console) queryData(ctx context.Context, rc *reqCtx, expr, agg string) (*queryData, error) {
	d := &queryData{Expression: expr, Aggregator: agg}
	if d.Expression == "" {
		d.Expression = defaultQuery
	}
	cfg := rc.api.config()
	aggs, err := describeAggregators(ctx, cfg, nil)
	if err != nil {
		return nil, err
	}
	for _, a := range aggs {
		d.Aggregators = append(d.Aggregators, str(a.ConfigurationAggregatorName))
	}
	p := configservice.NewListStoredQueriesPaginator(cfg, &configservice.ListStoredQueriesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		d.Stored = append(d.Stored, out.StoredQueryMetadata...)
	}
	return d, nil
}

// queryRun runs the editor's query and shows one page of results (an htmx request gets the
// results panel alone).
func (c *Console) queryRun(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	expr, agg := r.PostFormValue("expression"), r.PostFormValue("aggregator")
	res, err := runQuery(ctx, rc.api.config(), expr, agg, r.PostFormValue("token"), 100)
	if err != nil {
		return err
	}
	var d *queryData
	if r.Header.Get("HX-Request") != "" {
		d = &queryData{Expression: expr, Aggregator: agg}
		r.Header.Set("HX-Target", "results")
	} else if d, err = c.queryData(ctx, rc, expr, agg); err != nil {
		return err
	}
	d.Result = res
	c.render(w, r, http.StatusOK, "query.html", c.view(rc, "query", "Advanced queries", d))
	return nil
}

// runQuery asks SelectResourceConfig, or SelectAggregateResourceConfig when an aggregator is
// named, for one page.
func runQuery(ctx context.Context, cfg *configservice.Client, expr, agg, token string, limit int32) (*queryResult, error) {
	var (
		results []string
		info    *cfgtypes.QueryInfo
		next    *string
	)
	var tok *string
	if token != "" {
		tok = aws.String(token)
	}
	if agg != "" {
		out, err := cfg.SelectAggregateResourceConfig(ctx, &configservice.SelectAggregateResourceConfigInput{
			ConfigurationAggregatorName: aws.String(agg), Expression: aws.String(expr), Limit: limit, NextToken: tok})
		if err != nil {
			return nil, err
		}
		results, info, next = out.Results, out.QueryInfo, out.NextToken
	} else {
		out, err := cfg.SelectResourceConfig(ctx, &configservice.SelectResourceConfigInput{Expression: aws.String(expr), Limit: limit, NextToken: tok})
		if err != nil {
			return nil, err
		}
		results, info, next = out.Results, out.QueryInfo, out.NextToken
	}
	res := &queryResult{Ran: true, NextToken: aws.ToString(next)}
	var fields []string
	if info != nil {
		for _, f := range info.SelectFields {
			fields = append(fields, str(f.Name))
		}
	}
	res.Columns, res.Rows = query.Table(fields, results)
	return res, nil
}

// queryCSV streams every page of a query's answer as CSV (at most csvMaxRows rows).
func (c *Console) queryCSV(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	expr, agg := q.Get("expression"), q.Get("aggregator")
	cfg := rc.api.config()
	first, err := runQuery(ctx, cfg, expr, agg, "", 100)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="query-results.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cols := first.Columns
	_ = cw.Write(cols)
	n := 0
	page := first
	for {
		for _, row := range page.Rows {
			if n >= csvMaxRows {
				cw.Flush()
				return nil
			}
			_ = cw.Write(row)
			n++
		}
		if page.NextToken == "" {
			break
		}
		if page, err = runQuery(ctx, cfg, expr, agg, page.NextToken, 100); err != nil {
			// The header is sent; end the file where the answer stopped.
			c.log.Warn("console: CSV download stopped", "error", err)
			break
		}
		if strings.Join(page.Columns, "\x00") != strings.Join(cols, "\x00") {
			// SELECT * can reveal new top-level keys on later pages; keep the first page's columns.
			page.Rows = realign(page, cols)
		}
	}
	cw.Flush()
	return nil
}

func realign(page *queryResult, cols []string) [][]string {
	idx := map[string]int{}
	for i, c := range page.Columns {
		idx[c] = i
	}
	out := make([][]string, len(page.Rows))
	for r, row := range page.Rows {
		nr := make([]string, len(cols))
		for i, c := range cols {
			if j, ok := idx[c]; ok {
				nr[i] = row[j]
			}
		}
		out[r] = nr
	}
	return out
}
