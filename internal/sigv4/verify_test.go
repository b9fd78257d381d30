package sigv4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// newSTSRequest returns an in-process POST like the one botocore and the Go SDK send to a
// query-protocol service.
func newSTSRequest(t testing.TB, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://sts.example.test/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return req
}

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

func signedSTSRequest(t testing.TB, creds awsCreds, at time.Time) *http.Request {
	t.Helper()
	req := newSTSRequest(t, stsBody)
	sdkSign(t, req, []byte(stsBody), creds, testService, testRegion, at)
	return req
}

func TestVerifyHeaderOK(t *testing.T) {
	v := newVerifier(defaultKeys())
	for _, tc := range []struct {
		name  string
		creds awsCreds
	}{{"long-term", longTermCreds()}, {"temporary", tempCreds()}} {
		t.Run(tc.name, func(t *testing.T) {
			req := signedSTSRequest(t, tc.creds, testNow.Add(-time.Minute))
			res, err := v.Verify(context.Background(), req, []byte(stsBody))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.AccessKeyID != tc.creds.AccessKeyID || res.Region != testRegion || res.Service != testService ||
				res.Presigned || !res.Time.Equal(testNow.Add(-time.Minute)) || res.Secret.SecretAccessKey != tc.creds.SecretAccessKey {
				t.Errorf("unexpected result %+v", res)
			}
			want := []string{"content-length", "content-type", "host", "x-amz-date"}
			if tc.creds.SessionToken != "" {
				want = append(want, "x-amz-security-token")
			}
			if got := strings.Join(res.SignedHeaders, ";"); got != strings.Join(want, ";") {
				t.Errorf("SignedHeaders = %s, want %s", got, strings.Join(want, ";"))
			}
		})
	}
}

