// Package regions is the one list of AWS regions orgconfig accepts for regional services
// (AWS Config). Global services (Organizations, IAM, STS) accept any region in a signature's
// scope and never derive state from it.
//
// It must never accept a region outside Known and the configured extras for a regional service,
// and it imports no orgconfig package (tests/deps checks it).
package regions
