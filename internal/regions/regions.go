package regions

import (
	"slices"
	"strings"
)

// Known are the commercial AWS regions (aws partition) where AWS Config is offered.
var Known = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// Set is a set of accepted regions: Known plus any configured extras.
type Set struct{ list []string }

// New returns Known extended with extra regions (empty strings are ignored).
func New(extra ...string) *Set {
	list := slices.Clone(Known)
	for _, r := range extra {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(list, r) {
			list = append(list, r)
		}
	}
	slices.Sort(list)
	return &Set{list: list}
}

// Has reports whether r is an accepted region.
func (s *Set) Has(r string) bool {
	_, ok := slices.BinarySearch(s.list, r)
	return ok
}

// All returns the accepted regions in order.
func (s *Set) All() []string { return slices.Clone(s.list) }
