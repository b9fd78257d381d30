// Package query implements AWS Config's advanced query language, the subset of SQL SELECT
// behind SelectResourceConfig and SelectAggregateResourceConfig: parsing and validation (with
// AWS's InvalidExpressionException messages), matching a configuration item against a WHERE
// clause, shaping result rows, aggregation, ordering, and the index support a store needs to
// answer a WHERE clause without reading every item.
//
// The data model is the one AWS documents: each row is one current configuration item, seen as
// its top-level scalars (accountId, resourceType, ...), its configuration and supplementary
// configuration (JSON), its tags (tags.key, tags.value, tags.tag = "key=value") and its
// relationships. Arrays are flattened and every predicate is existential and independent of
// the others. The decisions taken where AWS's documentation is silent are written down beside
// the code that takes them: three-valued logic in match.go, type coercion in compare.go, CIDR
// semantics in ip.go, ordering in order.go, and the index contract in index.go.
//
// The package is pure: it never touches the store, the clock or the network, and it must never
// depend on the API layer (among orgconfig packages it imports only internal/memo; tests/deps
// checks it). It must never plan a WHERE clause into ranges that miss a matching item: PlanWhere
// returns a superset of the items Match accepts, for every item whose Entries were indexed; the
// property test in this package holds it to that.
package query
