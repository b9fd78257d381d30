//go:build linux

package durability

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// peakRSSBound is the documented bound (docs/SECURITY.md) on the server's peak resident memory
// under the hostile load of TestMemoryUnderHostileBodies.
const peakRSSBound = 256 << 20

// zeros is a request body of n zero bytes, made on the fly.
type zeros struct{ left int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.left {
		p = p[:z.left]
	}
	clear(p)
	z.left -= int64(len(p))
	return len(p), nil
}

// peakRSS reads the peak resident set size (VmHWM) of a process.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}

// TestMemoryUnderHostileBodies sends the real binary 16 concurrent unauthenticated 32 MiB
// POSTs and 4 signed import bombs (small gzips that inflate to a 64 MiB item or to megabytes of
// whitespace) and checks the server's peak RSS stays under peakRSSBound: bodies are refused
// from their headers before they are read, and the import decoder is bounded. The load is
// bounded in count, sent to 127.0.0.1 only, and every request has a deadline.
func TestMemoryUnderHostileBodies(t *testing.T) {
	p := start(t, "memory", "--data-dir", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: time.Minute}
	var wg sync.WaitGroup
	var refused, failed atomic.Int64
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+"/", &zeros{left: 32 << 20})
			req.ContentLength = 32 << 20
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "StarlingDoveService.DescribeConfigurationRecorders")
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden {
				refused.Add(1)
			}
		})
	}
	bomb := func(prefix string, fill byte, suffix string) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write([]byte(prefix))
		chunk := bytes.Repeat([]byte{fill}, 1<<20)
		for i := 0; i < 64; i++ {
			zw.Write(chunk)
		}
		zw.Write([]byte(suffix))
		zw.Close()
		return buf.Bytes()
	}
	bombs := [][]byte{
		bomb(`{"configurationItems":[{"resourceType":"AWS::S3::Bucket","resourceId":"b","configuration":{"x":"`, 'a', `"}}]}`),
		bomb(`{"configurationItems":[`, ' ', `]}`),
	}
	var rejected atomic.Int64
	for i := 0; i < 4; i++ {
		body := bombs[i%2]
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+"/_orgconfig/import", bytes.NewReader(body))
			sum := sha256.Sum256(body)
			hash := hex.EncodeToString(sum[:])
			req.Header.Set("X-Amz-Content-Sha256", hash)
			if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSec}, req, hash, "config", "us-east-1", time.Now()); err != nil {
				failed.Add(1)
				return
			}
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusBadRequest {
				rejected.Add(1)
			}
		})
	}
	wg.Wait()
	if refused.Load() != 16 || rejected.Load() != 4 {
		t.Errorf("unauthenticated bodies refused: %d of 16; import bombs rejected: %d of 4; transport failures: %d", refused.Load(), rejected.Load(), failed.Load())
	}
	peak := peakRSS(t, p.pid)
	t.Logf("peak RSS of the server: %d MiB (bound %d MiB)", peak>>20, peakRSSBound>>20)
	if peak > peakRSSBound {
		t.Errorf("peak RSS %d MiB is over the bound of %d MiB", peak>>20, peakRSSBound>>20)
	}
}
