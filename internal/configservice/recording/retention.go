package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// retentionName is the name of the only retention configuration a region can have.
const retentionName = "default"

// retentionRec is the body of a KindRetention record.
type retentionRec struct {
	Days    int32     `json:"days"`
	Updated time.Time `json:"updated"`
}

// RetentionDaysTx returns the retention period in days of (account, region), or 0 when there
// is no retention configuration (AWS then keeps history for 2557 days). The retention job
// (runRetention) drops history older than that.
func (s *Service) RetentionDaysTx(tx store.Tx, account, region string) (int, error) {
	r, err := retentionTx(tx, account, region)
	if err != nil || r == nil {
		return 0, err
	}
	return int(r.Days), nil
}

func retentionTx(tx store.Tx, account, region string) (*retentionRec, error) {
	b, err := tx.Get(KindRetention, core.Scope(account, region), retentionName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := new(retentionRec)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("configservice: decode retention configuration: %w", err)
	}
	return r, nil
}

func retentionAPI(days int32) configapi.RetentionConfiguration {
	return configapi.RetentionConfiguration{Name: retentionName, RetentionPeriodInDays: &days}
}

func noSuchRetention(name string) error {
	return configapi.ErrNoSuchRetentionConfiguration("Cannot find retention configuration with the specified name '%s'.", name)
}

// PutRetentionConfiguration creates or updates the region's retention configuration, always
// named "default". The period (30 to 2557 days) is checked by the model validator.
func (s *Service) PutRetentionConfiguration(ctx context.Context, in *configapi.PutRetentionConfigurationRequest) (*configapi.PutRetentionConfigurationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if in.RetentionPeriodInDays == nil || *in.RetentionPeriodInDays < 30 || *in.RetentionPeriodInDays > 2557 {
		return nil, configapi.ErrInvalidParameterValue("The retention period must be between 30 and 2557 days.")
	}
	days := *in.RetentionPeriodInDays
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		b, err := json.Marshal(retentionRec{Days: days, Updated: s.Clock.Now().UTC()})
		if err != nil {
			return err
		}
		if err := tx.Put(KindRetention, core.Scope(account, region), retentionName, b); err != nil {
			return err
		}
		return s.enqueueRetentionTx(tx, account, region, s.Clock.Now())
	})
	if err != nil {
		return nil, err
	}
	rc := retentionAPI(days)
	return &configapi.PutRetentionConfigurationResponse{RetentionConfiguration: &rc}, nil
}

// DescribeRetentionConfigurations returns the retention configuration named (at most one
// name), or the region's one; an unknown name is NoSuchRetentionConfigurationException.
func (s *Service) DescribeRetentionConfigurations(ctx context.Context, in *configapi.DescribeRetentionConfigurationsRequest) (*configapi.DescribeRetentionConfigurationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.RetentionConfigurationNames) > 1 {
		return nil, configapi.ErrInvalidParameterValue("You can specify only one retention configuration name.")
	}
	if in.NextToken != "" {
		return nil, configapi.ErrInvalidNextToken("The nextToken provided is invalid")
	}
	out := &configapi.DescribeRetentionConfigurationsResponse{RetentionConfigurations: []configapi.RetentionConfiguration{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		r, err := retentionTx(tx, account, region)
		if err != nil {
			return err
		}
		for _, n := range in.RetentionConfigurationNames {
			if r == nil || n != retentionName {
				return noSuchRetention(n)
			}
		}
		if r != nil {
			out.RetentionConfigurations = append(out.RetentionConfigurations, retentionAPI(r.Days))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteRetentionConfiguration deletes the region's retention configuration.
func (s *Service) DeleteRetentionConfiguration(ctx context.Context, in *configapi.DeleteRetentionConfigurationRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		if in.RetentionConfigurationName != retentionName {
			return noSuchRetention(in.RetentionConfigurationName)
		}
		ok, err := tx.Delete(KindRetention, core.Scope(account, region), retentionName)
		if err != nil {
			return err
		}
		if !ok {
			return noSuchRetention(in.RetentionConfigurationName)
		}
		return nil
	})
}

// jobRetention prunes the history of one (account, region) to its retention period, then
// schedules itself again retentionInterval later, for as long as the retention configuration
// exists. It is enqueued by PutRetentionConfiguration.
const jobRetention = "config-retention"

// retentionInterval is how often history is pruned (AWS deletes expired items daily).
const retentionInterval = 24 * time.Hour

// retentionPage is the number of history entries one pruning transaction looks at.
const retentionPage = 1000

type retentionJob struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

func (s *Service) enqueueRetentionTx(tx store.Tx, account, region string, at time.Time) error {
	b, err := json.Marshal(retentionJob{Account: account, Region: region})
	if err != nil {
		return err
	}
	// The daily run has a key of its own, so that it does not absorb a run asked for now.
	key := core.Scope(account, region)
	if at.After(s.Clock.Now()) {
		key += "|daily"
	}
	return tx.Enqueue(store.Job{Kind: jobRetention, Key: key, Payload: b, RunAt: at})
}

// runRetention deletes the history entries older than the retention period, a page per
// transaction (each page is idempotent: a retried job starts over harmlessly), keeping every
// resource's latest entry, and schedules the next run in the transaction that completes it.
func (s *Service) runRetention(ctx context.Context, job store.Job) error {
	var p retentionJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: retention job payload: %w", err)
	}
	scope := core.Scope(p.Account, p.Region)
	for after := ""; ; {
		done, cursor := false, ""
		err := s.Store.Write(ctx, func(tx store.Tx) error {
			done, cursor = false, ""
			r, err := retentionTx(tx, p.Account, p.Region)
			if err != nil {
				return err
			}
			if r == nil { // deleted: nothing more to do
				done = true
				return tx.CompleteJob(job.Lease())
			}
			now := s.Clock.Now()
			cutoff := now.Add(-time.Duration(r.Days) * 24 * time.Hour)
			_, next, err := pruneHistoryPageTx(tx, scope, cutoff, after, retentionPage)
			if err != nil {
				return err
			}
			if next != "" {
				cursor = next
				return nil
			}
			done = true
			if err := s.enqueueRetentionTx(tx, p.Account, p.Region, now.Add(retentionInterval)); err != nil {
				return err
			}
			return tx.CompleteJob(job.Lease())
		})
		if err != nil || done {
			return err
		}
		after = cursor
	}
}
