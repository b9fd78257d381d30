// Package api holds the AWS API models of the services orgconfig serves (models/*.json, botocore
// service-2.json files) and the generator that turns them into one Go package per service:
// configapi, organizationsapi, iamapi and stsapi. Each generated package has the service's
// types, enums, error constructors, its awsproto.Service model, an API interface with an
// Unimplemented base and the awsproto.Handlers that decode requests and call an API.
//
// Regenerate with "go generate" in this directory after changing a model or the generator.
//
// The generated packages must never be edited by hand, and never import an orgconfig package
// but internal/awsproto (tests/deps checks it).
package api

//go:generate go run ./gen
