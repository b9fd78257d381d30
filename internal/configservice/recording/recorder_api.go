package recording

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// This file holds the operations on configuration recorders (spec §4.1). Service-linked
// recorders are in recorder_slr.go, AssociateResourceTypes in association.go.

func noSuchRecorder(name string) error {
	return configapi.ErrNoSuchConfigurationRecorder("Cannot find configuration recorder with the specified name '%s'.", name)
}

func unmodifiableRecorder(name string) error {
	return configapi.ErrUnmodifiableEntity("The configuration recorder '%s' is a service-linked configuration recorder: only its linked service can modify it.", name)
}

// PutConfigurationRecorder creates the customer-managed recorder of the caller's region or
// updates it (same name). Tags apply only when the recorder is created.
func (s *Service) PutConfigurationRecorder(ctx context.Context, in *configapi.PutConfigurationRecorderRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	cr := in.ConfigurationRecorder
	if cr == nil {
		return configapi.ErrValidation("1 validation error detected: Value null at 'configurationRecorder' failed to satisfy constraint: Member must not be null")
	}
	name := cr.Name
	if name == "" {
		name = defaultName
	}
	if strings.TrimSpace(name) == "" {
		return configapi.ErrInvalidConfigurationRecorderName("The configuration recorder name '%s' is not valid, blank string.", name)
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		all, err := recordersTx(tx, account, region)
		if err != nil {
			return err
		}
		var cur *Recorder
		for _, r := range all {
			switch {
			case r.ServiceLinked() && (r.Name == name || (cr.ServicePrincipal != "" && r.ServicePrincipal == cr.ServicePrincipal) || (cr.Arn != "" && r.ARN == cr.Arn)):
				return unmodifiableRecorder(r.Name)
			case !r.ServiceLinked():
				cur = r
			}
		}
		if strings.HasPrefix(name, serviceLinkedPrefix) {
			return configapi.ErrInvalidConfigurationRecorderName("The configuration recorder name '%s' is not valid: the prefix %s is reserved for service-linked configuration recorders.", name, serviceLinkedPrefix)
		}
		if cr.ServicePrincipal != "" {
			// Only PutServiceLinkedConfigurationRecorder creates service-linked recorders.
			return configapi.ErrValidation("The servicePrincipal of a configuration recorder can be set only with PutServiceLinkedConfigurationRecorder.")
		}
		if strings.TrimSpace(cr.RoleARN) == "" {
			return configapi.ErrInvalidRole("The role ARN of the configuration recorder must be specified.")
		}
		if !validRoleARN(cr.RoleARN) {
			return configapi.ErrInvalidRole("The role ARN '%s' is not valid.", cr.RoleARN)
		}
		if cur != nil && cur.Name != name {
			return configapi.ErrMaxNumberOfConfigurationRecordersExceeded("Failed to put configuration recorder '%s' because the maximum number of configuration recorders: 1 is reached.", name)
		}
		r := &Recorder{}
		if cur != nil {
			c := *cur
			r = &c
		}
		if err := normalizeGroup(r, cr.RecordingGroup); err != nil {
			return err
		}
		if err := normalizeMode(r, cr.RecordingMode); err != nil {
			return err
		}
		r.RoleARN = cr.RoleARN
		if cur == nil {
			r.Name = name
			r.ARN = recorderARN(account, region, name, s.IDs.Lower(16))
			r.RecordingScope = string(configapi.RecordingScopePaid)
			r.Created = s.Clock.Now().UTC()
			if err := core.CreateResourceTagsTx(tx, r.ARN, in.Tags); err != nil {
				return err
			}
		}
		if err := saveRecorderTx(tx, account, region, r); err != nil {
			return err
		}
		return s.recordRecorderItemTx(tx, account, region, r, cur != nil && cur.Recording, false)
	})
}

// selectRecorders applies the filters of DescribeConfigurationRecorders and
// DescribeConfigurationRecorderStatus: at most one name; without any filter only the
// customer-managed recorder (an empty list when there is none); with filters, the recorders
// matching all of them, or NoSuchConfigurationRecorderException.
func selectRecorders(tx store.Tx, account, region string, names []string, principal, arn string) ([]*Recorder, error) {
	if len(names) > 1 {
		return nil, configapi.ErrValidation("1 validation error detected: Value '[%s]' at 'configurationRecorderNames' failed to satisfy constraint: Member must have length less than or equal to 1", strings.Join(names, ", "))
	}
	all, err := recordersTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	out := []*Recorder{}
	if len(names) == 0 && principal == "" && arn == "" {
		for _, r := range all {
			if !r.ServiceLinked() {
				out = append(out, r)
			}
		}
		return out, nil
	}
	for _, r := range all {
		if (len(names) == 0 || r.Name == names[0]) && (principal == "" || r.ServicePrincipal == principal) && (arn == "" || r.ARN == arn) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		switch {
		case len(names) > 0:
			return nil, noSuchRecorder(names[0])
		case arn != "":
			return nil, configapi.ErrNoSuchConfigurationRecorder("Cannot find configuration recorder with the specified ARN '%s'.", arn)
		default:
			return nil, configapi.ErrNoSuchConfigurationRecorder("Cannot find a service-linked configuration recorder for the service principal '%s'.", principal)
		}
	}
	return out, nil
}

