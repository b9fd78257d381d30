package recording

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds of configuration recorders, delivery channels and retention configurations.
// All are scoped to Scope(account, region).
const (
	// KindRecorder holds the configuration recorders of a region: id = recorder name, body
	// Recorder. The one customer-managed recorder and every service-linked recorder (named
	// serviceLinkedPrefix + service principal) share the kind.
	KindRecorder = "config-recorder"
	// KindRecorderRegion indexes the recorders of an account across regions: scope = account,
	// id = region + "\x00" + recorder name, empty body. Writers that act in every region where a
	// recorder exists (IAM self-recording) read it instead of every region's recorders.
	KindRecorderRegion = "config-recorder-region"
	// KindDeliveryChannel holds the delivery channel of a region: id = channel name, body
	// DeliveryChannel. There is at most one.
	KindDeliveryChannel = "config-delivery-channel"
	// KindRetention holds the retention configuration of a region: id = "default", body
	// retentionRec.
	KindRetention = "config-retention"
)

// serviceLinkedPrefix starts the name of every service-linked recorder; customers may not use it.
const serviceLinkedPrefix = "AWSConfigurationRecorderFor"

// defaultName is the name AWS gives a recorder or delivery channel created without one.
const defaultName = "default"

// configRecorderType is the resource type under which Config records its own recorders.
const configRecorderType = "AWS::Config::ConfigurationRecorder"

// Recorder is a stored configuration recorder. Its recording group is kept normalized: Strategy
// is always set, and exactly one of AllSupported, ResourceTypes (inclusion) or ExcludedTypes
// (exclusion) carries the selection.
type Recorder struct {
	Name    string `json:"name"`
	ARN     string `json:"arn"`
	RoleARN string `json:"roleARN"`
	// ServicePrincipal is set on service-linked recorders only.
	ServicePrincipal string `json:"servicePrincipal,omitempty"`
	// RecordingScope is PAID for customer recorders and INTERNAL for service-linked ones.
	RecordingScope string `json:"recordingScope"`

	AllSupported               bool     `json:"allSupported"`
	IncludeGlobalResourceTypes bool     `json:"includeGlobalResourceTypes"`
	ResourceTypes              []string `json:"resourceTypes,omitempty"`
	ExcludedTypes              []string `json:"excludedTypes,omitempty"`
	// Strategy is a configapi.RecordingStrategyType value.
	Strategy string `json:"strategy"`

	// RecordingFrequency is CONTINUOUS or DAILY; Overrides has at most one element.
	RecordingFrequency string         `json:"recordingFrequency"`
	Overrides          []ModeOverride `json:"overrides,omitempty"`
	Recording          bool           `json:"recording"`
	LastStartTime      time.Time      `json:"lastStartTime,omitzero"`
	LastStopTime       time.Time      `json:"lastStopTime,omitzero"`
	LastStatus         string         `json:"lastStatus,omitempty"`
	LastStatusChange   time.Time      `json:"lastStatusChange,omitzero"`
	Created            time.Time      `json:"created"`
}

// ModeOverride is a recordingModeOverride of a recorder.
type ModeOverride struct {
	Description        string   `json:"description,omitempty"`
	ResourceTypes      []string `json:"resourceTypes"`
	RecordingFrequency string   `json:"recordingFrequency"`
}

// ServiceLinked reports whether r is a service-linked recorder.
func (r *Recorder) ServiceLinked() bool { return r.ServicePrincipal != "" }

// FrequencyFor returns the recording frequency (CONTINUOUS or DAILY) that applies to
// resourceType: the override that lists it, else the recorder's default. The types Config
// maintains itself are always CONTINUOUS.
func (r *Recorder) FrequencyFor(resourceType string) string {
	if continuousOnly(resourceType) {
		return string(configapi.RecordingFrequencyContinuous)
	}
	for _, o := range r.Overrides {
		if slices.Contains(o.ResourceTypes, resourceType) {
			return o.RecordingFrequency
		}
	}
	return r.RecordingFrequency
}

// Covers reports whether r's recording group selects resourceType in region.
func (r *Recorder) Covers(region, resourceType string) bool {
	switch r.Strategy {
	case string(configapi.RecordingStrategyTypeInclusionByResourceTypes):
		return slices.Contains(r.ResourceTypes, resourceType)
	case string(configapi.RecordingStrategyTypeExclusionByResourceTypes):
		// The exclusion strategy records the global IAM types unless they are excluded (AWS does not
		// say otherwise).
		return !slices.Contains(r.ExcludedTypes, resourceType)
	default:
		if IsGlobalType(resourceType) {
			return r.IncludeGlobalResourceTypes && globalTypesRecordedIn(region)
		}
		return true
	}
}

