package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// TestConfigItemShape checks the generated items: valid JSON of about 1 KB with the fields of a
// configuration item, unique record ids, and the documented id formats.
func TestConfigItemShape(t *testing.T) {
	g := &itemGen{start: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	seen := map[string]bool{}
	for range 500 {
		var it ciItem
		g.next(&it)
		var ci map[string]any
		if err := json.Unmarshal(it.body, &ci); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, it.body)
		}
		if n := len(it.body); n < 900 || n > 1300 {
			t.Errorf("body is %d bytes, want about 1 KB", n)
		}
		for _, k := range []string{"version", "accountId", "configurationItemCaptureTime", "configurationItemStatus",
			"configurationStateId", "arn", "resourceType", "resourceId", "awsRegion", "tags", "relationships", "configuration"} {
			if _, ok := ci[k]; !ok {
				t.Fatalf("body lacks %s: %s", k, it.body)
			}
		}
		rid := ci["resourceId"].(string)
		if it.current != "AWS::EC2::Instance/"+rid || !strings.HasPrefix(it.history, rid+"/") || len(it.history) != len(rid)+21 {
			t.Errorf("ids %q, %q for resource %s", it.current, it.history, rid)
		}
		for _, id := range append([]string{it.current, it.history}, it.index[:]...) {
			if seen[id] {
				t.Fatalf("duplicate id %q", id)
			}
			seen[id] = true
		}
		if !strings.HasSuffix(it.index[0], "\x00"+rid) || !strings.HasPrefix(it.index[4], "configuration.vpcId=vpc-") {
			t.Errorf("index ids %q", it.index)
		}
	}
}

// TestStoreWriteSmoke runs the store-write scenario briefly (PostgreSQL too when
// ORGCONFIG_TEST_DATABASE_URL is set) and checks the cells, the SQLite group-commit counters and
// the report.
func TestStoreWriteSmoke(t *testing.T) {
	args := []string{"-scenario", "store-write", "-duration", "300ms", "-warmup", "50ms", "-concurrency", "1,4",
		"-store-batch", "10", "-store-dir", t.TempDir()}
	o, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pg := o.DatabaseURL != ""
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cells) != 0 || len(rep.Targets) != 0 {
		t.Errorf("store-write started HTTP targets: %+v", rep.Targets)
	}
	want := 2 * 2 // (1 item, 10 items) x (c=1, c=4)
	if pg {
		want *= 2
	}
	if len(rep.StoreCells) != want {
		t.Fatalf("%d store cells, want %d: %+v", len(rep.StoreCells), want, rep.StoreCells)
	}
	for _, c := range rep.StoreCells {
		if c.Skipped != "" || c.Writes == 0 || c.Errors != 0 {
			t.Errorf("cell %s %d/Write c=%d: skipped %q, %d writes, %d errors (%s)", c.Backend, c.ItemsPerWrite, c.Concurrency, c.Skipped, c.Writes, c.Errors, c.FirstError)
		}
		if c.Records != c.Items*recordsPerItem || c.Items != c.Writes*c.ItemsPerWrite {
			t.Errorf("cell %+v: inconsistent counts", c)
		}
		if c.Backend == backendSQLite && (c.GroupBatches == 0 || c.GroupWrites < c.GroupBatches) {
			t.Errorf("cell %+v: no group-commit counters", c)
		}
	}
	if !pg && !strings.Contains(strings.Join(rep.Notes, "\n"), "postgres: not measured") {
		t.Errorf("without a database URL, the report must say postgres was not measured: %q", rep.Notes)
	}
	var md bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| sqlite | 10 | 4 |") || !strings.Contains(md.String(), "synchronous=FULL") {
		t.Errorf("markdown report:\n%s", md.String())
	}
}

// TestStoreWriteRecords checks what one item writes: the 8 records of the documented shape.
func TestStoreWriteRecords(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := &itemGen{start: time.Now()}
	var it ciItem
	g.next(&it)
	if err := st.Write(ctx, it.write); err != nil {
		t.Fatal(err)
	}
	err = st.Read(ctx, func(tx store.Tx) error {
		for kind, n := range map[string]int{"config-item": 1, "config-item-history": 1, "ci-index": 6} {
			if got, err := tx.Count(kind, ciScope); err != nil || got != n {
				t.Errorf("%s: %d records (%v), want %d", kind, got, err, n)
			}
		}
		body, err := tx.Get("config-item-history", ciScope, it.history)
		if err != nil || !bytes.Equal(body, it.body) {
			t.Errorf("history record: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStoreFlagsReject(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "store-write", "-backends", "mysql"},
		{"-scenario", "store-write", "-concurrency", "0"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	o, err := parseFlags([]string{"-scenario", "store-write", "-backends", "postgres", "-database-url", "postgres://u@db.example.com/x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgresBackend(context.Background(), o); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("a non-loopback database URL must be refused, got %v", err)
	}
}