// TestAWSDocumentationExample checks the worked example of AWS's SigV4 documentation (IAM
// ListUsers, 20150830T123600Z), an oracle independent of both this package and the Go SDK.
func TestAWSDocumentationExample(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	key := deriveKey(secret, Credential{Date: "20150830", Region: "us-east-1", Service: "iam"})
	if got, want := fmt.Sprintf("%x", key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"; got != want {
		t.Fatalf("signing key = %s, want %s", got, want)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20150830T123600Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	v := &Verifier{Keys: newMemKeys(Secret{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret}),
		Now: fixedClock(time.Date(2015, 8, 30, 12, 38, 0, 0, time.UTC))}
	if _, err := v.Verify(context.Background(), req, nil); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestMissing(t *testing.T) {
	v := newVerifier(defaultKeys())
	for _, auth := range []string{"", "   "} {
		req := newSTSRequest(t, stsBody)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		e := wantKind(t, err, KindMissing)
		if e.Message != "Missing Authentication Token" {
			t.Errorf("message %q", e.Message)
		}
	}
	if _, err := v.Verify(context.Background(), nil, nil); kindOf(err) != KindMissing {
		t.Errorf("nil request: %v", err)
	}
}

func TestIncomplete(t *testing.T) {
	v := newVerifier(defaultKeys())
	valid := signedSTSRequest(t, longTermCreds(), testNow)
	validAuth := valid.Header.Get("Authorization")
	parsed, err := ParseAuthorization(validAuth)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		mutate func(r *http.Request)
		want   string // substring of the message
	}{
		{"only algorithm, no date", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256")
			r.Header.Del("X-Amz-Date")
		}, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
			"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
			"'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{"no signature", func(r *http.Request) {
			a := parsed
			a.Signature = ""
			r.Header.Set("Authorization", strings.TrimSuffix(a.String(), ", Signature="))
		}, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential="},
		{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + validAuth},
		{"SigV2", func(r *http.Request) { r.Header.Set("Authorization", "AWS AKIAORGCONFIGTEST001:c2lnbmF0dXJl") },
			"Please use AWS4-HMAC-SHA256."},
		{"SigV4a", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
		}, "not supported"},
		{"component without =", func(r *http.Request) { r.Header.Set("Authorization", validAuth+", Bogus") },
			"'Bogus' not a valid key=value pair (missing equal-sign) in Authorization header"},
		{"repeated component", func(r *http.Request) { r.Header.Set("Authorization", validAuth+", Signature=00") },
			"repeated 'Signature'"},
		{"credential with 4 parts", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, "/aws4_request", "", 1))
		}, "the Credential is mal-formed"},
		{"bad terminator", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, "/aws4_request", "/aws5_request", 1))
		}, "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{"bad scope date", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, "/20260101/", "/20261301/", 1))
		}, "valid date"},
		{"empty signed header name", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, "SignedHeaders=", "SignedHeaders=;", 1))
		}, "invalid 'SignedHeaders'"},
		{"bad x-amz-date", func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-01-01T12:00:00Z") },
			"Date must be in ISO-8601 'basic format'. Got '2026-01-01T12:00:00Z'."},
		{"host not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, ";host;", ";", 1))
		}, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"x-amz-date not signed", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(validAuth, ";x-amz-date", "", 1))
		}, "'X-Amz-Date' must be a 'SignedHeader'"},
		{"unsigned x-amz header", func(r *http.Request) { r.Header.Set("X-Amz-Target", "Foo.Bar") },
			"There were headers present in the request which were not signed: x-amz-target"},
		{"unsigned security token", func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "tok") },
			"not signed: x-amz-security-token"},
		{"two auth mechanisms", func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			"Only one auth mechanism allowed"},
		{"two Authorization headers", func(r *http.Request) { r.Header.Add("Authorization", validAuth) },
			"Only one Authorization header"},
		{"two X-Amz-Date headers", func(r *http.Request) { r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date")) },
			"exactly one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := valid.Clone(context.Background())
			req.URL = &url.URL{Scheme: "https", Host: valid.URL.Host, Path: "/"}
			tc.mutate(req)
			_, err := v.Verify(context.Background(), req, []byte(stsBody))
			e := wantKind(t, err, KindIncomplete)
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q\ndoes not contain %q", e.Message, tc.want)
			}
			if strings.Contains(e.Message, testSecret) {
				t.Errorf("message leaks the secret")
			}
		})
	}
}

func TestIncompletePresigned(t *testing.T) {
	v := newVerifier(defaultKeys())
	base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	pre := sdkPresign(t, base, nil, longTermCreds(), testService, testRegion, testNow)
	q := pre.URL.Query()
	for _, tc := range []struct {
		name   string
		mutate func(q url.Values)
		want   string
	}{
		{"no signature", func(q url.Values) { q.Del("X-Amz-Signature") }, "requires the X-Amz-Algorithm"},
		{"no date", func(q url.Values) { q.Del("X-Amz-Date") }, "requires the X-Amz-Algorithm"},
		{"no signed headers", func(q url.Values) { q.Del("X-Amz-SignedHeaders") }, "requires the X-Amz-Algorithm"},
		{"wrong algorithm", func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA512") }, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`},
		{"bad credential", func(q url.Values) { q.Set("X-Amz-Credential", "AKID/20260101/us-east-1") }, "mal-formed"},
		{"bad date", func(q url.Values) { q.Set("X-Amz-Date", "20260101") }, "ISO8601 Long Format"},
		{"expires too long", func(q url.Values) { q.Set("X-Amz-Expires", "604801") }, "less than a week"},
		{"expires not a number", func(q url.Values) { q.Set("X-Amz-Expires", "1h") }, "should be a number"},
		{"expires negative", func(q url.Values) { q.Set("X-Amz-Expires", "-5") }, "non-negative"},
		{"duplicate signature", func(q url.Values) { q.Add("X-Amz-Signature", q.Get("X-Amz-Signature")) }, "only once"},
		{"host not signed", func(q url.Values) { q.Set("X-Amz-SignedHeaders", "x-amz-date") }, "'Host'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qq := url.Values{}
			for k, v := range q {
				qq[k] = append([]string(nil), v...)
			}
			tc.mutate(qq)
			req := pre.Clone(context.Background())
			req.URL.RawQuery = qq.Encode()
			_, err := v.Verify(context.Background(), req, nil)
			e := wantKind(t, err, KindIncomplete)
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q does not contain %q", e.Message, tc.want)
			}
		})
	}
	t.Run("unsigned x-amz header", func(t *testing.T) {
		req := pre.Clone(context.Background())
		req.Header.Set("X-Amz-Meta-Extra", "1")
		_, err := v.Verify(context.Background(), req, nil)
		wantKind(t, err, KindIncomplete)
	})
}

