package main

import (
	"context"
	"net/http"
)

// The control scenario measures the cheapest authenticated calls: what every request pays for
// HTTP, SigV4 verification, protocol detection, routing, validation, rendering and metrics.
func init() {
	register(&Scenario{
		Name: "control",
		Summary: "STS GetCallerIdentity (Query protocol) and one cheap AWS Config JSON 1.1 call (-json-op), " +
			"both signed with SigV4",
		Calls: controlCalls,
	})
}

func controlCalls(_ context.Context, o *Options) ([]Call, error) {
	sts := Call{
		Name:    "sts:GetCallerIdentity",
		Label:   "STS GetCallerIdentity (Query)",
		Service: "sts", Region: "us-east-1",
		Method: http.MethodPost, Path: "/",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
	}
	cfg := Call{
		Name:    "config:" + o.JSONOp,
		Label:   "Config " + o.JSONOp + " (JSON 1.1 routed+authenticated call)",
		Service: "config", Region: "us-east-1",
		Method: http.MethodPost, Path: "/",
		Header: http.Header{
			"Content-Type": {"application/x-amz-json-1.1"},
			"X-Amz-Target": {"StarlingDoveService." + o.JSONOp},
		},
		Body:   []byte(o.JSONBody),
		Accept: o.AcceptCodes,
	}
	return []Call{sts, cfg}, nil
}
