package importer

import "github.com/orgconfig/orgconfig/internal/configservice/recording"

// Service imports snapshots of native resources into the recording area.
type Service struct {
	*recording.Service
}

// New returns the importer over rec.
func New(rec *recording.Service) *Service { return &Service{Service: rec} }
