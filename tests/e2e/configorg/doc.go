// Package configorg is the end-to-end suite of AWS Config across an organization: aggregators
// of accounts and of the organization, organization rules, conformance packs and organization
// conformance packs, as AWS Organizations membership changes. It drives an in-process server
// with aws-sdk-go-v2 on every store backend available.
//
// It must never reach the server other than through its HTTP API.
package configorg
