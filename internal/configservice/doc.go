// Package configservice implements AWS Config in every account and region: the one Service
// the server routes Config calls to. The work is done by the areas under it, each a package
// of its own, layered so that each imports only the ones below it:
//
//	core           what every area shares: Deps, scopes, the caller's (account, region),
//	               pagination tokens, record helpers, tags of Config resources
//	recording      recorders, delivery channels, configuration items and their history,
//	               discovery, retention, snapshots, the advanced-query index
//	importer       native items from AWS Config's snapshot and history files
//	evaluation     Config rules and their evaluation (managed, Guard, Lambda), results,
//	               compliance, proactive evaluation, remediation
//	aggregation    aggregators, aggregation authorizations, aggregate reads
//	conformance    conformance packs, organization rules and packs and their deployment
//	advancedquery  SelectResourceConfig, SelectAggregateResourceConfig, stored queries
//
// Service embeds one of each area; every operation of configapi.API is a method of exactly
// one area. Areas talk to the ones below through functions that take a store.Tx, so that a
// change and its consequences commit together; the one call upward (an item write telling
// evaluation which resources changed) goes through recording.Service.ItemsChanged.
//
// Every Config object lives in exactly one (account, region): the caller's account and the
// region of the request's signature. Records use scope core.Scope(account, region).
//
// It must never read another account's data without an entitlement (an aggregator's
// authorization or organization), nor write another service's records: Organizations and IAM
// are reached through their transaction-level APIs.
package configservice