// DescribeConfigurationRecorders returns the recorders the filters select, fully populated.
func (s *Service) DescribeConfigurationRecorders(ctx context.Context, in *configapi.DescribeConfigurationRecordersRequest) (*configapi.DescribeConfigurationRecordersResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConfigurationRecordersResponse{ConfigurationRecorders: []configapi.ConfigurationRecorder{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := selectRecorders(tx, account, region, in.ConfigurationRecorderNames, in.ServicePrincipal, in.Arn)
		for _, r := range rs {
			out.ConfigurationRecorders = append(out.ConfigurationRecorders, r.api())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeConfigurationRecorderStatus returns the status of the recorders the filters select.
func (s *Service) DescribeConfigurationRecorderStatus(ctx context.Context, in *configapi.DescribeConfigurationRecorderStatusRequest) (*configapi.DescribeConfigurationRecorderStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConfigurationRecorderStatusResponse{ConfigurationRecordersStatus: []configapi.ConfigurationRecorderStatus{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := selectRecorders(tx, account, region, in.ConfigurationRecorderNames, in.ServicePrincipal, in.Arn)
		for _, r := range rs {
			out.ConfigurationRecordersStatus = append(out.ConfigurationRecordersStatus, r.status())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// customerRecorderTx returns the customer-managed recorder named name for Start, Stop and
// Delete: NoSuchConfigurationRecorderException when absent, UnmodifiableEntityException for
// a service-linked recorder.
func customerRecorderTx(tx store.Tx, account, region, name string) (*Recorder, error) {
	r, err := recorderByNameTx(tx, account, region, name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, noSuchRecorder(name)
	}
	if r.ServiceLinked() {
		return nil, unmodifiableRecorder(name)
	}
	return r, nil
}

// StartConfigurationRecorder starts recording; it needs a delivery channel. Starting a
// started recorder changes nothing.
func (s *Service) StartConfigurationRecorder(ctx context.Context, in *configapi.StartConfigurationRecorderRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := customerRecorderTx(tx, account, region, in.ConfigurationRecorderName)
		if err != nil {
			return err
		}
		ch, err := s.DeliveryChannelTx(tx, account, region)
		if err != nil {
			return err
		}
		if ch == nil {
			return configapi.ErrNoAvailableDeliveryChannel("Delivery channel is not available to start configuration recorder.")
		}
		if r.Recording {
			return nil
		}
		now := s.Clock.Now().UTC()
		// Recording starts at once: the status goes straight to Success.
		r.Recording, r.LastStartTime, r.LastStatus, r.LastStatusChange = true, now, string(configapi.RecorderStatusSuccess), now
		if err := saveRecorderTx(tx, account, region, r); err != nil {
			return err
		}
		return s.recordRecorderItemTx(tx, account, region, r, false, false)
	})
}

// StopConfigurationRecorder stops recording. Stopping a stopped recorder changes nothing.
func (s *Service) StopConfigurationRecorder(ctx context.Context, in *configapi.StopConfigurationRecorderRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := customerRecorderTx(tx, account, region, in.ConfigurationRecorderName)
		if err != nil {
			return err
		}
		if !r.Recording {
			return nil
		}
		now := s.Clock.Now().UTC()
		r.Recording, r.LastStopTime, r.LastStatusChange = false, now, now
		if err := saveRecorderTx(tx, account, region, r); err != nil {
			return err
		}
		return s.recordRecorderItemTx(tx, account, region, r, true, false)
	})
}

// DeleteConfigurationRecorder deletes the customer-managed recorder (running or not) and its
// tags. The configuration items it recorded stay readable.
func (s *Service) DeleteConfigurationRecorder(ctx context.Context, in *configapi.DeleteConfigurationRecorderRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := customerRecorderTx(tx, account, region, in.ConfigurationRecorderName)
		if err != nil {
			return err
		}
		// Record the deletion while the recorder still exists, so its recording group applies.
		if err := s.recordRecorderItemTx(tx, account, region, r, r.Recording, true); err != nil {
			return err
		}
		if err := deleteRecorderTx(tx, account, region, r.Name); err != nil {
			return err
		}
		return core.DeleteResourceTagsTx(tx, r.ARN)
	})
}

// ListConfigurationRecorders lists the summaries of every recorder of the region, customer
// and service-linked, in name order.
func (s *Service) ListConfigurationRecorders(ctx context.Context, in *configapi.ListConfigurationRecordersRequest) (*configapi.ListConfigurationRecordersResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || len(b) == 0 {
			return nil, configapi.ErrValidation("The nextToken provided is invalid")
		}
		after = string(b)
	}
	limit := 100
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = int(*in.MaxResults)
	}
	scopes := map[string]bool{}
	for _, f := range in.Filters {
		if f.FilterName != configapi.ConfigurationRecorderFilterNameRecordingScope {
			return nil, configapi.ErrValidation("The filter name '%s' is not valid.", f.FilterName)
		}
		for _, v := range f.FilterValue {
			scopes[v] = true
		}
	}
	out := &configapi.ListConfigurationRecordersResponse{ConfigurationRecorderSummaries: []configapi.ConfigurationRecorderSummary{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		all, err := recordersTx(tx, account, region)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.Name <= after || (len(scopes) > 0 && !scopes[r.RecordingScope]) {
				continue
			}
			if len(out.ConfigurationRecorderSummaries) == limit {
				last := out.ConfigurationRecorderSummaries[limit-1].Name
				out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(last))
				break
			}
			out.ConfigurationRecorderSummaries = append(out.ConfigurationRecorderSummaries, r.summary())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// recorderForARNTx finds the recorder an ARN names in the caller's region, or returns
// NoSuchConfigurationRecorderException.
func recorderForARNTx(tx store.Tx, account, region, arn string) (*Recorder, error) {
	all, err := recordersTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.ARN == arn {
			return r, nil
		}
	}
	return nil, configapi.ErrNoSuchConfigurationRecorder("Cannot find configuration recorder with the specified ARN '%s'.", arn)
}
