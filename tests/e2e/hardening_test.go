package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// countingBody is a request body of n zero bytes that counts how many the transport pulled.
type countingBody struct {
	n, read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	left := b.n.Load() - b.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	clear(p)
	b.read.Add(int64(len(p)))
	return len(p), nil
}

// TestBodiesBeforeAuthentication: a request that no key orgconfig issued signed is refused
// from its headers, before its body is read, so that an anonymous client cannot make the
// server buffer anything; a signed one whose body is over the limit gets 413 without being
// read.
func TestBodiesBeforeAuthentication(t *testing.T) {
	srv := testserver.Start(t)
	const size = 32 << 20
	now := time.Now().UTC()
	cred := func(akid string) string {
		return fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/config/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=%s",
			akid, now.Format("20060102"), strings.Repeat("0", 64))
	}
	cases := []struct {
		name, authorization, code string
		status                    int
		length                    int64
	}{
		{"unsigned", "", "MissingAuthenticationTokenException", 403, size},
		{"unknown key", cred("AKIANOBODYHASTHISKEY"), "UnrecognizedClientException", 403, size},
		{"known key, body over the limit", cred(testserver.AccessKey), "RequestEntityTooLargeException", 413, size + 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := &countingBody{}
			body.n.Store(c.length)
			req, err := http.NewRequest(http.MethodPost, srv.Endpoint+"/", body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = c.length
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "StarlingDoveService.DescribeConfigurationRecorders")
			req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
			if c.authorization != "" {
				req.Header.Set("Authorization", c.authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			read := body.read.Load()
			var e struct {
				Type string `json:"__type"`
			}
			b, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != c.status || e.Type != c.code {
				t.Fatalf("got %d %s, want %d with __type %s", resp.StatusCode, b, c.status, c.code)
			}
			// Socket buffers take a few MB before the server answers; the body is 32 MiB.
			if read > 8<<20 {
				t.Errorf("the client had sent %d MB of the body when the answer came: the server read it", read>>20)
			}
		})
	}
}

