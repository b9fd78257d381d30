// Command gen turns the AWS API models in internal/api/models (botocore service-2.json files)
// into one Go package per service: internal/api/<service>api with doc.go, types.go, enums.go,
// model.go, api.go and errors.go. It runs offline and deterministically; run it through go
// generate in internal/api.
//
// It must never reach the network or depend on anything but the models and itself: the same
// models always give the same files (TestDeterministic), and the committed packages are what it
// writes today (TestUpToDate). It imports no orgconfig package.
package main
