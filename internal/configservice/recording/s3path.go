package recording

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// orgconfig has no S3: a directory (Options.SnapshotDir) stands in for every bucket, a bucket
// being a folder of it and an object key a path under that folder. Names from requests become
// paths only through bucketPath, which accepts what S3 accepts and nothing that could leave the
// directory.

// bucketName is S3's rule for a general purpose bucket's name: 3 to 63 characters of lower-case
// letters, digits, dots and hyphens, beginning and ending with a letter or digit
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validBucketName reports whether name is a valid S3 bucket name: the pattern, and no two
// adjacent dots (so never ".." either).
func validBucketName(name string) bool {
	return bucketName.MatchString(name) && !strings.Contains(name, "..")
}

// validKeyPrefix reports whether an S3 key prefix stays inside its bucket's folder once it
// becomes a path: no NUL, no leading slash, no "." or ".." segment.
func validKeyPrefix(prefix string) bool {
	if strings.ContainsRune(prefix, 0) || strings.HasPrefix(prefix, "/") {
		return false
	}
	for _, seg := range strings.Split(prefix, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// bucketPath returns the path, relative to the snapshot directory, of object key in bucket,
// or an error when either would name anything outside the bucket's folder.
func bucketPath(bucket, key string) (string, error) {
	if !validBucketName(bucket) {
		return "", fmt.Errorf("%q is not a valid bucket name", bucket)
	}
	if key == "" || strings.HasSuffix(key, "/") || !validKeyPrefix(key) {
		return "", fmt.Errorf("%q is not a valid object key", key)
	}
	p := path.Join(bucket, key)
	if !filepath.IsLocal(filepath.FromSlash(p)) || !strings.HasPrefix(p, bucket+"/") {
		return "", fmt.Errorf("%q is not a valid object key", key)
	}
	return filepath.FromSlash(p), nil
}

// ParseS3URI splits s3://bucket/key into a path under the snapshot directory.
func ParseS3URI(uri string) (string, error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", fmt.Errorf("not an s3:// URI")
	}
	bucket, key, _ := strings.Cut(rest, "/")
	return bucketPath(bucket, key)
}

// ReadRegular reads a regular file of at most max bytes (more is an error, as is a directory,
// a device or a symbolic link).
func ReadRegular(name string, max int) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}
