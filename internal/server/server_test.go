package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConcurrentCalls drives the pipeline from many goroutines at once (run with -race): reads
// and writes of several services interleave on one server and every answer is right.
func TestConcurrentCalls(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		srv := testserver.Start(t, backend(t))
		ctx := context.Background()
		cfg := srv.Config("us-east-1")
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				stsc, iamc := sts.NewFromConfig(cfg), iam.NewFromConfig(cfg)
				for i := 0; i < 10; i++ {
					out, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
					if err != nil {
						errs <- err
						return
					}
					if aws.ToString(out.Account) != testserver.AccountID {
						t.Errorf("account %s", aws.ToString(out.Account))
					}
					name := aws.String("r-" + string(rune('a'+g)) + "-" + string(rune('a'+i)))
					if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name,
						AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
						errs <- err
						return
					}
					if _, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: name}); err != nil {
						errs <- err
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		out, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(out.Roles); n != 80 {
			t.Errorf("ListRoles: %d roles, want 80", n)
		}
	})
}

// TestImportErrorWithUnknownTarget checks that an admin import whose headers name an unknown
// JSON target and carry no signature is answered with an AWS JSON error (it used to find no
// service for the error's message member and drop the connection).
func TestImportErrorWithUnknownTarget(t *testing.T) {
	srv := testserver.Start(t)
	req, err := http.NewRequest(http.MethodPost, srv.Endpoint+server.PathImport, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "Nope.Import")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("status %d, body not JSON: %v", resp.StatusCode, err)
	}
	if resp.StatusCode < 400 || resp.StatusCode >= 500 || body["__type"] != "MissingAuthenticationTokenException" || body["message"] == "" {
		t.Errorf("status %d, body %v", resp.StatusCode, body)
	}
}