// TestImportBombs: the import call bounds what a file may inflate to. A small gzip that
// inflates to one 64 MiB item, or a file of megabytes of whitespace, is refused with a
// ValidationException once the decoder has read a few MB, and nothing is stored.
func TestImportBombs(t *testing.T) {
	srv := testserver.Start(t)
	bomb := func(prefix string, fill byte, n int, suffix string) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write([]byte(prefix))
		chunk := bytes.Repeat([]byte{fill}, 1<<20)
		for i := 0; i < n>>20; i++ {
			zw.Write(chunk)
		}
		zw.Write([]byte(suffix))
		zw.Close()
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"one huge item", bomb(`{"configurationItems":[{"awsAccountId":"111111111111","awsRegion":"us-east-1","resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemStatus":"OK","configuration":{"x":"`, 'a', 64<<20, `"}}]}`)},
		{"whitespace", bomb(`{"configurationItems":[`, ' ', 64<<20, `]}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.body) > 1<<20 {
				t.Fatalf("the bomb is %d bytes compressed", len(c.body))
			}
			a := e2etest.AdminImport(t, srv, testserver.AccessKey, testserver.SecretKey, "us-east-1", "", c.body)
			if a.Status != 400 || !strings.Contains(string(a.Body), "ValidationException") || !strings.Contains(string(a.Body), "larger than") {
				t.Fatalf("import of a %d-byte bomb: HTTP %d %s, want 400 ValidationException", len(c.body), a.Status, a.Body)
			}
		})
	}
}

// TestBucketNamesStayInTheSnapshotDirectory: orgconfig reads TemplateS3Uri objects from, and
// delivers snapshots to, the directory that stands in for S3. A name that is no S3 bucket
// name ("..", a path, NUL) or a key that climbs out of its bucket is refused before anything
// touches the filesystem, with the operation's error, and no answer says whether a file
// exists or what it holds.
func TestBucketNamesStayInTheSnapshotDirectory(t *testing.T) {
	ctx := context.Background()
	srv := testserver.Start(t)
	// A YAML file in the data directory, the snapshot directory's parent.
	if err := os.WriteFile(filepath.Join(srv.DataDir, "notes.yaml"), []byte("topsecretkey: value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cl := e2etest.ConfigClient(srv, "us-east-1")
	var messages []string
	for _, uri := range []string{"s3://../notes.yaml", "s3://../absent.yaml", "s3://config-bucket/../../notes.yaml", "s3:///notes.yaml", "s3://..", "s3://a\x00b/k"} {
		_, err := cl.PutConformancePack(ctx, &configservice.PutConformancePackInput{ConformancePackName: aws.String("p"), TemplateS3Uri: aws.String(uri)})
		ae := e2etest.APIError(t, err, "ConformancePackTemplateValidationException", 400)
		if strings.Contains(ae.ErrorMessage(), "topsecretkey") {
			t.Errorf("%s: the message reveals the file's content: %s", uri, ae.ErrorMessage())
		}
		messages = append(messages, ae.ErrorMessage())
	}
	if messages[0] != messages[1] {
		t.Errorf("an existing and an absent file give different answers:\n  %s\n  %s", messages[0], messages[1])
	}

	e2etest.PutRecorder(t, cl, &cstypes.ConfigurationRecorder{RoleARN: aws.String(e2etest.RecorderRole)})
	put := func(bucket, prefix string) error {
		_, err := cl.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cstypes.DeliveryChannel{
			S3BucketName: aws.String(bucket), S3KeyPrefix: aws.String(prefix)}})
		return err
	}
	for _, bucket := range []string{"..", "/abs/path", "a\x00b", "a/b", "UPPER"} {
		e2etest.APIError(t, put(bucket, ""), "NoSuchBucketException", 400)
	}
	for _, prefix := range []string{"../..", "x/../../y", "/abs", "a\x00b"} {
		e2etest.APIError(t, put("config-bucket", prefix), "InvalidS3KeyPrefixException", 400)
	}
	if err := put("config-bucket", "org/config"); err != nil {
		t.Fatal(err)
	}
}

// TestSlowBodies: a client that sends its headers and then only part of its body is answered
// RequestTimeout once the body timeout passes, and its connection is closed, instead of
// holding the connection and a file descriptor forever.
func TestSlowBodies(t *testing.T) {
	srv := testserver.Start(t, func(o *server.Options) { o.BodyTimeout = 500 * time.Millisecond })
	for _, path := range []string{"/", server.PathImport} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.Endpoint, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			now := time.Now().UTC()
			auth := fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/config/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=%s",
				testserver.AccessKey, now.Format("20060102"), strings.Repeat("0", 64))
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: StarlingDoveService.DescribeConfigurationRecorders\r\nX-Amz-Date: %s\r\nAuthorization: %s\r\nContent-Length: 1000\r\n\r\n{\"Configu",
				path, now.Format("20060102T150405Z"), auth)
			// A bound on the test, not a timing assertion: the answer comes after the body
			// timeout, long before this.
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a half-sent body: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 || !strings.Contains(string(b), "RequestTimeout") {
				t.Fatalf("got %d %s, want 400 RequestTimeout", resp.StatusCode, b)
			}
			// The server closes the connection: the next read ends.
			if _, err := conn.Read(make([]byte, 1)); err == nil {
				t.Errorf("the connection is still open after RequestTimeout")
			}
		})
	}
}

// signedQuery posts a Query-protocol form signed for service with the bootstrap root's keys and
// returns the status and body of the answer.
func signedQuery(t *testing.T, srv *testserver.Server, service, form string) (int, string) {
	t.Helper()
	ctx := context.Background()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.Endpoint+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestQueryDecodingLosesNothing: a Query form whose list members are not numbered 1 to n, a
// repeated Action or Version, an unknown Version and a tag key with AWS's reserved prefix are
// refused, instead of being dropped or accepted in silence.
func TestQueryDecodingLosesNothing(t *testing.T) {
	srv := testserver.Start(t)
	role := "Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=" + url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if status, body := signedQuery(t, srv, "iam", role); status != 200 {
		t.Fatalf("CreateRole: %d %s", status, body)
	}
	for _, c := range []struct{ name, form, code string }{
		{"only member 2", "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.2.Key=k&Tags.member.2.Value=v", "ValidationError"},
		{"a gap", "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.3.Key=c&Tags.member.3.Value=3", "ValidationError"},
		{"a huge index", "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.999999999.Key=k&Tags.member.999999999.Value=v", "ValidationError"},
		{"Action twice", "Action=GetRole&Action=DeleteRole&Version=2010-05-08&RoleName=r", "MalformedQueryString"},
		{"an unknown Version", "Action=GetRole&Version=1999-01-01&RoleName=r", "InvalidAction"},
		{"a reserved tag key", "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=aws%3Acreator&Tags.member.1.Value=v", "InvalidInput"},
	} {
		status, body := signedQuery(t, srv, "iam", c.form)
		if status != 400 || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
			t.Errorf("%s: %d %s, want 400 %s", c.name, status, body, c.code)
		}
	}
	// Nothing of those reached the role.
	if status, body := signedQuery(t, srv, "iam", "Action=ListRoleTags&Version=2010-05-08&RoleName=r"); status != 200 || strings.Contains(body, "<Key>") {
		t.Errorf("the role's tags after the refused calls: %d %s", status, body)
	}
}

// TestProtocolStrictness: the AWS JSON protocol is POST with its content type; a Query request
// without an Action gets a Query (XML) error; any path is an API call answered in its
// protocol's shape, never a redirect.
func TestProtocolStrictness(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	do := func(method, path, ct, target, service, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, srv.Endpoint+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	const target, jsonCT = "StarlingDoveService.DescribeConfigurationRecorders", "application/x-amz-json-1.1"
	for _, method := range []string{http.MethodGet, http.MethodDelete, http.MethodPut} {
		if status, _, body := do(method, "/", jsonCT, target, "config", "{}"); status != 400 || !strings.Contains(body, `"UnknownOperationException"`) {
			t.Errorf("%s with X-Amz-Target: %d %s", method, status, body)
		}
	}
	if status, _, body := do(http.MethodPost, "/", "text/plain", target, "config", "{}"); status != 400 || !strings.Contains(body, `"SerializationException"`) {
		t.Errorf("JSON call with Content-Type text/plain: %d %s", status, body)
	}
	if status, _, body := do(http.MethodPost, "/", "application/x-www-form-urlencoded", "", "iam", "Version=2010-05-08"); status != 400 || !strings.Contains(body, "<Code>MissingAction</Code>") {
		t.Errorf("Query call without Action: %d %s", status, body)
	}
	for _, path := range []string{"//", "/a/../", "/x//y"} {
		if status, h, body := do(http.MethodPost, path, jsonCT, target, "config", "{}"); status != 200 || h.Get("Location") != "" {
			t.Errorf("POST %s: %d (Location %q) %s, want the call's answer", path, status, h.Get("Location"), body)
		}
	}
}

// TestWrittenTypesAreReadable: a third-party type PutResourceConfig accepts is one every read
// operation takes (Organization::Service::Resource, each part 2 to 64 letters and digits); a
// type the reads would refuse is refused on write too.
func TestWrittenTypesAreReadable(t *testing.T) {
	ctx := context.Background()
	srv := testserver.Start(t)
	cfg := configservice.NewFromConfig(srv.Config("us-east-1"))
	testserver.StartRecording(t, cfg, testserver.AccountID, nil)
	for _, typ := range []string{"MyOrg::N::Item", "M::Test::Item", "MyOrg::Test::It-em"} {
		e2etest.APIError(t, e2etest.PutCustom(t, cfg, typ, "i1", `{"a":1}`), "ValidationException", 400)
	}
	const typ = "MyOrg::N2::Item"
	if err := e2etest.PutCustom(t, cfg, typ, "i1", `{"a":1}`); err != nil {
		t.Fatal(err)
	}
	if out, err := cfg.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: []cstypes.ResourceKey{{ResourceType: typ, ResourceId: aws.String("i1")}}}); err != nil || len(out.BaseConfigurationItems) != 1 {
		t.Errorf("BatchGetResourceConfig: %v %+v", err, out)
	}
	if out, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: typ}); err != nil || len(out.ResourceIdentifiers) != 1 {
		t.Errorf("ListDiscoveredResources: %v %+v", err, out)
	}
	if out, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: typ, ResourceId: aws.String("i1")}); err != nil || len(out.ConfigurationItems) != 1 {
		t.Errorf("GetResourceConfigHistory: %v %+v", err, out)
	}
}

// failingStore is a store whose writes fail as on a full disk while fail is set.
type failingStore struct {
	store.Store
	fail atomic.Bool
}

func (f *failingStore) Write(ctx context.Context, fn func(tx store.Tx) error) error {
	if f.fail.Load() {
		return fmt.Errorf("%w: database or disk is full", store.ErrUnavailable)
	}
	return f.Store.Write(ctx, fn)
}

// TestFullDisk: while the store cannot write, writes are answered ServiceUnavailable (503,
// which SDKs retry) instead of an internal failure, and /healthz says so; reads go on.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := server.OpenStore(ctx, server.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &failingStore{Store: st}
	srv := testserver.Start(t, func(o *server.Options) { o.Store = fs; o.DataDir = dir })
	cfg := configservice.NewFromConfig(srv.Config("us-east-1"))
	health := func() int {
		resp, err := http.Get(srv.Endpoint + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fs.fail.Store(true)
	_, err = cfg.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cstypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String(e2etest.RecorderRole)}})
	e2etest.APIError(t, err, "ServiceUnavailable", 503)
	if _, err := cfg.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{}); err != nil {
		t.Errorf("a read while writes fail: %v", err)
	}
	if code := health(); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz while writes fail: %d, want 503", code)
	}
	fs.fail.Store(false)
	time.Sleep(1100 * time.Millisecond) // the health probe's result is kept for a second
	if code := health(); code != http.StatusOK {
		t.Errorf("/healthz once writes work: %d, want 200", code)
	}
}

// TestSecretsAtRest: the database holds no secret in the clear — root, IAM user and STS
// session secrets, session tokens and the console's key are sealed under a key file kept
// apart — its files are 0600, and a copy of the database without its key file (or with
// another installation's) yields no credential: the server refuses to start on it.
func TestSecretsAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.WithDataDir(dir))
	cfg := srv.Config("us-east-1")
	iamc := iam.NewFromConfig(cfg)
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := sts.NewFromConfig(cfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"root secret":     testserver.SecretKey,
		"IAM user secret": aws.ToString(key.AccessKey.SecretAccessKey),
		"session secret":  aws.ToString(sess.Credentials.SecretAccessKey),
		"session token":   aws.ToString(sess.Credentials.SessionToken),
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"orgconfig.db", "orgconfig.db-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for what, v := range secrets {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds the %s in the clear", name, what)
			}
		}
	}
	for _, name := range []string{"orgconfig.db", server.SecretsKeyFile} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", name, st.Mode().Perm(), err)
		}
	}

	// A copy of the database without the key file, and with another key file.
	copyDir := t.TempDir()
	for _, name := range []string{"orgconfig.db", "orgconfig.db-wal", "orgconfig.db-shm"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			os.WriteFile(filepath.Join(copyDir, name), b, 0o600)
		}
	}
	opts := server.Options{DataDir: copyDir, AccountID: testserver.AccountID}
	if s, err := server.New(ctx, opts); err == nil || !strings.Contains(err.Error(), "missing") {
		if s != nil {
			s.Shutdown(ctx)
		}
		t.Errorf("start on a copy without the key file: %v, want a refusal", err)
	}
	os.WriteFile(filepath.Join(copyDir, server.SecretsKeyFile), bytes.Repeat([]byte{7}, 32), 0o600)
	if s, err := server.New(ctx, opts); err == nil || !strings.Contains(err.Error(), "does not open") {
		if s != nil {
			s.Shutdown(ctx)
		}
		t.Errorf("start on a copy with another key file: %v, want a refusal", err)
	}
}
