// Package pagetoken is the one codec of the pagination tokens every service hands out
// (NextToken, Marker). A token is opaque to clients: a version prefix and the cursor the listing
// resumes after, in unpadded base64url. Each service keeps its own cursor format and turns a
// token that does not decode into its own AWS error.
//
// It must never import an orgconfig package (tests/deps checks it): services of every layer use
// it.
package pagetoken
