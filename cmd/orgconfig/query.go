package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/sdkhttp"
)

// queryCommand runs an advanced query against a server, over the caller's account and region
// (SelectResourceConfig) or an aggregator (SelectAggregateResourceConfig), and prints every
// page as a table or as JSON lines.
type queryCommand struct {
	stdout, stderr io.Writer

	endpoint   string
	region     string
	aggregator string
	asJSON     bool
	limit      int
	maxRows    int
	expression string
}

func (c *queryCommand) ParseFlags(args []string) error {
	fs := newFlagSet("query [flags] EXPRESSION", `Runs an AWS Config advanced query (the SQL dialect of SelectResourceConfig) against a server:
over the caller's account and region, or over an aggregator with --aggregator. Every page is
fetched; the results print as a table (one column per selected property) or, with --json, one
JSON document per line. Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN.

  orgconfig query "SELECT resourceType, COUNT(*) GROUP BY resourceType"
  orgconfig query --aggregator org "SELECT accountId, resourceId WHERE tags.tag = 'env=prod'"`, c.stderr)
	stringFlag(fs, &c.endpoint, "endpoint", "ORGCONFIG_ENDPOINT", "http://127.0.0.1:4566", "the server")
	stringFlag(fs, &c.region, "region", "AWS_REGION", "us-east-1", "the region of the query (and of the aggregator)")
	fs.StringVar(&c.aggregator, "aggregator", "", "query this aggregator (SelectAggregateResourceConfig) instead of the account and region")
	fs.BoolVar(&c.asJSON, "json", false, "print one JSON result per line instead of a table")
	fs.IntVar(&c.limit, "page-size", 0, "results per request (0: the server's default)")
	fs.IntVar(&c.maxRows, "max-rows", 0, "stop after this many results (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("query takes one argument, the expression (quote it)")
	}
	c.expression = fs.Arg(0)
	return nil
}

func (c *queryCommand) Run(ctx context.Context) error {
	creds := aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return errors.New("query needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	client := configservice.NewFromConfig(aws.Config{Region: c.region, BaseEndpoint: aws.String(c.endpoint),
		Credentials: awscreds.StaticCredentialsProvider{Value: creds}, HTTPClient: sdkhttp.Client(5*time.Minute, http.DefaultTransport)})
	var (
		rows   []string
		fields []string
		token  *string
	)
	for {
		var results []string
		var next *string
		var selectFields []string
		var limit *int32
		if c.limit > 0 {
			n := int32(c.limit)
			limit = &n
		}
		if c.aggregator != "" {
			out, err := client.SelectAggregateResourceConfig(ctx, &configservice.SelectAggregateResourceConfigInput{
				Expression: aws.String(c.expression), ConfigurationAggregatorName: aws.String(c.aggregator), Limit: derefInt32(limit), NextToken: token})
			if err != nil {
				return err
			}
			results, next = out.Results, out.NextToken
			if out.QueryInfo != nil {
				for _, f := range out.QueryInfo.SelectFields {
					selectFields = append(selectFields, aws.ToString(f.Name))
				}
			}
		} else {
			out, err := client.SelectResourceConfig(ctx, &configservice.SelectResourceConfigInput{
				Expression: aws.String(c.expression), Limit: derefInt32(limit), NextToken: token})
			if err != nil {
				return err
			}
			results, next = out.Results, out.NextToken
			if out.QueryInfo != nil {
				for _, f := range out.QueryInfo.SelectFields {
					selectFields = append(selectFields, aws.ToString(f.Name))
				}
			}
		}
		if fields == nil {
			fields = selectFields
		}
		rows = append(rows, results...)
		if c.maxRows > 0 && len(rows) >= c.maxRows {
			rows = rows[:c.maxRows]
			break
		}
		if aws.ToString(next) == "" {
			break
		}
		token = next
	}
	if c.asJSON {
		for _, r := range rows {
			fmt.Fprintln(c.stdout, r)
		}
		return nil
	}
	return printTable(c.stdout, fields, rows)
}

func derefInt32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// printTable prints results as a table: one column per selected field (query.Table's rules),
// then the row count.
func printTable(w io.Writer, fields []string, results []string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cols, rows := query.Table(fields, results)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "(%d %s)\n", len(rows), plural(len(rows), "row", "rows"))
	return nil
}
