// Package importer loads configuration items of native AWS resource types, which AWS's public
// API cannot push (PutResourceConfig takes third-party types only): the snapshot and history
// files AWS Config delivers to S3, and lists of items in the API's own dialect. `orgconfig
// import` and the server's admin call POST /_orgconfig/import use it; it is never part of the
// AWS API surface. Items go through the recording area's batched write path, so an imported
// item is stored, counted, indexed and evaluated exactly as a recorded one.
//
// It must never trust a file: items and files are bounded in size, and an item that is not a
// configuration item is skipped with a reason instead of being stored.
package importer
