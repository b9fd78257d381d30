package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Import is orgconfig's way in for native resource types (AWS::EC2::Instance, AWS::S3::Bucket…),
// which AWS's public API cannot push (PutResourceConfig takes third-party types only). It loads
// the snapshot and history files AWS Config delivers to S3 — and lists of items in the API's
// own dialect — and records every item through RecordItemTx, exactly as a recorded item: the
// same records, the same history, the same reads afterwards. It is reached through
// `orgconfig import` (the store directly) and the admin call POST /_orgconfig/import; it is never
// part of the AWS API surface.
//
// Where an item goes:
//   - account: ImportOptions.Account, else the item's awsAccountId (accountId), else the account
//     the file's AWS name states;
//   - region: ImportOptions.Region, else the item's awsRegion, else the file name's region, else
//     ImportOptions.DefaultRegion. Items of global types carry awsRegion "global"; AWS records
//     them in the one region whose recorder includes global types and delivers them in that
//     region's files, so they go to ImportOptions.GlobalRegion, else the region the file's name
//     states, else us-east-1.
//
// Accounts that do not exist are created only with ImportOptions.CreateAccounts (origin
// "import", with root credentials reported in the summary); otherwise their items are skipped
// with a reason. Import does not need a recorder in the (account, region): the items are
// stored either way, and ScopesNotRecording tells the caller where reads that depend on a
// running recorder (GetDiscoveredResourceCounts) will not show them yet.

// DefaultImportBatch is the number of items per store write. Large enough that SQLite's commit
// (an fsync) is paid once for hundreds of items, small enough that a write transaction stays
// short next to a running server.
const DefaultImportBatch = 500

// ImportOptions say where imported items go and which accounts an import may touch.
type ImportOptions struct {
	// Account and Region, when set, send every item there whatever the file says.
	Account, Region string
	// DefaultAccount receives items for which neither the item nor the file's name states an
	// account; "" skips them.
	DefaultAccount string
	// DefaultRegion receives items for which neither the item nor the file's name states a
	// region; "" skips them.
	DefaultRegion string
	// GlobalRegion receives the items of global resource types (awsRegion "global"); "" means
	// the region the file's name states, else us-east-1.
	GlobalRegion string
	// CreateAccounts creates the accounts that do not exist yet (origin "import", with
	// generated root credentials listed in ImportSummary.CreatedAccounts). Without it the items
	// of unknown accounts are skipped.
	CreateAccounts bool
	// Allow, when set, is asked once about every account an item names; an error skips the
	// account's items, the error's text being the reason.
	Allow func(account string) error
	// BatchSize is the number of items per store write; <= 0 means DefaultImportBatch.
	BatchSize int
	// Progress, when set, is called after every committed batch with the running totals.
	Progress func(imported, skipped int)
}

// ImportKey groups imported items for the summary.
type ImportKey struct {
	Account, Region, ResourceType string
}

// ImportCount is one row of the summary.
type ImportCount struct {
	Account      string `json:"account"`
	Region       string `json:"region"`
	ResourceType string `json:"resourceType"`
	Items        int    `json:"items"`
}