// continuousOnly lists the types for which DAILY recording is not allowed.
func continuousOnly(resourceType string) bool {
	switch resourceType {
	case "AWS::Config::ResourceCompliance", "AWS::Config::ConformancePackCompliance", configRecorderType:
		return true
	}
	return false
}

// regionsAfterFeb2022 are the regions launched after February 2022, where
// includeGlobalResourceTypes has no effect (AWS records global IAM types there only when the
// recording group lists them).
var regionsAfterFeb2022 = map[string]bool{
	"me-central-1": true, "ap-south-2": true, "eu-south-2": true, "eu-central-2": true,
	"ap-southeast-4": true, "il-central-1": true, "ca-west-1": true, "ap-southeast-5": true,
	"ap-southeast-7": true, "mx-central-1": true, "ap-east-2": true, "ap-southeast-6": true,
}

func globalTypesRecordedIn(region string) bool { return !regionsAfterFeb2022[region] }

// RecorderTx returns the customer-managed configuration recorder of (account, region), or nil,
// nil when there is none. Service-linked recorders are never returned.
func (s *Service) RecorderTx(tx store.Tx, account, region string) (*Recorder, error) {
	recs, err := recordersTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if !r.ServiceLinked() {
			return r, nil
		}
	}
	return nil, nil
}

// RecordingTx reports whether (account, region) has a customer-managed recorder that is
// started. Writers of configuration items check it before recording.
func (s *Service) RecordingTx(tx store.Tx, account, region string) (bool, error) {
	r, err := s.RecorderTx(tx, account, region)
	if err != nil || r == nil {
		return false, err
	}
	return r.Recording, nil
}

// RecordsTypeTx reports whether the recording group of the customer-managed recorder of
// (account, region) covers resourceType, started or not: every type for allSupported (the
// global IAM types only with includeGlobalResourceTypes, in regions launched before
// February 2022), the listed types for the inclusion strategy, every type but the listed ones
// for the exclusion strategy. It is false when there is no recorder.
func (s *Service) RecordsTypeTx(tx store.Tx, account, region, resourceType string) (bool, error) {
	r, err := s.RecorderTx(tx, account, region)
	if err != nil || r == nil {
		return false, err
	}
	return r.Covers(region, resourceType), nil
}

