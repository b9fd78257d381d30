// Command gencatalogue writes internal/rules/managed_rules.json, the catalogue of AWS managed
// rule identifiers orgconfig accepts, from internal/rules/catalogue/managed_rules.txt, the list
// of AWS's managed rules kept in this repository: for each rule its identifier, triggers,
// resource types, and each parameter's name, whether it is optional, and its documented
// default. The format of that file is described in its header.
//
// It runs through go generate, in the directory of package rules:
//
//	go generate ./internal/rules
//
// It must never reach the network: the same input file always gives the same catalogue. It
// imports no orgconfig package.
package main
