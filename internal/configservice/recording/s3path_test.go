package recording

import "testing"

func TestBucketPath(t *testing.T) {
	for _, c := range []struct {
		bucket, key string
		ok          bool
	}{
		{"config-bucket", "templates/pack.yaml", true},
		{"my.bucket.1", "a", true},
		{"abc", "x/y/z.json", true},
		{"..", "notes.yaml", false},
		{"../x", "notes.yaml", false},
		{"a..b", "k", false},
		{"ab", "k", false},                     // too short
		{"Bucket", "k", false},                 // upper case
		{"under_score", "k", false},            // not S3's characters
		{"-abc", "k", false},                   // must start with a letter or digit
		{"abc-", "k", false},                   // and end with one
		{"abc", "", false},                     // no key
		{"abc", "../notes.yaml", false},        // leaves the bucket
		{"abc", "x/../../notes.yaml", false},   // leaves the bucket
		{"abc", "/etc/passwd", false},          // absolute
		{"abc", "x\x00y", false},               // NUL
		{"abc", "dir/", false},                 // a folder, not an object
		{"abc", "./k", false},                  // "." segment
		{string(make([]byte, 64)), "k", false}, // NULs, and too long
		{"a" + string(make([]byte, 62)), "k", false},
	} {
		_, err := bucketPath(c.bucket, c.key)
		if (err == nil) != c.ok {
			t.Errorf("bucketPath(%q, %q): %v, want ok=%v", c.bucket, c.key, err, c.ok)
		}
	}
	for uri, ok := range map[string]bool{
		"s3://config-bucket/pack.yaml": true,
		"s3://../notes.yaml":           false,
		"s3://config-bucket":           false,
		"https://config-bucket/p.yaml": false,
		"s3:///etc/passwd":             false,
	} {
		if _, err := ParseS3URI(uri); (err == nil) != ok {
			t.Errorf("parseS3URI(%q): %v, want ok=%v", uri, err, ok)
		}
	}
}

func FuzzBucketPath(f *testing.F) {
	f.Add("config-bucket", "a/b.yaml")
	f.Add("..", "x")
	f.Add("abc", "../../x")
	f.Fuzz(func(t *testing.T, bucket, key string) {
		p, err := bucketPath(bucket, key)
		if err != nil {
			return
		}
		if !validBucketName(bucket) || p == "" || p[0] == '/' {
			t.Fatalf("bucketPath(%q, %q) = %q", bucket, key, p)
		}
		for _, seg := range splitPath(p) {
			if seg == ".." {
				t.Fatalf("bucketPath(%q, %q) = %q leaves the directory", bucket, key, p)
			}
		}
	})
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}
