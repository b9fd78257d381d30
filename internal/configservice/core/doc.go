// Package core is what every area of the AWS Config service shares: the dependencies (Deps)
// and Options, the record scope of an (account, region) and the caller's, pagination tokens and
// page sizes, JSON record helpers, a cache of decoded records, and the tags of every taggable
// Config resource (recorders, rules, aggregators, authorizations, packs, stored queries).
//
// It must never import another area of the Config service, nor hold state of its own: the
// areas own their caches.
package core
