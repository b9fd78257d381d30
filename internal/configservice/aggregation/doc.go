// Package aggregation is the aggregation area of AWS Config: configuration aggregators (of
// accounts or of an organization), aggregation authorizations, source status, and every
// aggregate read (resources, counts, configuration, compliance). Aggregators read their
// sources' data where it lives, in the recording and evaluation areas: nothing is copied.
//
// It must never read a source's data without the entitlement AWS requires (an authorization,
// or membership of the aggregator's organization while its standing holds), except for the
// data delay after the entitlement ends.
package aggregation