func TestUnknownKey(t *testing.T) {
	v := newVerifier(defaultKeys())
	creds := longTermCreds()
	creds.AccessKeyID = "AKIANOSUCHKEY0000000"
	_, err := v.Verify(context.Background(), signedSTSRequest(t, creds, testNow), []byte(stsBody))
	e := wantKind(t, err, KindUnknownKey)
	if e.Message != "The security token included in the request is invalid." || !errors.Is(err, ErrUnknownKey) {
		t.Errorf("got %q, errors.Is(ErrUnknownKey) = %v", e.Message, errors.Is(err, ErrUnknownKey))
	}

	// A key the store returns with an empty secret must never verify.
	keys := newMemKeys(Secret{AccessKeyID: testAKID})
	_, err = newVerifier(keys).Verify(context.Background(), signedSTSRequest(t, aws0(testAKID), testNow), []byte(stsBody))
	wantKind(t, err, KindUnknownKey)
}

func TestKeyStoreFailure(t *testing.T) {
	keys := defaultKeys()
	boom := errors.New("database unavailable")
	keys.err = boom
	_, err := newVerifier(keys).Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody))
	var e *Error
	if err == nil || errors.As(err, &e) || !errors.Is(err, boom) {
		t.Fatalf("got %v, want the store's error, not an *Error", err)
	}
	if _, err := (&Verifier{Now: fixedClock(testNow)}).Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody)); err == nil || kindOf(err) != 0 {
		t.Fatalf("nil KeyStore: got %v", err)
	}
}