// recordersTx returns every recorder of (account, region) in name order.
func recordersTx(tx store.Tx, account, region string) ([]*Recorder, error) {
	recs, err := tx.List(KindRecorder, core.Scope(account, region), "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*Recorder, 0, len(recs))
	for _, rec := range recs {
		r := new(Recorder)
		if err := json.Unmarshal(rec.Body, r); err != nil {
			return nil, fmt.Errorf("configservice: decode recorder %s/%s: %w", rec.Scope, rec.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// recorderByNameTx returns the recorder named name, or nil.
func recorderByNameTx(tx store.Tx, account, region, name string) (*Recorder, error) {
	b, err := tx.Get(KindRecorder, core.Scope(account, region), name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := new(Recorder)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("configservice: decode recorder %s: %w", name, err)
	}
	return r, nil
}

func saveRecorderTx(tx store.Tx, account, region string, r *Recorder) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := tx.Put(KindRecorder, core.Scope(account, region), r.Name, b); err != nil {
		return err
	}
	if !r.ServiceLinked() {
		if err := tx.Put(KindCustomerRecorder, core.Scope(account, region), "", b); err != nil {
			return err
		}
	}
	return tx.Put(KindRecorderRegion, account, region+"\x00"+r.Name, nil)
}

// deleteRecorderTx removes a recorder and its index entry.
func deleteRecorderTx(tx store.Tx, account, region, name string) error {
	if _, err := tx.Delete(KindRecorder, core.Scope(account, region), name); err != nil {
		return err
	}
	if !strings.HasPrefix(name, serviceLinkedPrefix) {
		if _, err := tx.Delete(KindCustomerRecorder, core.Scope(account, region), ""); err != nil {
			return err
		}
	}
	_, err := tx.Delete(KindRecorderRegion, account, region+"\x00"+name)
	return err
}

// recorderRegionsTx returns the regions of account that have a recorder, in order.
func recorderRegionsTx(tx store.Tx, account string) ([]string, error) {
	recs, err := tx.List(KindRecorderRegion, account, "", 0)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		region, _, _ := strings.Cut(r.ID, "\x00")
		if len(out) == 0 || out[len(out)-1] != region {
			out = append(out, region)
		}
	}
	return out, nil
}

// recorderARN builds a recorder ARN; suffix is the 16-character random part.
func recorderARN(account, region, name, suffix string) string {
	return fmt.Sprintf("arn:aws:config:%s:%s:configuration-recorder/%s/%s", region, account, name, suffix)
}

// api renders r as the API's ConfigurationRecorder, fully populated as AWS returns it (empty
// lists present, recording strategy and mode always set).
func (r *Recorder) api() configapi.ConfigurationRecorder {
	types := make([]configapi.ResourceType, 0, len(r.ResourceTypes))
	for _, t := range r.ResourceTypes {
		types = append(types, configapi.ResourceType(t))
	}
	excl := make([]configapi.ResourceType, 0, len(r.ExcludedTypes))
	for _, t := range r.ExcludedTypes {
		excl = append(excl, configapi.ResourceType(t))
	}
	overrides := make([]configapi.RecordingModeOverride, 0, len(r.Overrides))
	for _, o := range r.Overrides {
		ts := make([]configapi.ResourceType, 0, len(o.ResourceTypes))
		for _, t := range o.ResourceTypes {
			ts = append(ts, configapi.ResourceType(t))
		}
		overrides = append(overrides, configapi.RecordingModeOverride{
			Description: o.Description, ResourceTypes: ts, RecordingFrequency: configapi.RecordingFrequency(o.RecordingFrequency),
		})
	}
	all, global := r.AllSupported, r.IncludeGlobalResourceTypes
	return configapi.ConfigurationRecorder{
		Arn:     r.ARN,
		Name:    r.Name,
		RoleARN: r.RoleARN,
		RecordingGroup: &configapi.RecordingGroup{
			AllSupported:               &all,
			IncludeGlobalResourceTypes: &global,
			ResourceTypes:              types,
			ExclusionByResourceTypes:   &configapi.ExclusionByResourceTypes{ResourceTypes: excl},
			RecordingStrategy:          &configapi.RecordingStrategy{UseOnly: configapi.RecordingStrategyType(r.Strategy)},
		},
		RecordingMode: &configapi.RecordingMode{
			RecordingFrequency:     configapi.RecordingFrequency(r.RecordingFrequency),
			RecordingModeOverrides: overrides,
		},
		RecordingScope:   configapi.RecordingScope(r.RecordingScope),
		ServicePrincipal: r.ServicePrincipal,
	}
}

// status renders r's ConfigurationRecorderStatus.
func (r *Recorder) status() configapi.ConfigurationRecorderStatus {
	rec := r.Recording
	st := configapi.ConfigurationRecorderStatus{
		Arn: r.ARN, Name: r.Name, Recording: &rec, ServicePrincipal: r.ServicePrincipal,
		LastStatus: configapi.RecorderStatus(r.LastStatus),
	}
	if !r.LastStartTime.IsZero() {
		st.LastStartTime = awsproto.NewTime(r.LastStartTime)
	}
	if !r.LastStopTime.IsZero() {
		st.LastStopTime = awsproto.NewTime(r.LastStopTime)
	}
	if !r.LastStatusChange.IsZero() {
		st.LastStatusChangeTime = awsproto.NewTime(r.LastStatusChange)
	}
	return st
}

// summary renders r's ConfigurationRecorderSummary.
func (r *Recorder) summary() configapi.ConfigurationRecorderSummary {
	return configapi.ConfigurationRecorderSummary{
		Arn: r.ARN, Name: r.Name, ServicePrincipal: r.ServicePrincipal,
		RecordingScope: configapi.RecordingScope(r.RecordingScope),
	}
}

// recordingGroupError is AWS's InvalidRecordingGroupException.
func recordingGroupError() error {
	return configapi.ErrInvalidRecordingGroup("The recording group provided is not valid")
}

// normalizeGroup validates a recording group and stores it, normalized, in r. A nil group means
// AWS's default: every supported type except the global IAM types.
func normalizeGroup(r *Recorder, g *configapi.RecordingGroup) error {
	r.AllSupported, r.IncludeGlobalResourceTypes, r.ResourceTypes, r.ExcludedTypes = false, false, nil, nil
	if g == nil {
		r.AllSupported = true
		r.Strategy = string(configapi.RecordingStrategyTypeAllSupportedResourceTypes)
		return nil
	}
	all := g.AllSupported != nil && *g.AllSupported
	global := g.IncludeGlobalResourceTypes != nil && *g.IncludeGlobalResourceTypes
	types, err := resourceTypeSet(g.ResourceTypes)
	if err != nil {
		return err
	}
	var excl []string
	if g.ExclusionByResourceTypes != nil {
		if excl, err = resourceTypeSet(g.ExclusionByResourceTypes.ResourceTypes); err != nil {
			return err
		}
	}
	strategy := ""
	if g.RecordingStrategy != nil {
		strategy = string(g.RecordingStrategy.UseOnly)
	}
	if strategy == "" {
		// Without a strategy, the strategy is the one that matches what the group selects.
		switch {
		case all:
			strategy = string(configapi.RecordingStrategyTypeAllSupportedResourceTypes)
		case len(excl) > 0 && len(types) == 0:
			strategy = string(configapi.RecordingStrategyTypeExclusionByResourceTypes)
		default:
			strategy = string(configapi.RecordingStrategyTypeInclusionByResourceTypes)
		}
	}
	switch {
	case all && len(types) > 0, all && len(excl) > 0:
		return recordingGroupError()
	case global && !all:
		return recordingGroupError()
	}
	switch configapi.RecordingStrategyType(strategy) {
	case configapi.RecordingStrategyTypeAllSupportedResourceTypes:
		if !all {
			return recordingGroupError()
		}
	case configapi.RecordingStrategyTypeInclusionByResourceTypes:
		if all || len(types) == 0 || len(excl) > 0 {
			return recordingGroupError()
		}
	case configapi.RecordingStrategyTypeExclusionByResourceTypes:
		if all || len(excl) == 0 || len(types) > 0 {
			return recordingGroupError()
		}
	default:
		return recordingGroupError()
	}
	r.AllSupported, r.IncludeGlobalResourceTypes, r.ResourceTypes, r.ExcludedTypes, r.Strategy = all, global, types, excl, strategy
	return nil
}

// knownTypes is the set of resource types of the model.
var knownTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range configapi.ResourceTypeValues() {
		m[string(t)] = true
	}
	return m
}()

// resourceTypeSet validates a list of resource types and returns it without duplicates, in
// the order given. The wire validator already rejects values outside the model's enum with a
// ValidationException; this check protects in-process callers.
func resourceTypeSet(in []configapi.ResourceType) ([]string, error) {
	var out []string
	for _, t := range in {
		if !knownTypes[string(t)] {
			return nil, recordingGroupError()
		}
		if !slices.Contains(out, string(t)) {
			out = append(out, string(t))
		}
	}
	return out, nil
}

// normalizeMode validates a recording mode and stores it in r. A nil mode means CONTINUOUS.
func normalizeMode(r *Recorder, m *configapi.RecordingMode) error {
	r.RecordingFrequency, r.Overrides = string(configapi.RecordingFrequencyContinuous), nil
	if m == nil {
		return nil
	}
	if m.RecordingFrequency != "" {
		r.RecordingFrequency = string(m.RecordingFrequency)
	}
	if len(m.RecordingModeOverrides) > 1 {
		return configapi.ErrValidation("1 validation error detected: Value at 'configurationRecorder.recordingMode.recordingModeOverrides' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	for _, o := range m.RecordingModeOverrides {
		types, err := resourceTypeSet(o.ResourceTypes)
		if err != nil {
			return err
		}
		if len(types) == 0 {
			return configapi.ErrValidation("1 validation error detected: Value '[]' at 'configurationRecorder.recordingMode.recordingModeOverrides.1.member.resourceTypes' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		freq := string(o.RecordingFrequency)
		if freq == "" {
			freq = string(configapi.RecordingFrequencyContinuous)
		}
		if freq == string(configapi.RecordingFrequencyDaily) {
			for _, t := range types {
				if continuousOnly(t) {
					return configapi.ErrValidation("The resource type %s can only be recorded with the CONTINUOUS recording frequency.", t)
				}
			}
		}
		r.Overrides = append(r.Overrides, ModeOverride{Description: o.Description, ResourceTypes: types, RecordingFrequency: freq})
	}
	return nil
}

// validRoleARN reports whether s is syntactically an IAM role ARN. The role's trust policy is
// not checked: no Config service principal assumes it inside orgconfig.
func validRoleARN(s string) bool {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) != 5 || !strings.HasPrefix(parts[0], "aws") || parts[1] != "iam" || parts[2] != "" || !isAccountID(parts[3]) {
		return false
	}
	return strings.HasPrefix(parts[4], "role/") && len(parts[4]) > len("role/")
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
