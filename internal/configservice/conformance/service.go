package conformance

import (
	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
)

// Service implements conformance packs and organization rules and packs over the lower areas.
type Service struct {
	*aggregation.Service
}

// New returns the conformance area over agg, registers its deployment jobs and has the
// organization tell it of membership changes.
func New(agg *aggregation.Service) *Service {
	s := &Service{Service: agg}
	if s.Jobs != nil {
		s.Jobs.Register(jobOrgDeploy, s.runOrgDeploy)
		s.Jobs.Register(jobPackDeploy, s.runPackDeploy)
	}
	if s.Orgs != nil {
		// Organization rules and packs follow the organization's membership.
		s.Orgs.OnMembershipChange(s.membershipChangedTx)
	}
	return s
}