func TestMismatch(t *testing.T) {
	v := newVerifier(defaultKeys())
	t.Run("wrong secret", func(t *testing.T) {
		creds := longTermCreds()
		creds.SecretAccessKey = "not-the-secret"
		_, err := v.Verify(context.Background(), signedSTSRequest(t, creds, testNow), []byte(stsBody))
		e := wantKind(t, err, KindMismatch)
		if e.Message != MsgMismatch {
			t.Errorf("message %q", e.Message)
		}
		if strings.Contains(e.Error(), testSecret) || strings.Contains(e.Error(), "not-the-secret") {
			t.Error("error leaks a secret")
		}
	})
	t.Run("wrong body", func(t *testing.T) {
		_, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody+"&x=1"))
		wantKind(t, err, KindMismatch)
	})
	t.Run("upper-case signature", func(t *testing.T) {
		req := signedSTSRequest(t, longTermCreds(), testNow)
		a, _ := ParseAuthorization(req.Header.Get("Authorization"))
		a.Signature = strings.ToUpper(a.Signature)
		req.Header.Set("Authorization", a.String())
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		wantKind(t, err, KindMismatch)
	})
	t.Run("scope date", func(t *testing.T) {
		req := signedSTSRequest(t, longTermCreds(), testNow)
		req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "/20260101/", "/20251231/", 1))
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		e := wantKind(t, err, KindMismatch)
		want := "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'."
		if e.Message != want {
			t.Errorf("message %q, want %q", e.Message, want)
		}
	})
	t.Run("content sha256 header", func(t *testing.T) {
		req := newSTSRequest(t, stsBody)
		req.Header.Set("X-Amz-Content-Sha256", payloadHash([]byte("something else")))
		sdkSign(t, req, []byte(stsBody), longTermCreds(), testService, testRegion, testNow)
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		e := wantKind(t, err, KindMismatch)
		if e.Message != MsgPayloadMismatch {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("unsigned payload on header auth", func(t *testing.T) {
		req := newSTSRequest(t, stsBody)
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := newSDKSigner().SignHTTP(context.Background(), longTermCreds(), req, "UNSIGNED-PAYLOAD", testService, testRegion, testNow); err != nil {
			t.Fatal(err)
		}
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		wantKind(t, err, KindMismatch)
	})
}

func TestContentSHA256Accepted(t *testing.T) {
	v := newVerifier(defaultKeys())
	req := newSTSRequest(t, stsBody)
	req.Header.Set("X-Amz-Content-Sha256", payloadHash([]byte(stsBody)))
	sdkSign(t, req, []byte(stsBody), longTermCreds(), testService, testRegion, testNow)
	if _, err := v.Verify(context.Background(), req, []byte(stsBody)); err != nil {
		t.Fatal(err)
	}
}

func TestExpired(t *testing.T) {
	keys := defaultKeys()
	t.Run("20 minutes old", func(t *testing.T) {
		now := time.Date(2026, 1, 1, 0, 20, 0, 0, time.UTC)
		v := &Verifier{Keys: keys, Now: fixedClock(now), MaxSkew: 5 * time.Minute}
		req := signedSTSRequest(t, longTermCreds(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		_, err := v.Verify(context.Background(), req, []byte(stsBody))
		e := wantKind(t, err, KindExpired)
		want := "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T002000Z - 5 min.)"
		if e.Message != want {
			t.Errorf("message %q, want %q", e.Message, want)
		}
		// The default window is 15 minutes: 20 minutes is still outside it.
		v15 := &Verifier{Keys: keys, Now: fixedClock(now)}
		_, err = v15.Verify(context.Background(), req, []byte(stsBody))
		e = wantKind(t, err, KindExpired)
		if want := "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T002000Z - 15 min.)"; e.Message != want {
			t.Errorf("message %q, want %q", e.Message, want)
		}
	})
	t.Run("within skew", func(t *testing.T) {
		v := newVerifier(keys)
		for _, d := range []time.Duration{-15 * time.Minute, -5 * time.Minute, 0, time.Minute, 15 * time.Minute} {
			if _, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow.Add(d)), []byte(stsBody)); err != nil {
				t.Errorf("signed at now%+v: %v", d, err)
			}
		}
		_, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow.Add(-15*time.Minute-time.Second)), []byte(stsBody))
		wantKind(t, err, KindExpired)
	})
	t.Run("in the future", func(t *testing.T) {
		v := newVerifier(keys)
		_, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow.Add(20*time.Minute)), []byte(stsBody))
		e := wantKind(t, err, KindExpired)
		want := "Signature not yet current: 20260101T122000Z is still later than 20260101T121500Z (20260101T120000Z + 15 min.)"
		if e.Message != want {
			t.Errorf("message %q, want %q", e.Message, want)
		}
	})
	t.Run("presigned", func(t *testing.T) {
		base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=3600", nil)
		pre := sdkPresign(t, base, nil, longTermCreds(), testService, testRegion, testNow)
		for _, tc := range []struct {
			now  time.Time
			want ErrorKind
		}{
			{testNow.Add(59 * time.Minute), 0},
			{testNow.Add(time.Hour), 0},
			{testNow.Add(time.Hour + time.Second), KindExpired},
			{testNow.Add(-14 * time.Minute), 0},
			{testNow.Add(-16 * time.Minute), KindExpired},
		} {
			v := &Verifier{Keys: keys, Now: fixedClock(tc.now)}
			res, err := v.Verify(context.Background(), pre, nil)
			if kindOf(err) != tc.want || (tc.want == 0 && err != nil) {
				t.Errorf("at %v: got %v, want kind %v", tc.now, err, tc.want)
			}
			if tc.want == 0 && err == nil && (!res.Presigned || !res.Expires.Equal(testNow.Add(time.Hour))) {
				t.Errorf("result %+v", res)
			}
			if tc.want == KindExpired && tc.now.After(testNow) {
				if e := wantKind(t, err, KindExpired); e.Message != "Request has expired" {
					t.Errorf("message %q", e.Message)
				}
			}
		}
	})
	t.Run("presigned without expires", func(t *testing.T) {
		base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		pre := sdkPresign(t, base, nil, longTermCreds(), testService, testRegion, testNow)
		v := &Verifier{Keys: keys, Now: fixedClock(testNow.Add(4 * time.Minute))}
		if _, err := v.Verify(context.Background(), pre, nil); err != nil {
			t.Fatal(err)
		}
		v = &Verifier{Keys: keys, Now: fixedClock(testNow.Add(20 * time.Minute))}
		_, err := v.Verify(context.Background(), pre, nil)
		wantKind(t, err, KindExpired)
	})
}