// CreatedAccount is an account an import created, with its root credentials.
type CreatedAccount struct {
	ID              string `json:"id"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// ErrNotImportable wraps the errors of a file that is not an AWS Config snapshot or history
// file (nor a list of configuration items): not gzip or JSON, or no configurationItems list.
var ErrNotImportable = errors.New("not an importable file")

// ImportResult is the summary of an import as the admin call returns it and the CLI prints it.
type ImportResult struct {
	Files           int              `json:"files"`
	Imported        int              `json:"imported"`
	Skipped         int              `json:"skipped"`
	Counts          []ImportCount    `json:"counts"`
	SkipReasons     map[string]int   `json:"skipReasons,omitempty"`
	CreatedAccounts []CreatedAccount `json:"createdAccounts,omitempty"`
	// NotRecording lists the account/region pairs that received items but run no recorder.
	NotRecording []string `json:"notRecording,omitempty"`
}

// Result returns the summary as an ImportResult, with notRecording from ScopesNotRecording.
func (s *ImportSummary) Result(notRecording []string) ImportResult {
	return ImportResult{Files: s.Files, Imported: s.Imported, Skipped: s.Skipped, Counts: s.Rows(),
		SkipReasons: s.SkipReasons, CreatedAccounts: s.CreatedAccounts, NotRecording: notRecording}
}

// Merge adds o to r (the CLI sums the answers of several admin calls).
func (r *ImportResult) Merge(o ImportResult) {
	r.Files += o.Files
	r.Imported += o.Imported
	r.Skipped += o.Skipped
	idx := map[ImportKey]int{}
	for i, c := range r.Counts {
		idx[ImportKey{c.Account, c.Region, c.ResourceType}] = i
	}
	for _, c := range o.Counts {
		if i, ok := idx[ImportKey{c.Account, c.Region, c.ResourceType}]; ok {
			r.Counts[i].Items += c.Items
		} else {
			r.Counts = append(r.Counts, c)
		}
	}
	slices.SortFunc(r.Counts, func(a, b ImportCount) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ResourceType, b.ResourceType))
	})
	for k, n := range o.SkipReasons {
		if r.SkipReasons == nil {
			r.SkipReasons = map[string]int{}
		}
		r.SkipReasons[k] += n
	}
	r.CreatedAccounts = append(r.CreatedAccounts, o.CreatedAccounts...)
	for _, sc := range o.NotRecording {
		if !slices.Contains(r.NotRecording, sc) {
			r.NotRecording = append(r.NotRecording, sc)
		}
	}
	slices.Sort(r.NotRecording)
}

// ImportSummary accumulates what one or more ImportFile calls did. It is not safe for
// concurrent use: give each concurrent import its own.
type ImportSummary struct {
	Files    int
	Imported int
	Skipped  int
	// Counts is the number of imported items per (account, region, resource type).
	Counts map[ImportKey]int
	// SkipReasons counts the skipped items per reason.
	SkipReasons     map[string]int
	CreatedAccounts []CreatedAccount

	accounts map[string]string // account -> "" (usable) or the reason its items are skipped
}

// maxSkipReasons bounds the distinct reasons a summary keeps; the rest are counted as "other".
const maxSkipReasons = 100

func (s *ImportSummary) skip(reason string, n int) {
	if n == 0 {
		return
	}
	if s.SkipReasons == nil {
		s.SkipReasons = map[string]int{}
	}
	if _, ok := s.SkipReasons[reason]; !ok && len(s.SkipReasons) >= maxSkipReasons {
		reason = "other reasons"
	}
	s.SkipReasons[reason] += n
	s.Skipped += n
}

// Rows returns Counts sorted by account, region and resource type.
func (s *ImportSummary) Rows() []ImportCount {
	out := make([]ImportCount, 0, len(s.Counts))
	for k, n := range s.Counts {
		out = append(out, ImportCount{Account: k.Account, Region: k.Region, ResourceType: k.ResourceType, Items: n})
	}
	slices.SortFunc(out, func(a, b ImportCount) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ResourceType, b.ResourceType))
	})
	return out
}

// importBatch is what the decoding goroutine hands to the writer: items ready to record and the
// items it skipped, by reason.
type importBatch struct {
	items    []recording.ItemInput
	skipped  map[string]int
	nskipped int
}

// ImportFile imports the configuration items of one file (gzipped or not; see Import's rules
// above). name is the file's name or path, used for the account and region AWS's file names
// state; it may be empty. Items are written in batches of o.BatchSize, each batch one store
// write, while the next batch is decoded. It returns an error only for a file it cannot read
// (not JSON, no list of items) or a failure of the store; items it cannot import are counted
// in sum as skipped, with their reason. Items written before an error stay written: importing
// the file again records them again only where their content differs (RecordItemTx's rule).
func (s *Service) ImportFile(ctx context.Context, r io.Reader, name string, o ImportOptions, sum *ImportSummary) error {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultImportBatch
	}
	if sum.Counts == nil {
		sum.Counts = map[ImportKey]int{}
	}
	if sum.accounts == nil {
		sum.accounts = map[string]string{}
	}
	zr, closeZ, err := gzipReader(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotImportable, err)
	}
	defer closeZ()
	fileAccount, fileRegion := fileScope(name)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan importBatch, 2)
	decodeErr := make(chan error, 1)
	go func() {
		defer close(batches)
		b := importBatch{}
		send := func() bool {
			select {
			case batches <- b:
				b = importBatch{}
				return true
			case <-ctx.Done():
				return false
			}
		}
		err := decodeItems(ctx, zr, func(it *fileItem, err error) error {
			if err != nil {
				b.skip(err.Error())
			} else if in, reason := s.importInput(it, &o, fileAccount, fileRegion); reason != "" {
				b.skip(reason)
			} else {
				if b.items == nil {
					b.items = make([]recording.ItemInput, 0, o.BatchSize)
				}
				b.items = append(b.items, in)
			}
			if len(b.items)+b.nskipped >= o.BatchSize {
				if !send() {
					return ctx.Err()
				}
			}
			return nil
		})
		if err == nil && (len(b.items) > 0 || len(b.skipped) > 0) && !send() {
			err = ctx.Err()
		}
		decodeErr <- err
	}()

	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain until the decoder sees the cancellation
		}
		if err := s.writeImportBatch(ctx, b, &o, sum); err != nil {
			writeErr = err
			cancel()
		}
	}
	derr := <-decodeErr
	if writeErr != nil {
		return writeErr
	}
	if derr != nil && ctx.Err() == nil && !errors.Is(derr, context.Canceled) {
		return fmt.Errorf("%w: %v", ErrNotImportable, derr)
	}
	if derr != nil {
		return derr
	}
	sum.Files++
	return nil
}

func (b *importBatch) skip(reason string) {
	if b.skipped == nil {
		b.skipped = map[string]int{}
	}
	b.skipped[reason]++
	b.nskipped++
}

// importInput turns a file's item into the input of RecordItemTx, or says why it is skipped.
func (s *Service) importInput(it *fileItem, o *ImportOptions, fileAccount, fileRegion string) (recording.ItemInput, string) {
	account := cmp.Or(o.Account, it.account(), fileAccount, o.DefaultAccount)
	if account == "" {
		return recording.ItemInput{}, "no account ID (the item has no awsAccountId and none was given)"
	}
	if !identity.ValidAccountID(account) {
		return recording.ItemInput{}, fmt.Sprintf("invalid account ID %q", account)
	}
	region := o.Region
	if region == "" {
		switch it.AWSRegion {
		case "global":
			region = cmp.Or(o.GlobalRegion, fileRegion, "us-east-1")
		case "":
			region = cmp.Or(fileRegion, o.DefaultRegion)
		default:
			region = it.AWSRegion
		}
	}
	if region == "" {
		return recording.ItemInput{}, "no region (the item has no awsRegion and none was given)"
	}
	if !s.Regions.Has(region) {
		return recording.ItemInput{}, fmt.Sprintf("region %q is not an AWS Config region (serve --extra-regions adds regions)", region)
	}
	if it.ResourceType == "" || it.ResourceID == "" {
		return recording.ItemInput{}, "no resourceType or resourceId"
	}
	status := it.Status
	return recording.ItemInput{
		Account: account, Region: region,
		ResourceType: it.ResourceType, ResourceID: it.ResourceID, ResourceName: it.ResourceName,
		ARN: it.ARN, AvailabilityZone: it.AvailabilityZone,
		ResourceCreationTime:       it.ResourceCreationTime.Time,
		Configuration:              normalizeJSON(it.Configuration),
		SupplementaryConfiguration: it.supplementary(),
		Tags:                       it.Tags,
		Relationships:              it.relationships(),
		Deleted: status == string(configapi.ConfigurationItemStatusResourceDeleted) ||
			status == string(configapi.ConfigurationItemStatusResourceDeletedNotRecorded),
		CaptureTime: it.CaptureTime.Time,
		Status:      status,
		StateID:     stateID(it.StateID),
	}, ""
}

// writeImportBatch records one batch in one store write. An item that recording refuses (an
// invalid value) is skipped with its reason; the others are written.
func (s *Service) writeImportBatch(ctx context.Context, b importBatch, o *ImportOptions, sum *ImportSummary) error {
	for reason, n := range b.skipped {
		sum.skip(reason, n)
	}
	items := b.items[:0:0]
	for _, in := range b.items {
		reason, err := s.importAccount(ctx, in.Account, o, sum)
		if err != nil {
			return err
		}
		if reason != "" {
			sum.skip(reason, 1)
			continue
		}
		items = append(items, in)
	}
	if len(items) > 0 {
		ws := make([]*recording.ItemWrite, len(items))
		for i := range items {
			ws[i] = &recording.ItemWrite{In: items[i]}
		}
		if err := s.Store.Write(ctx, func(tx store.Tx) error { return s.RecordBatchTx(tx, ws) }); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		kept := items[:0]
		for i, w := range ws {
			if w.Err != nil {
				reason := "refused: " + w.Err.Error()
				if e := awsproto.AsError(w.Err); e != nil {
					reason = fmt.Sprintf("refused: %s: %s", e.Code, e.Message)
				}
				sum.skip(reason, 1)
				continue
			}
			kept = append(kept, items[i])
		}
		items = kept
	}
	for i := range items {
		sum.Counts[ImportKey{items[i].Account, items[i].Region, items[i].ResourceType}]++
	}
	sum.Imported += len(items)
	if o.Progress != nil {
		o.Progress(sum.Imported, sum.Skipped)
	}
	return nil
}

// importAccount returns "" when items may be imported into account, else the reason they are
// skipped. It decides once per account and summary, creating the account when allowed.
func (s *Service) importAccount(ctx context.Context, account string, o *ImportOptions, sum *ImportSummary) (string, error) {
	if reason, ok := sum.accounts[account]; ok {
		return reason, nil
	}
	reason, err := s.decideAccount(ctx, account, o, sum)
	if err != nil {
		return "", err
	}
	sum.accounts[account] = reason
	return reason, nil
}

func (s *Service) decideAccount(ctx context.Context, account string, o *ImportOptions, sum *ImportSummary) (string, error) {
	if o.Allow != nil {
		if err := o.Allow(account); err != nil {
			return err.Error(), nil
		}
	}
	exists := true
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		_, err := tx.Get(identity.KindAccount, "", account)
		if errors.Is(err, store.ErrNotFound) {
			exists = false
			return nil
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	if exists {
		return "", nil
	}
	if !o.CreateAccounts {
		return fmt.Sprintf("account %s does not exist (create it first, or import with --create-accounts)", account), nil
	}
	a := &identity.Account{ID: account, Name: "account-" + account, Email: "root+" + account + "@example.com",
		Created: s.Clock.Now().UTC(), Origin: "import"}
	cred := s.Dir.NewRootCredential(account, "", "")
	created := true
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		created = true
		if err := identity.PutAccount(tx, a); errors.Is(err, store.ErrExists) {
			created = false // created meanwhile by someone else: use it as it is
			return nil
		} else if err != nil {
			return err
		}
		return s.Dir.PutCredential(tx, cred)
	})
	if err != nil {
		return "", fmt.Errorf("import: create account %s: %w", account, err)
	}
	if created {
		sum.CreatedAccounts = append(sum.CreatedAccounts, CreatedAccount{ID: account, AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey})
	}
	return "", nil
}

// ScopesNotRecording returns the (account, region) pairs of the summary, as Scope strings,
// where no configuration recorder is running: their imported items are stored, but the reads
// that only show what a running recorder records (GetDiscoveredResourceCounts) leave them out
// until a recorder runs there.
func (s *Service) ScopesNotRecording(ctx context.Context, sum *ImportSummary) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		for k := range sum.Counts {
			sc := core.Scope(k.Account, k.Region)
			if seen[sc] {
				continue
			}
			seen[sc] = true
			on, err := s.RecordingTx(tx, k.Account, k.Region)
			if err != nil {
				return err
			}
			if !on {
				out = append(out, sc)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}
