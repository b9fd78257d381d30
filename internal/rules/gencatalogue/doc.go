// Command gencatalogue writes internal/rules/managed_rules.json, the catalogue of AWS managed
// rule identifiers orgconfig accepts, from the gzipped JSON list of AWS's managed rules that
// moto ships (moto/config/resources/aws_managed_rules.json.gz, itself collected from AWS's
// "List of AWS Config Managed Rules" pages): identifier, trigger, resource types, and each
// parameter's name, whether it is optional, and its documented default.
//
//	go run ./internal/rules/gencatalogue -in ~/.pyenv/versions/3.11.7/lib/python3.11/site-packages/moto/config/resources/aws_managed_rules.json.gz
//
// It must never reach the network: it reads the file given with -in, and the same file always
// gives the same catalogue. It imports no orgconfig package.
package main