func TestSessionTokens(t *testing.T) {
	keys := defaultKeys()
	v := newVerifier(keys)
	t.Run("temporary without token", func(t *testing.T) {
		creds := tempCreds()
		creds.SessionToken = ""
		_, err := v.Verify(context.Background(), signedSTSRequest(t, creds, testNow), []byte(stsBody))
		e := wantKind(t, err, KindTokenInvalid)
		if e.Message != "The security token included in the request is invalid." {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("temporary with wrong token", func(t *testing.T) {
		creds := tempCreds()
		creds.SessionToken = tempToken + "x"
		_, err := v.Verify(context.Background(), signedSTSRequest(t, creds, testNow), []byte(stsBody))
		wantKind(t, err, KindTokenInvalid)
	})
	t.Run("long-term with token", func(t *testing.T) {
		creds := longTermCreds()
		creds.SessionToken = "unexpected"
		_, err := v.Verify(context.Background(), signedSTSRequest(t, creds, testNow), []byte(stsBody))
		wantKind(t, err, KindTokenInvalid)
	})
	t.Run("presigned temporary", func(t *testing.T) {
		base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
		pre := sdkPresign(t, base, nil, tempCreds(), testService, testRegion, testNow)
		if !strings.Contains(pre.URL.RawQuery, "X-Amz-Security-Token=") {
			t.Fatalf("no token in %s", pre.URL)
		}
		if _, err := v.Verify(context.Background(), pre, nil); err != nil {
			t.Fatal(err)
		}
		bad := pre.Clone(context.Background())
		q := bad.URL.Query()
		q.Set("X-Amz-Security-Token", "other")
		bad.URL.RawQuery = q.Encode()
		_, err := v.Verify(context.Background(), bad, nil)
		wantKind(t, err, KindTokenInvalid)
	})
	t.Run("expired", func(t *testing.T) {
		late := &Verifier{Keys: keys, Now: fixedClock(testNow.Add(time.Hour))}
		_, err := late.Verify(context.Background(), signedSTSRequest(t, tempCreds(), testNow.Add(time.Hour)), []byte(stsBody))
		e := wantKind(t, err, KindTokenExpired)
		if e.Message != "The security token included in the request is expired" {
			t.Errorf("message %q", e.Message)
		}
	})
}

func TestDateHeader(t *testing.T) {
	// The SDKs always send X-Amz-Date; this request uses the Date header, signed with
	// refSign, the independent reference signer of this test file.
	req, _ := http.NewRequest(http.MethodGet, "https://iam.example.test/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Date", testNow.Format(http.TimeFormat))
	refSign(req, nil, testAKID, testSecret, "iam", testRegion, testNow.Format(amzDateLayout), []string{"date", "host"}, false)
	v := newVerifier(defaultKeys())
	res, err := v.Verify(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Time.Equal(testNow) {
		t.Errorf("time %v", res.Time)
	}
	// The Date header must be signed when it carries the time.
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "date;host", "host", 1))
	_, err = v.Verify(context.Background(), req, nil)
	wantKind(t, err, KindIncomplete)
}

// TestBotocoreNormalization covers what botocore does differently from the Go SDK: it removes
// dot and empty path segments, and folds tabs in header values.
func TestBotocoreNormalization(t *testing.T) {
	v := newVerifier(defaultKeys())
	req, _ := http.NewRequest(http.MethodGet, "https://iam.example.test/a/./b//c/../d?Action=ListUsers", nil)
	req.Header.Set("X-Custom", "a\t  b")
	refSign(req, nil, testAKID, testSecret, "iam", testRegion, testNow.Format(amzDateLayout), []string{"host", "x-amz-date", "x-custom"}, true)
	if _, err := v.Verify(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	// Both differences matter: neither the exact path nor the Go SDK's header trimming gives
	// botocore's canonical form here.
	if wp := wirePath(req); canonicalURI(wp, false) == canonicalURI(wp, true) {
		t.Error("path normalization makes no difference for this request")
	}
	if _, differs := canonicalHeaders(req, []string{"x-custom"}, false); !differs {
		t.Error("header folding makes no difference for this request")
	}
	// Each alone is not enough.
	req2, _ := http.NewRequest(http.MethodGet, "https://iam.example.test/a/./b//c/../d?Action=ListUsers", nil)
	req2.Header.Set("X-Custom", "a\t  b")
	refSign(req2, nil, testAKID, testSecret, "iam", testRegion, testNow.Format(amzDateLayout), []string{"host", "x-amz-date", "x-custom"}, true)
	req2.Header.Set("X-Custom", "a\t  c")
	if _, err := v.Verify(context.Background(), req2, nil); kindOf(err) != KindMismatch {
		t.Errorf("changed header value: %v", err)
	}
}

func TestCanonicalURIMatchesSDK(t *testing.T) {
	for _, p := range []string{"/", "", "/a b", "/%20", "/a%2Fb/c", "/é/日本", "/!$&'()*+,;=:@", "/~user/._-", "//x//"} {
		want := httpbinding.EscapePath(p, false)
		if p == "" {
			want = "/"
		}
		if got := canonicalURI(p, false); got != want {
			t.Errorf("canonicalURI(%q) = %q, SDK %q", p, got, want)
		}
	}
	for in, want := range map[string]string{"/": "/", "/a/./b": "/a/b", "/a/../b/": "/b/", "//a//b": "/a/b", "/..": "/", "/a/.": "/a"} {
		if got := removeDotSegments(in); got != want {
			t.Errorf("removeDotSegments(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAuthorizationVariants(t *testing.T) {
	want := Authorization{
		Credential:    Credential{AccessKeyID: "AKID", Date: "20260101", Region: "eu-west-1", Service: "config"},
		SignedHeaders: []string{"host", "x-amz-date"},
		Signature:     strings.Repeat("ab", 32),
	}
	sig := want.Signature
	for _, h := range []string{
		want.String(),
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/config/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + sig,
		"AWS4-HMAC-SHA256   Credential=AKID/20260101/eu-west-1/config/aws4_request ,  SignedHeaders=host;x-amz-date , Signature=" + sig + " ",
		"AWS4-HMAC-SHA256\tCredential=AKID/20260101/eu-west-1/config/aws4_request\tSignedHeaders=host;x-amz-date\tSignature=" + sig,
		"AWS4-HMAC-SHA256 Signature=" + sig + ", Credential=AKID/20260101/eu-west-1/config/aws4_request, SignedHeaders=host;x-amz-date",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/config/aws4_request, SignedHeaders=host;x-amz-date, Foo=bar, Signature=" + sig,
	} {
		got, err := ParseAuthorization(h)
		if err != nil {
			t.Errorf("ParseAuthorization(%q): %v", h, err)
			continue
		}
		if got.String() != want.String() {
			t.Errorf("ParseAuthorization(%q) = %+v", h, got)
		}
	}
	if got := want.String(); got != "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/config/aws4_request, SignedHeaders=host;x-amz-date, Signature="+sig {
		t.Errorf("String() = %q", got)
	}
	if _, err := ParseAuthorization(""); kindOf(err) != KindMissing {
		t.Errorf("empty header: %v", err)
	}
}

func TestScope(t *testing.T) {
	req := signedSTSRequest(t, longTermCreds(), testNow)
	if a, r, s, ok := Scope(req); !ok || a != testAKID || r != testRegion || s != testService {
		t.Errorf("Scope(header) = %q %q %q %v", a, r, s, ok)
	}
	base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/?Action=GetCallerIdentity", nil)
	pre := sdkPresign(t, base, nil, tempCreds(), "sts", "eu-central-1", testNow)
	if a, r, s, ok := Scope(pre); !ok || a != tempAKID || r != "eu-central-1" || s != "sts" {
		t.Errorf("Scope(presigned) = %q %q %q %v", a, r, s, ok)
	}
	if _, _, _, ok := Scope(newSTSRequest(t, stsBody)); ok {
		t.Error("Scope(unsigned) ok")
	}
	bad := newSTSRequest(t, stsBody)
	bad.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/x")
	if _, _, _, ok := Scope(bad); ok {
		t.Error("Scope(malformed) ok")
	}
}

// TestBotocoreStyleSignedHeaders signs like botocore: content-length is not signed (the Go
// SDK signs it only when it knows the length, so ContentLength is hidden while signing), the
// signed set is host, x-amz-date, content-type and x-amz-target. The server then receives a
// Content-Length header the signature does not cover, and must accept the request.
func TestBotocoreStyleSignedHeaders(t *testing.T) {
	cs := newCaptureServer(t, newVerifier(defaultKeys()))
	body := []byte(`{"ConfigRuleNames":["r1"]}`)
	req, _ := http.NewRequest(http.MethodPost, cs.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "StarlingDoveService.DescribeConfigRules")
	req.ContentLength = -1
	sdkSign(t, req, body, longTermCreds(), "config", testRegion, testNow)
	req.ContentLength = int64(len(body))
	c, res, err := cs.do(t, req)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got := strings.Join(res.SignedHeaders, ";"); got != "content-type;host;x-amz-date;x-amz-target" {
		t.Errorf("signed headers %s", got)
	}
	if c.header.Get("Content-Length") != fmt.Sprint(len(body)) {
		t.Errorf("server saw no Content-Length header: %v", c.header)
	}

	// And the Go SDK's own choice, content-length signed, through the same server.
	req, _ = http.NewRequest(http.MethodPost, cs.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "StarlingDoveService.DescribeConfigRules")
	sdkSign(t, req, body, longTermCreds(), "config", testRegion, testNow)
	_, res, err = cs.do(t, req)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got := strings.Join(res.SignedHeaders, ";"); got != "content-length;content-type;host;x-amz-date;x-amz-target" {
		t.Errorf("signed headers %s", got)
	}

	// A body sent chunked (no Content-Length at all) with content-length unsigned.
	req, _ = http.NewRequest(http.MethodPost, cs.URL+"/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.ContentLength = -1
	req.Body = readerOnly{bytes.NewReader(body)}
	req.GetBody = nil
	sdkSign(t, req, body, longTermCreds(), "config", testRegion, testNow)
	c, _, err = cs.do(t, req)
	if err != nil {
		t.Fatalf("Verify chunked: %v", err)
	}
	if len(c.transferEncoding) == 0 {
		t.Errorf("request was not chunked")
	}
}

type readerOnly struct{ r *bytes.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }
func (r readerOnly) Close() error               { return nil }

func TestPresignedThroughServer(t *testing.T) {
	cs := newCaptureServer(t, newVerifier(defaultKeys()))
	base, _ := http.NewRequest(http.MethodGet, cs.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=900", nil)
	base.Header.Set("x-k8s-aws-id", "my-cluster")
	pre := sdkPresign(t, base, nil, tempCreds(), "sts", testRegion, testNow)
	_, res, err := cs.do(t, pre)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !res.Presigned || strings.Join(res.SignedHeaders, ";") != "host;x-k8s-aws-id" || res.UnsignedPayload {
		t.Errorf("result %+v", res)
	}
}

func TestPresignedUnsignedPayload(t *testing.T) {
	v := newVerifier(defaultKeys())
	base, _ := http.NewRequest(http.MethodGet, "https://s3.example.test/bucket/key?X-Amz-Expires=60", nil)
	u, hdr, err := newSDKSigner().PresignHTTP(context.Background(), longTermCreds(), base, "UNSIGNED-PAYLOAD", "s3", testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, vv := range hdr {
		req.Header[k] = vv
	}
	res, err := v.Verify(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.UnsignedPayload {
		t.Error("UnsignedPayload not reported")
	}
	// A body sent with a URL presigned over an empty body, without declaring UNSIGNED-PAYLOAD,
	// is not accepted.
	if _, err := v.Verify(context.Background(), req, []byte("Action=CreateUser")); kindOf(err) != KindMismatch {
		t.Errorf("body added to presigned request: %v", err)
	}
}

func TestRotatedSecret(t *testing.T) {
	keys := defaultKeys()
	v := newVerifier(keys)
	if _, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody)); err != nil {
		t.Fatal(err)
	}
	keys.set(Secret{AccessKeyID: testAKID, SecretAccessKey: "rotated-secret"})
	_, err := v.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody))
	wantKind(t, err, KindMismatch)
	rotated := longTermCreds()
	rotated.SecretAccessKey = "rotated-secret"
	if _, err := v.Verify(context.Background(), signedSTSRequest(t, rotated, testNow), []byte(stsBody)); err != nil {
		t.Fatalf("rotated secret: %v", err)
	}
}

func TestCacheBounded(t *testing.T) {
	keys := defaultKeys()
	v := &Verifier{Keys: keys, Now: fixedClock(testNow), CacheSize: 3}
	regions := []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"}
	for round := 0; round < 2; round++ {
		for _, r := range regions {
			req := newSTSRequest(t, stsBody)
			sdkSign(t, req, []byte(stsBody), longTermCreds(), "sts", r, testNow)
			if _, err := v.Verify(context.Background(), req, []byte(stsBody)); err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			if n := v.cache.len(); n > 3 {
				t.Fatalf("cache holds %d entries, bound 3", n)
			}
		}
	}
	off := &Verifier{Keys: keys, Now: fixedClock(testNow), CacheSize: -1}
	if _, err := off.Verify(context.Background(), signedSTSRequest(t, longTermCreds(), testNow), []byte(stsBody)); err != nil {
		t.Fatal(err)
	}
	if n := off.cache.len(); n != 0 {
		t.Errorf("disabled cache holds %d entries", n)
	}
}

func BenchmarkVerify(b *testing.B) {
	v := newVerifier(defaultKeys())
	req := newSTSRequest(b, stsBody)
	sdkSign(b, req, []byte(stsBody), longTermCreds(), testService, testRegion, testNow)
	body := []byte(stsBody)
	ctx := context.Background()
	if _, err := v.Verify(ctx, req, body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(ctx, req, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyUncached(b *testing.B) {
	v := newVerifier(defaultKeys())
	v.CacheSize = -1
	req := newSTSRequest(b, stsBody)
	sdkSign(b, req, []byte(stsBody), longTermCreds(), testService, testRegion, testNow)
	body := []byte(stsBody)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, req, body); err != nil {
			b.Fatal(err)
		}
	}
}
