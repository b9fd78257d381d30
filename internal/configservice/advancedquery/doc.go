// Package advancedquery is the advanced-query area of AWS Config: SelectResourceConfig,
// SelectAggregateResourceConfig (over an aggregator's entitled sources) and stored queries.
// Queries are parsed and planned by internal/query and read the index the recording area keeps.
//
// It must never answer from an index that misses items (before the backfill completes it
// reads the items themselves), nor read sources an aggregator is not entitled to.
package advancedquery
