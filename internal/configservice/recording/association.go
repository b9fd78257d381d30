package recording

import (
	"context"
	"slices"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// AssociateResourceTypes adds resource types to what a customer-managed recorder records: to
// the inclusion list, or by removing them from the exclusion list.
func (s *Service) AssociateResourceTypes(ctx context.Context, in *configapi.AssociateResourceTypesRequest) (*configapi.AssociateResourceTypesResponse, error) {
	r, err := s.changeResourceTypes(ctx, in.ConfigurationRecorderArn, in.ResourceTypes, true)
	if err != nil {
		return nil, err
	}
	return &configapi.AssociateResourceTypesResponse{ConfigurationRecorder: r}, nil
}

// DisassociateResourceTypes removes resource types from what a customer-managed recorder
// records: from the inclusion list, or by adding them to the exclusion list.
func (s *Service) DisassociateResourceTypes(ctx context.Context, in *configapi.DisassociateResourceTypesRequest) (*configapi.DisassociateResourceTypesResponse, error) {
	r, err := s.changeResourceTypes(ctx, in.ConfigurationRecorderArn, in.ResourceTypes, false)
	if err != nil {
		return nil, err
	}
	return &configapi.DisassociateResourceTypesResponse{ConfigurationRecorder: r}, nil
}

// changeResourceTypes implements both operations. Only the inclusion and exclusion strategies
// allow it (ValidationException otherwise); service-linked recorders refuse it with
// ConflictException, as AWS does when the linked service does not allow the change. A
// change that would leave the inclusion or exclusion list empty is a ValidationException, since
// such a recording group is not valid.
func (s *Service) changeResourceTypes(ctx context.Context, arn string, types []configapi.ResourceType, associate bool) (*configapi.ConfigurationRecorder, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	list, err := resourceTypeSet(types)
	if err != nil {
		return nil, configapi.ErrValidation("The resource types provided are not valid.")
	}
	var out configapi.ConfigurationRecorder
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := recorderForARNTx(tx, account, region, arn)
		if err != nil {
			return err
		}
		if r.ServiceLinked() {
			return configapi.ErrConflict("The service-linked configuration recorder '%s' is managed by its linked service; its resource types cannot be changed.", r.Name)
		}
		was := r.Recording
		add := func(l []string) []string {
			for _, t := range list {
				if !slices.Contains(l, t) {
					l = append(l, t)
				}
			}
			return l
		}
		remove := func(l []string) []string {
			return slices.DeleteFunc(slices.Clone(l), func(t string) bool { return slices.Contains(list, t) })
		}
		switch configapi.RecordingStrategyType(r.Strategy) {
		case configapi.RecordingStrategyTypeInclusionByResourceTypes:
			if associate {
				r.ResourceTypes = add(r.ResourceTypes)
			} else {
				r.ResourceTypes = remove(r.ResourceTypes)
			}
			if len(r.ResourceTypes) == 0 {
				return configapi.ErrValidation("The recording group of configuration recorder '%s' must include at least one resource type.", r.Name)
			}
		case configapi.RecordingStrategyTypeExclusionByResourceTypes:
			if associate {
				r.ExcludedTypes = remove(r.ExcludedTypes)
			} else {
				r.ExcludedTypes = add(r.ExcludedTypes)
			}
			if len(r.ExcludedTypes) == 0 {
				return configapi.ErrValidation("The recording group of configuration recorder '%s' must exclude at least one resource type.", r.Name)
			}
		default:
			return configapi.ErrValidation("The configuration recorder '%s' uses the recording strategy %s; resource types can be associated or disassociated only with INCLUSION_BY_RESOURCE_TYPES or EXCLUSION_BY_RESOURCE_TYPES.", r.Name, r.Strategy)
		}
		if err := saveRecorderTx(tx, account, region, r); err != nil {
			return err
		}
		out = r.api()
		return s.recordRecorderItemTx(tx, account, region, r, was, false)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
