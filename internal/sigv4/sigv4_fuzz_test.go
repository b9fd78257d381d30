package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseAuthorization checks that ParseAuthorization never panics, fails only with an *Error
// of kind KindMissing or KindIncomplete, and that parse → format → parse is stable.
func FuzzParseAuthorization(f *testing.F) {
	sig := strings.Repeat("0f", 32)
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAORGCONFIGTEST001/20260101/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + sig,
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/config/aws4_request,SignedHeaders=host;x-amz-date,Signature=" + sig,
		"AWS4-HMAC-SHA256\tSignature=" + sig + " Credential=AKID/20260101/eu-west-1/iam/aws4_request SignedHeaders=host",
		"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=a=b, X=",
		"AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/sts/aws4_request, SignedHeaders=;, Signature=",
		"AWS4-HMAC-SHA256 Credential=AKID/20261301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x",
		"AWS4-HMAC-SHA256 Credential==A/20260101/r/s/aws4_request, SignedHeaders=h;;, Signature=x, Signature=y",
		"AWS4-HMAC-SHA256",
		"AWS AKIAORGCONFIGTEST001:c2lnbmF0dXJl",
		"AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/sts/aws4_request, SignedHeaders=host, Signature=00",
		"",
		" , ,\t",
		"AWS4-HMAC-SHA256 Credential",
		"AWS4-HMAC-SHA256 Credential=\xff\xfe/20260101/\x00/s/aws4_request, SignedHeaders=h\n, Signature=\u00e9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Kind != KindMissing && e.Kind != KindIncomplete) {
				t.Fatalf("ParseAuthorization(%q): unexpected error %#v", header, err)
			}
			return
		}
		formatted := a.String()
		b, err := ParseAuthorization(formatted)
		if err != nil {
			t.Fatalf("ParseAuthorization(%q) ok, but its formatting %q fails: %v", header, formatted, err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("unstable: %q → %+v → %q → %+v", header, a, formatted, b)
		}
		if b.String() != formatted {
			t.Fatalf("format unstable: %q vs %q", formatted, b.String())
		}
		if a.Credential.AccessKeyID == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted incomplete header %q: %+v", header, a)
		}
	})
}

// FuzzVerify checks that no combination of method, request URI, Authorization header, date
// header, extra header and body makes Verify (or Scope) panic, and that failures are always
// *Error values.
func FuzzVerify(f *testing.F) {
	// A valid header-signed request and a valid presigned one, as seeds the fuzzer can mutate.
	req := newSTSRequest(f, stsBody)
	sdkSign(f, req, []byte(stsBody), longTermCreds(), testService, testRegion, testNow)
	f.Add("POST", "/", req.Header.Get("Authorization"), req.Header.Get("X-Amz-Date"), "Content-Type", req.Header.Get("Content-Type"), []byte(stsBody))
	base, _ := http.NewRequest(http.MethodGet, "https://sts.example.test/a%20b/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	pre := sdkPresign(f, base, nil, tempCreds(), testService, testRegion, testNow)
	f.Add("GET", pre.URL.RequestURI(), "", "", "", "", []byte(nil))
	f.Add("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20260101%2Fr%2Fs%2Faws4_request&X-Amz-Date=20260101T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=-1",
		"", "", "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD", []byte("x"))
	f.Add("GET", "/%zz/..//./?a=%zz&&=&;=;&X-Amz-Signature=1", "AWS4-HMAC-SHA256 Credential=AKIAORGCONFIGTEST001/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;date, Signature=00",
		"", "Date", "Thu, 01 Jan 2026 12:00:00 GMT", []byte{})
	f.Add("PUT", "*", "AWS4-HMAC-SHA256 Credential=x", "20260101T120000Z", "X-Amz-Security-Token", "tok", []byte{0, 1, 2})
	f.Add("", "http://host/p?q", "AWS4-HMAC-SHA256 Credential=AKIAORGCONFIGTEST001/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;transfer-encoding;content-length, Signature=00",
		"20260101T120000Z", "x-amz-date", "20260101T120000Z", []byte("body"))

	v := newVerifier(defaultKeys())
	f.Fuzz(func(t *testing.T, method, uri, authz, amzDate, hname, hvalue string, body []byte) {
		u, err := url.ParseRequestURI(uri)
		if err != nil {
			u = &url.URL{Path: "/"}
		}
		r := &http.Request{Method: method, RequestURI: uri, URL: u, Host: "sts.example.test", Header: http.Header{}, ContentLength: int64(len(body))}
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if amzDate != "" {
			r.Header.Set("X-Amz-Date", amzDate)
		}
		if hname != "" {
			r.Header[hname] = append(r.Header[hname], hvalue)
		}
		Scope(r)
		res, err := v.Verify(context.Background(), r, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind < KindMissing || e.Kind > KindTokenExpired || e.Message == "" {
				t.Fatalf("unexpected error %#v", err)
			}
			input := method + uri + authz + amzDate + hname + hvalue + string(body)
			for _, secret := range []string{testSecret, tempSecret, tempToken} {
				if strings.Contains(e.Message, secret) && !strings.Contains(input, secret) {
					t.Fatalf("error message leaks a secret: %q", e.Message)
				}
			}
			return
		}
		if res == nil || res.AccessKeyID == "" {
			t.Fatalf("nil error with result %+v", res)
		}
	})
}
