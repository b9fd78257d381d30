package recording

import (
	"encoding/json"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/store"
)

// recordRecorderItemTx records Config's own configuration item for recorder r
// (AWS::Config::ConfigurationRecorder), as AWS does when the recording group covers that type.
// wasRecording is the recording state before the change; an item is recorded only when the
// recorder was or now is recording, since a recorder that never ran records nothing. deleted
// records the recorder's deletion and must be called before the recorder record is removed.
// The configuration is the DescribeConfigurationRecorders shape plus the recording flag, so
// Start and Stop produce new items.
func (s *Service) recordRecorderItemTx(tx store.Tx, account, region string, r *Recorder, wasRecording, deleted bool) error {
	if r.ServiceLinked() || !(wasRecording || r.Recording) || !r.Covers(region, configRecorderType) {
		return nil
	}
	body := map[string]any{}
	api, err := json.Marshal(r.api())
	if err != nil {
		return err
	}
	if err := json.Unmarshal(api, &body); err != nil {
		return err
	}
	body["recording"] = r.Recording
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	tags, err := core.ResourceTagsTx(tx, r.ARN)
	if err != nil {
		return err
	}
	return s.RecordItemTx(tx, ItemInput{
		Account: account, Region: region,
		ResourceType: configRecorderType, ResourceID: r.Name, ResourceName: r.Name, ARN: r.ARN,
		Configuration: raw, Tags: tags, Deleted: deleted,
	})
}
