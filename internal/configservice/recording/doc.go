// Package recording is the recording area of AWS Config: configuration recorders (customer
// managed and service-linked) and their status, delivery channels, configuration items with
// their history and the per-type counts, discovery (ListDiscoveredResources,
// GetResourceConfigHistory, BatchGetResourceConfig), third-party resources
// (PutResourceConfig), retention, snapshot delivery, the items
// orgconfig records of its own resources (IAM, recorders), and the advanced-query index every
// item write keeps in the item's transaction.
//
// Concurrent item writes share store transactions (ingest.go): each call returns once its own
// write is durable.
//
// It must never import another area but core, nor acknowledge an item before it is durable:
// evaluation learns of changes through Service.ItemsChanged, in the write's transaction.
package recording
